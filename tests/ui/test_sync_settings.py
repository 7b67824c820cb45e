"""Sync settings: address, device name and password; Test connection says plainly
whether they work; Save connects the desk to the store and syncs with it."""

from __future__ import annotations

import socket

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from sqlalchemy.engine import make_url

from lr_desk.sync import connect
from lr_desk.sync.central import add_device, init_central
from lr_desk.sync.engine import cursor
from lr_desk.ui.sync import SYNCED

# the throwaway PostgreSQL server of the sync tests, and no keyring of this machine's
from tests.sync.conftest import no_keyring, postgres_server, postgres_url  # noqa: F401
from tests.sync.test_replica import _caught_up, pair  # noqa: F401
from tests.sync.test_security import _name
from tests.ui.conftest import make_profile
from tests.ui.screen import assert_fits
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
from tests.ui.test_sync_status import LONG, central_at, closed_port_url, shared_store, wait_for


@pytest.fixture
def profile(tmp_path):
    """Sync settings are an admin's to change."""
    folder = tmp_path / "profile"
    make_profile(folder, role="admin")
    return folder


def test_sync_settings_are_for_admins(qtbot, desks, tmp_path):
    folder = tmp_path / "advisors"
    make_profile(folder)
    desk = desks.start(folder)
    assert not desk.window.sync_settings_action.isEnabled()
    assert not desk.window.accounts_action.isEnabled()


def result_of_test(qtbot, dialog) -> str:
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=LONG)
    return dialog.result.text()


def test_test_connection_explains_a_failure_then_save_connects(qtbot, desks, profile,
                                                               tmp_path):
    desk = desks.start(profile)
    window = desk.window
    wait_for(qtbot, desk, SYNCED)  # with the embedded store, to begin with
    assert window.sync_settings_action.text() == "Sync sett&ings…"
    dialog = window.sync_settings()
    qtbot.waitUntil(lambda: bool(dialog.hint.text()), timeout=LONG)  # loaded
    assert unnamed_controls(dialog) == []
    assert mnemonic_clashes(dialog) == {}
    fields = dialog.f.widgets
    assert fields["url"].text() == ""  # the embedded default
    assert fields["device_name"].text() == socket.gethostname()  # until named
    assert fields["password"].echoMode() == QLineEdit.EchoMode.Password

    # not an address at all: said at the field, nothing tried
    qtbot.keyClicks(fields["url"], "central.example.org")
    fields["device_name"].selectAll()
    qtbot.keyClicks(fields["device_name"], "Walton laptop")
    assert "Please check" in result_of_test(qtbot, dialog)
    assert dialog.f.errors["url"].text()

    # a store that can't be reached: why, in plain words, next to the button
    fields["url"].setText(closed_port_url())
    qtbot.keyClicks(fields["password"], "not shown")
    failure = result_of_test(qtbot, dialog)
    assert failure and "Traceback" not in failure and "Connected" not in failure
    assert dialog.result.accessibleName() == "Connection test result"
    assert dialog.isVisible()  # testing never closes or saves

    # one that works
    url = shared_store(tmp_path)
    fields["url"].setText(url)
    fields["password"].clear()
    assert result_of_test(qtbot, dialog).startswith("Connected")

    seen = [desk.sync.status]
    desk.sync.status_changed.connect(seen.append)
    with qtbot.waitSignal(dialog.saved, timeout=LONG):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_for(qtbot, desk, SYNCED)
    assert [s.kind for s in seen][-2:] == ["syncing", SYNCED]
    with desk.store.session() as s:
        saved = connect.configured(s, profile)
    assert (saved.url, saved.device_name) == (url, "Walton laptop")
    with central_at(url) as store:
        assert cursor(desk.store, store.store_id()) == store.head()  # in step with it


def test_the_form_opens_from_the_menu_with_the_settings_in_use(qtbot, desks, profile,
                                                              tmp_path):
    url = shared_store(tmp_path)
    desk = desks.start(profile)
    with desk.store.session() as s:
        connect.save(s, profile, url, "Bootle desk", None)
    window = desk.window
    window.sync_settings_action.trigger()
    dialog = next(d for d in window.editors if d.draft_key == "sync-settings")
    qtbot.waitUntil(lambda: dialog.f.widgets["url"].text() == url, timeout=LONG)
    assert dialog.f.widgets["device_name"].text() == "Bootle desk"
    assert dialog.f.widgets["password"].text() == ""  # never shown
    assert window.sync_settings() is dialog  # one form at a time
    dialog.reject()
    assert not dialog.isVisible()


def test_test_connection_tries_the_saved_password_when_none_is_typed(qtbot, desks, profile,
                                                                   request):
    """The field says "leave empty to keep the saved password": the test uses it too."""
    admin = request.getfixturevalue("postgres_url")  # skipped without PostgreSQL
    init_central(admin)
    new = add_device(admin, _name("settings"), "walton")
    desk = desks.start(profile)
    with desk.store.session() as s:
        connect.save(s, profile, new.url, new.name, new.password)
    dialog = desk.window.sync_settings()
    fields = dialog.f.widgets
    qtbot.waitUntil(lambda: fields["url"].text() == new.url, timeout=LONG)
    assert fields["password"].text() == ""
    assert result_of_test(qtbot, dialog).startswith("Connected")
    qtbot.keyClicks(fields["password"], "not-the-password")  # one typed is the one tried
    assert "refused the password" in result_of_test(qtbot, dialog)


def test_the_device_name_is_held_to_what_the_central_store_allows(qtbot, desks, profile):
    from lr_desk.sync.central import DEVICE_NAME
    from lr_desk.ui.sync_settings import NAME_MAX

    assert DEVICE_NAME.fullmatch("x" * NAME_MAX) and not DEVICE_NAME.fullmatch(
        "x" * (NAME_MAX + 1))
    desk = desks.start(profile)
    dialog = desk.window.sync_settings()
    qtbot.waitUntil(lambda: bool(dialog.hint.text()), timeout=LONG)  # loaded
    fields = dialog.f.widgets
    fields["url"].clear()  # the embedded store: any name it allows passes the test
    fields["device_name"].setText("x" * 37)
    assert "Please check" in result_of_test(qtbot, dialog)
    assert "36 characters" in dialog.f.errors["device_name"].text()
    fields["device_name"].setText("x" * 36)
    assert result_of_test(qtbot, dialog).startswith("Connected")


def test_a_client_keys_password_in_the_address_is_refused_at_the_field(qtbot, desks,
                                                                      profile):
    desk = desks.start(profile)
    dialog = desk.window.sync_settings()
    qtbot.waitUntil(lambda: bool(dialog.hint.text()), timeout=LONG)  # loaded
    dialog.f.widgets["url"].setText("postgresql://lr_device_x@central.example/lr"
                                    "?sslkey=/home/me/key.pem&sslpassword=secret")
    assert "Please check" in result_of_test(qtbot, dialog)
    assert "sslpassword" in dialog.f.errors["url"].text()


def test_a_pull_from_replica_is_tested_saved_and_synced_from(qtbot, desks, profile,
                                                             request):
    """An admin types the replica's address under Pull from: checked at the field, tested
    (it must be a copy of the store), saved, and the desk syncs through it."""
    primary, replica = request.getfixturevalue("pair")  # skipped without PostgreSQL
    new = add_device(primary.url("central", "postgresql+psycopg"), _name("pull"), "walton")
    _caught_up(primary, replica)  # (the device's login is on the replica too)
    desk = desks.start(profile)
    dialog = desk.window.sync_settings()
    qtbot.waitUntil(lambda: bool(dialog.hint.text()), timeout=LONG)  # loaded
    assert unnamed_controls(dialog) == []
    assert mnemonic_clashes(dialog) == {}
    assert_fits(dialog)
    fields = dialog.f.widgets
    fields["url"].setText(new.url)
    fields["device_name"].selectAll()
    qtbot.keyClicks(fields["device_name"], new.name)
    qtbot.keyClicks(fields["password"], new.password)
    qtbot.keyClicks(fields["pull_url"], "postgresql://someone-else@127.0.0.1:5432")
    assert "Please check" in result_of_test(qtbot, dialog)
    assert "same login" in dialog.f.errors["pull_url"].text()
    fields["pull_url"].setText(f"postgresql://127.0.0.1:{replica.port}")
    assert result_of_test(qtbot, dialog).startswith("Connected")
    with qtbot.waitSignal(dialog.saved, timeout=LONG):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_for(qtbot, desk, SYNCED)
    with desk.store.session() as s:
        saved = connect.configured(s, profile)
    assert saved.pull_url == f"postgresql://{make_url(new.url).username}@127.0.0.1:" \
                             f"{replica.port}/central"
    with central_at(primary.url("central", "postgresql+psycopg")) as store:
        assert cursor(desk.store, store.store_id()) == store.head()
