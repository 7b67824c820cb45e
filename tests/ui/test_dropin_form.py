"""The drop-in form, driven from the keyboard: the plan's items (removed, restored after a
crash, not dropped when typed but not added), times typed any common way, fields in error
marked with the focus on the first, Enter saving whatever button Tab passed, consent
asked for in place without moving what is typed, and a new drop-in closing the person's
open follow-up."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea
from sqlalchemy import select

from lr_desk.services import dropin
from lr_desk.store.models import Consent, Conversation, FollowUp, PrescriptionItem, Referral
from lr_desk.ui.dropin import DropInDialog
from tests.ui.test_dropin_keys import ALT, Keyboard, _ready, open_person


def _drop_in(desk, qtbot, given="Rhys", family="Owen") -> DropInDialog:
    page = open_person(desk, qtbot, given, family)
    dialog = desk.window.record_drop_in(page.view.person)
    _ready(qtbot, desk, dialog)
    return dialog


def _add(keys: Keyboard, dialog, text: str, down: int = 0) -> None:
    """Alt+A, type, Down ``down`` times, Enter (down=-1: the last row, their own step)."""
    keys.key(Qt.Key.Key_A, ALT)
    keys.words(text)
    rows = dialog.picker.results
    for _ in range(rows.count() - 1 if down < 0 else down):
        keys.key(Qt.Key.Key_Down)
    keys.key(Qt.Key.Key_Return)


def _saved_titles(desk) -> list[str]:
    with desk.store.session() as s:
        return sorted(s.scalars(select(PrescriptionItem.title)))


def _save(qtbot, keys: Keyboard, dialog) -> None:
    with qtbot.waitSignal(dialog.saved, timeout=20_000):
        keys.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def test_removing_an_item_saves_the_rest_once(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _drop_in(desk, qtbot)
    keys = Keyboard(qtbot)
    _add(keys, dialog, "Walk daily", down=-1)
    _add(keys, dialog, "Call my sister", down=-1)
    assert [dialog.items.item(r).text() for r in range(2)] == [
        "My own step: Walk daily", "My own step: Call my sister"]
    keys.key(Qt.Key.Key_L, ALT)  # In their plan
    keys.key(Qt.Key.Key_Home)  # "Walk daily"
    keys.key(Qt.Key.Key_Delete)
    assert dialog.items.rowCount() == 1
    assert dialog.panel.heading.text() == "Call my sister"  # what is chosen now
    _save(qtbot, keys, dialog)
    assert _saved_titles(desk) == ["Call my sister"]


def test_words_typed_in_the_picker_but_not_added_are_not_dropped(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _drop_in(desk, qtbot)
    keys = Keyboard(qtbot)
    keys.key(Qt.Key.Key_A, ALT)
    keys.words("Swim on Saturdays")
    keys.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()
    assert "not in their plan yet" in dialog.banner.text()
    assert keys.focused() is dialog.picker.box
    keys.key(Qt.Key.Key_Up)  # from the first match...
    for _ in range(dialog.picker.results.count()):
        keys.key(Qt.Key.Key_Down)  # ...to the last row: their own step
    keys.key(Qt.Key.Key_Return)
    _save(qtbot, keys, dialog)
    assert _saved_titles(desk) == ["Swim on Saturdays"]


def test_the_plan_comes_back_after_a_crash(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _drop_in(desk, qtbot)
    keys = Keyboard(qtbot)
    _add(keys, dialog, "anxiety")
    keys.key(Qt.Key.Key_H, ALT)
    keys.words("To understand my worry")
    payload = dialog.collect()  # what the autosaved draft holds
    dialog.dirty = False
    dialog.reject()

    again = desk.window.record_drop_in(dialog.person)
    again.load_payload(payload)  # as restored from the draft after a crash
    _ready(qtbot, desk, again)
    assert again.items.rowCount() == 1
    with qtbot.waitSignal(again.saved, timeout=20_000):
        again.save()
    with desk.store.session() as s:
        item = s.scalars(select(PrescriptionItem)).one()
        assert (item.title, item.why) == ("Understanding Anxiety", "To understand my worry")
        assert item.course_id  # from the directory: its day and time come from there


def test_a_time_typed_any_way_and_nonsense_marked_with_the_focus_on_it(qtbot, desks,
                                                                       profile):
    desk = desks.start(profile)
    dialog = _drop_in(desk, qtbot)
    keys = Keyboard(qtbot)
    keys.words("Needed a chat")
    keys.key(Qt.Key.Key_U, ALT)
    keys.key(Qt.Key.Key_1)  # 1 week, phone call
    keys.key(Qt.Key.Key_T, ALT)
    keys.words("25 past")  # not a time
    when = dialog.f.widgets["follow_up.due_time"]
    keys.key(Qt.Key.Key_Tab)
    keys.key(Qt.Key.Key_Return)  # Enter: save
    message = dialog.f.errors["follow_up.due_time"]
    qtbot.waitUntil(message.isVisible, timeout=20_000)
    assert message.text().startswith("Please write a time of day, for example 10:30")
    assert when.property("error") == "true"  # marked, not only said
    assert keys.focused() is when  # the focus is on the first field in error
    assert dialog.isVisible()
    when.selectAll()
    keys.words("2pm")
    assert not message.isVisible() and not when.property("error")
    keys.key(Qt.Key.Key_Tab)
    assert when.text() == "14:00"  # read back the way the desk shows times
    with qtbot.waitSignal(dialog.saved, timeout=20_000):
        keys.key(Qt.Key.Key_Return)
    with desk.store.session() as s:
        assert s.scalars(select(FollowUp.due_time)).one() == "14:00"


def test_enter_saves_even_after_tab_has_passed_cancel(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _drop_in(desk, qtbot)
    keys = Keyboard(qtbot)
    keys.words("Came in out of the rain")
    cancel = dialog.buttons.button(dialog.buttons.StandardButton.Cancel)
    for _ in range(60):  # Tab round the form, past Save and Cancel
        keys.key(Qt.Key.Key_Tab)
        if keys.focused() is cancel:
            break
    assert keys.focused() is cancel
    keys.key(Qt.Key.Key_Tab)
    with qtbot.waitSignal(dialog.saved, timeout=20_000):
        keys.key(Qt.Key.Key_Return)
    with desk.store.session() as s:
        assert s.scalars(select(Conversation.what_matters)).one() == "Came in out of the rain"


def test_consent_is_asked_for_in_place_and_nothing_typed_moves(qtbot, desks, profile):
    desk = desks.start(profile)
    dialog = _drop_in(desk, qtbot, "Jo", "Lee")
    dialog.resize(1240, 640)
    keys = Keyboard(qtbot)
    keys.words("Sorting the rent out")
    what = dialog.f.widgets["conversation.what_matters"]
    _add(keys, dialog, "benefits")
    keys.key(Qt.Key.Key_H, ALT)
    keys.words("Letters keep coming")
    why = dialog.item_f.widgets["why"]
    bar = dialog.findChild(QScrollArea).verticalScrollBar()
    before = (what.height(), why.height(), why.mapTo(dialog, why.rect().topLeft()),
              bar.value())
    keys.key(Qt.Key.Key_R, ALT)
    keys.key(Qt.Key.Key_End)  # Sent, without their consent yet
    panel = dialog.panel
    qtbot.waitUntil(panel.consent.isVisible, timeout=20_000)
    assert panel.consent_message.text().startswith("Jo has not agreed to share")
    assert (what.height(), why.height(), why.mapTo(dialog, why.rect().topLeft()),
            bar.value()) == before  # no ballooning, no jump to the top
    # Save without it: held back, said at the item, nothing lost
    keys.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(dialog.items_error.isVisible, timeout=20_000)
    assert dialog.items_error.text().startswith("Item 1: Jo has not agreed to share")
    assert dialog.isVisible() and why.text() == "Letters keep coming"
    keys.key(Qt.Key.Key_G, ALT)  # they agree, there and then
    qtbot.waitUntil(panel.consent.isChecked, timeout=20_000)
    assert "will be recorded with this drop-in" in panel.consent_message.text()
    _save(qtbot, keys, dialog)
    with desk.store.session() as s:
        assert s.scalars(select(Referral.status)).one() == "sent"
        agreed = s.scalars(select(Consent)).one()
        assert (agreed.kind, agreed.given, agreed.note) == ("share", True,
                                                            dropin.AGREED_AT_DROP_IN)


def test_a_new_drop_in_offers_to_close_their_open_follow_up(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Mo", "Shah")
    due = date.today() + timedelta(days=3)
    with desk.store.session() as s:
        dropin.record_drop_in(s, page.person_id, desk.window.desk.advisor_id, {
            "conversation": {"site_code": "walton", "mode": "drop_in"},
            "follow_up": {"due_date": due.strftime("%d/%m/%Y"), "way": "call"}})
    dialog = desk.window.record_drop_in(page.view.person)
    _ready(qtbot, desk, dialog)
    offer = dialog.close_open
    qtbot.waitUntil(offer.isVisible, timeout=20_000)
    assert "(phone call) as done" in offer.text() and f"{due.day}" in offer.text()
    keys = Keyboard(qtbot)
    keys.words("Came back to tell us how it went")
    keys.key(Qt.Key.Key_K, ALT)  # Mark their follow-up as done
    qtbot.waitUntil(offer.isChecked, timeout=20_000)
    _save(qtbot, keys, dialog)
    with desk.store.session() as s:
        done = s.scalars(select(FollowUp)).one()
        assert done.done_at is not None and done.outcome == dropin.SEEN_AT_DROP_IN
