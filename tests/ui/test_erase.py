"""Erasing a person from their page: a manager does it alone; an advisor needs a
manager's username and password (a wrong one is said at the field, and nothing is
erased); the page then shows them as erased, and search no longer finds them."""

from __future__ import annotations

from sqlalchemy import select

from lr_desk.services import accounts
from lr_desk.store.models import Erasure, Person
from lr_desk.ui.forms import set_combo
from tests.services.erasing import FAMILY, GIVEN, rich_person
from tests.ui.conftest import make_profile
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
from tests.ui.test_person_page import choose_from_more

MANAGER_PASSWORD = "a long manager password"


def open_page(qtbot, window, person_id):
    page = window.open_person(person_id)
    qtbot.waitUntil(lambda: page.view is not None and page.erase_action.isEnabled(),
                    timeout=10_000)
    return page


def start_erasing(qtbot, page):
    # in the page's More actions menu, away from the everyday buttons
    assert page.erase_action in page.more_menu.actions()
    assert page.erase_action.text() == "&Erase this person's information…"
    choose_from_more(qtbot, page, page.erase_action)
    dialog = page.erase_dialog
    qtbot.waitUntil(lambda: dialog.erase_button.isEnabled(), timeout=10_000)
    assert unnamed_controls(dialog) == []
    assert mnemonic_clashes(dialog) == {}
    return dialog


def fill_in(qtbot, dialog, confirm: str, username: str = "", password: str = ""):
    set_combo(dialog.f.widgets["reason"], "request")
    dialog.f.widgets["confirm"].clear()
    qtbot.keyClicks(dialog.f.widgets["confirm"], confirm)
    for key, value in (("username", username), ("password", password)):
        dialog.f.widgets[key].clear()
        if value:
            qtbot.keyClicks(dialog.f.widgets[key], value)


def message_at(dialog, key: str) -> str:
    label = dialog.f.errors[key]
    return label.text() if label.isVisibleTo(dialog) else ""


def assert_erased(qtbot, window, page, person_id):
    qtbot.waitUntil(lambda: page.heading.text() == "Erased", timeout=10_000)
    assert "erased on" in page.details.text() and page.timeline.rowCount() == 0
    for button in (page.dropin_button, page.edit_button, page.erase_action,
                   page.sheet_button):
        assert not button.isEnabled()
    qtbot.waitUntil(lambda: window.search.index.search(f"{GIVEN} {FAMILY}")[0] == [],
                    timeout=10_000)
    with window.store.session() as s:
        p = s.get(Person, person_id)
        assert (p.given_name, p.family_name, p.phone) == ("Erased", "", "")


def test_a_manager_erases_a_person_from_their_page(qtbot, desks, tmp_path):
    folder = tmp_path / "profile"
    manager_id = make_profile(folder, name="Mo Manager", role="manager")
    window = desks.start(folder).window
    with window.store.session() as s:
        person_id = rich_person(s, manager_id)
    page = open_page(qtbot, window, person_id)
    assert unnamed_controls(page) == []
    dialog = start_erasing(qtbot, page)
    assert not dialog.approval.isVisibleTo(dialog)  # a manager approves it themselves
    assert "Zephy Quillfeather" in dialog.summary.text()
    dialog.erase_button.click()  # nothing chosen, nothing typed: said at the fields
    assert message_at(dialog, "reason") and message_at(dialog, "confirm")
    fill_in(qtbot, dialog, "Zephy Quillfeathe")  # not quite their name
    dialog.erase_button.click()
    assert "Zephy Quillfeather" in message_at(dialog, "confirm")
    fill_in(qtbot, dialog, "zephy quillfeather")
    with qtbot.waitSignal(dialog.wiped, timeout=30_000):
        dialog.erase_button.click()
    assert_erased(qtbot, window, page, person_id)
    with window.store.session() as s:
        record = s.scalars(select(Erasure)).one()
        assert record.requested_by == record.approved_by == manager_id


def test_an_advisor_needs_a_managers_username_and_password(qtbot, desks, tmp_path):
    folder = tmp_path / "profile"
    advisor_id = make_profile(folder)
    window = desks.start(folder).window
    with window.store.session() as s:
        person_id = rich_person(s, advisor_id)
        manager = accounts.create(s, "Mo Manager", "walton", "mo", "manager", MANAGER_PASSWORD)
        accounts.create(s, "Ada Advisor", "walton", "ada", "advisor", "another password here")
    page = open_page(qtbot, window, person_id)
    dialog = start_erasing(qtbot, page)
    assert dialog.approval.isVisibleTo(dialog)
    fill_in(qtbot, dialog, "ERASE")
    dialog.erase_button.click()
    assert message_at(dialog, "username") and message_at(dialog, "password")

    fill_in(qtbot, dialog, "ERASE", "mo", "not the password")
    dialog.erase_button.click()  # checked on the worker: the answer comes back
    qtbot.waitUntil(lambda: bool(message_at(dialog, "password")), timeout=10_000)
    assert "don't match" in message_at(dialog, "password")
    assert dialog.f.widgets["password"].text() == ""  # not kept in the form
    fill_in(qtbot, dialog, "ERASE", "ada", "another password here")
    dialog.erase_button.click()
    qtbot.waitUntil(lambda: bool(message_at(dialog, "username")), timeout=10_000)
    assert "only a manager" in message_at(dialog, "username")
    with window.store.session() as s:  # nothing was erased meanwhile
        assert s.get(Person, person_id).erased_at is None

    fill_in(qtbot, dialog, "ERASE", "mo", MANAGER_PASSWORD)
    with qtbot.waitSignal(dialog.wiped, timeout=30_000):
        dialog.erase_button.click()
    assert_erased(qtbot, window, page, person_id)
    with window.store.session() as s:
        record = s.scalars(select(Erasure)).one()
        assert (record.requested_by, record.approved_by) == (advisor_id, manager.id)


def test_a_manager_erases_someone_from_the_retention_list(qtbot, desks, tmp_path):
    from datetime import date, datetime, time

    from lr_desk.services.retention import years_before
    from tests.ui.test_rights import _contact, _register

    folder = tmp_path / "profile"
    make_profile(folder, name="Mo Manager", role="manager")
    desk = desks.start(folder)
    window = desk.window
    person_id = _register(desk, GIVEN, FAMILY)
    _contact(desk, person_id, datetime.combine(years_before(date.today(), 10), time(11)))
    page = open_page(qtbot, window, person_id)  # open meanwhile: it hears of it too
    dialog = window.rights.show_retention()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert unnamed_controls(dialog) == [] and mnemonic_clashes(dialog) == {}
    assert not dialog.erase_button.isEnabled()  # nobody chosen yet
    dialog.table.setCurrentIndex(dialog.model.index(0, 0))
    assert dialog.erase_button.isEnabled()
    dialog.erase_button.click()
    erasing = dialog.erase_dialog
    qtbot.waitUntil(lambda: erasing.erase_button.isEnabled(), timeout=10_000)
    set_combo(erasing.f.widgets["reason"], "retention")
    qtbot.keyClicks(erasing.f.widgets["confirm"], f"{GIVEN} {FAMILY}")
    with qtbot.waitSignal(erasing.wiped, timeout=30_000):
        erasing.erase_button.click()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=10_000)  # listed again
    assert_erased(qtbot, window, page, person_id)
    with window.store.session() as s:
        assert s.scalars(select(Erasure.reason)).one() == "retention"
