"""Changes set aside from sync, at the desk: a change a lost device put in the central
store's log (before the store checked) is not applied, the rest of the sync goes on, and
an admin finds it in Desk ▸ Changes set aside from sync…, with the device that sent it,
why, and what it held. An advisor has no such list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from lr_desk.store.models import Person
from tests.sync.hostile import ATTACKS, append_unchecked, new_person
from tests.ui.conftest import make_profile
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
from tests.ui.test_sync_status import SYNCED, central_at, connect_profile, shared_store, wait_for

LOST = "lost-laptop"


def _log_with_a_bad_change(tmp_path) -> tuple[str, str]:
    """A shared store whose log holds a good new person, then a date of birth that is no
    date, from a lost laptop. Returns the store's URL and the good person's id."""
    url = shared_store(tmp_path)
    good = new_person(LOST, given="Grace")
    bad = ATTACKS["a date of birth not-a-date"](good["entity_id"], LOST)
    with central_at(url) as central:
        append_unchecked(central, LOST, good)
        append_unchecked(central, LOST, bad)
    return url, good["entity_id"]


def test_an_admin_sees_what_sync_set_aside_and_the_rest_applied(qtbot, desks, tmp_path):
    folder = tmp_path / "admin"
    make_profile(folder, name="Ada Admin", role="admin")
    url, good_id = _log_with_a_bad_change(tmp_path)
    connect_profile(folder, url)
    desk = desks.start(folder)
    wait_for(qtbot, desk, SYNCED)  # the bad change did not stop the sync
    with desk.store.session() as s:
        grace = s.get(Person, good_id)
        assert grace is not None and grace.date_of_birth is None

    window = desk.window
    action = window.set_aside.action
    assert action.isVisible() and action.isEnabled()
    assert action in window.menuBar().actions()[0].menu().actions()  # Desk menu
    action.trigger()
    dialog = window.set_aside.dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert dialog.summary.text() == "1 change set aside."
    row = dialog.rows[0]
    assert row.device == LOST and row.record == f"person {good_id}"
    assert "date_of_birth" in row.reason
    assert "not-a-date" in dialog.detail.toPlainText()  # the first one is chosen at once
    assert unnamed_controls(dialog) == [] and mnemonic_clashes(dialog) == {}
    dialog.table.setFocus()  # the keyboard path: the list, then its details
    assert dialog.table.currentIndex().row() == 0

    window.set_aside.show()  # asked again: the same window, not a second one
    assert window.set_aside.dialog is dialog
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)


def test_an_empty_list_says_so(qtbot, desks, tmp_path):
    folder = tmp_path / "admin"
    make_profile(folder, name="Ada Admin", role="admin")
    desk = desks.start(folder)
    dialog = desk.window.set_aside.show()
    qtbot.waitUntil(lambda: dialog.summary.text() != "Listing…", timeout=10_000)
    assert dialog.summary.text().startswith("Nothing has been set aside")
    assert dialog.detail.toPlainText() == ""


def test_an_advisor_has_no_list(qtbot, desks, tmp_path):
    folder = tmp_path / "advisor"
    make_profile(folder)
    desk = desks.start(folder)
    window = desk.window
    window.menuBar().actions()[0].menu().aboutToShow.emit()
    assert not window.set_aside.action.isVisible()
    assert window.set_aside.show() is None
    with desk.store.session() as s:
        assert s.scalars(select(Person)).first() is None
