"""The command line: lr-desk central init / add-device, and a headless lr-desk sync."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from lr_desk import app
from lr_desk.cli import FAILED, OFFLINE, main
from lr_desk.services import advisors, people
from lr_desk.sync.central import (
    CENTRAL_SCHEMA,
    CHANGE_COLUMNS,
    CentralStore,
    device,
    init_central,
)
from lr_desk.sync.connect import embedded_url, save

from .devices import new_device, writes
from .test_central import change
from .test_connect import closed_port
from .test_security import _name


def settings_printed(out: str) -> dict[str, str]:
    lines = [line.strip().split(":", 1) for line in out.splitlines() if line.startswith("  ")]
    return {k.strip(): v.strip() for k, v in lines}


@pytest.fixture
def profile(tmp_path):
    """A profile folder whose store exists (closed: the command opens it itself)."""
    folder = tmp_path / "profile"
    new_device(folder).close()
    return folder


def _register_someone(folder) -> None:
    from lr_desk.profile import open_store

    store = open_store(folder)
    try:
        with store.session() as s:
            advisor = advisors.create(s, "Test Advisor", "walton")
            people.register(s, {"given_name": "Ann", "family_name": "Test"}, advisor.id,
                            "walton")
    finally:
        store.close()


def test_central_init_creates_and_upgrades(central_url, capsys):
    assert main(["central", "init", central_url]) == 0
    out = capsys.readouterr().out
    assert f"is ready (schema {CENTRAL_SCHEMA})" in out
    assert main(["central", "init", central_url]) == 0  # again: nothing to do


def test_central_init_with_tls_settings_in_the_url(postgres_url, capsys):
    assert main(["central", "init", postgres_url + "?sslmode=disable"]) == 0
    assert "?sslmode=disable is ready" in capsys.readouterr().out


def test_central_init_explains_what_went_wrong(capsys):
    assert main(["central", "init", "not a url"]) == FAILED
    assert "not a central store's address" in capsys.readouterr().err
    port = closed_port()
    assert main(["central", "init", f"postgresql://postgres@127.0.0.1:{port}/x"]) == OFFLINE
    err = capsys.readouterr().err
    assert "not accepting connections" in err and "Traceback" not in err


def test_add_device_on_postgresql_prints_the_login_to_enter(postgres_url, capsys):
    init_central(postgres_url)
    name = _name("hub")
    assert main(["central", "add-device", name, "--site", "walton", "--url", postgres_url]) == 0
    out = capsys.readouterr().out
    printed = settings_printed(out)
    assert printed["Device name"] == name
    url = make_url(printed["Address"])
    assert url.username.startswith("lr_device_hub_") and url.password is None
    assert "shown only this once" in out
    device_url = url.set(password=printed["Password"])
    store = CentralStore(device_url)
    try:
        store.push(name, [change(1)])  # it works, as that device
        assert store.head() == 1
    finally:
        store.close()
    assert main(["central", "add-device", name, "--site", "walton", "--url",
                 postgres_url]) == FAILED
    assert "registered already" in capsys.readouterr().err
    assert main(["central", "add-device", name, "--site", "walton", "--url", postgres_url,
                 "--new-password"]) == 0
    assert settings_printed(capsys.readouterr().out)["Password"] != printed["Password"]


def test_add_device_on_sqlite_records_it(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    assert main(["central", "add-device", "hub", "--site", "walton", "--url", url]) == FAILED
    assert "lr-desk central init" in capsys.readouterr().err  # not set up yet
    init_central(url)
    assert main(["central", "add-device", "hub", "--site", "walton", "--url", url]) == 0
    printed = settings_printed(capsys.readouterr().out)
    assert printed == {"Address": url, "Device name": "hub",
                       "Password": "(none: a SQLite central store has no logins)"}
    with sa.create_engine(url).connect() as conn:
        assert conn.execute(sa.select(device.c.name, device.c.site, device.c.role)).all() == \
            [("hub", "walton", None)]


def test_add_device_defaults_to_the_profiles_central_store(profile, capsys):
    init_central(embedded_url(profile))
    assert main(["central", "add-device", "hub", "--site", "kirkby",
                 "--data-dir", str(profile)]) == 0
    assert settings_printed(capsys.readouterr().out)["Address"] == embedded_url(profile)


def test_sync_pushes_and_pulls_with_the_embedded_store(profile, capsys):
    _register_someone(profile)
    assert main(["sync", "--data-dir", str(profile)]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("Synced: sent ") and ", received " in out
    assert len(out.splitlines()) == 1
    sent = CentralStore(embedded_url(profile))
    try:
        assert sent.head() > 0
        assert any(c.entity == "person" for c in sent.pull(0))
    finally:
        sent.close()
    assert main(["sync", "--data-dir", str(profile)]) == 0
    assert capsys.readouterr().out.strip() == "Synced: sent 0, received 0."


def writes_of(folder):
    from lr_desk.profile import open_store

    store = open_store(folder)
    try:
        return writes(store)
    finally:
        store.close()


def test_sync_pulls_from_postgresql_as_a_device_login(profile, postgres_url, tmp_path, capsys):
    from lr_desk.sync.central import add_device

    init_central(postgres_url)
    new = add_device(postgres_url, _name("desk"), "walton")
    elsewhere = tmp_path / "elsewhere"
    new_device(elsewhere).close()
    _register_someone(elsewhere)
    admin = CentralStore(postgres_url)
    try:  # another desk's changes, put in by the administrator
        admin.push(new.name, [{k: getattr(r, k) for k in CHANGE_COLUMNS if k != "device_id"}
                              for r in writes_of(elsewhere)])
    finally:
        admin.close()
    _set_connection(profile, new.url, new.name, new.password)
    assert main(["sync", "--data-dir", str(profile)]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("Synced: sent 0, received ") and "received 0" not in out


def test_sync_pushes_to_postgresql_as_a_device_login(profile, postgres_url, capsys):
    from lr_desk.sync.central import add_device

    init_central(postgres_url)
    new = add_device(postgres_url, _name("desk"), "walton")
    _set_connection(profile, new.url, new.name, new.password)
    _register_someone(profile)
    assert main(["sync", "--data-dir", str(profile)]) == 0, capsys.readouterr().err


def _set_connection(folder, url, name, password) -> None:
    from lr_desk.profile import open_store

    store = open_store(folder)
    try:
        with store.session() as s:
            save(s, folder, url, name, password)
    finally:
        store.close()


def test_sync_when_the_store_cannot_be_reached_exits_offline(profile, capsys):
    _set_connection(profile, f"postgresql://lr_device_x@127.0.0.1:{closed_port()}/lr", "x",
                    "pw")
    assert main(["sync", "--data-dir", str(profile)]) == OFFLINE
    captured = capsys.readouterr()
    assert captured.out == "" and "not accepting connections" in captured.err


def test_sync_with_a_wrong_password_fails_plainly(profile, postgres_url, capsys):
    from lr_desk.sync.central import add_device

    init_central(postgres_url)
    new = add_device(postgres_url, _name("desk"), "walton")
    _set_connection(profile, new.url, new.name, "wrong")
    assert main(["sync", "--data-dir", str(profile)]) == FAILED
    assert "refused the password" in capsys.readouterr().err


def test_sync_stops_at_changes_from_a_newer_lr_desk(profile, capsys):
    url = embedded_url(profile)
    init_central(url)
    central = CentralStore(url)
    try:
        with central.engine.begin() as conn:  # as a newer lr_desk's central init does
            conn.exec_driver_sql("INSERT INTO desk_schema (version) VALUES ('9999')")
        central.push("elsewhere", [change(1) | {"schema_version": "9999"}])
    finally:
        central.close()
    assert main(["sync", "--data-dir", str(profile)]) == FAILED
    assert "update lr_desk on this computer" in capsys.readouterr().err


def test_the_app_entry_point_hands_commands_to_the_cli(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    assert app.main(["central", "init", url]) == 0
    assert "is ready" in capsys.readouterr().out


def test_python_m_lr_desk_central_init(tmp_path):
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = subprocess.run([sys.executable, "-m", "lr_desk", "central", "init", url],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"The central store at {url} is ready (schema {CENTRAL_SCHEMA})." in done.stdout
    done = subprocess.run([sys.executable, "-m", "lr_desk", "sync", "--help"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and "--data-dir" in done.stdout


def test_starting_the_app_still_imports_no_database_code_up_front():
    """Cold start is benchmarked: the entry point stays light."""
    code = ("import sys, lr_desk.app; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'lr_desk.cli', 'keyring', 'psycopg')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_sync_signs_in_to_an_encrypted_desk(tmp_path, capsys, monkeypatch):
    from lr_desk.services.signin import Gate

    folder = tmp_path / "desk"
    sites = {"walton": "walton"}
    Gate(folder).set_up("Sam Admin", "walton", "sam", "kettle on at nine",
                        "kettle on at nine", sites).store.close()
    monkeypatch.delenv("LR_DESK_USERNAME", raising=False)
    monkeypatch.setenv("LR_DESK_PASSWORD", "kettle on at nine")
    assert main(["sync", "--data-dir", str(folder)]) == FAILED
    assert "--username" in capsys.readouterr().err
    monkeypatch.setenv("LR_DESK_PASSWORD", "not the password")
    assert main(["sync", "--data-dir", str(folder), "--username", "sam"]) == FAILED
    assert "not right" in capsys.readouterr().err
    monkeypatch.setenv("LR_DESK_PASSWORD", "kettle on at nine")
    assert main(["sync", "--data-dir", str(folder), "--username", "sam"]) == 0
    assert capsys.readouterr().out.startswith("Synced: sent ")
