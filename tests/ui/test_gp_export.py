"""The GP referrals file's dialog, used the way a manager would: the period typed, sites
unticked, the file's place typed, Enter; the file read back; the audit record made; its
problems said at the fields; an advisor cannot make it."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt
from sqlalchemy import select

from lr_desk.services import gp_export
from lr_desk.store.models import AuditEvent
from lr_desk.ui.gp_export import GpExportDialog, open_gp_export
from tests.reports_data import TOTAL, table1_desk
from tests.ui.conftest import make_profile, unlocked_store
from tests.ui.screen import assert_fits
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls

AFTER = date(2020, 3, 10)  # "today" for the dialog: last month is February 2020


@pytest.fixture
def manager_profile(tmp_path):
    folder = tmp_path / "profile"
    advisor_id = make_profile(folder, "Mo Manager", role="manager")
    store = unlocked_store(folder)
    try:
        with store.session() as s:
            table1_desk(s, advisor_id)
    finally:
        store.close()
    return folder


def _dialog(desk, qtbot, folder) -> GpExportDialog:
    dialog = GpExportDialog(desk.tasks, desk.window.desk, desk.window, today=AFTER,
                            folder=folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _tick(qtbot, box) -> None:
    """Click a tick box on its box (its words end well before its widget does)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def _type(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def test_a_manager_makes_the_file_for_two_hubs(qtbot, desks, manager_profile, tmp_path):
    desk = desks.start(manager_profile)
    dialog = _dialog(desk, qtbot, tmp_path)
    assert unnamed_controls(dialog) == [] and mnemonic_clashes(dialog) == {}
    assert_fits(dialog)
    assert dialog.end.date().toString("yyyy-MM-dd") == "2020-02-29"  # last month
    assert dialog.path.text() == str(tmp_path / "gp-referrals-2020-02-01-to-2020-02-29.csv")
    dialog.grab().save(str(tmp_path / "gp-export.png"))

    _type(qtbot, dialog.start, "1 Sep 2019")
    assert dialog.path.text().endswith("gp-referrals-2019-09-01-to-2020-02-29.csv")
    for code, box in dialog.sites.items():
        if code not in ("walton", "southport"):
            _tick(qtbot, box)
    wanted = tmp_path / "for the GPs.csv"
    _type(qtbot, dialog.path, str(wanted))
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)  # Enter makes the file
    qtbot.waitUntil(lambda: dialog.saved_to is not None, timeout=60_000)
    assert dialog.status.text().startswith(f"Saved {TOTAL:,} referrals in {wanted}")
    with open(wanted, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    header = lines.index(list(gp_export.COLUMNS))
    rows = lines[header + 1:]
    assert len(rows) == TOTAL
    assert {r[11] for r in rows} == {"The Life Rooms Walton", "The Life Rooms Southport"}
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    desks.stop(desk)
    store = unlocked_store(manager_profile)
    try:
        with store.session() as s:
            event = s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
        assert event.entity == "gp_referrals" and "3,932 referrals" in event.detail
    finally:
        store.close()


def test_problems_are_said_at_the_fields(qtbot, desks, manager_profile, tmp_path):
    desk = desks.start(manager_profile)
    dialog = _dialog(desk, qtbot, tmp_path)
    _type(qtbot, dialog.start, "1 Mar 2020")  # after the end
    for box in dialog.sites.values():
        _tick(qtbot, box)
    _type(qtbot, dialog.path, str(tmp_path / "nowhere" / "gp.csv"))
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    assert "ends before it starts" in dialog.period_message.text()
    assert dialog.sites_message.text() == "Choose at least one site."
    assert "no such folder" in dialog.path_message.text()
    assert dialog.focusWidget() is dialog.start
    assert dialog.saved_to is None and not list((tmp_path).glob("*.csv"))


def test_an_advisor_cannot_make_it(qtbot, desks, profile, tmp_path):
    desk = desks.start(profile)  # an advisor's desk
    dialog = open_gp_export(desk.window, desk.tasks, desk.window.desk)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, GpExportDialog) and dialog.isVisible()
    assert not dialog.make_button.isEnabled()
    assert dialog.make_button.toolTip() == gp_export.NOT_ALLOWED
    assert dialog.status.text() == gp_export.NOT_ALLOWED
