"""Connecting a device to its central store: settings, opening it, and "Test connection"
explaining each failure plainly (against the throwaway PostgreSQL server and SQLite)."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from lr_desk import settings
from lr_desk.sync import connect, credentials
from lr_desk.sync.central import CENTRAL_SCHEMA, CentralStore, add_device, init_central, meta
from lr_desk.sync.checks import Refused
from lr_desk.sync.connect import (
    EMBEDDED,
    Connection,
    Unreachable,
    configured,
    embedded_url,
    is_offline,
    open_central,
    save,
    test_connection,
)
from lr_desk.sync.engine import SyncError

from .devices import new_device
from .test_central import change
from .test_security import _name, login

test_connection.__test__ = False  # pytest: a function under test, not a test


@pytest.fixture
def device(tmp_path):
    store = new_device(tmp_path / "profile")
    yield store, tmp_path / "profile"
    store.close()


@pytest.fixture
def registered(postgres_url):
    """A central store on PostgreSQL with one device registered: (admin URL, device)."""
    init_central(postgres_url)
    return postgres_url, add_device(postgres_url, _name("desk"), "walton")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once it is closed


# --- settings ----------------------------------------------------------------------------

def test_the_default_is_the_embedded_store_under_the_computers_name(device):
    store, folder = device
    with store.session() as s:
        conn = configured(s, folder)
    assert conn == Connection("", socket.gethostname()) and conn.embedded
    assert embedded_url(folder) == f"sqlite:///{folder}/central.sqlite"


def test_saved_settings_are_read_back_without_the_password(device):
    store, folder = device
    url = "postgresql://lr_device_hub@central.example:5433/lr?sslmode=verify-full"
    with store.session() as s:
        save(s, folder, url, " hub ", "pw-1")
    with store.session() as s:
        conn = configured(s, folder)
        assert settings.get(s, "central_url") == url
    assert conn == Connection(url, "hub") and not conn.embedded
    assert credentials.get_password(folder) == "pw-1"
    with store.session() as s:
        save(s, folder, url, "hub", None)  # None keeps the password
    assert credentials.get_password(folder) == "pw-1"
    with store.session() as s:
        save(s, folder, url.replace("lr_device_hub@", "lr_device_hub:pw-2@"), "hub", None)
        assert settings.get(s, "central_url") == url  # taken out of the URL...
    assert credentials.get_password(folder) == "pw-2"  # ...and kept as the password
    with store.session() as s:
        save(s, folder, EMBEDDED, "", "")  # "" forgets it
        assert configured(s, folder).embedded
    assert credentials.get_password(folder) is None


def test_a_password_in_the_query_string_is_kept_out_of_the_settings(device):
    """libpq also takes the password as ?password=: moved to the credentials store like
    one before the @; a client key's ?sslpassword= can't be kept, and is refused."""
    store, folder = device
    url = "postgresql://lr_device_hub@central.example/lr?sslmode=require"
    with store.session() as s:
        save(s, folder, url + "&password=pw-q", "hub", None)
        assert settings.get(s, "central_url") == url
    assert credentials.get_password(folder) == "pw-q"
    with store.session() as s:
        save(s, folder, url + "&password=pw-q", "hub", "typed")  # the field wins
        assert settings.get(s, "central_url") == url
    assert credentials.get_password(folder) == "typed"
    with store.session() as s, pytest.raises(ValueError, match="sslpassword"):
        save(s, folder, url + "&sslpassword=key-secret", "hub", None)
    with store.session() as s:
        assert settings.get(s, "central_url") == url


def test_printed_and_logged_urls_carry_no_password_at_all():
    assert connect.public_url("postgresql://u:s3cret@h/db?password=p2&sslpassword=p3"
                              "&sslmode=require") == "postgresql://u@h/db?sslmode=require"
    assert connect.public_url("postgresql://u@h/db?password=a&password=b") == \
        "postgresql://u@h/db"


def test_a_shared_sqlite_store_pushes_as_the_local_device(device, tmp_path):
    store, folder = device
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    init_central(url)
    with store.session() as s:
        save(s, folder, url, "hub", None)
    central = open_central(store, folder)
    try:
        assert central.push_as is None  # so the outbox goes as store.device_id
    finally:
        central.close()


def test_a_url_that_is_not_one_is_refused_plainly(device):
    store, folder = device
    with store.session() as s, pytest.raises(ValueError, match="not a central store's address"):
        save(s, folder, "mysql://x@y/z", "hub", None)
    assert "not a central store's address" in test_connection("central.example", "hub", None)


# --- opening it --------------------------------------------------------------------------

def test_the_embedded_store_is_set_up_on_first_use(device):
    store, folder = device
    central = open_central(store, folder)
    try:
        assert (folder / "central.sqlite").exists()
        assert central.schema() == CENTRAL_SCHEMA and central.head() == 0
    finally:
        central.close()


def test_a_registered_device_opens_its_postgresql_store(device, registered):
    store, folder = device
    _, new = registered
    with store.session() as s:
        save(s, folder, new.url, new.name, new.password)
    central = open_central(store, folder)
    try:
        assert central.push_as == new.name  # PostgreSQL: the registered name
        central.push(central.push_as, [change(1)])
        assert central.head() == 1
    finally:
        central.close()


def test_opening_a_store_that_cannot_be_reached_says_offline(device):
    store, folder = device
    with store.session() as s:
        save(s, folder, f"postgresql://lr_device_x@127.0.0.1:{closed_port()}/lr", "x", "pw")
    with pytest.raises(Unreachable, match="not accepting connections") as caught:
        open_central(store, folder)
    assert is_offline(caught.value)


def test_opening_with_a_wrong_password_is_a_problem_not_offline(device, registered):
    store, folder = device
    _, new = registered
    with store.session() as s:
        save(s, folder, new.url, new.name, "wrong")
    with pytest.raises(SyncError, match="refused the password") as caught:
        open_central(store, folder)
    assert not is_offline(caught.value)


# --- Test connection ---------------------------------------------------------------------

def test_a_registered_device_passes(registered):
    _, new = registered
    assert test_connection(new.url, new.name, new.password) is None
    assert test_connection(login(new), new.name, None) is None  # password in the URL
    assert test_connection("", "anything", None) is None  # embedded: nothing to test
    assert test_connection(EMBEDDED, "anything", None) is None


def test_with_no_password_given_the_saved_one_is_tried(registered, device):
    _, new = registered
    _, folder = device
    assert "needs the password" in test_connection(new.url, new.name, None, folder)
    credentials.store_password(folder, new.password)
    assert test_connection(new.url, new.name, None, folder) is None
    assert "refused the password" in test_connection(new.url, new.name, "wrong", folder)
    assert "refused the password" in test_connection(
        make_url(new.url).set(password="wrong").render_as_string(hide_password=False),
        new.name, None, folder)  # one in the address comes first, as Save keeps it


def test_with_the_tls_setting_disabled_it_passes(registered):
    _, new = registered
    assert test_connection(new.url + "?sslmode=disable", new.name, new.password) is None


def test_a_server_that_is_not_there_is_explained_quickly():
    started = time.monotonic()
    said = test_connection(f"postgresql://lr_device_x@127.0.0.1:{closed_port()}/lr", "x", "pw")
    assert time.monotonic() - started < 5
    assert "127.0.0.1" in said and "not accepting connections" in said
    assert "kept here" in said


def test_a_server_name_that_cannot_be_found_is_explained():
    said = test_connection("postgresql://x@no-such-host.invalid/lr", "x", "pw")
    assert "Cannot find the server no-such-host.invalid" in said


def test_a_wrong_password_is_explained(registered):
    _, new = registered
    said = test_connection(new.url, new.name, "not-the-password")
    assert "refused the password" in said and new.role in said
    assert "needs the password" in test_connection(new.url, new.name, None)


def test_a_login_that_is_not_there_is_explained(registered, postgres_server):
    url = f"postgresql://nobody_at_all@127.0.0.1:{postgres_server['port']}/lr"
    assert "refused the password" in test_connection(url, "x", "pw")  # scram tells no more


def test_a_device_name_that_is_not_registered_is_explained(registered):
    admin, new = registered
    said = test_connection(admin, "not-registered", None)
    assert 'device "not-registered" is not registered' in said
    assert "lr-desk central add-device" in said
    said = test_connection(new.url, "another-name", new.password)
    assert f'belongs to the device "{new.name}"' in said


def test_a_login_that_is_not_a_device_is_explained(registered):
    admin, _ = registered
    role = "lr_plain_" + _name("x").replace("-", "_")
    with sa.create_engine(admin).begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD 'pw'")
    url = make_url(admin).set(username=role).render_as_string(hide_password=False)
    said = test_connection(url, "x", "pw")
    assert f'The login "{role}" may not use the central store' in said


def test_a_database_that_is_not_a_central_store_is_explained(postgres_url):
    said = test_connection(postgres_url, "x", None)
    assert "is not a central store yet" in said and "lr-desk central init" in said
    missing = make_url(postgres_url).set(database="no_such_db")
    said = test_connection(missing.render_as_string(hide_password=False), "x", None)
    assert 'There is no database "no_such_db"' in said


def _set_schema(url: str, value: str) -> None:
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.update(meta).where(meta.c.key == "schema").values(value=value))


def test_a_store_too_new_or_too_old_is_explained(registered):
    admin, new = registered
    _set_schema(admin, "c99")
    said = test_connection(new.url, new.name, new.password)
    assert "newer version of lr_desk" in said and "update lr_desk on this computer" in said
    _set_schema(admin, "c1")
    said = test_connection(new.url, new.name, new.password)
    assert "older schema (c1)" in said and "lr-desk central init" in said


def test_tls_asked_of_a_server_without_it_is_explained(registered):
    _, new = registered
    said = test_connection(new.url + "?sslmode=require", new.name, new.password)
    assert "does not offer one" in said
    said = test_connection(new.url + "?sslmode=sometimes", new.name, new.password)
    assert "sslmode is not one PostgreSQL knows" in said


def test_a_server_that_wants_tls_is_explained(registered, postgres_server):
    """A server whose pg_hba.conf only lets this login in over TLS (hostssl)."""
    admin, new = registered

    def reload(hba: str) -> None:
        hba_file.write_text(hba)
        with sa.create_engine(admin).connect() as conn:
            conn.execute(sa.text("SELECT pg_reload_conf()"))
        time.sleep(0.3)  # the postmaster reads it a moment later

    with sa.create_engine(admin).connect() as conn:
        hba_file = Path(conn.scalar(sa.text("SHOW hba_file")))
    before = hba_file.read_text()
    try:
        reload("local all all trust\nhost all postgres 127.0.0.1/32 trust\n"
               f"hostssl all {new.role} 127.0.0.1/32 scram-sha-256\n")
        said = test_connection(new.url + "?sslmode=disable", new.name, new.password)
        assert "does not accept unencrypted connections" in said
        assert "sslmode=require" in said
    finally:
        reload(before)


def test_sqlite_stores_are_tested_too(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    assert "There is no central store file" in test_connection(url, "x", None)
    assert not (tmp_path / "shared.sqlite").exists()  # testing made no file
    (tmp_path / "shared.sqlite").write_bytes(b"this is not a database at all" * 100)
    assert "not a central store" in test_connection(url, "x", None)
    (tmp_path / "shared.sqlite").unlink()
    init_central(url)
    assert test_connection(url, "x", None) is None


def test_changes_refused_for_another_desks_stamp_are_explained(registered):
    """A device's login is bound to the desk that first pushed with it (migration c3)."""
    _, new = registered
    central = CentralStore(login(new))
    try:
        central.push(new.name, [change(1, stamp="desk-1")])
        with pytest.raises(DBAPIError) as caught:  # the same login, another profile
            central.push(new.name, [change(2, stamp="desk-2")])
        with pytest.raises(Refused, match="not one lr_desk makes"):  # (sync.checks)
            central.push(new.name, [change(3) | {"hlc": "not a clock"}])
    finally:
        central.close()
    for url in (new.url, None):
        said = connect.explain(caught.value, url)
        assert "another copy of lr_desk" in said and "add-device" in said
    assert not is_offline(caught.value)


@pytest.mark.parametrize("detail", [
    'FATAL:  password authentication failed for user "lr_device_x"',
    "fe_sendauth: no password supplied", 'FATAL:  role "lr_device_x" does not exist',
    'FATAL:  database "lr" does not exist',
    'new row violates row-level security policy for table "change_log"',
    "permission denied for table device", "unable to open database file",
    "file is not a database"])
def test_a_problem_explained_without_the_address_names_no_unknown_login(detail):
    """Sync's status explains errors met on a store already open, without its address:
    the login or database it does not know is not called "?"."""
    said = connect.explain(RuntimeError(detail))
    assert not re.search(r'(^|[\s"])\?([\s":.]|$)', said), said


# --- what counts as offline --------------------------------------------------------------

def test_offline_is_told_apart_from_other_problems(tmp_path):
    store = CentralStore(f"postgresql://x@127.0.0.1:{closed_port()}/lr")
    try:
        with pytest.raises(OperationalError) as refused:
            store.head()
    finally:
        store.close()
    assert is_offline(refused.value)
    assert is_offline(refused.value.orig)  # psycopg's own, as met outside SQLAlchemy
    assert is_offline(ConnectionRefusedError()) and is_offline(TimeoutError())
    assert is_offline(Unreachable("gone"))
    wrapped = SyncError("sync stopped")
    wrapped.__cause__ = refused.value
    assert is_offline(wrapped)
    assert not is_offline(SyncError("wrong password"))
    assert not is_offline(ValueError("a bug"))
    assert "not accepting connections" in connect.explain(refused.value, store.url)
