"""At follow-up, the person is asked their view of each referral that started (it helped
a lot, a bit, not really, did not go; and their words), saved with the outcome; and the
referral's step form: only forward steps, a correction for anything else, a decline's
reason from the list. Real widgets, keys and clicks, a real store."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from sqlalchemy import select

from lr_desk.store.models import FollowUp, Referral
from tests.ui.screen import assert_fits
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
from tests.ui.test_dropin_keys import open_person, referral_drop_in
from tests.ui.test_person_page import (
    _choose,
    _draft,
    _entry,
    _open_follow_up_done,
    _select_entry,
    _step_dialog,
)

ADVISOR = "Alex Advisor"
PARTNER = "Example Advice Centre (debt and benefits)"
SERVICE = "Benefits and debt drop-in"
ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier


def _statuses(combo) -> list[str]:
    return [combo.itemData(i) for i in range(combo.count())]


def test_their_view_of_each_referral_is_asked_at_follow_up_and_saved(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Nell", "Hughes")
    referral_drop_in(desk, qtbot, page, "Sent", date.today() + timedelta(days=7))

    step = _open_follow_up_done(qtbot, page)
    views = step.views
    qtbot.waitUntil(lambda: bool(views.rows), timeout=20_000)
    assert views.isVisibleTo(step)
    (rid, (view, words, _error)), = views.rows.items()
    assert view.accessibleName() == f"Their view of {PARTNER} ({SERVICE})"
    assert view.currentText() == "Not asked"
    assert_fits(step)
    assert unnamed_controls(step) == [] and mnemonic_clashes(step) == {}

    # what happened, then (Tab, Tab) their view, by its first letters, and their words
    qtbot.keyClick(step.f.widgets["result"], Qt.Key.Key_S)  # Spoke to them
    qtbot.keyClick(step.f.widgets["result"], Qt.Key.Key_Tab)
    assert step.f.widgets["outcome"].hasFocus()
    qtbot.keyClicks(step.f.widgets["outcome"], "Rang her")
    qtbot.keyClick(step.f.widgets["outcome"], Qt.Key.Key_Tab)
    assert view.hasFocus()
    qtbot.keyClick(view, Qt.Key.Key_I)  # It helped a lot
    qtbot.keyClick(view, Qt.Key.Key_Down)  # It helped a bit
    assert view.currentData() == "helped_bit"
    qtbot.keyClicks(words, "The advice on her bills was useful")
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.keyClick(words, Qt.Key.Key_Return)  # Enter saves
    with desk.store.session() as s:
        ref = s.get(Referral, rid)
        assert (ref.view, ref.view_words) == ("helped_bit", "The advice on her bills was useful")
        assert s.scalars(select(FollowUp)).one().outcome == "Spoke to them: Rang her"
    assert _entry(page, "referral").detail.splitlines()[-1] == (
        "Their view: It helped a bit: The advice on her bills was useful")


def test_words_without_a_view_are_said_at_the_row_and_nothing_is_saved(qtbot, desks,
                                                                         profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Olly", "Price")
    referral_drop_in(desk, qtbot, page, "Sent", date.today() + timedelta(days=7))
    step = _open_follow_up_done(qtbot, page)
    qtbot.waitUntil(lambda: bool(step.views.rows), timeout=20_000)
    (rid, (view, words, error)), = step.views.rows.items()
    _choose(step.f.widgets["result"], "Left a message")
    qtbot.keyClicks(words, "Said she went once")
    qtbot.keyClick(words, Qt.Key.Key_Return)
    qtbot.waitUntil(error.isVisible, timeout=20_000)
    assert error.text() == "Please choose the person's view."
    assert view.hasFocus() and step.isVisible()
    with desk.store.session() as s:
        assert s.scalars(select(FollowUp)).one().done_at is None
    qtbot.keyClick(view, Qt.Key.Key_End)  # I did not go
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.keyClick(words, Qt.Key.Key_Return)
    with desk.store.session() as s:
        assert s.get(Referral, rid).view == "did_not_go"


def test_steps_go_forward_only_and_a_mistake_is_corrected_in_the_open(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Pat", "Doyle")
    referral_drop_in(desk, qtbot, page, "Sent")

    _select_entry(qtbot, page, lambda e: e.kind == "referral")
    qtbot.mouseClick(page.referral_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    status = step.f.widgets["status"]
    assert _statuses(status) == ["sent", "accepted", "declined", "engaged", "completed",
                                 "not_taken_up"]  # nothing before Sent
    assert status.itemText(0) == "Sent (no change: add a note)"
    _choose(status, "Accepted")
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.keyClick(status, Qt.Key.Key_S, CTRL)
    assert _entry(page, "referral").referral_status == "accepted"

    # a mistake: it was never accepted. Forward steps only, until Correct a mistake
    _select_entry(qtbot, page, lambda e: e.kind == "referral")
    qtbot.mouseClick(page.referral_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    status = step.f.widgets["status"]
    assert _statuses(status) == ["accepted", "engaged", "completed", "not_taken_up"]
    assert not step.f.widgets["reason"].isVisibleTo(step)
    qtbot.keyClick(status, Qt.Key.Key_M, ALT)  # Correct a mistake
    qtbot.waitUntil(step.f.widgets["correct"].isChecked, timeout=20_000)
    assert _statuses(status) == ["suggested", "agreed", "sent", "declined", "engaged",
                                 "completed", "not_taken_up"]
    assert step.f.widgets["reason"].isVisibleTo(step)
    assert step.f.widgets["reason"].accessibleName() == "What was wrong"
    _choose(status, "Declined")  # a decline's reason from the list, even in a correction
    assert step.f.widgets["reason_code"].isVisibleTo(step)
    _choose(status, "Sent")
    assert not step.f.widgets["reason_code"].isVisibleTo(step)
    assert unnamed_controls(step) == [] and mnemonic_clashes(step) == {}
    assert_fits(step)
    qtbot.keyClick(status, Qt.Key.Key_S, CTRL)
    message = step.f.errors["reason"]
    qtbot.waitUntil(message.isVisible, timeout=20_000)
    assert message.text() == "Please say what the mistake was."
    qtbot.keyClicks(step.f.widgets["reason"], "They had not replied: pressed the wrong one")
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.keyClick(step.f.widgets["reason"], Qt.Key.Key_S, CTRL)
    referral = _entry(page, "referral")
    assert referral.referral_status == "sent"
    assert referral.detail.splitlines()[-1].endswith(
        f"Corrected from Accepted to Sent ({ADVISOR}): They had not replied: pressed the "
        "wrong one")


def test_a_correction_half_typed_comes_back_as_a_correction(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Rae", "Moss")
    referral_drop_in(desk, qtbot, page, "Sent")
    referral_id = _entry(page, "referral").referral_id
    _select_entry(qtbot, page, lambda e: e.kind == "referral")
    qtbot.mouseClick(page.referral_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    step.f.widgets["correct"].setChecked(True)
    _choose(step.f.widgets["status"], "Agreed")  # (not on offer as a step from Sent)
    qtbot.keyClicks(step.f.widgets["reason"], "Not sent yet: the form is still with her")
    key = f"referral-step:{referral_id}"
    qtbot.waitUntil(lambda: (_draft(desk, key) or {}).get("status") == "agreed",
                    timeout=20_000)
    step.put_away()  # (the desk closing while its advisor is away)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)

    _select_entry(qtbot, page, lambda e: e.kind == "referral")
    qtbot.mouseClick(page.referral_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    assert "restored" in step.banner.text()
    assert step.f.widgets["correct"].isChecked()
    assert step.f.widgets["status"].currentData() == "agreed"
    assert step.f.widgets["reason"].toPlainText() == "Not sent yet: the form is still with her"
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.keyClick(step.f.widgets["reason"], Qt.Key.Key_S, CTRL)
    assert _entry(page, "referral").referral_status == "agreed"
