"""A throwaway PostgreSQL cluster: initdb and pg_ctl on a free port, in a temporary folder
removed afterwards. Used by the sync tests (conftest.py) and benchmarks/sync_bench.py.

A primary and its streaming replica (Cluster.replica: pg_basebackup -R from the running
primary, started on another free port) for tests/sync/test_replica.py; the primary is
made with ``wal_level=replica`` and may wait for its standby at each commit
(Cluster.synchronous), so that an acknowledged commit is on the replica too.

PostgreSQL refuses to run as root: as root, its tools run as the postgres user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def pg_bin() -> Path | None:
    """Where initdb and pg_ctl are (Debian's newest first), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def why_not() -> str | None:
    """Why no cluster can be started here, or None if one can."""
    if pg_bin() is None:
        return "PostgreSQL is not installed here (.ci/run installs Debian's postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no postgres user to run the server"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class Cluster:
    """``options``: extra server settings (``-c name=value ...``); ``hba``: a pg_hba.conf
    to use instead of initdb's (trust everywhere)."""

    def __init__(self, prefix: str, options: str = "", hba: str | None = None):
        self.bindir = pg_bin()
        self.prefix, self.options, self.hba = prefix, options, hba
        self.base: Path | None = None
        self.port = 0

    @property
    def data(self) -> Path:
        assert self.base is not None, "the cluster is not started"
        return self.base / "data"

    def _folder(self) -> Path:
        self.base = Path(tempfile.mkdtemp(prefix=self.prefix))
        (self.base / "sock").mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
            shutil.chown(self.base / "sock", "postgres")
        self.port = free_port()
        return self.base

    def start(self) -> None:
        self._folder()
        subprocess.run(as_postgres([str(self.bindir / "initdb"), "-D", str(self.data), "-A",
                                    "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True)
        if self.hba is not None:
            (self.data / "pg_hba.conf").write_text(self.hba)
        self._run()

    def _run(self) -> None:
        subprocess.run(as_postgres([
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
            str(self.base / "server.log"), "-w", "-o",
            f"-p {self.port} -k {self.base / 'sock'} -c listen_addresses=127.0.0.1 "
            f"{self.options}", "start"]), check=True, capture_output=True)

    def url(self, database: str = "postgres", driver: str = "postgresql") -> str:
        """The superuser's address of a database on this cluster (no password: trusted)."""
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres"):
        """Run one statement as the superuser (autocommit); its first row, if any."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cur = conn.execute(statement)
            return cur.fetchone() if cur.description else None

    def replica(self, prefix: str | None = None) -> Cluster:
        """A streaming replica of this running cluster (which needs wal_level=replica or
        logical, the default, and a replication entry in its pg_hba.conf for 127.0.0.1:
        initdb's has one): pg_basebackup -R (the standby's connection settings written
        for it), started on another free port as a hot standby, its name ``replica``
        (the name synchronous_standby_names waits for)."""
        standby = Cluster(prefix or self.prefix + "replica-", self.options, None)
        standby._folder()
        subprocess.run(as_postgres([
            str(self.bindir / "pg_basebackup"), "-D", str(standby.data), "-h", "127.0.0.1",
            "-p", str(self.port), "-U", "postgres", "-R", "-X", "stream", "--no-sync",
            "-c", "fast"]), check=True, capture_output=True)
        with open(standby.data / "postgresql.auto.conf", "a") as conf:
            # (the application name is how the primary knows this standby)
            conf.write(f"primary_conninfo = 'host=127.0.0.1 port={self.port} user=postgres "
                       "application_name=replica'\nhot_standby = on\n")
        standby._run()
        return standby

    def synchronous(self, on: bool = True) -> None:
        """Whether a commit here waits until the standby ``replica`` has the commit on
        disk (synchronous_commit=on with synchronous_standby_names), so that a commit
        acknowledged to a device survives the loss of this server."""
        names = "'replica'" if on else "''"
        self.sql(f"ALTER SYSTEM SET synchronous_standby_names = {names}")
        self.sql("SELECT pg_reload_conf()")

    def promote(self) -> None:
        """Make this standby a primary (after its primary is lost), waiting until it is."""
        subprocess.run(as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w",
                                    "promote"]), check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        if self.base is None:
            return
        subprocess.run(as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"),
                                    "-m", mode, "stop"]), capture_output=True, check=False)
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None
