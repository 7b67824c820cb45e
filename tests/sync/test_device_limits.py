"""A device's login cannot stop the other desks (lr_desk.sync.harden), tried as an attacker
would: psycopg straight to the real server with one device's login.

A push the code as it was made wait for ever runs here on a connection whose own
statement_timeout ends it instead (``guarded``): the test then fails rather than hang.
"""

from __future__ import annotations

import threading

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from lr_desk.sync import harden
from lr_desk.sync.central import (
    ORDER_LOCK,
    CentralStore,
    _create_login,
    add_device,
    alembic_config,
    device,
    init_central,
    make_engine,
)
from lr_desk.sync.connect import explain

from .test_central import change
from .test_security import _insert, _name, login, raw

NO_TIMEOUTS = ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout",
               "idle_session_timeout")


@pytest.fixture
def store(postgres_url):
    init_central(postgres_url)
    a = add_device(postgres_url, _name("hub a"), "walton")
    b = add_device(postgres_url, _name("hub b"), "kirkby")
    return postgres_url, a, b


def guarded(url: str) -> str:
    """``url`` with a statement_timeout of its own: what would wait for ever fails."""
    return make_url(url).update_query_dict({"options": "-c statement_timeout=30000"}) \
        .render_as_string(hide_password=False)


def attacker(new) -> psycopg.Connection:
    """The device's login with every timeout it can switch off switched off."""
    conn = raw(login(new))
    for setting in NO_TIMEOUTS:
        conn.execute(f"SET {setting} = 0")
    return conn


def _ended(conn: psycopg.Connection) -> bool:
    try:
        conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return True
    return False


def _log(admin: str) -> list[str]:
    with raw(admin) as conn:
        return [r[0] for r in conn.execute("SELECT device_id FROM change_log ORDER BY seq")]


# --- the ordering lock ------------------------------------------------------------------

@pytest.mark.parametrize("scope", ["session", "transaction"])
def test_a_device_holding_the_old_advisory_lock_holds_up_no_one(store, scope):
    admin, a, b = store
    with attacker(a) as conn:
        if scope == "session":
            conn.execute("SELECT pg_advisory_lock(%s)", (ORDER_LOCK,))
        else:
            conn.execute("BEGIN")
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (ORDER_LOCK,))
        dev_b, owner = CentralStore(guarded(login(b))), CentralStore(guarded(admin))
        try:
            dev_b.push(b.name, [change(1, stamp="desk-b")])
            owner.push("desk-admin", [change(2, stamp="desk-admin")])
        finally:
            dev_b.close()
            owner.close()
        assert not _ended(conn)  # it held up no one: left alone
    assert _log(admin) == [b.name, "desk-admin"]


@pytest.mark.parametrize("statement", ["LOCK TABLE central_order IN EXCLUSIVE MODE",
                                       "LOCK TABLE central_order IN ACCESS SHARE MODE",
                                       "SELECT change_log_order()"])
def test_no_device_may_take_the_ordering_lock_itself(store, statement):
    _, a, _ = store
    with raw(login(a)) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("BEGIN")
        conn.execute(statement)


@pytest.mark.parametrize("victim", ["device", "owner"])
def test_a_device_idle_in_its_transaction_after_an_append_is_ended(store, victim):
    """It took the ordering lock by appending, switched off its timeouts and sat: the
    next push waits a few seconds, ends its session (its append goes with it), and goes
    through."""
    admin, a, b = store
    conn = attacker(a)
    try:
        conn.execute("BEGIN")
        _insert(conn, a.name, hlc="000000000000001-00000-desk-a")
        pusher = CentralStore(guarded(login(b) if victim == "device" else admin))
        try:
            pusher.push(b.name, [change(2, stamp="desk-b")])
        finally:
            pusher.close()
        assert _ended(conn)
    finally:
        conn.close()
    assert _log(admin) == [b.name]
    with raw(admin) as check:  # and numbered 1: the attacker's number was never used
        assert check.execute("SELECT seq FROM change_log").fetchall() == [(1,)]


def test_a_device_that_holds_the_lock_longer_than_any_push_is_ended(store):
    """Appended, then kept its transaction busy (timeouts off): pushes meanwhile fail
    with "busy" (the sync tries again) until it has held the lock longer than any push
    takes (HOLD, shortened here), when the next push ends it."""
    admin, a, b = store
    with raw(admin) as conn:  # init put the lock in place; its HOLD is shortened here
        assert conn.execute("SELECT to_regprocedure('change_log_order()')").fetchone()[0]
    engine = make_engine(admin)
    try:
        with engine.begin() as conn:
            harden.harden_store(conn, hold=6)
    finally:
        engine.dispose()
    conn = attacker(a)
    conn.execute("BEGIN")
    _insert(conn, a.name, hlc="000000000000001-00000-desk-a")
    outcome = []

    def keep_busy():
        try:
            conn.execute("SELECT pg_sleep(3600)")
        except psycopg.Error as exc:
            outcome.append(exc)

    busy = threading.Thread(target=keep_busy)
    busy.start()
    dev_b = CentralStore(guarded(login(b)))
    try:
        for _ in range(10):
            try:
                dev_b.push(b.name, [change(2, stamp="desk-b")])
                break
            except DBAPIError as exc:
                assert harden.BUSY in str(exc.orig)
                assert isinstance(exc.orig, psycopg.errors.LockNotAvailable)
        busy.join(timeout=60)
        assert not busy.is_alive() and isinstance(outcome[0], psycopg.OperationalError)
    finally:
        dev_b.close()
        conn.close()
    assert _log(admin) == [b.name]


def test_a_push_that_waits_too_long_says_the_store_is_busy(store):
    """The owner's own transaction holding the lock is never ended: the device's push
    stops waiting after a few seconds, in plain words the desk shows."""
    admin, _, b = store
    with raw(admin) as conn:
        conn.execute("BEGIN")
        conn.execute("SELECT change_log_order()")
        dev_b = CentralStore(guarded(login(b)))
        try:
            with pytest.raises(DBAPIError) as caught:
                dev_b.push(b.name, [change(1, stamp="desk-b")])
        finally:
            dev_b.close()
        assert isinstance(caught.value.orig, psycopg.errors.LockNotAvailable)
        assert not _ended(conn)
        conn.execute("ROLLBACK")
    assert "busy" in explain(caught.value) and "lr_desk" not in explain(caught.value)
    assert _log(admin) == []


# --- the login's limits -----------------------------------------------------------------

def test_a_device_may_open_only_a_few_connections(store):
    _, a, _ = store
    conns = [raw(login(a)) for _ in range(harden.CONNECTION_LIMIT)]
    try:
        with pytest.raises(psycopg.OperationalError,
                           match="too many connections for role") as caught:
            raw(login(a)).close()
        assert "as many connections to the central store as it may" in \
            explain(caught.value, login(a))
    finally:
        for conn in conns:
            conn.close()


def test_a_devices_sessions_start_with_timeouts(store):
    admin, a, _ = store
    with raw(admin) as conn:
        limit, config = conn.execute("SELECT rolconnlimit, rolconfig FROM pg_roles "
                                     "WHERE rolname = %s", (a.role,)).fetchone()
    assert limit == harden.CONNECTION_LIMIT
    assert sorted(config) == sorted(f"{k}={v}" for k, v in harden.ROLE_SETTINGS.items())
    with raw(login(a)) as conn:
        assert conn.execute("SHOW idle_in_transaction_session_timeout").fetchone()[0] == "30s"


@pytest.mark.parametrize("statement", ["SELECT lo_creat(-1)", "SELECT lo_create(0)",
                                       "SELECT lo_from_bytea(0, 'a lot of bytes')"])
def test_a_device_cannot_create_a_large_object(store, statement):
    admin, a, _ = store
    with raw(login(a)) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)
    with raw(admin) as conn:
        assert conn.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone() == (0,)


@pytest.mark.parametrize("database", ["postgres", "template1"])
def test_a_device_cannot_connect_to_the_servers_other_databases(store, database):
    """Every role may, as a new server has it (another test may have closed it)."""
    admin, a, _ = store
    with raw(admin) as conn:
        conn.execute(f"GRANT CONNECT ON DATABASE {database} TO PUBLIC")
    init_central(admin)
    elsewhere = make_url(login(a)).set(database=database)
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        raw(elsewhere.render_as_string(hide_password=False)).close()


def test_a_database_made_later_is_closed_to_devices_at_the_next_init(store):
    """Not to the roles that could connect there: they are given CONNECT back."""
    admin, a, _ = store
    later, someone = f"{make_url(admin).database}_later", _name("someone").replace("-", "_")
    with raw(admin) as conn:
        conn.execute(f'CREATE DATABASE "{later}"')
        conn.execute(f'CREATE ROLE "{someone}" LOGIN PASSWORD \'their-own\'')
    notes = []
    init_central(admin, notes=notes)
    assert any(later in note for note in notes)
    there = make_url(admin).set(database=later)
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        raw(there.set(username=a.role, password=a.password)
            .render_as_string(hide_password=False)).close()
    raw(there.set(username=someone, password="their-own")
        .render_as_string(hide_password=False)).close()


def test_a_password_a_device_gives_itself_is_of_no_use(store):
    """PostgreSQL lets a login change its own password; the store then refuses that
    login's appends and reads until the administrator gives it a new one."""
    admin, a, _ = store
    owner = CentralStore(admin)
    owner.push("desk-admin", [change(1, stamp="desk-admin")])
    owner.close()
    with raw(login(a)) as conn:
        conn.execute("ALTER ROLE CURRENT_USER PASSWORD 'the-thief-chose-this'")
    dev = CentralStore(login(a, password="the-thief-chose-this"))
    try:
        with pytest.raises(DBAPIError, match=harden.PASSWORD_CHANGED) as pushed:
            dev.push(a.name, [change(2, stamp="desk-a")])
        with pytest.raises(DBAPIError, match=harden.PASSWORD_CHANGED):
            dev.pull(0)
    finally:
        dev.close()
    assert "add-device --new-password" in explain(pushed.value)
    assert _log(admin) == ["desk-admin"]
    renewed = add_device(admin, a.name, "walton", new_password=True)
    dev = CentralStore(login(renewed))
    try:
        dev.push(a.name, [change(3, stamp="desk-a")])
        assert len(dev.pull(0)) == 2
    finally:
        dev.close()


# --- init tightens a store made before --------------------------------------------------

def test_init_tightens_a_store_and_a_device_made_before(postgres_url):
    """The store and a device's login as the lr_desk before this made them (migrations
    only; the login with its grants and nothing else), on a server whose databases are
    open to every role again: the next init applies all of it."""
    from alembic import command

    engine = make_engine(postgres_url)
    try:
        command.upgrade(alembic_config(engine), "head")
        name = _name("old hub")
        role = "lr_device_" + name.replace(" ", "_").replace("-", "_")
        with engine.begin() as conn:
            _create_login(conn, role, "the-old-password", name, exists=False)
            conn.execute(sa.insert(device).values(name=name, site="walton", role=role))
            conn.exec_driver_sql("GRANT CONNECT ON DATABASE template1 TO PUBLIC")
    finally:
        engine.dispose()
    old = make_url(postgres_url).set(username=role, password="the-old-password")
    url = old.render_as_string(hide_password=False)
    with raw(url) as conn:  # as it was: a large object made, template1 open
        conn.execute("SELECT lo_unlink(lo_creat(-1))")
    raw(old.set(database="template1").render_as_string(hide_password=False)).close()

    init_central(postgres_url)
    with raw(postgres_url) as conn:
        assert conn.execute("SELECT rolconnlimit FROM pg_roles WHERE rolname = %s",
                            (role,)).fetchone() == (harden.CONNECTION_LIMIT,)
    with raw(url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT lo_creat(-1)")
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        raw(old.set(database="template1").render_as_string(hide_password=False)).close()
    with attacker_at(url) as conn:  # the old lock no longer orders anything
        conn.execute("SELECT pg_advisory_lock(%s)", (ORDER_LOCK,))
        dev = CentralStore(guarded(url))
        try:
            dev.push(name, [change(1, stamp="desk-old")])
        finally:
            dev.close()
    with raw(url) as conn:  # and the password it has now is the one that works
        conn.execute("ALTER ROLE CURRENT_USER PASSWORD 'changed'")
    dev = CentralStore(old.set(password="changed").render_as_string(hide_password=False))
    try:
        with pytest.raises(DBAPIError, match=harden.PASSWORD_CHANGED):
            dev.push(name, [change(2, stamp="desk-old")])
    finally:
        dev.close()


def attacker_at(url: str) -> psycopg.Connection:
    conn = raw(url)
    for setting in NO_TIMEOUTS:
        conn.execute(f"SET {setting} = 0")
    return conn


# --- what central init says; an administrator who is not a superuser -------------------

def test_central_init_says_what_it_did(postgres_url, capsys):
    from lr_desk.cli import main

    assert main(["central", "init", postgres_url]) == 0
    out = capsys.readouterr().out
    assert f"at most {harden.CONNECTION_LIMIT} connections each" in out
    assert "Note:" not in out.replace("Note: Only the roles", "")  # a superuser may do all


def test_an_administrator_who_is_not_a_superuser_is_told_what_the_dba_should_do(
        postgres_url, capsys):
    """The store's owner may create logins (CREATEROLE) but is no superuser: init and
    add-device do what it may and say what is left; it may still end a device's session
    that holds up the others (it is made a member of each device's role)."""
    from lr_desk.cli import main

    admin = make_url(postgres_url)
    owner, database = _name("owner").replace("-", "_"), admin.database + "_owned"
    with raw(postgres_url) as conn:  # (and the server's databases open, as when new)
        conn.execute("GRANT CONNECT ON DATABASE postgres, template1 TO PUBLIC")
        conn.execute(f'CREATE ROLE "{owner}" LOGIN CREATEROLE PASSWORD \'the-owners\'')
        conn.execute(f'CREATE DATABASE "{database}" OWNER "{owner}"')
    url = admin.set(username=owner, password="the-owners", database=database) \
        .render_as_string(hide_password=False)
    assert main(["central", "init", url]) == 0
    out = capsys.readouterr().out
    assert "Note: The device logins can still create large objects" in out
    assert "REVOKE EXECUTE ON FUNCTION lo_creat(integer), lo_create(oid)" in out
    assert "can still connect to the databases" in out and "postgres, template1" in out
    assert "only a superuser can see that it happened" in out
    assert "Traceback" not in out

    a = add_device(url, _name("hub a"), "walton")
    with raw(postgres_url) as conn:
        assert conn.execute("SELECT rolconnlimit FROM pg_roles WHERE rolname = %s",
                            (a.role,)).fetchone() == (harden.CONNECTION_LIMIT,)
    conn = attacker(a)
    try:
        conn.execute("BEGIN")
        _insert(conn, a.name)
        owner_store = CentralStore(guarded(url))
        try:
            owner_store.push("desk-admin", [change(2, stamp="desk-admin")])
        finally:
            owner_store.close()
        assert _ended(conn)
    finally:
        conn.close()


def test_init_on_a_server_that_allows_prepared_transactions_says_so(postgres_server):
    """A prepared transaction keeps its locks with no session behind it: nothing the
    store can end. Only the server's setting can rule it out: init says so."""
    from . import pgcluster

    cluster = pgcluster.Cluster("lr-desk-pg-prepared-",
                                "-c fsync=off -c max_prepared_transactions=2")
    cluster.start()
    try:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE lr_desk")
        notes = []
        init_central(f"postgresql://postgres@127.0.0.1:{cluster.port}/lr_desk", notes=notes)
    finally:
        cluster.stop("immediate")
    assert any("set max_prepared_transactions = 0" in note for note in notes)


def test_a_device_holding_the_init_lock_cannot_stall_an_upgrade(store, monkeypatch):
    """A device's login holding the lock that orders inits (an advisory lock: any login
    may take one) made an upgrading ``central init`` wait for ever, every desk queued
    behind its migration; now init gives up after MIGRATE_WAIT and says the store is busy,
    changing nothing, and goes through once the lock is let go."""
    from lr_desk.sync import central_schema as central

    admin, a, _ = store
    engine = make_engine(admin)
    try:
        from alembic import command

        command.downgrade(alembic_config(engine), central.SCHEMAS[-2])  # an older store
    finally:
        engine.dispose()
    monkeypatch.setattr(central, "MIGRATE_WAIT", "1s")
    with raw(login(a)) as held:
        held.execute("SELECT pg_advisory_lock(%s)", (central.MIGRATE_LOCK,))
        with pytest.raises(DBAPIError) as refused:
            init_central(admin)
        said = explain(refused.value, admin)
        assert "busy" in said and "Nothing was changed" in said
        looked = CentralStore(admin)
        try:
            assert looked.schema() == central.SCHEMAS[-2]
        finally:
            looked.close()
    assert init_central(admin) == central.CENTRAL_SCHEMA  # let go: the upgrade goes through
