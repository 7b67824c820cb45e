"""Registering and editing people through the real form: messages at the field, nothing
typed lost, likely duplicates flagged."""

from __future__ import annotations

from PySide6.QtCore import Qt

from lr_desk.ui.people import PersonDialog


def _new_person(desk, qtbot, initial=None) -> PersonDialog:
    dialog = desk.window.new_person(initial or {})
    qtbot.waitUntil(lambda: desk.tasks.pending == 0)
    return dialog


def _type(qtbot, dialog, **fields):
    for key, text in fields.items():
        qtbot.keyClicks(dialog.f.widgets[key], text)


def test_bad_input_shows_messages_at_the_fields_and_keeps_the_typing(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _new_person(desk, qtbot)
    _type(qtbot, dialog, given_name="Ann", date_of_birth="31/02/1990", postcode="NOT A PC",
          phone="call me maybe")
    errors = dialog.f.errors
    # checked as you type, for the fields touched so far
    assert "doesn't exist" in errors["date_of_birth"].text()
    assert "UK postcode" in errors["postcode"].text()
    assert "phone number" in errors["phone"].text()
    assert errors["family_name"].isHidden()  # not touched yet: no nagging
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Please enter the last name." in errors["family_name"].text()
    assert dialog.isVisible()
    assert dialog.f.widgets["family_name"].hasFocus() or dialog.focusWidget() is not None
    # nothing typed is lost
    assert dialog.f.widgets["postcode"].text() == "NOT A PC"
    assert dialog.f.widgets["date_of_birth"].text() == "31/02/1990"
    # a future date of birth, then an absurd one
    dialog.f.widgets["date_of_birth"].setText("01/01/2999")
    assert "future" in errors["date_of_birth"].text()
    dialog.f.widgets["date_of_birth"].setText("01/01/1850")
    assert "over 120" in errors["date_of_birth"].text()


def test_names_in_any_script_are_saved_exactly(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _new_person(desk, qtbot)
    # as an input method or a paste delivers them (QTest can't type astral characters)
    dialog.f.widgets["given_name"].insert("زهرة 🌷")
    dialog.f.widgets["family_name"].insert("אברהם-O'Brien")
    with qtbot.waitSignal(desk.window.person_opened, timeout=10_000) as opened:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None)
    assert page.view.person.given_name == "زهرة 🌷"
    assert page.view.person.family_name == "אברהם-O'Brien"


def test_new_person_is_prefilled_from_the_search_and_warns_of_a_likely_match(
        qtbot, desks, profile):
    desk = desks.start(profile)
    first = _new_person(desk, qtbot)
    _type(qtbot, first, given_name="Joseph", family_name="Bloggs", date_of_birth="12/03/1980")
    with qtbot.waitSignal(desk.window.person_opened, timeout=10_000) as opened:
        qtbot.mouseClick(first.save_button, Qt.MouseButton.LeftButton)
    existing_id = opened.args[0].person_id

    people = desk.window.people
    desk.window.find()
    qtbot.keyClicks(people.query, "joe bloggs 12/3/1980")
    qtbot.mouseClick(people.new_button, Qt.MouseButton.LeftButton)
    dialog = [d for d in desk.window.editors if isinstance(d, PersonDialog)][-1]
    w = dialog.f.widgets
    assert (w["given_name"].text(), w["family_name"].text(), w["date_of_birth"].text()) == \
        ("Joe", "Bloggs", "12/03/1980")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.match_box.isVisible, timeout=10_000)
    assert "Joseph Bloggs" in dialog.match_box.text()
    assert "same date of birth" in dialog.match_box.text()
    with qtbot.waitSignal(desk.window.person_opened, timeout=10_000) as opened:
        qtbot.mouseClick(dialog.use_existing, Qt.MouseButton.LeftButton)
    assert opened.args[0].person_id == existing_id


def test_edit_details_updates_the_page_and_the_search(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _new_person(desk, qtbot)
    _type(qtbot, dialog, given_name="Kath", family_name="Doyle")
    with qtbot.waitSignal(desk.window.person_opened, timeout=10_000) as opened:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.edit_button.isEnabled())
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    edit = [d for d in desk.window.editors if isinstance(d, PersonDialog)][-1]
    assert edit.f.widgets["family_name"].text() == "Doyle"
    edit.f.widgets["family_name"].clear()
    qtbot.keyClicks(edit.f.widgets["family_name"], "Doyle-Hughes")
    qtbot.mouseClick(edit.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.heading.text() == "Kath Doyle-Hughes", timeout=10_000)
    with qtbot.waitSignal(desk.search.results, timeout=10_000):
        qtbot.keyClicks(desk.window.people.query, "hughes")
    qtbot.waitUntil(lambda: desk.window.people.model.rowCount() == 1)


def test_enter_before_the_last_answer_opens_the_right_person(qtbot, desks, profile,
                                                             monkeypatch):
    import time as time_module

    from lr_desk.services import people as people_service
    from lr_desk.services.search import SearchIndex

    desk = desks.start(profile)
    adv = desk.window.desk.advisor_id
    with desk.store.session() as s:
        for given, born in (("Jack", "01/01/1950"), ("Jill", "02/02/1985")):
            person = people_service.register(s, {"given_name": given, "family_name": "Smith",
                                                 "date_of_birth": born}, adv, "walton")
            desk.search.person_saved(person)
    people = desk.window.people
    with qtbot.waitSignal(desk.search.results, timeout=10_000):
        qtbot.keyClicks(people.query, "smith")
    qtbot.waitUntil(lambda: people.model.rowCount() == 2)

    slow = SearchIndex.search  # an old PC: each answer takes a while
    monkeypatch.setattr(SearchIndex, "search",
                        lambda self, *a, **k: (time_module.sleep(0.08), slow(self, *a, **k))[1])
    qtbot.keyClicks(people.query, " 1985")
    with qtbot.waitSignal(desk.window.person_opened, timeout=10_000) as opened:
        qtbot.keyClick(people.query, Qt.Key.Key_Return)  # before the answer arrives
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None)
    assert page.view.person.given_name == "Jill"
