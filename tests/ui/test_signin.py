"""Sign-in at the desk, driven through the real widgets: wrong passwords and lockout,
locking and unlocking with unsaved work intact, switching staff at a shared desk,
passwords changed here and elsewhere, accounts, and a desk from before encryption."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from lr_desk.services import accounts, people
from lr_desk.services.signin import Gate
from lr_desk.store import cipher, keys
from lr_desk.store.clock import utcnow
from lr_desk.store.models import Advisor, AuditEvent, Outbox
from lr_desk.ui.accounts import AccountsDialog, ChangePasswordDialog, NewAccountDialog
from lr_desk.ui.application import Startup
from lr_desk.ui.people import PersonDialog
from lr_desk.ui.signin import RecoveryKeyDialog, SetUpDialog, SignInDialog
from tests.ui.conftest import PASSWORD, SITES, make_profile, unlocked_store
from tests.ui.test_startup import asked, sign_in

BEA_PASSWORD = "tea at eleven please"


def error(dialog, key: str) -> str:
    label = dialog.f.errors[key]
    return label.text() if label.isVisibleTo(dialog) else ""


def add_bea(folder, role: str = "advisor", here: bool = True) -> str:
    """A second account, made by an admin; ``here``: she has used this desk before."""
    gate = Gate(folder)
    store = unlocked_store(folder)
    try:
        with store.session() as s:
            bea = accounts.create(s, "Bea Bootle", "bootle", "bea", role, BEA_PASSWORD)
            bea_id, password_hash = bea.id, bea.password_hash
        if here:
            gate.keyfile.add(store.key, bea_id, "bea", BEA_PASSWORD, password_hash)
            gate.keyfile.save()
    finally:
        store.close()
    return bea_id


def test_wrong_passwords_are_said_at_the_field_then_slow_down_then_lock(qtbot, tmp_path):
    folder = tmp_path / "desk"
    make_profile(folder)
    startup = Startup(folder)
    try:
        dialog = asked(qtbot, startup, SignInDialog)
        for attempt in range(keys.FREE_TRIES + 1):
            sign_in(qtbot, dialog, "alex", f"wrong guess {attempt}")
            qtbot.waitUntil(lambda: error(dialog, "password") != "", timeout=10_000)
            qtbot.waitUntil(dialog.sign_in_button.isEnabled, timeout=10_000)
            assert dialog.f.widgets["username"].text() == "alex"  # kept
            assert dialog.f.widgets["password"].text() == ""  # to type again
            assert dialog.isVisible() and startup.desk is None
        assert "right" in error(dialog, "password")
        sign_in(qtbot, dialog, "alex", PASSWORD)  # the right one, too soon
        qtbot.waitUntil(lambda: "wait" in error(dialog, "password"), timeout=10_000)
        assert startup.desk is None

        # as if the last wrong tries were minutes apart: one more, and it locks
        lockout = Gate(folder).keyfile.lockout
        for _ in range(keys.LOCK_AFTER - 1 - lockout.failures("alex")):
            lockout.failed("alex", utcnow() - timedelta(hours=1))
        dialog.gate = Gate(folder)
        qtbot.waitUntil(dialog.sign_in_button.isEnabled, timeout=10_000)
        sign_in(qtbot, dialog, "alex", "one wrong too many")
        qtbot.waitUntil(lambda: "locked on this desk" in error(dialog, "password"),
                        timeout=10_000)
        qtbot.waitUntil(dialog.sign_in_button.isEnabled, timeout=10_000)
        sign_in(qtbot, dialog, "alex", PASSWORD)
        qtbot.waitUntil(lambda: "minutes" in error(dialog, "password"), timeout=10_000)
        assert startup.desk is None
    finally:
        startup.close()


def test_someone_who_never_used_this_desk_is_told_how(qtbot, tmp_path):
    folder = tmp_path / "desk"
    make_profile(folder)
    add_bea(folder, here=False)
    startup = Startup(folder)
    try:
        dialog = asked(qtbot, startup, SignInDialog)
        sign_in(qtbot, dialog, "bea", BEA_PASSWORD)
        # in the words of a wrong password: which names exist is not given away
        qtbot.waitUntil(lambda: "Switch user" in error(dialog, "password"), timeout=10_000)
    finally:
        startup.close()


def open_form(qtbot, desk, given: str) -> PersonDialog:
    desk.window.new_action.trigger()
    dialog = [d for d in desk.window.editors if isinstance(d, PersonDialog)][-1]
    qtbot.keyClicks(dialog.f.widgets["given_name"], given)
    return dialog


def test_locking_hides_everything_and_unlocking_brings_back_what_was_typed(qtbot, desks,
                                                                           profile):
    desk = desks.start(profile)
    window = desk.window
    form = open_form(qtbot, desk, "Half-typed")
    window.password_action.trigger()  # any dialog over the desk is hidden too
    other = next(d for d in window.findChildren(ChangePasswordDialog) if d.isVisible())
    window.lock_action.trigger()  # Ctrl+L
    assert window.locked and not form.isVisible() and not window.tabs.isVisible()
    assert not other.isVisible()
    assert not window.menuBar().isEnabled()
    page = window.lock_page
    assert "Alex Advisor is signed in" in page.title.text()
    from tests.ui.test_accessibility import unnamed_controls

    assert unnamed_controls(page) == []
    qtbot.keyClicks(page.f.widgets["password"], "not my password")
    page.unlock_button.click()
    qtbot.waitUntil(lambda: page.f.errors["password"].text() != "", timeout=10_000)
    assert window.locked
    qtbot.keyClicks(page.f.widgets["password"], PASSWORD)
    page.unlock_button.click()
    qtbot.waitUntil(lambda: not window.locked, timeout=10_000)
    assert form.isVisible() and form.f.widgets["given_name"].text() == "Half-typed"
    assert form.dirty and other.isVisible()


def test_the_desk_locks_itself_when_nobody_is_there(qtbot, desks, profile):
    desk = desks.start(profile)
    assert desk.window.idle.timer.interval() == 5 * 60_000  # the default, 5 minutes
    desk.window.idle.timer.start(50)  # as if 5 minutes had gone by
    qtbot.waitUntil(lambda: desk.window.locked, timeout=10_000)


def test_staff_switch_at_a_shared_desk_and_each_finds_their_own_forms(qtbot, desks, profile):
    bea_id = add_bea(profile, here=False)  # new to this desk: checked against her account
    desk = desks.start(profile)
    window = desk.window
    alex_id = window.desk.advisor_id
    alex_form = open_form(qtbot, desk, "Alexs visitor")
    window.switch_action.trigger()
    page = window.lock_page
    assert page.f.widgets["username"].hasFocus() or not window.isActiveWindow()
    qtbot.keyClicks(page.f.widgets["username"], "bea")
    qtbot.keyClicks(page.f.widgets["other_password"], BEA_PASSWORD)
    page.switch_button.click()
    qtbot.waitUntil(lambda: not window.locked, timeout=10_000)
    assert window.desk.advisor_id == bea_id and "Bea Bootle" in window.windowTitle()
    assert not alex_form.isVisible()  # Alex's form waits for Alex
    assert not window.accounts_action.isEnabled()  # Bea is an advisor
    with desk.store.session() as s:  # what is saved now is Bea's
        people.register(s, {"given_name": "Cy", "family_name": "Who"}, bea_id, "bootle")
    with desk.store.session() as s:
        assert s.scalars(select(Outbox).where(Outbox.entity == "person")
                         .order_by(Outbox.seq.desc())).first().seen["~by"] == bea_id
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in")
                         .order_by(AuditEvent.at.desc())).first().advisor_id == bea_id

    window.lock_action.trigger()
    qtbot.keyClicks(page.f.widgets["username"], "alex")
    qtbot.keyClicks(page.f.widgets["other_password"], PASSWORD)
    page.switch_button.click()
    qtbot.waitUntil(lambda: not window.locked, timeout=10_000)
    assert window.desk.advisor_id == alex_id
    assert alex_form.isVisible() and alex_form.f.widgets["given_name"].text() == "Alexs visitor"
    desks.stop(desk)
    # Bea's password opens this desk from now on
    Gate(profile).sign_in("bea", BEA_PASSWORD).store.close()


def test_a_form_left_by_someone_who_moved_over_is_kept_as_a_draft_at_closing(qtbot, desks,
                                                                             profile):
    add_bea(profile)
    desk = desks.start(profile)
    window = desk.window
    form = open_form(qtbot, desk, "Left open")
    key = form.draft_key
    window.lock_action.trigger()
    page = window.lock_page
    qtbot.keyClicks(page.f.widgets["username"], "bea")
    qtbot.keyClicks(page.f.widgets["other_password"], BEA_PASSWORD)
    page.switch_button.click()
    qtbot.waitUntil(lambda: not window.locked, timeout=10_000)
    desks.stop(desk)
    store = unlocked_store(profile)
    try:
        from lr_desk.services import drafts

        with store.session() as s:
            assert drafts.load(s, key).payload["given_name"] == "Left open"
    finally:
        store.close()


def test_a_password_changed_on_another_desk_is_asked_for_once(qtbot, tmp_path):
    folder = tmp_path / "desk"
    advisor_id = make_profile(folder)
    store = unlocked_store(folder)
    with store.session() as s:  # as a sync would bring it
        s.get(Advisor, advisor_id).password_hash = accounts.hash_password("changed at bootle")
    store.close()
    startup = Startup(folder)
    try:
        dialog = asked(qtbot, startup, SignInDialog)
        sign_in(qtbot, dialog, "alex", PASSWORD)
        new = dialog.f.widgets["new_password"]
        qtbot.waitUntil(new.isVisible, timeout=10_000)
        assert "changed on another desk" in dialog.status.text()
        qtbot.keyClicks(new, "a wrong guess")
        dialog.sign_in_button.click()
        qtbot.waitUntil(lambda: error(dialog, "new_password") != "", timeout=10_000)
        new.clear()
        qtbot.keyClicks(new, "changed at bootle")
        with qtbot.waitSignal(startup.opened, timeout=30_000):
            dialog.sign_in_button.click()
    finally:
        startup.close()
    Gate(folder).sign_in("alex", "changed at bootle").store.close()


def test_changing_my_password_from_the_menu(qtbot, desks, profile):
    desk = desks.start(profile)
    desk.window.password_action.trigger()
    dialog = next(d for d in desk.window.findChildren(ChangePasswordDialog) if d.isVisible())
    w = dialog.f.widgets
    qtbot.keyClicks(w["old_password"], "not it")
    qtbot.keyClicks(w["password"], "a brand new phrase")
    qtbot.keyClicks(w["password_again"], "a brand new phrase")
    dialog.ok.click()
    qtbot.waitUntil(lambda: error(dialog, "old_password") != "", timeout=10_000)
    assert w["password"].text() == "a brand new phrase"  # kept
    w["old_password"].clear()
    qtbot.keyClicks(w["old_password"], PASSWORD)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.ok.click()
    desks.stop(desk)
    Gate(profile).sign_in("alex", "a brand new phrase").store.close()


def test_an_admin_adds_an_account_who_can_then_sign_in_here(qtbot, desks, tmp_path):
    folder = tmp_path / "desk"
    make_profile(folder, name="Sam Admin", role="admin")
    desk = desks.start(folder)
    window = desk.window
    assert window.accounts_action.isEnabled()
    window.accounts_action.trigger()
    dialog = next(d for d in window.findChildren(AccountsDialog) if d.isVisible())
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
    dialog.buttons["new"].click()
    new = next(d for d in dialog.findChildren(NewAccountDialog) if d.isVisible())
    w = new.f.widgets
    qtbot.keyClicks(w["name"], "Mo Manager")
    qtbot.keyClicks(w["username"], "sam")  # taken
    w["role"].setCurrentIndex(w["role"].findData("manager"))
    qtbot.keyClicks(w["password"], "managers own phrase")
    qtbot.keyClicks(w["password_again"], "managers own phrase")
    new.ok.click()
    qtbot.waitUntil(lambda: error(new, "username") != "", timeout=10_000)
    w["username"].clear()
    qtbot.keyClicks(w["username"], "mo")
    with qtbot.waitSignal(new.saved, timeout=10_000):
        new.ok.click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10_000)
    names = [dialog.table.item(r, 0).text() for r in range(2)]
    assert "Mo Manager" in names
    dialog.accept()
    desks.stop(desk)
    unlocked = Gate(folder).sign_in("mo", "managers own phrase")
    assert unlocked.signed_in.role == "manager"
    unlocked.store.close()


def test_a_desk_from_before_encryption_is_set_up_and_encrypted_losing_nothing(
        qtbot, tmp_path, monkeypatch):
    from lr_desk.profile import open_store

    folder = tmp_path / "old"
    store = open_store(folder)  # the unencrypted profile of the earlier version
    with store.session() as s:
        advisor = Advisor(name="Ann Old", home_site="walton")
        s.add(advisor)
        s.flush()
        people.register(s, {"given_name": "Winifred", "family_name": "Oldfield"}, advisor.id,
                        "walton")
    store.close()
    monkeypatch.setattr(RecoveryKeyDialog, "exec", lambda d: 1)
    startup = Startup(folder)
    try:
        dialog = asked(qtbot, startup, SetUpDialog)
        assert "nothing is lost" in dialog.findChildren(type(dialog.status))[0].text()
        w = dialog.f.widgets
        qtbot.keyClicks(w["name"], "Sam Admin")
        qtbot.keyClicks(w["username"], "sam")
        qtbot.keyClicks(w["password"], PASSWORD)
        qtbot.keyClicks(w["password_again"], PASSWORD)
        with qtbot.waitSignal(startup.opened, timeout=60_000):
            dialog.buttons.buttons()[0].click()
        window = startup.window
        qtbot.waitSignal(startup.desk.search.ready, timeout=30_000)
        qtbot.keyClicks(window.query, "oldfield")
        qtbot.waitUntil(lambda: window.people.model.rowCount() == 1, timeout=30_000)
    finally:
        startup.close()
    assert not cipher.is_plain(folder / "lr_desk.sqlite")
    assert b"Oldfield" not in (folder / "lr_desk.sqlite").read_bytes()
    assert list((folder / "backups").glob("*before-encryption*"))
    assert "sam" in json.dumps(json.loads((folder / "keys.json").read_text())["accounts"])


def test_where_this_desk_is_changes_the_title_and_is_kept(qtbot, desks, profile):
    from lr_desk import settings
    from lr_desk.ui.accounts import SiteDialog

    desk = desks.start(profile)
    desk.window.site_action.trigger()
    dialog = next(d for d in desk.window.findChildren(SiteDialog) if d.isVisible())
    combo = dialog.f.widgets["site_code"]
    combo.setCurrentIndex(combo.findData("southport"))
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.ok.click()
    assert "Southport" in desk.window.windowTitle()
    assert desk.window.today.site_code == "southport"
    desks.stop(desk)
    store = unlocked_store(profile)
    try:
        with store.session() as s:
            assert settings.get(s, "site_code") == "southport"
    finally:
        store.close()


def test_an_admin_changes_a_role_and_it_holds_at_the_next_sign_in(qtbot, desks, tmp_path):
    folder = tmp_path / "desk"
    make_profile(folder, name="Sam Admin", role="admin")
    bea_id = add_bea(folder)
    desk = desks.start(folder)
    desk.window.accounts_action.trigger()
    dialog = next(d for d in desk.window.findChildren(AccountsDialog) if d.isVisible())
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10_000)
    row = next(r for r in range(2) if dialog.rows[r][0] == bea_id)
    dialog.table.selectRow(row)
    assert dialog.role.isEnabled()
    dialog.role.setCurrentIndex(dialog.role.findData("manager"))
    dialog.role.activated.emit(dialog.role.currentIndex())
    qtbot.waitUntil(lambda: dialog.rows and next(
        r for r in dialog.rows if r[0] == bea_id)[3] == "manager", timeout=10_000)
    mine = next(r for r in range(2) if dialog.rows[r][0] != bea_id)
    dialog.table.selectRow(mine)
    assert not dialog.role.isEnabled()  # not one's own
    dialog.accept()
    desks.stop(desk)
    unlocked = Gate(folder).sign_in("bea", BEA_PASSWORD)
    assert unlocked.signed_in.role == "manager"
    unlocked.store.close()


def test_the_recovery_key_resets_a_forgotten_password_from_the_sign_in_box(qtbot, tmp_path):
    from lr_desk.ui.signin import RecoveryDialog

    folder = tmp_path / "desk"
    unlocked = Gate(folder).set_up("Sam Admin", "walton", "sam", PASSWORD, PASSWORD, SITES)
    recovery = unlocked.recovery_key
    unlocked.store.close()
    dialog = RecoveryDialog(Gate(folder))
    qtbot.addWidget(dialog)
    dialog.show()
    w = dialog.f.widgets
    qtbot.keyClicks(w["recovery_key"], "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")
    qtbot.keyClicks(w["username"], "sam")
    qtbot.keyClicks(w["password"], "remembered at last")
    qtbot.keyClicks(w["password_again"], "remembered at last")
    dialog.buttons.buttons()[0].click()
    qtbot.waitUntil(lambda: error(dialog, "recovery_key") != "", timeout=10_000)
    assert w["username"].text() == "sam"  # nothing typed is lost
    w["recovery_key"].clear()
    qtbot.keyClicks(w["recovery_key"], recovery.lower())
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.buttons.buttons()[0].click()
    assert dialog.username == "sam"
    Gate(folder).sign_in("sam", "remembered at last").store.close()


def test_a_desk_whose_keys_are_damaged_says_so_at_start(qtbot, tmp_path):
    """keys.json damaged along with its last good copy: said at start, plainly, as
    damaged (not missing), and the file is left as it is."""
    folder = tmp_path / "desk"
    make_profile(folder)
    (folder / "keys.json").write_text("[]", encoding="utf-8")
    (folder / "keys.json.bak").write_text("null", encoding="utf-8")
    startup = Startup(folder)
    try:
        with qtbot.waitSignal(startup.failed, timeout=30_000) as failed:
            pass
        assert "damaged" in failed.args[0] and "keys.json" in failed.args[0]
    finally:
        startup.close()
        startup.window.close()
    assert (folder / "keys.json").read_text(encoding="utf-8") == "[]"


def test_a_missing_database_is_said_at_the_sign_in_box_and_nothing_is_lost(qtbot, tmp_path):
    """Was: a new empty database, "This account can no longer sign in", and the key
    wrap gone. Now the box says which file is missing and which copy to put back; the
    username typed stays, and the keys are as they were."""
    import shutil

    folder = tmp_path / "desk"
    make_profile(folder)
    db = folder / "lr_desk.sqlite"
    moved = tmp_path / "elsewhere.sqlite"
    shutil.move(db, moved)
    before = (folder / "keys.json").read_bytes()
    startup = Startup(folder)
    try:
        dialog = asked(qtbot, startup, SignInDialog)
        sign_in(qtbot, dialog, "alex", PASSWORD)
        qtbot.waitUntil(lambda: "missing" in error(dialog, "password"), timeout=10_000)
        assert str(db) in error(dialog, "password")
        assert dialog.f.widgets["username"].text() == "alex"
        assert dialog.isVisible() and startup.desk is None
        assert not db.exists() and (folder / "keys.json").read_bytes() == before
        shutil.move(moved, db)  # put back: now it opens
        qtbot.waitUntil(dialog.sign_in_button.isEnabled, timeout=10_000)
        sign_in(qtbot, dialog, "alex", PASSWORD)
        qtbot.waitUntil(lambda: startup.desk is not None, timeout=30_000)
    finally:
        startup.close()


def test_enter_in_the_password_signs_in_whatever_button_tab_passed(qtbot, tmp_path,
                                                                    monkeypatch):
    """Tab over Sign in and "Use the recovery key..." and back: Enter in the Password
    field signs in (it used to open the recovery key box, left as the default)."""
    from lr_desk.ui.signin import RecoveryDialog

    recovery = []
    monkeypatch.setattr(RecoveryDialog, "exec", lambda d: recovery.append(d) or 0)
    folder = tmp_path / "desk"
    make_profile(folder)
    startup = Startup(folder)
    try:
        dialog = asked(qtbot, startup, SignInDialog)
        password = dialog.f.widgets["password"]
        qtbot.keyClicks(dialog.f.widgets["username"], "alex")
        qtbot.keyClicks(password, PASSWORD)
        for _ in range(4):  # on, over the buttons, round to the fields again
            qtbot.keyClick(dialog.focusWidget() or dialog, "\t")
        password.setFocus()
        qtbot.keyClick(password, "\r")
        assert not recovery, "Enter opened the recovery key box"
        qtbot.waitUntil(lambda: startup.desk is not None, timeout=30_000)
    finally:
        startup.close()
