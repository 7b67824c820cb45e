"""The NHS number on the person form, typed the way an advisor would: a wrong one gets a
plain message at the field, a right one typed with spaces is saved as ten digits and
shown as 943 476 5919 on the person's page; Alt+W reaches the field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from lr_desk.services.nhs_number import NOT_VALID
from lr_desk.store.models import Person
from lr_desk.ui.people import PersonDialog
from tests.ui.conftest import unlocked_store
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls


def _new_person(desk, qtbot) -> PersonDialog:
    dialog = desk.window.new_person({})
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    return dialog


def test_a_wrong_number_is_caught_and_a_right_one_kept_and_shown(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _new_person(desk, qtbot)
    field = dialog.f.widgets["nhs_number"]
    assert field.accessibleName() == "NHS number"
    assert unnamed_controls(dialog) == [] and mnemonic_clashes(dialog) == {}
    label = next(w for w in dialog.findChildren(QLabel) if w.buddy() is field)
    assert "&w" in label.text()

    qtbot.keyClicks(dialog.f.widgets["given_name"], "Nia")
    qtbot.keyClicks(dialog.f.widgets["family_name"], "Jones")
    qtbot.keyClick(dialog, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # to the field
    assert field.hasFocus()
    qtbot.keyClicks(field, "943 476 5918")  # the last digit mistyped
    message = dialog.f.errors["nhs_number"]
    assert message.text() == NOT_VALID and message.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # not saved with it
    assert field.text() == "943 476 5918"  # and nothing typed lost

    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(field, "9")
    assert not message.isVisibleTo(dialog)
    with qtbot.waitSignal(desk.window.person_opened, timeout=20_000) as opened:
        qtbot.keyClick(field, Qt.Key.Key_Return)  # Enter saves
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None, timeout=20_000)
    assert "NHS number: 943 476 5919" in page.summary.details.text()
    desks.stop(desk)
    store = unlocked_store(profile)
    try:
        with store.session() as s:
            assert s.get(Person, page.person_id).nhs_number == "9434765919"
    finally:
        store.close()


def test_editing_shows_the_number_grouped_and_it_can_be_taken_off(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _new_person(desk, qtbot)
    qtbot.keyClicks(dialog.f.widgets["given_name"], "Sam")
    qtbot.keyClicks(dialog.f.widgets["family_name"], "Lee")
    qtbot.keyClicks(dialog.f.widgets["nhs_number"], "4010232137")
    with qtbot.waitSignal(desk.window.person_opened, timeout=20_000) as opened:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None, timeout=20_000)
    assert "NHS number: 401 023 2137" in page.summary.details.text()

    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    edit = [d for d in desk.window.editors if isinstance(d, PersonDialog)][-1]
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    field = edit.f.widgets["nhs_number"]
    assert field.text() == "401 023 2137"
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.mouseClick(edit.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "NHS number" not in page.summary.details.text(), timeout=20_000)
