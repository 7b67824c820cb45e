"""Central stores for the sync tests: a SQLite file, and a real PostgreSQL server started
for the test session as a throwaway cluster (initdb + pg_ctl on a free port).

.ci/run installs Debian's postgresql if it is missing. Where no PostgreSQL binaries can
be found, the PostgreSQL cases are skipped with that reason; the SQLite ones still run.

Over TCP the server asks every login for its password (scram-sha-256), as a real one
would, except the superuser ``postgres``, which the tests use without one; devices'
logins made by ``lr-desk central add-device`` need theirs.
"""

from __future__ import annotations

import pytest

from . import pgcluster

HBA = """\
local all all                trust
host  all postgres 127.0.0.1/32 trust
host  all all      127.0.0.1/32 scram-sha-256
host  all all      ::1/128      scram-sha-256
"""


@pytest.fixture(scope="session")
def postgres_server():
    reason = pgcluster.why_not()
    if reason:
        pytest.skip(reason)
    cluster = pgcluster.Cluster("lr-desk-pg-", "-c fsync=off -c max_connections=50", HBA)
    cluster.start()
    try:
        yield {"port": cluster.port, "bindir": cluster.bindir}
    finally:
        cluster.stop("immediate")


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
