"""Switching staff with forms open on a person's page (which closes as they switch)."""

from __future__ import annotations

from tests.ui.conftest import PASSWORD, unlocked_store
from tests.ui.test_dropin_keys import open_person
from tests.ui.test_signin import BEA_PASSWORD, add_bea


def _switch(qtbot, window, username, password):
    page = window.lock_page
    qtbot.keyClicks(page.f.widgets["username"], username)
    qtbot.keyClicks(page.f.widgets["other_password"], password)
    page.switch_button.click()
    qtbot.waitUntil(lambda: not window.locked, timeout=10_000)


def test_a_form_on_a_person_page_is_kept_as_a_draft_when_someone_else_signs_in(
        qtbot, desks, profile):
    add_bea(profile)
    desk = desks.start(profile)
    window = desk.window
    page = open_person(desk, qtbot, "Rita", "Ahmed")
    step = page._step("Follow-up done", "follow_up", "0000-not-a-row")
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    qtbot.keyClicks(step.f.widgets["outcome"], "Went well")
    key = step.draft_key
    window.lock_action.trigger()
    _switch(qtbot, window, "bea", BEA_PASSWORD)  # Alex's person page closes
    window.lock_action.trigger()
    _switch(qtbot, window, "alex", PASSWORD)  # and nothing breaks when Alex is back
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    desks.stop(desk)
    store = unlocked_store(profile)
    try:
        from lr_desk.services import drafts

        with store.session() as s:
            assert drafts.load(s, key).payload["outcome"] == "Went well"
    finally:
        store.close()


def test_an_account_stopped_from_signing_in_no_longer_unwraps_this_desks_key(
        qtbot, desks, tmp_path):
    from lr_desk.services.signin import Gate
    from lr_desk.ui.accounts import AccountsDialog
    from tests.ui.conftest import make_profile

    folder = tmp_path / "desk"
    make_profile(folder, name="Sam Admin", role="admin")
    bea_id = add_bea(folder)
    assert Gate(folder).keyfile.accounts_for("bea") == [bea_id]
    desk = desks.start(folder)
    desk.window.accounts_action.trigger()
    dialog = next(d for d in desk.window.findChildren(AccountsDialog) if d.isVisible())
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10_000)
    dialog.table.selectRow(next(r for r, row in enumerate(dialog.rows) if row[0] == bea_id))
    dialog.buttons["active"].click()
    qtbot.waitUntil(lambda: any(row[0] == bea_id and not row[4] for row in dialog.rows),
                    timeout=10_000)
    # her password no longer opens the file here, even read straight from keys.json
    assert Gate(folder).keyfile.accounts_for("bea") == []
    dialog.buttons["active"].click()  # let her sign in again: checked against her account
    qtbot.waitUntil(lambda: any(row[0] == bea_id and row[4] for row in dialog.rows),
                    timeout=10_000)
    dialog.accept()
