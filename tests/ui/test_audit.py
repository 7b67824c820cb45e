"""The Audit log tab: a manager opens a person, edits them, prints and saves the sheet,
then finds exactly those records in the log; advisors have no such tab; opening a person
is recorded once per page; bad filters are said at the field."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import select

from lr_desk.services import audit
from lr_desk.services.accounts import SignedIn
from lr_desk.services.changes import Changed
from lr_desk.store.models import AuditEvent
from lr_desk.ui.audit import AuditPage
from lr_desk.ui.people import PersonDialog
from tests.ui.conftest import make_profile
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
from tests.ui.test_sheet import _open_preview, _person_with_a_prescription


def _start(desks, tmp_path, role: str, name: str = "Maya Manager"):
    folder = tmp_path / f"profile-{role}"
    make_profile(folder, name, role=role)
    return desks.start(folder)


def _audit_ids(desk) -> set[str]:
    with desk.store.session() as s:
        return set(s.scalars(select(AuditEvent.id)))


def _records(desk, **where) -> list[AuditEvent]:
    with desk.store.session() as s:
        q = select(AuditEvent)
        for key, value in where.items():
            q = q.where(getattr(AuditEvent, key) == value)
        return list(s.scalars(q))


def _show(qtbot, log) -> None:
    with qtbot.waitSignal(log.loaded, timeout=10_000):
        qtbot.mouseClick(log.show_button, Qt.MouseButton.LeftButton)


def _open_log(qtbot, window):
    with qtbot.waitSignal(window.audit.loaded, timeout=10_000):
        window.audit_action.trigger()  # Ctrl+5
    assert window.tabs.currentWidget() is window.audit
    return window.audit


def test_a_manager_finds_exactly_what_was_done(qtbot, desks, tmp_path):
    desk = _start(desks, tmp_path, "manager")
    window = desk.window
    person_id = _person_with_a_prescription(desk)
    before = _audit_ids(desk)

    # opens her record (and the sheet's preview)
    page, preview = _open_preview(desk, qtbot, person_id)
    # edits her phone number
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    edit = [d for d in window.editors if isinstance(d, PersonDialog)][-1]
    qtbot.keyClicks(edit.f.widgets["phone"], "0151 496 0000")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(edit.save_button, Qt.MouseButton.LeftButton)
    # prints the sheet
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    with qtbot.waitSignal(preview.given, timeout=60_000):
        preview.print_to(printer)
    # saves it as a PDF
    preview.save_button.click()
    dialog = preview.findChild(QFileDialog)
    with qtbot.waitSignal(preview.given, timeout=30_000):
        dialog.selectFile(str(tmp_path / "plan.pdf"))
        dialog.accept()
    preview.close()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)

    log = _open_log(qtbot, window)
    assert unnamed_controls(log) == [] and mnemonic_clashes(log) == {}
    qtbot.keyClicks(log.f.widgets["person"], "Kearney")
    _show(qtbot, log)
    rows = log.model.rows
    assert {r.person for r in rows} == {"Shiv Kearney"}
    new = [r for r in rows if r.id not in before]
    assert Counter((r.action, r.record, r.detail) for r in new) == Counter([
        ("Opened a person's record", "Person's details", ""),
        ("Changed a record", "Person's details", "Changed phone number"),
        ("Printed a take-home sheet", "Social prescription", "Printed the take-home sheet"),
        ("Exported", "Social prescription", "Saved the take-home sheet as a PDF file"),
        ("Changed a record", "Social prescription", "Gave the take-home sheet"),
        ("Changed a record", "Social prescription", "Gave the take-home sheet"),  # again
    ])
    assert {(r.who, r.device.startswith("This desk")) for r in new} == {("Maya Manager", True)}
    assert "0151" not in " ".join(r.detail for r in rows)  # names of fields, never values
    # what is shown, a cell at a time, as the table shows it
    index = log.model.index(0, 3)
    assert log.model.data(index) == rows[0].action

    # one action
    action = log.f.widgets["action"]
    action.setCurrentIndex(action.findData("print_sheet"))
    _show(qtbot, log)
    [printed] = log.model.rows
    assert (printed.action, printed.who, printed.person) == (
        "Printed a take-home sheet", "Maya Manager", "Shiv Kearney")
    # dates: today has them, tomorrow none
    today = date.today()
    qtbot.keyClicks(log.f.widgets["since"], today.strftime("%d/%m/%Y"))
    _show(qtbot, log)
    assert len(log.model.rows) == 1
    log.f.widgets["since"].clear()
    qtbot.keyClicks(log.f.widgets["since"], (today + timedelta(days=1)).strftime("%d/%m/%Y"))
    _show(qtbot, log)
    assert log.model.rows == [] and log.status.text() == "No records match."
    # Enter on a row opens the person (recorded too)
    log.f.widgets["since"].clear()
    _show(qtbot, log)
    opened = len(_records(desk, action="open_person"))
    window._close_tab(window.tabs.indexOf(page))
    log.table.setFocus()
    with qtbot.waitSignal(window.person_opened, timeout=10_000):
        qtbot.keyClick(log.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(_records(desk, action="open_person")) == opened + 1,
                    timeout=10_000)


def test_bad_filters_are_said_at_the_field(qtbot, desks, tmp_path):
    desk = _start(desks, tmp_path, "manager")
    log = _open_log(qtbot, desk.window)
    qtbot.keyClicks(log.f.widgets["since"], "31/02/2025")
    qtbot.mouseClick(log.show_button, Qt.MouseButton.LeftButton)
    assert "doesn't exist" in log.f.errors["since"].text()
    assert not log.f.errors["since"].isHidden()
    log.f.widgets["since"].clear()
    qtbot.keyClicks(log.f.widgets["since"], "12/06/2025")
    qtbot.keyClicks(log.f.widgets["until"], "11/06/2025")
    qtbot.keyClick(log.f.widgets["until"], Qt.Key.Key_Return)
    assert "before the From date" in log.f.errors["until"].text()
    assert log.f.errors["since"].isHidden()
    log.f.widgets["since"].clear()
    log.f.widgets["until"].clear()
    qtbot.keyClicks(log.f.widgets["person"], "Nobody Atall")
    _show(qtbot, log)
    assert "No one's name" in log.f.errors["person"].text()
    assert log.model.rows == []


def test_an_advisor_has_no_audit_log(qtbot, desks, tmp_path):
    desk = _start(desks, tmp_path, "advisor", "Alex Advisor")
    window = desk.window
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert not any("Audit" in t for t in titles)
    assert window.audit is None
    assert not window.audit_action.isVisible() and not window.audit_action.isEnabled()
    window.audit_action.trigger()  # (Ctrl+5 does nothing)
    window.show_audit(of_current_person=True)
    assert window.tabs.currentWidget() is not None and window.audit is None


def test_the_tab_comes_and_goes_with_who_is_signed_in(qtbot, desks, tmp_path):
    desk = _start(desks, tmp_path, "advisor", "Alex Advisor")
    window = desk.window
    advisor = window.desk.signed_in
    window.desk.signed_in = SignedIn(advisor.advisor_id, "Maya Manager", "maya", "manager")
    window._audit_access()
    log = window.audit
    assert log is not None and window.audit_action.isVisible()
    assert window.tabs.indexOf(log) == window.tabs.indexOf(window.review) + 1
    window.desk.signed_in = advisor
    log.refresh()  # (a read under way as the tab goes: its answer has nowhere to go)
    window._audit_access()
    assert window.audit is None and window.tabs.indexOf(log) == -1
    assert not window.audit_action.isVisible()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    # a page left on show by a manager reads nothing for anyone else
    window.desk.signed_in = None
    page = AuditPage(desk.tasks, window.desk)
    qtbot.addWidget(page)
    page.refresh()
    assert page.status.text() == "Only managers can see the audit log."
    assert page.model.rows == [] and desk.tasks.pending == 0


def test_a_person_page_is_one_opening_however_often_shown(qtbot, desks, tmp_path):
    desk = _start(desks, tmp_path, "manager")
    window = desk.window
    person_id = _person_with_a_prescription(desk)
    page = window.open_person(person_id)
    qtbot.waitUntil(lambda: page.view is not None, timeout=10_000)
    window.tabs.setCurrentWidget(window.today)
    assert window.open_person(person_id) is page  # the page already open
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.reload()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    [opening] = _records(desk, action="open_person")
    assert (opening.person_id, opening.advisor_id, opening.device_id) == (
        person_id, window.desk.advisor_id, desk.store.device_id)
    window._close_tab(window.tabs.indexOf(page))
    page = window.open_person(person_id)  # opened again: a second opening
    qtbot.waitUntil(lambda: len(_records(desk, action="open_person")) == 2, timeout=10_000)


def test_who_has_looked_at_this_record(qtbot, desks, tmp_path):
    desk = _start(desks, tmp_path, "manager")
    window = desk.window
    person_id = _person_with_a_prescription(desk)
    with desk.store.session() as s:  # someone else, at another desk, looked too
        s.info["advisor_id"] = None
        s.info["device_id"] = "01234567-0000-7000-8000-00000000abcd"
        audit.record_opening(s, person_id)
    page = window.open_person(person_id)
    qtbot.waitUntil(lambda: page.view is not None, timeout=10_000)
    log = window.audit
    with qtbot.waitSignal(log.loaded, timeout=10_000):
        window.audit_person_action.trigger()  # Ctrl+Shift+5
    assert window.tabs.currentWidget() is log
    assert log.f.widgets["person"].text() == "Shiv Kearney"
    openings = [r for r in log.model.rows if r.action == "Opened a person's record"]
    assert sorted(r.device for r in openings) == ["Desk …0000abcd", "This desk"]
    assert {r.person_id for r in log.model.rows} == {person_id}


def test_a_sync_that_brings_records_in_shows_them(qtbot, desks, tmp_path):
    desk = _start(desks, tmp_path, "manager")
    window = desk.window
    log = _open_log(qtbot, window)
    shown = len(log.model.rows)
    with desk.store.session() as s:  # as a pull writes them
        s.info["device_id"] = "01234567-0000-7000-8000-00000000abcd"
        audit.record(s, "sign_in", entity="advisor", entity_id=window.desk.advisor_id)
    with qtbot.waitSignal(log.loaded, timeout=10_000):  # as a pull announces them
        desk.tasks.announce(Changed.of({"audit_event": {"x"}}, pulled=True))
    assert len(log.model.rows) == shown + 1
    assert log.model.rows[0].device == "Desk …0000abcd"


def test_show_more_reads_the_next_page_below(qtbot, desks, tmp_path):
    desk = _start(desks, tmp_path, "manager")
    window = desk.window
    with desk.store.session() as s:
        for _ in range(audit.PAGE + 4):
            audit.record(s, "sign_in", entity="advisor", entity_id=window.desk.advisor_id)
    log = _open_log(qtbot, window)
    action = log.f.widgets["action"]
    action.setCurrentIndex(action.findData("sign_in"))
    _show(qtbot, log)
    assert len(log.model.rows) == audit.PAGE and log.more_button.isEnabled()
    assert "Show more" in log.status.text()
    first = [r.id for r in log.model.rows]
    with qtbot.waitSignal(log.loaded, timeout=10_000):
        qtbot.mouseClick(log.more_button, Qt.MouseButton.LeftButton)
    rows = log.model.rows
    assert [r.id for r in rows[:audit.PAGE]] == first and not log.more_button.isEnabled()
    assert len({r.id for r in rows}) == len(_records(desk, action="sign_in")) == len(rows)
    assert log.table.currentIndex().row() == audit.PAGE  # the first of the older ones


def test_the_log_fits_the_hub_screens_and_reads_in_words(qtbot, desks, tmp_path):
    from tests.ui.screen import assert_fits

    desk = _start(desks, tmp_path, "manager")
    window = desk.window
    _person_with_a_prescription(desk)
    log = _open_log(qtbot, window)
    assert_fits(window)
    details = [r.detail for r in log.model.rows if r.detail]
    assert "Registered them" in details and "Wrote a social prescription" in details
    assert not [d for d in details if "_" in d or " id" in d]
    if shot := __import__("os").environ.get("LR_DESK_SHOTS"):
        window.resize(1366, 768 - 70)
        qtbot.wait(50)
        window.grab().save(f"{shot}/audit.png")
