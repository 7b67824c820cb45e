"""PostgreSQL security: each device logs in as its own role, which may read the log and
append to it as itself, and nothing else (grants, a trigger, row-level security)."""

from __future__ import annotations

import itertools
import json
import os

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from lr_desk.sync.central import CENTRAL_SCHEMA, CentralStore, add_device, init_central

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
        assert dev_a.push(a.name, [change(1, stamp="desk-a"), change(2, stamp="desk-a")])
        assert dev_b.push(b.name, [change(3, stamp="desk-b")])
        # every device reads the whole log, whoever wrote it; and the store's identity
        assert [c.device_id for c in dev_a.pull(0)] == [a.name, a.name, b.name]
        assert dev_b.head() == 3 and dev_b.store_id() and dev_b.schema() == CENTRAL_SCHEMA
        again = dev_a.push(a.name, [change(4, stamp="desk-a")])  # known ids are looked up
        assert dev_a.push(a.name, [change(4, stamp="desk-a") | {"change_id": again[0]}]) \
            == again
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
                      ("change_log", "SELECT"), ("device", "SELECT"),
                      ("snapshot", "SELECT"), ("snapshot_part", "SELECT")]  # to read only


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


# --- what a device's change may not choose: its number, and whose clock stamped it ------

def _insert(conn: psycopg.Connection, device_name: str, seq: int = 1,
            hlc: str = "000000000000001-00000-desk-a") -> None:
    """A change appended by hand, bypassing CentralStore.push, as a device's login could."""
    conn.execute(
        "INSERT INTO change_log (seq, change_id, device_id, entity, entity_id, op, fields, "
        "hlc, schema_version) VALUES (%s, gen_random_uuid(), %s, 'person', "
        "gen_random_uuid(), 'insert', %s, %s, '0002')",
        (seq, device_name, json.dumps(change()["fields"]), hlc))


def test_the_store_numbers_a_devices_changes_itself(store):
    """A device that picked the largest number there is would leave none for the next
    change: every other desk's push would fail ("bigint out of range"), and the row can't
    be deleted. The store gives a device's change the next number, whatever it sent."""
    _, a, b = store
    with raw(login(a)) as conn:
        _insert(conn, a.name, seq=2**63 - 1)
        _insert(conn, a.name, seq=-5)
    dev_b = CentralStore(login(b))
    try:
        dev_b.push(b.name, [change(3, stamp="desk-b")])
        assert [c.seq for c in dev_b.pull(0)] == [1, 2, 3]
        assert [c.device_id for c in dev_b.pull(0)] == [a.name, a.name, b.name]
    finally:
        dev_b.close()


def test_the_owner_still_numbers_its_own_appends(store):
    """The administrator's path is as it was (a test shows the race without the ordering
    lock through it)."""
    admin, _, _ = store
    with raw(admin) as conn:
        _insert(conn, "device-a", seq=40)
        assert conn.execute("SELECT seq FROM change_log").fetchall() == [(40,)]


def _stamps(admin: str) -> dict[str, str | None]:
    with raw(admin) as conn:
        return dict(conn.execute("SELECT name, stamp_id FROM device").fetchall())


def test_the_numbering_trigger_runs_as_its_owner_only_where_it_must(store):
    """SECURITY DEFINER (a device may not update device to bind its stamp), with a fixed
    search_path, and not for anyone to call."""
    admin, a, _ = store
    with raw(admin) as conn:
        definer, config = conn.execute(
            "SELECT prosecdef, proconfig FROM pg_proc "
            "WHERE proname = 'change_log_device_append'").fetchone()
        assert definer and config == ["search_path=pg_catalog, pg_temp"]
        assert not conn.execute("SELECT has_function_privilege(%s, "
                                "'change_log_device_append()', 'EXECUTE')",
                                (a.role,)).fetchone()[0]


def test_a_device_stamps_its_changes_with_its_own_id_only(store):
    """The merge breaks ties by the device id in each change's clock stamp: a device's
    first push binds its login to that id, and after that no other will do."""
    admin, a, b = store
    dev_a, dev_b = CentralStore(login(a)), CentralStore(login(b))
    try:
        assert _stamps(admin) == {a.name: None, b.name: None}
        dev_a.push(a.name, [change(1, stamp="desk-a")])
        dev_b.push(b.name, [change(2, stamp="desk-b")])
        assert _stamps(admin) == {a.name: "desk-a", b.name: "desk-b"}
        with pytest.raises(DBAPIError, match="device stamp desk-a") as caught:
            dev_a.push(a.name, [change(3, stamp="desk-b")])  # as if B had made it
        assert isinstance(caught.value.orig, psycopg.errors.InsufficientPrivilege)
        with pytest.raises(DBAPIError, match="device stamp desk-a"):
            dev_a.push(a.name, [change(4, stamp="desk-new")])  # no binding again
        dev_a.push(a.name, [change(5, stamp="desk-a")])
        assert [c.hlc[22:] for c in dev_b.pull(0)] == ["desk-a", "desk-b", "desk-a"]
        assert _stamps(admin) == {a.name: "desk-a", b.name: "desk-b"}
    finally:
        dev_a.close()
        dev_b.close()


def test_a_new_device_cannot_take_a_stamp_that_is_anothers(store):
    admin, a, b = store
    dev_a, dev_b = CentralStore(login(a)), CentralStore(login(b))
    try:
        dev_a.push(a.name, [change(1, stamp="desk-a")])
        with pytest.raises(DBAPIError, match='belongs to the device "' + a.name):
            dev_b.push(b.name, [change(2, stamp="desk-a")])  # B's first push
        # a stamp the log already holds from another device, bound or not
        CentralStore(admin).push("desk-from-before", [change(3, stamp="desk-old")])
        with pytest.raises(DBAPIError, match="desk-from-before"):
            dev_b.push(b.name, [change(4, stamp="desk-old")])
        assert _stamps(admin)[b.name] is None  # refused: bound to nothing yet
        dev_b.push(b.name, [change(5, stamp="desk-b")])
        assert _stamps(admin)[b.name] == "desk-b"
    finally:
        dev_a.close()
        dev_b.close()


@pytest.mark.parametrize("hlc", ["garbage", "1-00000-desk-a", "000000000000001-00000-",
                                 "00000000000000x-00000-desk-a"])
def test_a_device_cannot_append_a_clock_stamp_the_merge_cannot_read(store, hlc):
    """Every desk decodes every stamp it pulls: one it can't read would stop them all."""
    admin, a, _ = store
    with raw(login(a)) as conn, pytest.raises(
            (psycopg.errors.InsufficientPrivilege, psycopg.errors.DataError),  # (checks, c5)
            match="clock stamp"):
        _insert(conn, a.name, hlc=hlc)
    assert _stamps(admin)[a.name] is None


def test_devices_that_pushed_before_stamps_were_bound_keep_theirs(postgres_url):
    """A store upgraded from c2: a device whose changes all carry one stamp, used by no
    other device, is bound to it by the upgrade; the others on their next push, to a
    stamp no other device has used."""
    init_central(postgres_url, target="c2")
    a, b, c = (add_device_at_c2(postgres_url, _name(label)) for label in ("a", "b", "c"))
    for new, stamps in ((a, ["desk-a", "desk-a"]), (b, ["desk-b", "desk-b2"]),
                        (c, ["desk-b2"])):
        dev = CentralStore(login(new))
        try:
            dev.push(new.name, [change(n, stamp=s) for n, s in enumerate(stamps)])
        finally:
            dev.close()
    assert init_central(postgres_url) == CENTRAL_SCHEMA
    assert _stamps(postgres_url) == {a.name: "desk-a", b.name: None, c.name: None}
    dev_b, dev_c = CentralStore(login(b)), CentralStore(login(c))
    try:
        with pytest.raises(DBAPIError, match="device stamp desk-a"):
            CentralStore(login(a)).push(a.name, [change(8, stamp="desk-a2")])
        with pytest.raises(DBAPIError, match=b.name):  # desk-b2 was b's too
            dev_c.push(c.name, [change(9, stamp="desk-b2")])
        dev_b.push(b.name, [change(9, stamp="desk-b")])
    finally:
        dev_b.close()
        dev_c.close()
    assert _stamps(postgres_url) == {a.name: "desk-a", b.name: "desk-b", c.name: None}


def add_device_at_c2(url: str, name: str):
    """add_device, on a store still at c2 (it otherwise asks for this lr_desk's schema)."""
    import lr_desk.sync.central_schema as central

    before = central.CENTRAL_SCHEMA
    central.CENTRAL_SCHEMA = "c2"
    try:
        return add_device(url, name, "walton")
    finally:
        central.CENTRAL_SCHEMA = before


def test_no_login_may_create_in_the_public_schema(postgres_url):
    """PostgreSQL before 15 lets every login create objects in the schema public (where
    one could plant a function or table to catch another's queries): init takes that
    right away. Granted again here, as those versions have it."""
    with raw(postgres_url) as conn:
        conn.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
    init_central(postgres_url)
    a = add_device(postgres_url, _name("hub d"), "walton")
    with raw(login(a)) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("CREATE TABLE public.mine (x int)")
