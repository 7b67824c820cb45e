"""The directory page, driven through its real widgets on a real SQLite profile."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStyle,
    QTableView,
    QWidget,
)
from sqlalchemy import func, select

import lr_desk.profile
from lr_desk import settings
from lr_desk.services import advisors, dates, directory, drafts
from lr_desk.services.changes import Changed
from lr_desk.services.context import Desk
from lr_desk.store.clock import utcnow
from lr_desk.store.models import Course, Partner, PartnerService
from lr_desk.ui.directory import DirectoryPage
from lr_desk.ui.directory_editors import CourseDialog, PartnerDialog
from lr_desk.ui.directory_models import NO_CONTACT, ServicesModel
from lr_desk.ui.directory_service_form import ServiceDialog
from lr_desk.ui.tasks import Tasks
from tests.ui.screen import SCREENS, assert_fits, problems, room

INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QAbstractItemView)
WAIT = 5000  # ms: how long to wait for the database worker before failing


@pytest.fixture
def env(tmp_path):
    store = lr_desk.profile.open_store(tmp_path)
    with store.session() as s:
        advisor = advisors.create(s, "Alex Advisor", "walton")
        settings.put(s, "advisor_id", advisor.id)
        settings.put(s, "site_code", "walton")
    with store.session() as s:
        desk = Desk.load(s)
    tasks = Tasks(store)
    failures: list[tuple[str, bool]] = []
    tasks.failed.connect(lambda message, bug: failures.append((message, bug)))
    yield SimpleNamespace(store=store, desk=desk, tasks=tasks, failures=failures)
    tasks.shutdown()
    store.close()
    assert failures == [], "a database task failed with no one handling it"


def make_page(qtbot, env) -> DirectoryPage:
    page = DirectoryPage(env.tasks, env.desk)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.reload()
    return page


def settle(qtbot, env) -> None:
    """Wait until the database worker has delivered everything asked of it."""
    qtbot.waitUntil(lambda: env.tasks.pending == 0, timeout=WAIT)


def column(model, col: int) -> list[str]:
    return [model.index(r, col).data() for r in range(model.rowCount())]


def count(env, model) -> int:
    with env.store.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def select_row(table: QTableView, text: str, col: int = 0) -> int:
    model = table.model()
    row = next(r for r in range(model.rowCount()) if text in model.index(r, col).data())
    table.setFocus()
    table.selectRow(row)
    return row


def open_dialog(qtbot, env, button: QAbstractButton):
    """Click a page button and return the editor it opened, once its draft look-up is done."""
    page = button.parent()
    while not isinstance(page, DirectoryPage):
        page = page.parent()
    before = set(map(id, page.dialogs.values()))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    opened = [d for d in page.dialogs.values() if id(d) not in before]
    assert len(opened) == 1, "the button opened no editor"
    settle(qtbot, env)
    return opened[0]


def type_into(qtbot, widget: QWidget, text: str) -> None:
    if isinstance(widget, QLineEdit):
        widget.selectAll()
    qtbot.keyClicks(widget, text)


def save(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def name_key_contact(qtbot, dialog: PartnerDialog, name: str) -> None:
    """Add a contact on a partner's form (the first one added is its key contact)."""
    qtbot.mouseClick(dialog.contacts.add_button, Qt.MouseButton.LeftButton)
    contact = dialog.contacts.dialog
    qtbot.keyClicks(contact.f.widgets["name"], name)
    qtbot.keyClick(contact.f.widgets["name"], Qt.Key.Key_Return)  # Enter: OK
    assert not contact.isVisible()


# --- listing and filtering -------------------------------------------------------------


def test_example_directory_is_listed_and_marked(qtbot, env):
    page = make_page(qtbot, env)
    m = page.services_model
    with env.store.session() as s:
        expected = {(r.partner.name, r.service.name) for r in directory.services(s)}
    assert expected, "the profile should be seeded with the example directory"
    assert m.rowCount() == len(expected)
    partners = column(m, ServicesModel.PARTNER)
    assert all(p.endswith("(example)") for p in partners)
    assert {(p.removesuffix(" (example)"), s) for p, s in
            zip(partners, column(m, ServicesModel.SERVICE), strict=True)} == expected

    row = column(m, ServicesModel.SERVICE).index("Benefits and debt drop-in (Bootle)")
    assert m.index(row, ServicesModel.CATEGORY).data() == "Debt and benefits"
    where = m.index(row, ServicesModel.WHERE)
    assert where.data() == "Bootle hub"  # short: the column is narrow
    assert "The Life Rooms Bootle" in where.data(Qt.ItemDataRole.ToolTipRole)
    assert "(under one roof)" in where.data(Qt.ItemDataRole.ToolTipRole)
    assert m.index(row, ServicesModel.WHEN).data() == "Thursdays 13:30 to 16:00"
    assert m.index(row, ServicesModel.PHONE).data() == "0151 000 0101"  # the partner's
    assert m.index(row, ServicesModel.CONTACT).data() == "Sam Example"

    row = column(m, ServicesModel.SERVICE).index("Tenancy support")
    assert m.index(row, ServicesModel.WHERE).data() == "Example House, Liverpool"

    assert partners == sorted(partners, key=str.casefold)  # the directory's own order
    courses = column(page.courses_model, 0)
    assert courses == sorted(courses, key=str.casefold)
    assert "Sleep Well (example)" in courses
    assert all(c.endswith("(example)") for c in courses)
    assert "example data" in page.status.text()


def test_partner_without_named_contact_is_flagged(qtbot, env):
    page = make_page(qtbot, env)
    m = page.services_model
    contacts = dict(zip(column(m, ServicesModel.PARTNER), column(m, ServicesModel.CONTACT),
                        strict=True))
    assert contacts["Example Food and Fuel Project (example)"] == NO_CONTACT
    assert sum(1 for c in contacts.values() if c == NO_CONTACT) == 1
    row = column(m, ServicesModel.PARTNER).index("Example Food and Fuel Project (example)")
    cell = m.index(row, ServicesModel.CONTACT)
    assert "no named key contact" in cell.data(Qt.ItemDataRole.AccessibleTextRole).lower()
    assert cell.data(Qt.ItemDataRole.ToolTipRole)
    assert "1 partner has no named key contact" in page.status.text()


def test_filter_and_category_narrow_the_list(qtbot, env):
    page = make_page(qtbot, env)
    m = page.services_model
    everything = m.rowCount()

    qtbot.keyClicks(page.filter, "tenancy")
    assert column(m, ServicesModel.SERVICE) == ["Tenancy support"]
    assert page.courses_model.rowCount() == 0
    assert "Showing 1 of" in page.status.text()

    page.filter.clear()
    qtbot.keyClicks(page.filter, "anxiety")  # the words narrow the courses too
    assert column(page.courses_model, 0) == ["Understanding Anxiety (example)"]
    assert m.rowCount() == 0

    page.filter.clear()
    assert m.rowCount() == everything
    qtbot.keyClicks(page.filter, "bootle thursdays")  # every word must match
    assert set(column(m, ServicesModel.SERVICE)) == {"Benefits and debt drop-in (Bootle)",
                                                      "Gentle exercise class"}

    page.filter.clear()
    page.category.setFocus()
    qtbot.keyClicks(page.category, "Employment")
    assert page.category.currentData() == "employment"
    assert column(m, ServicesModel.SERVICE) == ["Job club"]

    qtbot.keyClicks(page.filter, "no such thing")
    assert m.rowCount() == 0


# --- adding ----------------------------------------------------------------------------


def test_add_partner_then_a_service_at_a_hub(qtbot, env):
    page = make_page(qtbot, env)
    partners_before = count(env, Partner)

    dialog = open_dialog(qtbot, env, page.add_partner_button)
    assert isinstance(dialog, PartnerDialog) and dialog.draft_key == "partner:new"
    f = dialog.f.widgets
    type_into(qtbot, f["name"], "Alpha Befriending")
    type_into(qtbot, f["phone"], "0151 111 2222")
    name_key_contact(qtbot, dialog, "Kim Alpha")
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        save(qtbot, dialog)
    qtbot.waitUntil(lambda: "Alpha Befriending" in column(page.services_model, 0),
                    timeout=WAIT)
    assert count(env, Partner) == partners_before + 1
    # The new partner shows (no services yet) and is selected, ready for Add service.
    assert page.selected_entry().partner.name == "Alpha Befriending"
    assert "partner:new" not in page.dialogs  # saved and closed

    dialog = open_dialog(qtbot, env, page.add_service_button)
    assert isinstance(dialog, ServiceDialog) and dialog.draft_key == "service:new"
    f = dialog.f.widgets
    f["partner_id"].setCurrentIndex(0)
    qtbot.keyClicks(f["partner_id"], "Alpha")
    assert f["partner_id"].currentText() == "Alpha Befriending"
    type_into(qtbot, f["name"], "Coffee and chat")
    qtbot.keyClicks(f["category"], "Social")
    assert f["category"].currentData() == "social_isolation"
    qtbot.keyClicks(f["delivery"], "At")
    assert f["delivery"].currentData() == "hub"
    f["site_code"].setCurrentIndex(0)
    qtbot.keyClicks(f["site_code"], "South")
    assert f["site_code"].currentData() == "southport"
    type_into(qtbot, f["when_text"], "Fridays 14:00")
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        save(qtbot, dialog)

    def row_of_new_service():
        names = column(page.services_model, ServicesModel.SERVICE)
        return names.index("Coffee and chat") if "Coffee and chat" in names else None

    qtbot.waitUntil(lambda: row_of_new_service() is not None, timeout=WAIT)
    m, row = page.services_model, row_of_new_service()
    assert m.index(row, ServicesModel.PARTNER).data() == "Alpha Befriending"  # not example
    assert m.index(row, ServicesModel.CATEGORY).data() == "Social isolation"
    assert m.index(row, ServicesModel.WHERE).data() == "Southport hub"
    assert m.index(row, ServicesModel.WHEN).data() == "Fridays 14:00"
    assert m.index(row, ServicesModel.CONTACT).data() == "Kim Alpha"
    assert "(no services yet)" not in column(m, ServicesModel.SERVICE)
    settle(qtbot, env)
    with env.store.session() as s:
        assert drafts.load(s, "service:new") is None  # a saved form leaves no draft

    fresh = make_page(qtbot, env)
    assert "Coffee and chat" in column(fresh.services_model, ServicesModel.SERVICE)


def test_invalid_phone_is_shown_under_the_field_and_nothing_is_saved(qtbot, env):
    page = make_page(qtbot, env)
    before = count(env, Partner)
    dialog = open_dialog(qtbot, env, page.add_partner_button)
    f = dialog.f
    type_into(qtbot, f.widgets["name"], "Beta Support")
    type_into(qtbot, f.widgets["phone"], "ring the office")

    message = f.errors["phone"]  # the label under the phone field
    assert message.isVisible(), "checked as you type"
    assert "phone number" in message.text()
    assert f.widgets["phone"].accessibleDescription() == message.text()
    assert not f.errors["name"].isVisible()

    save(qtbot, dialog)
    settle(qtbot, env)
    assert dialog.isVisible()
    assert message.isVisible() and "phone number" in message.text()
    assert f.widgets["phone"].text() == "ring the office"
    assert f.widgets["name"].text() == "Beta Support"
    assert count(env, Partner) == before

    # Correcting it clears the message, and then it saves.
    type_into(qtbot, f.widgets["phone"], "0151 222 3333")
    assert not message.isVisible()
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        save(qtbot, dialog)
    assert count(env, Partner) == before + 1


def test_a_service_at_a_hub_needs_the_hub(qtbot, env):
    page = make_page(qtbot, env)
    before = count(env, PartnerService)
    select_row(page.services_table, "Example Housing Trust")
    dialog = open_dialog(qtbot, env, page.add_service_button)
    f = dialog.f
    assert f.widgets["partner_id"].currentText() == "Example Housing Trust (example)"
    type_into(qtbot, f.widgets["name"], "Tenancy clinic")
    qtbot.keyClicks(f.widgets["category"], "Housing")
    f.widgets["site_code"].setCurrentIndex(0)  # "Choose the hub…"
    save(qtbot, dialog)
    settle(qtbot, env)
    assert f.errors["site_code"].isVisible()
    assert "hub" in f.errors["site_code"].text()
    assert count(env, PartnerService) == before

    qtbot.keyClicks(f.widgets["delivery"], "In")  # in the community: no hub needed
    assert not f.widgets["site_code"].isEnabled()
    type_into(qtbot, f.widgets["location"], "Example House, Liverpool")
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        save(qtbot, dialog)
    assert count(env, PartnerService) == before + 1


def test_add_course(qtbot, env):
    page = make_page(qtbot, env)
    dialog = open_dialog(qtbot, env, page.add_course_button)
    assert isinstance(dialog, CourseDialog) and dialog.draft_key == "course:new"
    f = dialog.f
    today = date.today()
    starts = today + timedelta(days=14)
    ends = starts + timedelta(days=28)
    type_into(qtbot, f.widgets["title"], "Living Well with Pain")
    type_into(qtbot, f.widgets["starts_on"], starts.strftime("%d/%m/%Y"))
    type_into(qtbot, f.widgets["ends_on"], (starts - timedelta(days=7)).strftime("%d/%m/%Y"))
    assert "end before it starts" in f.errors["ends_on"].text()
    save(qtbot, dialog)
    settle(qtbot, env)
    assert dialog.isVisible()
    type_into(qtbot, f.widgets["ends_on"], ends.strftime("%d/%m/%Y"))
    type_into(qtbot, f.widgets["when_text"], "Weekly 10:00 to 12:00")
    # the editor says when the course first meets as the dates are typed
    first = f"{dates.day(starts, today)}, 10:00 to 12:00"
    assert dialog.next_hint.isVisible() and dialog.next_hint.text() == f"Next session: {first}"
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        save(qtbot, dialog)
    qtbot.waitUntil(lambda: "Living Well with Pain" in column(page.courses_model, 0),
                    timeout=WAIT)
    m = page.courses_model
    row = column(m, 0).index("Living Well with Pain")
    run = f"{dates.day(starts, today, weekday=False)} to {dates.day(ends, today, weekday=False)}"
    assert [m.index(row, c).data() for c in range(m.columnCount())] == [
        "Living Well with Pain", "Walton", first, "Weekly 10:00 to 12:00", run,
        "The Life Rooms Recovery College"]


def test_a_course_shows_when_it_next_meets_with_the_year_when_not_this_year(qtbot, env):
    today = date.today()
    started = today - timedelta(days=30)
    february = date(today.year + 1, 2, 1)
    wednesday = february + timedelta(days=(2 - february.weekday()) % 7)
    with env.store.session() as s:
        for title, starts, ends, when in (
                ("Running now", started, today + timedelta(days=60), "Mondays and Thursdays"),
                ("Next year", wednesday, None, "Wednesdays 2pm"),
                ("Over", date(today.year - 1, 3, 2), date(today.year - 1, 4, 6), "Mondays"),
                ("Undated", None, None, "Fridays 10:00 to 12:00")):
            s.add(Course(title=title, starts_on=starts, ends_on=ends, when_text=when,
                         site_code="bootle"))
    page = make_page(qtbot, env)
    m = page.courses_model

    def cells(title: str) -> list[str]:
        row = column(m, 0).index(title)
        return [m.index(row, c).data() for c in range(m.columnCount())]

    coming = next(today + timedelta(days=n) for n in range(7)
                  if (today + timedelta(days=n)).weekday() in (0, 3))
    assert cells("Running now")[1:3] == ["Bootle", dates.day(coming, today)]
    assert cells("Next year")[2] == f"Wed {wednesday.day} Feb {today.year + 1}, 2pm"
    assert cells("Over")[2] == f"Ended 6 Apr {today.year - 1}"
    assert cells("Over")[4] == f"2 Mar {today.year - 1} to 6 Apr {today.year - 1}"
    row = column(m, 0).index("Undated")
    assert m.index(row, m.NEXT).data() == "No dates set"
    assert "start date" in m.index(row, m.NEXT).data(Qt.ItemDataRole.ToolTipRole)
    # sorted by the next session: the soonest first, those with none last
    page.courses_table.sortByColumn(m.NEXT, Qt.SortOrder.AscendingOrder)
    titles = column(m, 0)
    assert titles.index("Running now") < titles.index("Next year") < titles.index("Over")


# --- editing ---------------------------------------------------------------------------


def test_edit_a_course_title_from_the_keyboard(qtbot, env):
    page = make_page(qtbot, env)
    select_row(page.courses_table, "Sleep Well")
    qtbot.keyClick(page.courses_table, Qt.Key.Key_Return)  # Enter edits the selected row
    dialog = page.dialogs.get(next(k for k in page.dialogs if k.startswith("course:")))
    assert isinstance(dialog, CourseDialog)
    course_id = dialog.row_id
    assert dialog.draft_key == f"course:{course_id}"
    settle(qtbot, env)
    title = dialog.f.widgets["title"]
    assert title.text() == "Sleep Well"
    type_into(qtbot, title, "Sleep Well Again")
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        qtbot.keyClick(title, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S
    # edited by an advisor, it is a real entry now: no longer marked as example data
    qtbot.waitUntil(lambda: "Sleep Well Again" in column(page.courses_model, 0),
                    timeout=WAIT)
    assert "Sleep Well (example)" not in column(page.courses_model, 0)
    with env.store.session() as s:
        course = s.get(Course, course_id)
        assert course.title == "Sleep Well Again"
        assert not course.is_example
        assert course.site_code == "southport"  # the rest is as it was
        assert course.when_text == "Thursdays 10:00 to 11:30, three weeks"
    # The edited row stays selected.
    assert page.selected_course().id == course_id


def test_double_click_opens_the_partner_page_and_edit_edits_the_service(qtbot, env):
    page = make_page(qtbot, env)
    table = page.services_table
    row = select_row(table, "Job club", ServicesModel.SERVICE)
    rect = table.visualRect(page.services_model.index(row, ServicesModel.SERVICE))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.open_partner, timeout=WAIT) as opened:
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [page.services_model.rows[row].partner.id]
    assert not page.dialogs
    page.edit_button.click()
    dialog = next(d for k, d in page.dialogs.items() if k.startswith("service:"))
    assert isinstance(dialog, ServiceDialog)
    settle(qtbot, env)
    assert dialog.f.widgets["name"].text() == "Job club"
    assert dialog.f.widgets["delivery"].currentData() == "hub"
    assert dialog.f.widgets["site_code"].currentData() == "southport"
    # Asking again brings the same editor forward rather than opening a second one.
    assert page.edit() is dialog


def test_edit_partner_names_the_missing_key_contact(qtbot, env):
    page = make_page(qtbot, env)
    select_row(page.services_table, "Example Food and Fuel Project")
    dialog = open_dialog(qtbot, env, page.edit_partner_button)
    assert isinstance(dialog, PartnerDialog)
    assert dialog.contact_hint.isVisible()
    name_key_contact(qtbot, dialog, "Ray Example")
    assert not dialog.contact_hint.isVisible()
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        save(qtbot, dialog)
    qtbot.waitUntil(lambda: NO_CONTACT not in column(page.services_model,
                                                     ServicesModel.CONTACT), timeout=WAIT)
    assert "no named key contact" not in page.status.text()


def test_saving_an_entry_removed_meanwhile_says_so(qtbot, env):
    page = make_page(qtbot, env)
    select_row(page.courses_table, "Cooking on a Budget")
    dialog = page.edit()
    settle(qtbot, env)
    with env.store.session() as s:  # e.g. a sync removed it while the editor was open
        s.get(Course, dialog.row_id).deleted_at = utcnow()
    type_into(qtbot, dialog.f.widgets["title"], "Cooking on a Shoestring")
    save(qtbot, dialog)
    settle(qtbot, env)
    assert dialog.isVisible()
    assert "no longer in the directory" in dialog.banner.text()
    assert dialog.f.widgets["title"].text() == "Cooking on a Shoestring"
    assert dialog.save_button.isEnabled()


def test_edit_with_nothing_selected_says_what_to_do(qtbot, env):
    page = make_page(qtbot, env)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    assert page.dialogs == {}
    assert "Choose a service or a course" in page.status.text()


def test_unsaved_typing_comes_back_as_a_draft(qtbot, env):
    page = make_page(qtbot, env)
    dialog = open_dialog(qtbot, env, page.add_partner_button)
    type_into(qtbot, dialog.f.widgets["name"], "Gamma Gardens")
    dialog.save_draft()  # what the autosave timer does
    settle(qtbot, env)
    with env.store.session() as s:
        assert drafts.load(s, "partner:new").payload["name"] == "Gamma Gardens"
    dialog.hide()  # as if the desk had crashed: no Save, no Cancel

    again = open_dialog(qtbot, env, page.add_partner_button)
    assert again is not dialog
    assert again.f.widgets["name"].text() == "Gamma Gardens"
    assert "restored" in again.banner.text()


# --- keyboard and accessibility --------------------------------------------------------


def interactive(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget)
            if isinstance(w, INTERACTIVE) and w.isVisible()]


def assert_named(root: QWidget) -> None:
    widgets = interactive(root)
    assert widgets
    unnamed = [f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
               for w in widgets if not w.accessibleName().strip()]
    assert unnamed == []
    for label in root.findChildren(QLabel):
        if "&" in label.text() and label.isVisible():
            assert label.buddy() is not None, f"{label.text()!r} has a mnemonic but no buddy"


def mnemonics(root: QWidget) -> list[str]:
    texts = [lab.text() for lab in root.findChildren(QLabel) if lab.isVisible()]
    texts += [b.text() for b in root.findChildren(QAbstractButton) if b.isVisible()]
    keys = []
    for text in texts:
        i = text.replace("&&", "").find("&")
        if i >= 0:
            keys.append(text.replace("&&", "")[i + 1].lower())
    return keys


def test_every_control_has_an_accessible_name(qtbot, env):
    page = make_page(qtbot, env)
    qtbot.keyClicks(page.filter, "x")  # shows the filter's clear button too
    assert_named(page)
    keys = mnemonics(page)
    assert len(keys) == len(set(keys)), f"clashing Alt+letters on the page: {sorted(keys)}"

    select_row(page.services_table, "Job club", ServicesModel.SERVICE)
    select_row(page.courses_table, "Sleep Well")
    for button in (page.add_partner_button, page.add_service_button, page.add_course_button,
                   page.edit_partner_button):
        dialog = open_dialog(qtbot, env, button)
        assert dialog.accessibleName()
        assert_named(dialog)
        keys = mnemonics(dialog)
        assert len(keys) == len(set(keys)), f"clashing Alt+letters in {dialog.windowTitle()}"
    assert_named(page.edit())  # the course editor for the selected course


def test_tab_reaches_every_control_on_the_page(qtbot, env):
    page = make_page(qtbot, env)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=WAIT)
    page.filter.setFocus()
    seen = []
    for _ in range(30):
        w = QApplication.focusWidget()
        seen.append(w)
        qtbot.keyClick(w, Qt.Key.Key_Tab)
    wanted = [page.filter, page.category, page.add_partner_button, page.add_service_button,
              page.edit_button, page.edit_partner_button, page.add_course_button,
              page.services_table, page.courses_table]
    missing = [w.accessibleName() for w in wanted if w not in seen]
    assert missing == []


def test_arrow_keys_move_between_filter_and_rows(qtbot, env):
    page = make_page(qtbot, env)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=WAIT)
    page.filter.setFocus()
    qtbot.keyClick(page.filter, Qt.Key.Key_Down)  # from the filter to the first row
    assert QApplication.focusWidget() is page.services_table
    assert page.services_table.currentIndex().row() == 0

    qtbot.keyClicks(page.filter, "walks")  # Enter in the filter goes to what it found
    qtbot.keyClick(page.filter, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is page.services_table
    assert page.selected_entry().service.name == "Friendly walks along the promenade"
    page.filter.clear()

    select_row(page.courses_table, "Building Confidence")
    row = page.courses_table.currentIndex().row()
    qtbot.keyClick(page.courses_table, Qt.Key.Key_Down)  # within a list, Down moves a row
    assert QApplication.focusWidget() is page.courses_table
    assert page.courses_table.currentIndex().row() == row + 1


def test_models_pass_the_qt_model_tester(qtbot, qtmodeltester, env):
    page = make_page(qtbot, env)
    qtmodeltester.check(page.services_model)
    qtmodeltester.check(page.courses_model)
    select_row(page.services_table, "Job club", ServicesModel.SERVICE)
    page.services_table.sortByColumn(ServicesModel.CONTACT, Qt.SortOrder.AscendingOrder)
    assert column(page.services_model, ServicesModel.CONTACT)[0] == NO_CONTACT  # problems first
    page.services_table.sortByColumn(ServicesModel.CONTACT, Qt.SortOrder.DescendingOrder)
    assert column(page.services_model, ServicesModel.CONTACT)[-1] == NO_CONTACT
    assert page.selected_entry().service.name == "Job club"  # the selection follows its row
    page.courses_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    titles = column(page.courses_model, 0)
    assert titles == sorted(titles, key=str.casefold)


# --- selection kept across filtering and saving ------------------------------------------


def test_edit_after_filtering_opens_the_row_last_chosen(qtbot, env):
    page = make_page(qtbot, env)
    select_row(page.courses_table, "Sleep Well")
    select_row(page.services_table, "Job club", ServicesModel.SERVICE)  # chosen last
    qtbot.keyClicks(page.filter, "e")  # both rows still show
    assert page.selected_course() is not None
    assert page.selected_entry().service.name == "Job club"
    dialog = open_dialog(qtbot, env, page.edit_button)
    assert isinstance(dialog, ServiceDialog)
    assert dialog.f.widgets["name"].text() == "Job club"


def test_add_service_offers_the_partner_just_saved_though_filtered_out(qtbot, env):
    page = make_page(qtbot, env)
    qtbot.keyClicks(page.filter, "tenancy")
    select_row(page.services_table, "Tenancy support", ServicesModel.SERVICE)
    dialog = open_dialog(qtbot, env, page.add_partner_button)
    type_into(qtbot, dialog.f.widgets["name"], "Alpha Befriending")
    name_key_contact(qtbot, dialog, "Kim Alpha")
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        save(qtbot, dialog)
    assert "hidden by the filter" in page.status.text()
    dialog = open_dialog(qtbot, env, page.add_service_button)
    assert dialog.f.widgets["partner_id"].currentText() == "Alpha Befriending"


def test_an_open_service_editor_offers_a_partner_added_meanwhile(qtbot, env):
    page = make_page(qtbot, env)
    select_row(page.services_table, "Job club", ServicesModel.SERVICE)
    service = page.edit()
    settle(qtbot, env)
    partner_box = service.f.widgets["partner_id"]
    chosen = partner_box.currentData()
    assert chosen
    dialog = open_dialog(qtbot, env, page.add_partner_button)
    type_into(qtbot, dialog.f.widgets["name"], "Alpha Befriending")
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        save(qtbot, dialog)
    assert partner_box.currentData() == chosen  # the choice is kept
    assert not service.dirty
    labels = [partner_box.itemText(i) for i in range(partner_box.count())]
    assert "Alpha Befriending" in labels
    new_id = partner_box.itemData(labels.index("Alpha Befriending"))
    assert new_id in service.partner_ids
    partner_box.setCurrentIndex(labels.index("Alpha Befriending"))
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        save(qtbot, service)
    with env.store.session() as s:
        assert s.get(PartnerService, service.row_id).partner_id == new_id


# --- nothing cut off, on the hubs' screens -----------------------------------------------


def clipped(table: QTableView) -> list[str]:
    """Cells and headings whose text does not fit where the table shows it (wrapped at
    its column's width), or whose tooltip does not carry the cell's full text."""
    model, found = table.model(), []
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                            table) + 1)
    header = table.horizontalHeader()
    bold = QFont(header.font())
    bold.setBold(True)
    for c in range(model.columnCount()):
        title = model.headerData(c, Qt.Orientation.Horizontal)
        if QFontMetrics(bold).horizontalAdvance(title) + margin > header.sectionSize(c):
            found.append(f"heading {title!r}")
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            text = index.data() or ""
            if not text:
                continue
            rect = table.visualRect(index)
            font = index.data(Qt.ItemDataRole.FontRole) or table.font()
            room = rect.width() - margin
            need = QFontMetrics(font).boundingRect(QRect(0, 0, room, 10_000),
                                                   Qt.TextFlag.TextWordWrap, text)
            if need.width() > room or need.height() > rect.height():
                found.append(f"{text!r} needs {need.width()}x{need.height()} in "
                             f"{room}x{rect.height()}")
            tip = index.data(Qt.ItemDataRole.ToolTipRole) or ""
            if not tip.startswith(text):
                found.append(f"{text!r} has the tooltip {tip!r}")
    return found


def add_long_entries(env) -> None:
    """A directory as a hub's might be: long names, a course at each kind of site."""
    with env.store.session() as s:
        partner = directory.save_partner(s, {
            "name": "Merseyside Citizens Advice and Welfare Rights Partnership (North)",
            "phone": "0151 000 1234",
            "contacts": [{"name": "Bernadette Okafor-Fitzgerald", "is_key": True}]})
        directory.save_service(s, {
            "partner_id": partner.id, "name": "Universal Credit, PIP and debt appeals clinic",
            "category": "debt_benefits", "delivery": "hub", "site_code": "southport",
            "when_text": "First and third Wednesday of the month, 13:30 to 16:00"},
            None, None)
        today = date.today()
        for site in ("walton", "southport", "bootle", "peripatetic", "telephone"):
            directory.save_course(s, {
                "title": f"Understanding Anxiety and Panic: a Recovery College course ({site})",
                "site_code": site, "starts_on": (today + timedelta(days=9)).strftime("%d/%m/%Y"),
                "when_text": "Thursdays 10:00 to 12:30, six weeks"})


@pytest.mark.parametrize("size", SCREENS)
def test_no_text_is_cut_off_and_hubs_go_by_their_place(qtbot, env, size):
    add_long_entries(env)
    page = make_page(qtbot, env)
    width, height = room(size)
    page.resize(width - 200, height)  # beside the desk's navigation
    qtbot.waitUntil(lambda: not clipped(page.services_table), timeout=WAIT)
    assert clipped(page.services_table) == []
    assert clipped(page.courses_table) == []
    assert page.services_table.horizontalScrollBar().maximum() == 0  # no sideways scrolling
    m = page.courses_model
    wheres = {m.index(r, m.TITLE).data(): m.index(r, m.WHERE).data()
              for r in range(m.rowCount())}
    assert not any(w.startswith("The Life Rooms") for w in wheres.values())
    assert wheres["Sleep Well (example)"] == "Southport"
    row = column(m, m.TITLE).index("Sleep Well (example)")
    assert "PR8 1NW" in m.index(row, m.WHERE).data(Qt.ItemDataRole.ToolTipRole)
    # the full name of a long partner, and its service's description, in the tooltips
    s = page.services_model
    row = column(s, s.SERVICE).index("Benefits and debt drop-in")
    assert s.index(row, s.SERVICE).data(Qt.ItemDataRole.ToolTipRole) == (
        "Benefits and debt drop-in\nHelp with benefit claims, appeals and debts.")
    assert "Sam Example\nsam@example.org" in s.index(row, s.CONTACT).data(
        Qt.ItemDataRole.ToolTipRole).replace("0151 000 0102\n", "")
    assert_fits(page, (size,))


def test_a_narrow_page_wraps_rather_than_cuts(qtbot, env):
    add_long_entries(env)
    page = make_page(qtbot, env)
    page.resize(900, 600)
    qtbot.waitUntil(lambda: not clipped(page.courses_table), timeout=WAIT)
    assert clipped(page.services_table) == []
    tall = max(page.services_table.rowHeight(r) for r in range(page.services_model.rowCount()))
    assert tall > page.services_table.fontMetrics().height() * 2  # wrapped onto lines
    phones = page.services_table.columnWidth(ServicesModel.PHONE)
    fm = page.services_table.fontMetrics()
    assert phones > fm.horizontalAdvance("0151 000 1234")  # a phone number never breaks
    # sorted, the rows keep heights that fit their own text
    page.services_table.sortByColumn(ServicesModel.CONTACT, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: not clipped(page.services_table), timeout=WAIT)


def test_every_editor_fits_the_screen_with_its_buttons_showing(qtbot, env):
    page = make_page(qtbot, env)
    select_row(page.services_table, "Job club", ServicesModel.SERVICE)
    for button in (page.add_partner_button, page.add_service_button, page.add_course_button,
                   page.edit_partner_button):
        dialog = open_dialog(qtbot, env, button)
        assert_fits(dialog)
        assert dialog.save_button.property("role") == "primary"
        # the fields scroll inside the dialog; Save and Cancel are outside, always seen
        assert dialog.scroll.isAncestorOf(dialog.f.widgets[next(iter(dialog.f.widgets))])
        assert not dialog.scroll.isAncestorOf(dialog.save_button)
        dialog.resize(440, 300)  # even squeezed, Save shows
        QApplication.processEvents()
        assert problems(dialog, (1366, 768)) == []
        first = dialog.f.widgets[next(iter(dialog.f.widgets))]
        if isinstance(first, QLineEdit):
            first.clear()  # a name is needed: saving shows messages
        save(qtbot, dialog)  # with mistakes: the notice and messages show, Save too
        assert dialog.isVisible() and "check" in dialog.banner.text()
        settle(qtbot, env)
        assert problems(dialog, (1280, 720)) == []
        dialog.dirty = False
        dialog.reject()


# --- hearing what changed ----------------------------------------------------------------


def test_the_page_reloads_when_the_directory_changes_elsewhere(qtbot, env):
    page = make_page(qtbot, env)
    # a course saved by another part of the desk, as Tasks announces it
    with env.store.session() as s:
        course = directory.save_course(s, {"title": "Sleep Better"})
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.on_changed(Changed.of({"course": {course.id}}))
    assert "Sleep Better" in column(page.courses_model, 0)
    # something that is not the directory: no reading it again
    loads = []
    page.loaded.connect(lambda: loads.append(1))
    page.on_changed(Changed.of({"person": {"x"}, "follow_up": {"y"}}))
    settle(qtbot, env)
    assert loads == []
    # a pulled partner: read again
    with env.store.session() as s:
        partner = directory.save_partner(s, {"name": "Delta Drop-in"})
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.on_changed(Changed.of({"partner": {partner.id}}, pulled=True))
    assert "Delta Drop-in" in column(page.services_model, ServicesModel.PARTNER)


def test_an_editor_opens_at_the_size_it_was_last_left(qtbot, env):
    page = make_page(qtbot, env)
    dialog = open_dialog(qtbot, env, page.add_course_button)
    dialog.resize(700, 500)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)
    again = open_dialog(qtbot, env, page.add_course_button)
    assert (again.width(), again.height()) == (700, 500)
    assert_fits(again)
