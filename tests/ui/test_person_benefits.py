"""Whether a person receives benefits (some services are only for people on them, or not
on them): asked in the person form, new and edit, from the keyboard; optional ("Not
asked"); shown on their page; saved to the record."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from lr_desk.store.models import Person
from lr_desk.ui.people import PersonDialog


def _stored(desk, person_id: str) -> str:
    with desk.tasks.store.session() as s:
        return s.get(Person, person_id).on_benefits


def _contact(page) -> str:
    return page.summary.details.text()


def test_asked_when_registering_from_the_keyboard_and_shown_on_their_page(qtbot, desks,
                                                                           profile):
    desk = desks.start(profile)
    form = desk.window.new_person({})
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    benefits = form.f.widgets["on_benefits"]
    assert isinstance(benefits, QComboBox)
    assert benefits.accessibleName() == "Receives benefits"
    assert [benefits.itemText(i) for i in range(benefits.count())] == ["Not asked", "Yes",
                                                                       "No"]
    assert benefits.currentText() == "Not asked"  # optional: nothing is assumed
    qtbot.keyClicks(form.f.widgets["given_name"], "Bernadette")
    qtbot.keyClicks(form.f.widgets["family_name"], "Mulligan")
    # its label's Alt+T reaches it; a key chooses
    qtbot.keyClick(form, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert benefits.hasFocus()
    qtbot.keyClick(benefits, Qt.Key.Key_Down)
    assert benefits.currentText() == "Yes"
    with qtbot.waitSignal(desk.window.person_opened, timeout=20_000) as opened:
        qtbot.keyClick(benefits, Qt.Key.Key_Return)  # Enter saves the form
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None, timeout=20_000)
    assert _stored(desk, page.view.person.id) == "yes"
    assert "Receives benefits" in _contact(page)


def test_changed_and_unasked_again_when_editing(qtbot, desks, profile):
    desk = desks.start(profile)
    form = desk.window.new_person({})
    qtbot.keyClicks(form.f.widgets["given_name"], "Cormac")
    qtbot.keyClicks(form.f.widgets["family_name"], "Doyle")
    with qtbot.waitSignal(desk.window.person_opened, timeout=20_000) as opened:
        form.save()
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None, timeout=20_000)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    person_id = page.view.person.id
    assert _stored(desk, person_id) == ""
    assert "Benefits: not asked" in _contact(page)

    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    edit = next(d for d in desk.window.editors if isinstance(d, PersonDialog) and d.person)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    benefits = edit.f.widgets["on_benefits"]
    assert benefits.currentText() == "Not asked"
    benefits.setFocus()
    qtbot.keyClicks(benefits, "N")  # a letter chooses, as in any list: "No"
    assert benefits.currentText() == "No"
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.mouseClick(edit.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Does not receive benefits" in _contact(page), timeout=20_000)
    assert _stored(desk, person_id) == "no"

    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    edit = next(d for d in desk.window.editors if isinstance(d, PersonDialog) and d.person)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    benefits = edit.f.widgets["on_benefits"]
    assert benefits.currentText() == "No"
    benefits.setCurrentIndex(benefits.findData(""))  # back to "Not asked"
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.mouseClick(edit.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Benefits: not asked" in _contact(page), timeout=20_000)
    assert _stored(desk, person_id) == ""
