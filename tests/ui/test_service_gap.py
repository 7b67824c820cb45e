"""No suitable service, at the drop-in: a need ticked, Ctrl+G, which need and what was
needed, Enter; the gap is saved with the drop-in's conversation when the drop-in is saved,
and not at all when it is cancelled."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from lr_desk.store.models import Conversation, ServiceGap
from lr_desk.ui.dropin import DropInDialog
from lr_desk.ui.service_gap import WHY_OFF, GapNotes, ServiceGapDialog
from tests.ui.screen import assert_fits
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
from tests.ui.test_dropin_keys import open_person

WORDS = "Evening English classes near Walton: every one is in the daytime"


def _drop_in(desk, qtbot, given: str, family: str) -> tuple[DropInDialog, GapNotes]:
    page = open_person(desk, qtbot, given, family)
    qtbot.mouseClick(page.dropin_button, Qt.MouseButton.LeftButton)
    dialog = next(d for d in desk.window.editors if isinstance(d, DropInDialog))
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    return dialog, dialog.findChild(GapNotes)


def _gaps(desk) -> list[ServiceGap]:
    with desk.tasks.store.session() as s:
        return list(s.scalars(select(ServiceGap)))


def _tick(qtbot, dialog: DropInDialog, letter: Qt.Key) -> None:
    """Alt+N to the needs, a letter to the first need with it, Space ticks."""
    qtbot.keyClick(dialog, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(dialog.focusWidget(), letter)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Space)


def _gap_dialog(qtbot, dialog: DropInDialog) -> ServiceGapDialog:
    qtbot.keyClick(dialog, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    notes = dialog.findChild(GapNotes)
    qtbot.waitUntil(lambda: notes.dialog is not None and notes.dialog.isVisible(),
                    timeout=20_000)
    return notes.dialog


def test_a_gap_is_noted_from_the_keyboard_and_saved_with_the_drop_in(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog, notes = _drop_in(desk, qtbot, "Eilidh", "Rowntree")
    # off, and saying why, until a need is ticked
    assert not notes.button.isEnabled() and notes.button.toolTip() == WHY_OFF
    _tick(qtbot, dialog, Qt.Key.Key_E)  # Employment
    assert dialog.needs.values() == ["employment"]
    assert notes.button.isEnabled() and "Ctrl+G" in notes.button.toolTip()

    gap = _gap_dialog(qtbot, dialog)
    need = gap.f.widgets["category"]
    assert [need.itemText(i) for i in range(need.count())] == ["Employment"]
    assert unnamed_controls(gap) == [] and mnemonic_clashes(gap) == {}
    assert_fits(gap)
    assert gap.f.widgets["words"].hasFocus()
    qtbot.keyClick(gap.f.widgets["words"], Qt.Key.Key_Return)  # nothing said yet
    assert gap.isVisible()
    assert gap.f.errors["words"].text() == "Say in a few words what was needed and not found."
    qtbot.keyClicks(gap.f.widgets["words"], WORDS)
    assert gap.f.errors["words"].isHidden()
    qtbot.keyClick(gap.f.widgets["words"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not gap.isVisible(), timeout=20_000)
    assert notes.noted.text() == "1 gap noted"
    assert notes.noted.toolTip() == f"Employment: {WORDS}"
    assert _gaps(desk) == []  # not before the drop-in is saved

    with qtbot.waitSignal(dialog.saved, timeout=20_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_gaps(desk)) == 1, timeout=20_000)
    conversation_id = saved.args[0].conversation_id
    [row] = _gaps(desk)
    with desk.tasks.store.session() as s:
        conv = s.get(Conversation, conversation_id)
        assert (row.category, row.words, row.site_code, row.advisor_id,
                row.conversation_id) == ("employment", WORDS, conv.site_code,
                                         conv.advisor_id, conversation_id)


def test_a_cancelled_drop_in_notes_no_gap(qtbot, desks, profile, no_unexpected_modal):
    desk = desks.start(profile)
    dialog, notes = _drop_in(desk, qtbot, "Tomasz", "Wilk")
    _tick(qtbot, dialog, Qt.Key.Key_H)  # Housing
    gap = _gap_dialog(qtbot, dialog)
    qtbot.keyClicks(gap.f.widgets["words"], "A hostel that takes couples")
    qtbot.keyClick(gap.f.widgets["words"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not gap.isVisible(), timeout=20_000)
    assert notes.noted.text() == "1 gap noted" and dialog.dirty
    dialog.dirty = False  # (Cancel would ask whether to drop what was typed)
    dialog.reject()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    assert _gaps(desk) == []
