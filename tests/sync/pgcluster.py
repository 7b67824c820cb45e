"""A throwaway PostgreSQL cluster: initdb and pg_ctl on a free port, in a temporary folder
removed afterwards. Used by the sync tests (conftest.py) and benchmarks/sync_bench.py.

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

    def start(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix=self.prefix))
        data, sockets = self.base / "data", self.base / "sock"
        sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
            shutil.chown(sockets, "postgres")
        self.port = free_port()
        subprocess.run(as_postgres([str(self.bindir / "initdb"), "-D", str(data), "-A",
                                    "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True)
        if self.hba is not None:
            (data / "pg_hba.conf").write_text(self.hba)
        subprocess.run(as_postgres([
            str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.base / "server.log"),
            "-w", "-o", f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 "
                        f"{self.options}", "start"]), check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        if self.base is None:
            return
        subprocess.run(as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"),
                                    "-m", mode, "stop"]), capture_output=True, check=False)
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None
