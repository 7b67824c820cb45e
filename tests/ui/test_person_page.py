"""A person's page, driven through the real widgets: updating a referral and closing a
follow-up from the timeline, long and escalated conversations, a conversation-only
drop-in, and the keyboard path from the People search to a person."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from sqlalchemy import func, select

from lr_desk.services import drafts
from lr_desk.store.models import (
    Conversation,
    ConversationNeed,
    FollowUp,
    Prescription,
    PrescriptionItem,
    Referral,
)
from lr_desk.ui.dropin import DropInDialog
from lr_desk.ui.person import PersonPage, StepDialog
from tests.ui.test_accessibility import unnamed_controls
from tests.ui.test_dropin_keys import open_person, referral_drop_in

ADVISOR = "Alex Advisor"  # the profile fixture's advisor
SERVICE = "Benefits and debt drop-in"  # shipped example directory entry
PARTNER = "Example Advice Centre (debt and benefits)"
# one line of a referral's history: "07 Mar 2025 14:05 Declined (Alex Advisor): reason"
HISTORY_LINE = r"\d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2} "


# -- helpers ---------------------------------------------------------------------------


def _closed(dialog) -> bool:
    """Closed: hidden, or already deleted (the step dialogs delete themselves on close)."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()

def choose_from_more(qtbot, page: PersonPage, action) -> None:
    """Open the page's More actions menu from the keyboard (Space on its button) and
    choose ``action`` in it (Return), as a user would."""
    chosen = []

    def in_menu():
        menu = QApplication.activePopupWidget()
        assert menu is page.more_menu, "More actions did not open its menu"
        menu.setActiveAction(action)
        qtbot.keyClick(menu, Qt.Key.Key_Return)
        chosen.append(True)

    QTimer.singleShot(0, in_menu)
    page.more_button.setFocus()
    qtbot.keyClick(page.more_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: bool(chosen), timeout=5_000)


def _open_drop_in(desk, qtbot, page: PersonPage) -> DropInDialog:
    qtbot.mouseClick(page.dropin_button, Qt.MouseButton.LeftButton)
    dialogs = [d for d in desk.window.editors if isinstance(d, DropInDialog) and d.isVisible()]
    assert dialogs, "the drop-in form did not open"
    dialog = dialogs[-1]
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)  # draft look-up done
    return dialog


def _choose(combo, text_part: str) -> None:
    for i in range(combo.count()):
        if text_part in combo.itemText(i):
            combo.setCurrentIndex(i)
            return
    choices = [combo.itemText(i) for i in range(combo.count())]
    raise AssertionError(f"{text_part!r} not in {choices}")


def _save_drop_in(desk, qtbot, page: PersonPage, dialog: DropInDialog) -> None:
    """Click Save, wait for the save and for the page to show it."""
    with (qtbot.waitSignal(page.loaded, timeout=10_000),
          qtbot.waitSignal(dialog.saved, timeout=10_000)):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    assert dialog not in desk.window.editors  # closed (and deleted)


def _select_entry(qtbot, page: PersonPage, wanted) -> int:
    """Move to the first timeline row where ``wanted(entry)`` from the keyboard: focus the
    table, Ctrl+Home to the top, then Down arrow until the row is current."""
    table = page.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(page.timeline.rowCount()):
        index = table.currentIndex()
        if index.isValid() and wanted(page.timeline.entries[index.row()]):
            return index.row()
        qtbot.keyClick(table, Qt.Key.Key_Down)
    index = table.currentIndex()
    if index.isValid() and wanted(page.timeline.entries[index.row()]):
        return index.row()
    raise AssertionError(f"no such row in {[e.title for e in page.timeline.entries]}")


def _step_dialog(page: PersonPage, qtbot) -> StepDialog:
    """The one step form open on the page, once it has the keyboard and its draft look-up
    is done (as for the drop-in form)."""
    dialogs = [d for d in page.findChildren(StepDialog) if d.isVisible()]
    assert len(dialogs) == 1, f"{len(dialogs)} step dialogs open"
    qtbot.waitUntil(dialogs[0].isActiveWindow, timeout=10_000)
    qtbot.waitUntil(lambda: page.tasks.pending == 0, timeout=10_000)
    return dialogs[0]


def _save_button(dialog: StepDialog):
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)


def _entry(page: PersonPage, kind: str):
    found = [e for e in page.timeline.entries if e.kind == kind]
    assert len(found) == 1, [e.title for e in page.timeline.entries]
    return found[0]


def _today_names(qtbot, desk, day: date) -> list[str]:
    today_page = desk.window.today
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    today_page.today = lambda: day
    with qtbot.waitSignal(today_page.loaded, timeout=10_000):
        today_page.reload()
    return [r.person_name for r in today_page.follow_ups.rows]


def _count(desk, model, *where) -> int:
    with desk.store.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


# -- the referral and the follow-up, from the timeline ------------------------------------

def test_decline_a_referral_with_a_reason_then_close_the_follow_up(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Hannah", "Okafor")
    due = date.today() + timedelta(days=3)

    # a drop-in with a partner service referred (Suggested) and a follow-up
    referral_drop_in(desk, qtbot, page, "Suggested", due, "Getting my money sorted",
                     "Arrears on the gas")

    referral = _entry(page, "referral")
    assert referral.title == f"Referral to {PARTNER} ({SERVICE}): Suggested"
    assert referral.open
    # nothing selected yet: neither step can be taken
    assert not page.referral_button.isEnabled()
    assert not page.follow_up_button.isEnabled()
    # on the due date the follow-up is on Today
    assert "Hannah Okafor" in _today_names(qtbot, desk, due)

    # -- Update referral: Declined needs a reason from the list --------------------------
    _select_entry(qtbot, page, lambda e: e.kind == "referral")
    assert page.referral_button.isEnabled()
    assert not page.follow_up_button.isEnabled()
    qtbot.mouseClick(page.referral_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    assert step.windowTitle() == "Update referral"
    assert not step.f.widgets["reason_code"].isVisibleTo(step)  # only for a decline
    _choose(step.f.widgets["status"], "Declined")
    assert step.f.widgets["reason_code"].isVisibleTo(step)
    qtbot.mouseClick(_save_button(step), Qt.MouseButton.LeftButton)
    reason_message = step.f.errors["reason_code"]
    qtbot.waitUntil(reason_message.isVisible, timeout=10_000)
    assert reason_message.text() == "Please choose the reason it was declined."
    assert step.isActiveWindow() and step.f.widgets["reason_code"].hasFocus()
    assert step.isVisible()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    assert step.isVisible()
    assert _count(desk, Referral, Referral.status == "declined") == 0

    _choose(step.f.widgets["reason_code"], "Other")  # Other: its words are needed too
    qtbot.mouseClick(_save_button(step), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(step.f.errors["reason"].isVisible, timeout=10_000)
    assert step.f.errors["reason"].text() == "Please say in words why it was declined."
    qtbot.keyClicks(step.f.widgets["reason"], "Already sees a debt adviser at church")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(_save_button(step), Qt.MouseButton.LeftButton)
    assert _closed(step)
    referral = _entry(page, "referral")
    assert referral.title == f"Referral to {PARTNER} ({SERVICE}): Declined"
    assert not referral.open
    history = referral.detail.splitlines()
    assert len(history) == 2, history
    assert re.fullmatch(HISTORY_LINE + re.escape(f"Suggested ({ADVISOR})"), history[0]), history
    assert re.fullmatch(HISTORY_LINE + re.escape(
        f"Declined ({ADVISOR}): Already sees a debt adviser at church"), history[1]), history
    # the table shows it too, in the row's own cells
    row = page.timeline.entries.index(referral)
    assert page.timeline.index(row, 1).data() == referral.title
    assert page.timeline.index(row, 2).data() == referral.detail

    # -- Follow-up done: an outcome is needed --------------------------------------------
    _select_entry(qtbot, page, lambda e: e.kind == "follow_up")
    assert page.follow_up_button.isEnabled()
    assert not page.referral_button.isEnabled()
    qtbot.mouseClick(page.follow_up_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    assert step.windowTitle() == "Follow-up done"
    qtbot.mouseClick(_save_button(step), Qt.MouseButton.LeftButton)
    result_message = step.f.errors["result"]
    qtbot.waitUntil(result_message.isVisible, timeout=10_000)
    assert result_message.text() == "Please choose what happened."
    assert step.isActiveWindow() and step.f.widgets["result"].hasFocus()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    assert step.isVisible()
    assert _count(desk, FollowUp, FollowUp.done_at.is_not(None)) == 0
    # "Something else" needs the words that say what
    _choose(step.f.widgets["result"], "Something else")
    qtbot.mouseClick(_save_button(step), Qt.MouseButton.LeftButton)
    outcome_message = step.f.errors["outcome"]
    qtbot.waitUntil(outcome_message.isVisible, timeout=10_000)
    assert outcome_message.text() == "Please note what happened at the follow-up."
    assert step.f.widgets["outcome"].hasFocus()

    _choose(step.f.widgets["result"], "Spoke to them")
    qtbot.keyClicks(step.f.widgets["outcome"], "Rang her; the gas is on a payment plan")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(_save_button(step), Qt.MouseButton.LeftButton)
    assert _closed(step)
    follow_up = _entry(page, "follow_up")
    assert follow_up.title == "Follow-up done (Phone call)"
    assert follow_up.detail == "Outcome: Spoke to them: Rang her; the gas is on a payment plan"
    assert not follow_up.open
    _select_entry(qtbot, page, lambda e: e.kind == "follow_up")
    assert not page.follow_up_button.isEnabled()

    # Today no longer lists it, on the due date or after
    assert "Hannah Okafor" not in _today_names(qtbot, desk, due)
    assert "Hannah Okafor" not in _today_names(qtbot, desk, due + timedelta(days=1))


# -- a long conversation, escalated ------------------------------------------------------

def _long_text(length: int) -> str:
    """Several scripts, an emoji, apostrophes and line breaks, exactly ``length`` long."""
    chunk = "Ffion’s café, the allotment 🌱 and my grandchildren. Żółć — ليلى\n"
    text = (chunk * (length // len(chunk) + 1))[:length]
    return text.rstrip() + "x" * (length - len(text.rstrip()))


def test_a_ten_thousand_character_conversation_with_an_escalation(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Ffion", "Price")
    text = _long_text(10_000)
    assert len(text) == 10_000

    dialog = _open_drop_in(desk, qtbot, page)
    f = dialog.f.widgets
    what_matters = f["conversation.what_matters"]
    what_matters.setFocus()
    what_matters.insertPlainText(text)  # as an input method (or a paste) delivers it
    assert what_matters.toPlainText() == text

    # escalate, with a reason but no action: not saved, the message is at the action field
    assert not f["conversation.escalation_action"].isEnabled()
    f["conversation.escalated"].setFocus()
    qtbot.keyClick(f["conversation.escalated"], Qt.Key.Key_Space)
    assert f["conversation.escalated"].isChecked()
    assert f["conversation.escalation_action"].isEnabled()
    _choose(f["conversation.escalation_reason"], "Safeguarding")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    action_message = dialog.f.errors["conversation.escalation_action"]
    qtbot.waitUntil(action_message.isVisible, timeout=10_000)
    assert action_message.text() == "Please say what action was taken."
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert _count(desk, Conversation, Conversation.person_id == page.person_id) == 0
    assert not [e for e in page.timeline.entries if e.kind == "conversation"]

    qtbot.keyClicks(f["conversation.escalation_action"], "Rang the safeguarding lead")
    qtbot.waitUntil(lambda: not action_message.isVisible(), timeout=10_000)
    _save_drop_in(desk, qtbot, page, dialog)

    conversation = _entry(page, "conversation")
    lines = conversation.detail.split("\n")
    assert f"What matters: {text}" in conversation.detail
    assert lines[-1] == "Escalated (Safeguarding): Rang the safeguarding lead"
    row = page.timeline.entries.index(conversation)
    assert page.timeline.index(row, 2).data() == conversation.detail
    with desk.store.session() as s:
        saved = s.scalars(select(Conversation).where(
            Conversation.person_id == page.person_id)).one()
        assert saved.what_matters == text
        assert (saved.escalated, saved.escalation_reason, saved.escalation_action) == (
            True, "safeguarding", "Rang the safeguarding lead")


def test_the_timeline_names_the_escalation_reason_in_words(qtbot, desks, profile):
    # as for every other coded value on the timeline: 'Clinical need', not 'clinical'
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Iris", "Cole")
    dialog = _open_drop_in(desk, qtbot, page)
    f = dialog.f.widgets
    f["conversation.escalated"].setChecked(True)
    _choose(f["conversation.escalation_reason"], "Clinical need")
    qtbot.keyClicks(f["conversation.escalation_action"], "Called the crisis line with her")
    _save_drop_in(desk, qtbot, page, dialog)
    detail = _entry(page, "conversation").detail
    assert "Escalated (Clinical need): Called the crisis line with her" in detail


# -- the smallest drop-in ------------------------------------------------------------------

def test_a_conversation_alone_is_a_valid_drop_in(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Owen", "Hughes")
    dialog = _open_drop_in(desk, qtbot, page)
    qtbot.keyClicks(dialog.f.widgets["conversation.what_matters"], "Just wanted a chat")
    assert dialog.items.rowCount() == 0
    assert dialog.f.widgets["follow_up.preset"].currentData() == "none"
    _save_drop_in(desk, qtbot, page, dialog)

    assert [e.kind for e in page.timeline.entries] == ["conversation"]
    detail = page.timeline.entries[0].detail
    assert "What matters: Just wanted a chat" in detail
    assert "Needs:" not in detail
    pid = page.person_id
    assert _count(desk, Conversation, Conversation.person_id == pid) == 1
    assert _count(desk, ConversationNeed) == 0
    assert _count(desk, Prescription, Prescription.person_id == pid) == 0
    assert _count(desk, PrescriptionItem) == 0
    assert _count(desk, FollowUp, FollowUp.person_id == pid) == 0
    # and it is among the recent conversations on Today
    _today_names(qtbot, desk, date.today())
    assert "Owen Hughes" in [r.person_name for r in desk.window.today.recent.rows]


# -- keyboard: from the search to a person ---------------------------------------------------

def test_down_arrow_moves_to_the_results_and_enter_opens_the_chosen_person(qtbot, desks,
                                                                          profile):
    desk = desks.start(profile)
    window = desk.window
    first = open_person(desk, qtbot, "Rita", "Ahmed")
    second = open_person(desk, qtbot, "Ravi", "Ahmed")
    for page in (first, second):
        window._close_tab(window.tabs.indexOf(page))
    qtbot.waitUntil(lambda: window.person_page(second.person_id) is None)

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    people = window.people
    assert window.tabs.currentWidget() is people
    qtbot.waitUntil(people.query.hasFocus)
    with qtbot.waitSignal(desk.search.results, timeout=10_000):
        qtbot.keyClicks(people.query, "ahmed")
    qtbot.waitUntil(lambda: people.model.rowCount() == 2, timeout=10_000)
    ids = [people.model.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(2)]
    assert set(ids) == {first.person_id, second.person_id}

    # Down arrow: from the search box into the results, on the first row
    qtbot.keyClick(people.query, Qt.Key.Key_Down)
    assert people.table.hasFocus()
    assert people.table.currentIndex().row() == 0
    # Down again: the second person; Enter opens them
    qtbot.keyClick(people.table, Qt.Key.Key_Down)
    assert people.table.currentIndex().row() == 1
    assert [i.row() for i in people.table.selectionModel().selectedRows()] == [1]
    with qtbot.waitSignal(window.person_opened, timeout=10_000) as opened:
        qtbot.keyClick(people.table, Qt.Key.Key_Return)
    page = opened.args[0]
    assert page.person_id == ids[1]
    qtbot.waitUntil(lambda: page.view is not None, timeout=10_000)
    assert window.tabs.currentWidget() is page
    assert page.heading.text() == people.model.index(1, 0).data()


# -- a double click on Save --------------------------------------------------------------

def test_a_double_click_on_save_declines_the_referral_once(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Dai", "Morgan")
    referral_drop_in(desk, qtbot, page, "Suggested")

    _select_entry(qtbot, page, lambda e: e.kind == "referral")
    qtbot.mouseClick(page.referral_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    _choose(step.f.widgets["status"], "Declined")
    _choose(step.f.widgets["reason_code"], "Outside the area")
    qtbot.keyClicks(step.f.widgets["reason"], "Moved to Wirral")
    save = _save_button(step)
    # the database worker is slow to answer (a busy disk): hold it until both clicks are in
    worker_free = threading.Event()
    desk.tasks.run(lambda _s: worker_free.wait(10))
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    worker_free.set()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    qtbot.waitUntil(lambda: _closed(step))
    history = _entry(page, "referral").detail.splitlines()
    assert [line.split(" ", 4)[-1] for line in history] == [
        f"Suggested ({ADVISOR})", f"Declined ({ADVISOR}): Outside the area: Moved to Wirral"]


# -- the step forms keep unsaved work, as every form on the desk does ----------------------

def _referral_and_follow_up(desk, qtbot, page: PersonPage, status: str = "Suggested") -> None:
    """Record a drop-in that refers to SERVICE (at ``status``) and agrees a follow-up."""
    referral_drop_in(desk, qtbot, page, status, date.today() + timedelta(days=2))


def _draft(desk, key: str):
    with desk.store.session() as s:
        d = drafts.load(s, key)
        return d.payload if d else None


def _open_follow_up_done(qtbot, page: PersonPage) -> StepDialog:
    _select_entry(qtbot, page, lambda e: e.kind == "follow_up")
    qtbot.mouseClick(page.follow_up_button, Qt.MouseButton.LeftButton)
    return _step_dialog(page, qtbot)


def test_esc_on_a_typed_outcome_asks_first_and_ctrl_s_saves(qtbot, desks, profile,
                                                            no_unexpected_modal):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Gwen", "Parry")
    _referral_and_follow_up(desk, qtbot, page)
    done = FollowUp.done_at.is_not(None)

    step = _open_follow_up_done(qtbot, page)
    assert unnamed_controls(step) == []
    result = step.f.widgets["result"]
    assert result.hasFocus()
    qtbot.keyClick(result, Qt.Key.Key_S)  # "Spoke to them", by its first letter
    qtbot.keyClick(result, Qt.Key.Key_Tab)
    outcome = step.f.widgets["outcome"]
    assert outcome.hasFocus()
    qtbot.keyClicks(outcome, "Rang her; she has joined the walking group")

    # Esc asks; Cancel goes back to the form with the typing kept
    no_unexpected_modal.append(QMessageBox.StandardButton.Cancel)
    qtbot.keyClick(outcome, Qt.Key.Key_Escape)
    assert not no_unexpected_modal, "closing did not ask"
    assert step.isVisible()
    assert outcome.text() == "Rang her; she has joined the walking group"
    assert result.currentText() == "Spoke to them"

    # Discard really drops it: nothing recorded, no draft left behind
    no_unexpected_modal.append(QMessageBox.StandardButton.Discard)
    qtbot.keyClick(outcome, Qt.Key.Key_Escape)
    assert not no_unexpected_modal
    qtbot.waitUntil(lambda: _closed(step))
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    follow_up_id = _entry(page, "follow_up").follow_up_id
    assert _draft(desk, f"follow-up-done:{follow_up_id}") is None
    assert _count(desk, FollowUp, done) == 0

    # a fresh form is empty, and Ctrl+S saves it like the Save button
    step = _open_follow_up_done(qtbot, page)
    assert step.f.widgets["outcome"].text() == ""
    assert step.f.widgets["result"].currentData() == ""
    assert not step.banner.isVisible()
    _choose(step.f.widgets["result"], "They came in")
    qtbot.keyClicks(step.f.widgets["outcome"], "On Tuesday")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.keyClick(step.f.widgets["outcome"], Qt.Key.Key_S,
                       Qt.KeyboardModifier.ControlModifier)
    assert _closed(step)
    assert _entry(page, "follow_up").detail == "Outcome: They came in to see us: On Tuesday"
    assert _count(desk, FollowUp, done) == 1


def test_save_in_the_closing_question_saves_the_outcome(qtbot, desks, profile,
                                                        no_unexpected_modal):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Huw", "Rees")
    _referral_and_follow_up(desk, qtbot, page)
    step = _open_follow_up_done(qtbot, page)
    _choose(step.f.widgets["result"], "Left a message")
    qtbot.keyClicks(step.f.widgets["outcome"], "Texted; all fine")
    no_unexpected_modal.append(QMessageBox.StandardButton.Save)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.keyClick(step.f.widgets["outcome"], Qt.Key.Key_Escape)
    assert _closed(step)
    assert _entry(page, "follow_up").detail == "Outcome: Left a message: Texted; all fine"


def test_a_crash_keeps_a_half_typed_referral_update_as_a_draft(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Cerys", "Lloyd")
    _referral_and_follow_up(desk, qtbot, page)
    referral_id = _entry(page, "referral").referral_id
    _select_entry(qtbot, page, lambda e: e.kind == "referral")
    qtbot.mouseClick(page.referral_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    _choose(step.f.widgets["status"], "Declined")
    _choose(step.f.widgets["reason_code"], "Other")
    qtbot.keyClicks(step.f.widgets["reason"], "Moving to Wales")
    # the autosave timer (1 s in this profile) keeps it
    key = f"referral-step:{referral_id}"
    qtbot.waitUntil(lambda: (_draft(desk, key) or {}).get("reason") == "Moving to Wales",
                    timeout=10_000)
    assert (_draft(desk, key)["status"], _draft(desk, key)["reason_code"]) == ("declined",
                                                                              "other")

    # "crash": the desk goes away without a chance to ask or save
    step.dirty = False
    desks.stop(desk)
    desk = desks.start(profile)
    page = desk.window.open_person(page.person_id)
    qtbot.waitUntil(lambda: page.view is not None, timeout=10_000)
    _select_entry(qtbot, page, lambda e: e.kind == "referral")
    qtbot.mouseClick(page.referral_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    assert step.banner.isVisible() and "restored" in step.banner.text()
    assert step.f.widgets["status"].currentData() == "declined"
    assert step.f.widgets["reason_code"].currentData() == "other"
    assert step.f.widgets["reason"].toPlainText() == "Moving to Wales"
    assert step.dirty
    assert _count(desk, Referral, Referral.status == "declined") == 0
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(_save_button(step), Qt.MouseButton.LeftButton)
    assert _entry(page, "referral").title.endswith(": Declined")
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    assert _draft(desk, key) is None


def test_update_referral_starts_from_its_current_status(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Bryn", "Evans")
    from tests.ui.test_consent import agree_to_share

    agree_to_share(desk, page.person_id)  # a referral is sent only with it
    _referral_and_follow_up(desk, qtbot, page, status="Sent")
    assert _entry(page, "referral").referral_status == "sent"

    # partner's feedback noted, status untouched: the referral stays Sent
    _select_entry(qtbot, page, lambda e: e.kind == "referral")
    qtbot.mouseClick(page.referral_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    assert unnamed_controls(step) == []
    assert step.f.widgets["status"].currentData() == "sent"
    assert not step.dirty  # the starting status is not a change to keep or ask about
    qtbot.keyClicks(step.f.widgets["note"], "They will ring him this week")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(_save_button(step), Qt.MouseButton.LeftButton)
    referral = _entry(page, "referral")
    assert referral.title == f"Referral to {PARTNER} ({SERVICE}): Sent"
    assert referral.detail.splitlines()[-1].endswith(
        f"Sent ({ADVISOR}) - They will ring him this week")

    # once accepted, the form opens on Accepted
    _select_entry(qtbot, page, lambda e: e.kind == "referral")
    qtbot.mouseClick(page.referral_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    _choose(step.f.widgets["status"], "Accepted")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.keyClick(step.f.widgets["status"], Qt.Key.Key_S,
                       Qt.KeyboardModifier.ControlModifier)
    _select_entry(qtbot, page, lambda e: e.kind == "referral")
    qtbot.mouseClick(page.referral_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    assert step.f.widgets["status"].currentData() == "accepted"
    # asking again for the same form brings that one forward rather than a second copy
    assert page.update_referral() is step
    _step_dialog(page, qtbot)
