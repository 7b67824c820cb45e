"""The Reports page, driven as a manager drives it: Go > Reports, the onward referrals
report for September 2019 to February 2020 at Walton and Southport, shown with Enter:
every row of the evaluation's Table 1 with its count and true share in the table and a
bar each in the chart; saved as an Excel workbook and read back; Stop stops, a newer
Show wins, a save elsewhere marks it out of date; advisors have no Reports at all."""

from __future__ import annotations

import re
import threading
from datetime import date
from importlib import import_module

import openpyxl
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QFileDialog, QLabel
from sqlalchemy import select

from lr_desk.services import audit, people, reports
from lr_desk.services.accounts import SignedIn
from lr_desk.services.reports.core import Stopped
from lr_desk.store.models import Person
from lr_desk.ui.report_chart import ReportChart
from lr_desk.ui.report_form import period_of
from lr_desk.ui.reports_page import Run, missing
from tests.reports_data import PEOPLE, PERIOD, TABLE1, TOTAL, table1_desk
from tests.ui.conftest import make_profile
from tests.ui.screen import assert_fits
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls

WAIT = 60_000


def _start(desks, tmp_path, role: str = "manager", name: str = "Maya Manager"):
    folder = tmp_path / f"profile-{role}"
    advisor_id = make_profile(folder, name, role=role)
    desk = desks.start(folder)
    return desk, advisor_id


@pytest.fixture
def manager(desks, tmp_path):
    """A manager's desk holding exactly Table 1 in its period (among records that must
    not count), on the Reports page."""
    desk, advisor_id = _start(desks, tmp_path)
    with desk.store.session() as s:
        table1_desk(s, advisor_id)
    desk.window.reports_action.trigger()  # Go > Reports (Ctrl+6)
    page = desk.window.reports
    assert desk.window.tabs.currentWidget() is page
    return desk, page


def _ask_table1(qtbot, page) -> None:
    """Onward referrals, 1 Sep 2019 - 29 Feb 2020, Walton and Southport ticked."""
    form = page.form
    form.report.setCurrentIndex(form.report.findData("referrals"))
    form.set_days(PERIOD.start, PERIOD.end)
    assert form.preset.currentData() == "custom"
    for code in ("walton", "southport"):
        box = form.site_boxes[code]
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert set(form.chosen_sites()) == {"walton", "southport"}
    assert not form.all_sites.isChecked()


def _enter(qtbot, page, outcome: str = "shown") -> None:
    with qtbot.waitSignal(page.finished, timeout=WAIT,
                          check_params_cb=lambda what: what == outcome):
        page.form.report.setFocus()
        qtbot.keyClick(page.form.report, Qt.Key.Key_Return)


def test_table1_on_screen_in_the_chart_and_in_excel(qtbot, manager, tmp_path, monkeypatch):
    _desk, page = manager
    _ask_table1(qtbot, page)
    _enter(qtbot, page)

    report = page.report
    assert (report.period.start, report.period.end) == (PERIOD.start, PERIOD.end)
    assert set(report.period.sites) == set(PERIOD.sites)
    table = page.view.table("referrals")
    model = table.model_
    assert model.rowCount() == len(TABLE1) + 1  # and the total
    for row, (label, count) in enumerate(TABLE1.items()):
        assert table.text(row, 0) == label
        assert table.text(row, 1) == f"{count:,}"
        assert table.text(row, 2) == f"{100 * count / TOTAL:.1f}%"  # the true share
        assert model.index(row, 1).data(Qt.ItemDataRole.TextAlignmentRole) & \
            Qt.AlignmentFlag.AlignRight
    assert table.text(0, 2) == "56.0%"  # 2,201 of 3,932 (the evaluation printed 57.0%)
    total = len(TABLE1)
    assert [table.text(total, c) for c in range(3)] == ["Total", "3,932", "100.0%"]
    assert model.index(total, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert not model.index(0, 0).data(Qt.ItemDataRole.FontRole)
    summary = page.view.table("summary")
    assert summary.text(1, 0) == "People referred onward" and summary.text(1, 1) == str(PEOPLE)

    chart = page.view.charts[0]
    assert isinstance(chart, ReportChart)
    assert [c.replace("…", "") for c in chart.categories()] == \
        [label[:len(c.replace("…", ""))] for label, c in zip(TABLE1, chart.categories(),
                                                            strict=True)]
    assert chart.values() == [float(n) for n in TABLE1.values()]
    assert "Life Rooms learning provision: Referrals 2,201" in chart.accessibleDescription()
    where = next(w for w in page.view.findChildren(QLabel)
                 if w.accessibleName() == "Period and sites counted")
    assert where.text() == ("1 Sep 2019 to 29 Feb 2020 · The Life Rooms Southport, "
                            "The Life Rooms Walton")

    # saved as an Excel workbook (suppressed as files are: none of Table 1's is under 5)
    target = tmp_path / "table1.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    with qtbot.waitSignal(page.saved, timeout=WAIT):
        qtbot.mouseClick(page.save_buttons["xlsx"], Qt.MouseButton.LeftButton)
    book = openpyxl.load_workbook(target, read_only=True)
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells = [c for c in row if c is not None]
            if len(cells) >= 2 and cells[0] in (*TABLE1, "Total"):
                found.setdefault(cells[0], cells[1:3])
    for label, count in TABLE1.items():
        assert found[label][0] == count
        share = found[label][1]
        share = float(str(share).rstrip("%")) if not isinstance(share, float) else share
        assert share in (pytest.approx(round(100 * count / TOTAL, 1)),
                         pytest.approx(count / TOTAL, abs=0.0006))
    assert found["Total"][0] == TOTAL


def test_the_page_fits_and_says_what_each_control_is(qtbot, manager, tmp_path):
    desk, page = manager
    _ask_table1(qtbot, page)
    _enter(qtbot, page)
    window = desk.window
    assert unnamed_controls(page) == []
    assert mnemonic_clashes(page) == {}
    taken = {"t", "p", "y", "v", "g", "d", "h"}  # the sections' and the menus' Alt letters
    mine = {m.group(1).lower()
            for w in [*page.findChildren(QLabel), *page.findChildren(QAbstractButton)]
            for m in [re.search(r"&([^&])", w.text().replace("&&", ""))] if m}
    assert not mine & taken, mine & taken
    assert_fits(window)
    window.resize(1366, 768 - 70)
    qtbot.wait(200)
    window.grab().save(str(tmp_path / "reports.png"))
    for button in (page.show_button, page.gp_button, *page.save_buttons.values()):
        assert button.isVisible()
        where = button.mapTo(window, button.rect().bottomRight())
        assert window.rect().contains(where)


def test_stop_stops_and_a_newer_show_wins(qtbot, manager):
    desk, page = manager
    gate = threading.Event()
    desk.tasks.read(lambda _s: gate.wait(30))  # the read lane busy: the Show waits its turn
    _ask_table1(qtbot, page)
    page.show_button.click()
    assert page.busy.isVisible() and page.stop_button.isEnabled()
    assert page.status.text().startswith("Counting onward referrals by category, "
                                         "1 Sep 2019 to 29 Feb 2020")
    with qtbot.waitSignal(page.finished, timeout=WAIT) as stopped:
        qtbot.keyClick(page.form.report, Qt.Key.Key_Escape)
    assert stopped.args == ["stopped"]
    assert page.status.text() == "Stopped." and not page.busy.isVisible()
    gate.set()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=WAIT)
    assert page.report is None  # nothing counted came on screen

    # two Shows: the first is stopped by the second, and only the second is shown
    gate.clear()
    desk.tasks.read(lambda _s: gate.wait(30))
    page.form.set_sites(())
    page.form.all_sites.setChecked(True)
    page.show_button.click()
    first = page.run
    _ask_table1(qtbot, page)
    outcomes = []
    page.finished.connect(outcomes.append)
    page.show_button.click()
    assert first.stop.is_set()
    gate.set()
    qtbot.waitUntil(lambda: bool(outcomes), timeout=WAIT)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=WAIT)
    assert outcomes == ["shown"]
    assert page.report.period.start == PERIOD.start
    assert page.report.main.total["count"] == TOTAL


def test_a_run_stopped_stops_the_report_itself(manager):
    desk, _page = manager
    run = Run(1, "referrals", PERIOD)
    with desk.store.session() as s:
        assert reports.make(s, "referrals", PERIOD, run.check).main.total["count"] == TOTAL
        run.stop.set()
        with pytest.raises(Stopped):
            reports.make(s, "referrals", PERIOD, run.check)


def test_a_report_not_written_yet_is_said_plainly():
    with pytest.raises(ModuleNotFoundError) as raised:
        import_module("lr_desk.services.reports.not_written")
    assert missing(raised.value)
    assert not missing(ModuleNotFoundError("No module named 'openpyxl'", name="openpyxl"))


def test_new_records_mark_the_report_out_of_date(qtbot, manager):
    desk, page = manager
    _ask_table1(qtbot, page)
    _enter(qtbot, page)
    assert not page.stale_label.isVisible()
    # opening a record is audited, which changes nothing a report counts
    person_id = _someone(desk)
    desk.tasks.run(lambda s: audit.record_opening(s, person_id))
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=WAIT)
    assert not page.stale_label.isVisible()
    desk.tasks.run(lambda s: people.register(s, {"given_name": "Nia", "family_name": "Jones"},
                                             desk.window.desk.advisor_id, "walton"))
    qtbot.waitUntil(page.stale_label.isVisible, timeout=WAIT)
    _enter(qtbot, page)
    assert not page.stale_label.isVisible()


def _someone(desk) -> str:
    with desk.store.session() as s:
        return s.scalars(select(Person.id).limit(1)).one()


def test_an_advisor_has_no_reports(qtbot, desks, tmp_path):
    desk, _advisor = _start(desks, tmp_path, "advisor", "Alex Advisor")
    window = desk.window
    assert window.reports is None
    assert not window.reports_action.isVisible()
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert "Reports" not in titles
    window.reports_action.trigger()
    assert window.tabs.currentWidget() is not None and window.reports is None


def test_the_section_comes_and_goes_with_who_signs_in(qtbot, desks, tmp_path):
    desk, _advisor = _start(desks, tmp_path, "advisor", "Alex Advisor")
    window = desk.window
    advisor = window.desk.signed_in
    window.desk.signed_in = SignedIn(advisor.advisor_id, "Maya Manager", "maya", "manager")
    window._audit_access()
    page = window.reports
    assert page is not None and window.reports_action.isVisible()
    assert window.tabs.indexOf(page) == window.tabs.indexOf(window.audit) + 1
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)  # Go > Reports
    assert window.tabs.currentWidget() is page
    page.show_button.click()  # (counted as the manager leaves: its answer goes nowhere)
    run = page.run
    window.desk.signed_in = advisor
    window._audit_access()
    assert window.reports is None and window.tabs.indexOf(page) == -1
    assert not window.reports_action.isVisible() and run.stop.is_set()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=WAIT)


@pytest.mark.parametrize(("preset", "today", "days"), [
    ("this_month", date(2026, 12, 6), (date(2026, 12, 1), date(2026, 12, 31))),
    ("last_month", date(2026, 1, 15), (date(2025, 12, 1), date(2025, 12, 31))),
    ("this_quarter", date(2026, 12, 6), (date(2026, 10, 1), date(2026, 12, 31))),
    ("last_quarter", date(2026, 2, 1), (date(2025, 10, 1), date(2025, 12, 31))),
    ("this_year", date(2026, 12, 6), (date(2026, 4, 1), date(2027, 3, 31))),
    ("this_year", date(2027, 3, 31), (date(2026, 4, 1), date(2027, 3, 31))),
    ("last_year", date(2026, 4, 1), (date(2025, 4, 1), date(2026, 3, 31))),
    ("last_12_months", date(2026, 12, 6), (date(2025, 12, 7), date(2026, 12, 6))),
    ("last_12_months", date(2028, 2, 29), (date(2027, 3, 1), date(2028, 2, 29))),
])
def test_periods(preset, today, days):
    assert period_of(preset, today) == days


def test_gp_export_opens_from_the_page(qtbot, manager):
    _desk, page = manager
    qtbot.mouseClick(page.gp_button, Qt.MouseButton.LeftButton)
    def gp_dialogs():  # (a dialog another test left open is not this one)
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QDialog) and w.isVisible()
                and type(w).__name__ == "GpExportDialog"]

    qtbot.waitUntil(lambda: len(gp_dialogs()) == 1, timeout=WAIT)
    gp_dialogs()[0].close()
