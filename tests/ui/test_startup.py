"""Start-up: the window first, then sign-in (or setting a new desk up), then the desk;
the demo profile; data that cannot be opened."""

from __future__ import annotations

import sqlite3

from PySide6.QtGui import QAction

from lr_desk import settings
from lr_desk.app import fill_demo
from lr_desk.paths import data_dir
from lr_desk.profile import open_store
from lr_desk.services import people
from lr_desk.ui.application import Startup
from lr_desk.ui.signin import RecoveryKeyDialog, SetUpDialog, SignInDialog
from tests.ui.conftest import PASSWORD, make_profile, unlocked_store


def asked(qtbot, startup: Startup, kind, timeout: int = 30_000):
    qtbot.waitUntil(lambda: isinstance(startup.dialog, kind) and startup.dialog.isVisible(),
                    timeout=timeout)
    return startup.dialog


def sign_in(qtbot, dialog: SignInDialog, username: str, password: str) -> None:
    dialog.f.widgets["username"].clear()
    qtbot.keyClicks(dialog.f.widgets["username"], username)
    qtbot.keyClicks(dialog.f.widgets["password"], password)
    dialog.sign_in_button.click()


def test_a_new_desk_is_set_up_with_its_first_admin_and_recovery_key(qtbot, tmp_path,
                                                                     monkeypatch):
    folder = tmp_path / "fresh"
    shown = []
    monkeypatch.setattr(RecoveryKeyDialog, "exec", lambda d: shown.append(d.key) or 1)
    startup = Startup(folder)
    try:
        dialog = asked(qtbot, startup, SetUpDialog)
        w = dialog.f.widgets
        qtbot.keyClicks(w["name"], "Sam Southport")
        w["home_site"].setCurrentIndex(w["home_site"].findData("southport"))
        qtbot.keyClicks(w["username"], "sam")
        qtbot.keyClicks(w["password"], "short")
        dialog.buttons.buttons()[0].click()
        qtbot.waitUntil(lambda: dialog.f.errors["password"].isVisibleTo(dialog), timeout=10_000)
        assert "at least" in dialog.f.errors["password"].text()
        assert w["name"].text() == "Sam Southport"  # nothing typed is lost
        w["password"].clear()
        qtbot.keyClicks(w["password"], PASSWORD)
        qtbot.keyClicks(w["password_again"], PASSWORD)
        with qtbot.waitSignal(startup.opened, timeout=30_000):
            dialog.buttons.buttons()[0].click()
        assert len(shown) == 1 and len(shown[0]) == 39  # 8 groups of 4, shown once
        window = startup.window
        assert "Sam Southport at The Life Rooms Southport" in window.windowTitle()
        assert window.accounts_action.isEnabled()  # the first account is an admin
    finally:
        startup.close()
    store = unlocked_store(folder, "sam")
    try:
        with store.session() as s:
            assert settings.get(s, "site_code") == "southport"
    finally:
        store.close()


def test_the_recovery_key_dialog_waits_until_it_is_kept(qtbot):
    dialog = RecoveryKeyDialog("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.done_button.isEnabled()
    dialog.reject()  # Escape does not lose it unseen
    assert dialog.isVisible()
    dialog.kept.click()
    assert dialog.done_button.isEnabled()


def test_demo_profile_is_separate_filled_and_marked(qtbot, desks, tmp_path):
    base = tmp_path / "base"
    desk = desks.start(data_dir(base, demo=True), demo=True)
    assert "DEMO" in desk.window.windowTitle()
    assert len(desk.search.index) >= 100
    assert not (base / "lr_desk.sqlite").exists()  # the real profile is untouched


def test_the_demo_desk_signs_in_from_its_hint(qtbot, tmp_path):
    folder = data_dir(tmp_path / "base", demo=True)
    startup = Startup(folder, demo=True, fill_demo=fill_demo)  # as lr_desk.app hands it in
    try:  # (the demo is made first: three accounts' keys and a year of visits; room for it)
        dialog = asked(qtbot, startup, SignInDialog, timeout=180_000)
        hint = [w.text() for w in dialog.findChildren(type(dialog.status))
                if w.accessibleName() == "Demo sign-in"]
        assert hint and "life-rooms-demo" in hint[0]
        with qtbot.waitSignal(startup.opened, timeout=60_000):
            sign_in(qtbot, dialog, "manager", "life-rooms-demo")
        assert "DEMO" in startup.window.windowTitle()
        assert startup.window.desk.signed_in.role == "manager"
    finally:
        startup.close()


def test_the_window_comes_first_then_sign_in_then_the_desk(qtbot, tmp_path):
    folder = tmp_path / "desk"
    make_profile(folder)
    store = unlocked_store(folder)
    with store.session() as s:
        adv = settings.get(s, "advisor_id")
        people.register(s, {"given_name": "Bernadette", "family_name": "Okafor"}, adv, "walton")
    store.close()

    startup = Startup(folder)
    try:
        window = startup.window
        assert window.isVisible() and window.store is None  # the frame, still opening
        assert not window.new_action.isEnabled()
        from tests.ui.test_accessibility import unnamed_controls

        assert unnamed_controls(window) == []
        dialog = asked(qtbot, startup, SignInDialog)
        assert unnamed_controls(dialog) == []
        with qtbot.waitSignal(startup.opened, timeout=30_000):
            sign_in(qtbot, dialog, "alex", PASSWORD)
        qtbot.keyClicks(window.query, "okafor")
        qtbot.waitUntil(lambda: window.people.model.rowCount() == 1, timeout=30_000)
        assert window.people.model.hits[0].entry.given_name == "Bernadette"
        assert window.new_action.isEnabled()
        assert "Alex Advisor" in window.windowTitle()
    finally:
        startup.close()


def test_a_folder_that_cannot_be_opened_is_said_plainly(qtbot, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data folder should be")
    startup = Startup(blocked)
    try:
        with qtbot.waitSignal(startup.failed, timeout=30_000) as failed:
            pass
        assert failed.args[0]
        assert "could not open" in startup.window.status_label.text()
    finally:
        startup.close()
        startup.window.close()


def test_data_from_a_newer_lr_desk_is_left_alone_and_says_to_update(qtbot, tmp_path):
    folder = tmp_path / "newer"
    open_store(folder).close()  # an unencrypted database, as a newer version might leave
    db = sqlite3.connect(folder / "lr_desk.sqlite")
    db.execute("UPDATE alembic_version SET version_num = '9999'")
    db.commit()
    db.close()
    before = (folder / "lr_desk.sqlite").read_bytes()
    startup = Startup(folder)
    try:
        with qtbot.waitSignal(startup.failed, timeout=30_000) as failed:
            pass
        assert "newer version of lr_desk" in failed.args[0] and "update" in failed.args[0]
    finally:
        startup.close()
        startup.window.close()
    assert (folder / "lr_desk.sqlite").read_bytes() == before  # not touched
    assert not (folder / "keys.json").exists()


def test_ctrl_n_starts_from_what_was_typed_in_find(qtbot, desks, profile):
    desk = desks.start(profile)
    desk.window.find_action.trigger()  # Ctrl+F: People, in Find (the desk opens on Today)
    qtbot.keyClicks(desk.window.query, "Jane Smith 12/03/1980")
    desk.window.new_action.trigger()
    from lr_desk.ui.people import PersonDialog

    dialog = [d for d in desk.window.editors if isinstance(d, PersonDialog)][-1]
    w = dialog.f.widgets
    assert (w["given_name"].text(), w["family_name"].text(), w["date_of_birth"].text()) == (
        "Jane", "Smith", "12/03/1980")


def test_ctrl_1_and_3_while_the_desk_opens_do_no_harm(qtbot, tmp_path):
    folder = tmp_path / "d"
    make_profile(folder)
    startup = Startup(folder)
    try:
        window = startup.window
        by_key = {a.shortcut().toString(): a for a in window.findChildren(QAction)}
        by_key["Ctrl+1"].trigger()  # before the pages are in
        assert window.tabs.currentIndex() == 0
        by_key["Ctrl+3"].trigger()
        assert window.tabs.currentIndex() == 2
        dialog = asked(qtbot, startup, SignInDialog)
        with qtbot.waitSignal(startup.opened, timeout=30_000):
            sign_in(qtbot, dialog, "alex", PASSWORD)
    finally:
        startup.close()
