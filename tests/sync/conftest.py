"""Central stores for the sync tests: a SQLite file, and a real PostgreSQL server started
for the test session as a throwaway cluster (initdb + pg_ctl on a free port).

.ci/run installs Debian's postgresql if it is missing. Where no PostgreSQL binaries can
be found, the PostgreSQL cases are skipped with that reason; the SQLite ones still run.

Over TCP the server asks every login for its password (scram-sha-256), as a real one
would, except the superuser ``postgres``, which the tests use without one; devices'
logins made by ``lr-desk central add-device`` need theirs.
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

import pytest


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


HBA = """\
local all all                trust
host  all postgres 127.0.0.1/32 trust
host  all all      127.0.0.1/32 scram-sha-256
host  all all      ::1/128      scram-sha-256
"""


@pytest.fixture(scope="session")
def postgres_server():
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed here (.ci/run installs Debian's postgresql)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root, and there is no postgres user to run the server")
    base = Path(tempfile.mkdtemp(prefix="lr-desk-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                                 "-U", "postgres", "--no-sync"]),
                   check=True, capture_output=True)
    (data / "pg_hba.conf").write_text(HBA)
    subprocess.run(_as_postgres([
        str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w",
        "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
              "-c max_connections=50", "start"]), check=True, capture_output=True)
    try:
        yield {"port": port, "bindir": bindir}
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m",
                                     "immediate", "stop"]), capture_output=True, check=False)
        shutil.rmtree(base, ignore_errors=True)


_databases = iter(range(1, 10_000))


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A new, empty database on the throwaway server, for one test."""
    import psycopg

    name = f"lr_desk_test_{next(_databases)}"
    admin = f"postgresql://postgres@127.0.0.1:{postgres_server['port']}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:{postgres_server['port']}/{name}"


@pytest.fixture(autouse=True)
def no_keyring():
    """No test reads or writes the keyring of the machine it runs on: the credentials
    fall back to their encrypted file (tests that want a keyring set one of their own)."""
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture(params=["sqlite", "postgresql"])
def central_url(request, tmp_path) -> str:
    """The same tests against both central stores."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def central(central_url):
    """A new central store (schema made) at ``central_url``, open for one test."""
    from lr_desk.sync.central import CentralStore, init_central

    init_central(central_url)
    store = CentralStore(central_url)
    yield store
    store.close()
