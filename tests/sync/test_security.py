"""PostgreSQL security: each device logs in as its own role, which may read the log and
append to it as itself, and nothing else (grants, a trigger, row-level security)."""

from __future__ import annotations

import itertools
import os

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from lr_desk.sync.central import CentralStore, add_device, init_central

from .test_central import change

_names = itertools.count()


def _name(label: str) -> str:
    """Roles are the server's, not one database's: a name no other test uses."""
    return f"{label}-{os.getpid()}-{next(_names)}"


def login(new, password: str | None = None) -> str:
    """The URL a device connects with: the printed one, and its password."""
    return make_url(new.url).set(password=password or new.password).render_as_string(
        hide_password=False)


@pytest.fixture
def store(postgres_url):
    init_central(postgres_url)
    a = add_device(postgres_url, _name("hub a"), "walton")
    b = add_device(postgres_url, _name("hub b"), "kirkby")
    return postgres_url, a, b


def raw(url: str) -> psycopg.Connection:
    return psycopg.connect(make_url(url).set(drivername="postgresql")
                           .render_as_string(hide_password=False), autocommit=True)


def test_a_device_pushes_and_pulls_as_itself(store):
    _, a, b = store
    dev_a, dev_b = CentralStore(login(a)), CentralStore(login(b))
    try:
        assert dev_a.push(a.name, [change(1), change(2)])
        assert dev_b.push(b.name, [change(3)])
        # every device reads the whole log, whoever wrote it; and the store's identity
        assert [c.device_id for c in dev_a.pull(0)] == [a.name, a.name, b.name]
        assert dev_b.head() == 3 and dev_b.store_id() and dev_b.schema() == "c2"
        again = dev_a.push(a.name, [change(4)])  # the lookup of known ids works too
        assert dev_a.push(a.name, [change(4) | {"change_id": again[0]}]) == again
        assert dev_b.head() == 4
    finally:
        dev_a.close()
        dev_b.close()


def test_a_device_cannot_append_as_another(store):
    _, a, b = store
    dev_a = CentralStore(login(a))
    try:
        with pytest.raises(DBAPIError, match="row-level security"):
            dev_a.push(b.name, [change(1)])
        with pytest.raises(DBAPIError, match="row-level security"):
            dev_a.push("someone-else", [change(1)])
        assert dev_a.head() == 0
    finally:
        dev_a.close()


@pytest.mark.parametrize("statement", [
    "UPDATE change_log SET op = 'delete'",
    "DELETE FROM change_log",
    "TRUNCATE change_log",
    "INSERT INTO device (name, site, role) VALUES ('x', 'y', CURRENT_USER)",
    "UPDATE device SET name = 'x'",
    "DELETE FROM device",
    "UPDATE central_meta SET value = 'x'",
    "INSERT INTO central_meta (key, value) VALUES ('x', 'y')",
    "CREATE TABLE mine (x int)",
    "ALTER TABLE change_log DISABLE ROW LEVEL SECURITY",
    "DROP TABLE change_log",
])
def test_a_device_may_change_nothing_but_append(store, statement):
    admin, a, _ = store
    CentralStore(admin).push(a.name, [change(1)])
    with raw(login(a)) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)
    with raw(admin) as conn:
        assert conn.execute("SELECT count(*), min(op) FROM change_log").fetchone() == \
            (1, "insert")
        assert conn.execute("SELECT count(*) FROM device").fetchone() == (2,)


def test_the_trigger_refuses_even_a_device_given_the_grants(store):
    """Should someone grant UPDATE and DELETE by mistake, the trigger still refuses."""
    admin, a, _ = store
    CentralStore(admin).push(a.name, [change(1)])
    with raw(admin) as conn:
        conn.execute(f'GRANT UPDATE, DELETE, TRUNCATE ON change_log TO "{a.role}"')
    with raw(login(a)) as conn:
        for statement in ("UPDATE change_log SET op = 'delete'", "DELETE FROM change_log",
                          "TRUNCATE change_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)


def test_a_device_login_has_the_least_rights(store):
    admin, a, _ = store
    with raw(admin) as conn:
        role = conn.execute("SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, "
                            "rolbypassrls, rolcanlogin, rolpassword FROM pg_authid "
                            "WHERE rolname = %s", (a.role,)).fetchone()
        assert role[:6] == (False, False, False, False, False, True)
        assert role[6].startswith("SCRAM-SHA-256$")  # only the hash reached the server
        grants = conn.execute(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s ORDER BY 1, 2", (a.role,)).fetchall()
    assert grants == [("central_meta", "SELECT"), ("change_log", "INSERT"),
                      ("change_log", "SELECT"), ("device", "SELECT")]


def test_a_device_cannot_connect_to_another_central_store(store, postgres_url,
                                                         postgres_server):
    """CONNECT is the device's for its own store only (PUBLIC loses it at init)."""
    _, a, _ = store
    other = make_url(postgres_url).set(database=make_url(postgres_url).database + "_other")
    with raw(postgres_url) as conn:
        conn.execute(f'CREATE DATABASE "{other.database}"')
    init_central(other.render_as_string(hide_password=False))
    elsewhere = make_url(login(a)).set(database=other.database)
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        raw(elsewhere.render_as_string(hide_password=False)).close()


def test_a_wrong_password_is_refused(store):
    _, a, _ = store
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        raw(login(a, password="not-" + a.password)).close()


def test_a_new_password_replaces_the_old(store):
    admin, a, _ = store
    renewed = add_device(admin, a.name, "walton", new_password=True)
    assert renewed.password != a.password and renewed.role == a.role
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        raw(login(a)).close()
    raw(login(renewed)).close()


def test_registering_twice_or_a_clashing_name_is_refused(store):
    admin, a, _ = store
    with pytest.raises(ValueError, match="registered already"):
        add_device(admin, a.name, "walton")
    with pytest.raises(ValueError, match="already has the login"):
        add_device(admin, a.name.upper().replace("-", "_"), "walton")
    with pytest.raises(ValueError, match="will not do"):
        add_device(admin, "'; DROP TABLE change_log; --", "walton")
    with pytest.raises(ValueError, match="No device"):
        add_device(admin, _name("nobody"), "walton", new_password=True)
    with raw(admin) as conn:
        assert conn.execute("SELECT count(*) FROM device").fetchone() == (2,)


def test_the_printed_url_keeps_the_tls_settings_and_no_password(postgres_url):
    url = postgres_url + "?sslmode=disable"
    init_central(url)
    new = add_device(url, _name("hub c"), "walton")
    assert new.url.endswith("?sslmode=disable") and new.password not in new.url
    assert make_url(new.url).username == new.role and new.role.startswith("lr_device_hub_c_")
    dev = CentralStore(login(new))
    try:
        dev.push(new.name, [change(1)])
        assert dev.head() == 1
    finally:
        dev.close()


def test_devices_racing_to_append_keep_the_log_in_commit_order(postgres_url):
    """The ordering lock (an advisory lock) is a device's to take too: three devices push
    at once, each as its own login, while one of them pulls."""
    from .test_central import _race

    init_central(postgres_url)
    devices = [add_device(postgres_url, _name(f"racer {i}"), "walton") for i in range(3)]
    seen, log = _race(login(devices[0]), lock=True, each=5,
                      logins=[(login(d), d.name) for d in devices])
    assert len(log) == 15
    assert sorted(seen) == sorted(log) and len(seen) == len(set(seen))
