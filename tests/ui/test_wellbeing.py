"""The wellbeing questions on screen, driven from the keyboard as an advisor would: SWEMWBS
and ONS4 answered at a drop-in (digits, moving on by themselves), a statement skipped
(no total kept, never a guessed one), SWEMWBS again at Follow-up done, and the person's
page showing every score, the baseline marked and the change since it; what was typed
kept in the drop-in's draft across a crash. A real store, real widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from lr_desk.services import wellbeing
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import Conversation, FollowUp, WellbeingMeasure
from lr_desk.ui.dropin import DropInDialog
from tests.ui.screen import assert_fits
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
from tests.ui.test_dropin_keys import Keyboard, _dialog, _ready, open_person
from tests.ui.test_person_page import _draft, _open_follow_up_done

ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier
DIGITS = {str(n): getattr(Qt.Key, f"Key_{n}") for n in range(10)}


def _digits(keys: Keyboard, text: str) -> None:
    for digit in text:
        keys.key(DIGITS[digit])


def _open_drop_in(desk, qtbot, page) -> tuple[DropInDialog, Keyboard]:
    _ready(qtbot, desk, page)
    page.dropin_button.setFocus()
    keys = Keyboard(qtbot)
    keys.key(Qt.Key.Key_D, CTRL)
    dialog = _dialog(desk)
    _ready(qtbot, desk, dialog)
    return dialog, keys


def _to_questions(keys: Keyboard, dialog: DropInDialog) -> None:
    keys.key(Qt.Key.Key_Q, ALT)  # Wellbeing questions: their page, the first one ready
    assert dialog.pages.currentIndex() == 1
    swemwbs = dialog.pages.panel.boxes["swemwbs"]
    assert keys.focused() in swemwbs.radios["1"]


def _save(qtbot, desk, page, keys: Keyboard, dialog) -> None:
    with qtbot.waitSignal(page.loaded, timeout=20_000), \
            qtbot.waitSignal(dialog.saved, timeout=20_000):
        keys.key(Qt.Key.Key_Return)  # Enter saves, wherever the keyboard is
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)


def _measures(desk) -> list[WellbeingMeasure]:
    with desk.store.session() as s:
        rows = list(s.scalars(select(WellbeingMeasure).order_by(
            WellbeingMeasure.created_at, WellbeingMeasure.id)))
        s.expunge_all()
        return rows


def test_measures_at_drop_ins_and_a_follow_up_show_on_the_page_with_the_change(
        qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Mo", "Farah")

    # 1. a drop-in with a follow-up, and both measures answered ----------------------
    dialog, keys = _open_drop_in(desk, qtbot, page)
    keys.words("Sleeping badly, worried about money")
    keys.key(Qt.Key.Key_U, ALT)  # Follow-up
    keys.key(Qt.Key.Key_1)  # 1 week, phone call
    _to_questions(keys, dialog)
    panel = dialog.pages.panel
    swemwbs, ons4 = panel.boxes["swemwbs"], panel.boxes["ons4"]
    assert swemwbs.summary.text() == "Not answered (every question may be left out)."
    _digits(keys, "432543")  # each digit answers its statement and moves on
    assert keys.focused() in swemwbs.radios["7"]
    assert swemwbs.summary.text() == "No total: an item was not answered."  # (yet)
    _digits(keys, "4")
    assert swemwbs.values() == {"1": 4, "2": 3, "3": 2, "4": 5, "5": 4, "6": 3, "7": 4}
    assert swemwbs.summary.text() == "Total 25 of 35: metric score 22.35."
    assert keys.focused() in ons4.radios["1"]  # on to ONS4's first question
    _digits(keys, "7")
    _digits(keys, "10")  # 1 then 0: ten
    keys.key(Qt.Key.Key_Down)  # the third: they would rather not say
    _digits(keys, "2")
    assert ons4.values() == {"1": 7, "2": 10, "4": 2}
    assert [ons4.bands[k].text() for k in "1234"] == ["High", "Very high", "", "Low"]
    assert "never added up" in ons4.summary.text()
    assert dialog.pages.tabText(1) == "Wellbeing &questions (SWEMWBS 25, ONS4 3 of 4)"
    assert "© NHS Health Scotland, University of Warwick and University of Edinburgh" in \
        " ".join(label.text() for label in swemwbs.findChildren(type(swemwbs.summary)))
    assert_fits(dialog)
    assert unnamed_controls(dialog) == [] and mnemonic_clashes(dialog) == {}
    keys.key(Qt.Key.Key_Tab, CTRL)  # back to the drop-in, where the keyboard was
    assert dialog.pages.currentIndex() == 0
    assert keys.focused() is dialog.f.widgets["follow_up.preset"]
    _save(qtbot, desk, page, keys, dialog)
    with desk.store.session() as s:
        conversation = s.scalars(select(Conversation)).one().id
    first = sorted(_measures(desk), key=lambda m: m.measure)
    assert [(m.measure, m.answers, m.raw_total, m.conversation_id) for m in first] == [
        ("ons4", {"1": 7, "2": 10, "4": 2}, None, conversation),
        ("swemwbs", {"1": 4, "2": 3, "3": 2, "4": 5, "5": 4, "6": 3, "7": 4}, 25,
         conversation)]

    # 2. another drop-in: a statement skipped, so no total ----------------------------
    dialog, keys = _open_drop_in(desk, qtbot, page)
    _to_questions(keys, dialog)
    swemwbs = dialog.pages.panel.boxes["swemwbs"]
    _digits(keys, "43")
    keys.key(Qt.Key.Key_Down)  # not the third
    _digits(keys, "5434")
    assert swemwbs.summary.text() == "No total: an item was not answered."
    _save(qtbot, desk, page, keys, dialog)
    skipped = _measures(desk)[-1]
    assert (skipped.measure, skipped.raw_total) == ("swemwbs", None)
    assert skipped.answers == {"1": 4, "2": 3, "4": 5, "5": 4, "6": 3, "7": 4}

    # 3. at Follow-up done: SWEMWBS again, with the follow-up's outcome ------------------
    step = _open_follow_up_done(qtbot, page)
    keys = Keyboard(qtbot)
    keys.key(Qt.Key.Key_S)  # Spoke to them
    keys.key(Qt.Key.Key_Tab)
    keys.words("Rang him; sleeping better")
    keys.key(Qt.Key.Key_Q, ALT)  # Wellbeing questions… (a mnemonic's click)
    section = step.wellbeing
    qtbot.waitUntil(section.scroll.isVisible, timeout=20_000)
    qtbot.waitUntil(lambda: keys.focused() in section.panel.boxes["swemwbs"].radios["1"],
                    timeout=20_000)
    assert_fits(step)
    assert unnamed_controls(step) == [] and mnemonic_clashes(step) == {}
    _digits(keys, "5544545")  # 32: metric 29.31
    assert section.said.text() == "SWEMWBS 32"
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        keys.key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    with desk.store.session() as s:
        fu = s.scalars(select(FollowUp)).one()
        assert fu.done_at is not None and fu.outcome == "Spoke to them: Rang him; sleeping better"
    last = _measures(desk)[-1]
    assert (last.measure, last.raw_total, last.follow_up_id, last.conversation_id) == (
        "swemwbs", 32, fu.id, None)

    # 4. the person's page: every score, the baseline marked, the change since it -------
    scores = page.wellbeing
    qtbot.waitUntil(lambda: len(scores.model.rows) == 4, timeout=20_000)
    shown = [(scores.model.columns[1][1](r), scores.model.words(r))
             for r in scores.model.rows]
    assert shown == [  # newest first
        ("SWEMWBS", "Total 32, metric 29.31: up 6.96 since baseline"),
        ("SWEMWBS", "No total (6 of 7 answered)"),
        ("ONS4", "Life satisfaction 7 (High), Worthwhile 10 (Very high), Anxiety 2 (Low) "
                 "(baseline)"),
        ("SWEMWBS", "Total 25, metric 22.35 (baseline)"),
    ]
    assert scores.change.text().startswith("SWEMWBS since the baseline (")
    assert scores.change.text().endswith(": up 6.96 metric points, 22.35 to 29.31.")
    assert scores.table.isVisibleTo(page) and not scores.empty.isVisibleTo(page)
    assert unnamed_controls(page) == [] and mnemonic_clashes(page) == {}


def test_the_keys_change_and_take_away_answers_and_a_crash_keeps_them(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Ana", "Silva")
    assert page.wellbeing.empty.isVisibleTo(page)  # nothing answered yet: said so
    assert not page.wellbeing.table.isVisibleTo(page)
    dialog, keys = _open_drop_in(desk, qtbot, page)
    _to_questions(keys, dialog)
    swemwbs = dialog.pages.panel.boxes["swemwbs"]
    _digits(keys, "43")
    keys.key(Qt.Key.Key_Up)  # back to the second statement, at its answer
    assert keys.focused() is swemwbs.groups["2"].button(3)
    keys.key(Qt.Key.Key_Right)
    assert swemwbs.values()["2"] == 4
    keys.key(Qt.Key.Key_Left)
    keys.key(Qt.Key.Key_Left)
    assert swemwbs.values()["2"] == 2
    keys.key(Qt.Key.Key_Delete)  # they would rather not say after all
    assert "2" not in swemwbs.values()
    _digits(keys, "9")  # not an answer to SWEMWBS: nothing happens
    assert swemwbs.values() == {"1": 4}
    keys.key(Qt.Key.Key_End)  # All of the time
    keys.key(Qt.Key.Key_Down)
    _digits(keys, "1")
    assert swemwbs.values() == {"1": 4, "2": 5, "3": 1}
    ons4 = dialog.pages.panel.boxes["ons4"]
    for _row in "4567":  # Tab: one stop a statement, then Clear, then ONS4
        keys.key(Qt.Key.Key_Tab)
    assert keys.focused() is swemwbs.clear_button
    keys.key(Qt.Key.Key_Tab)
    assert keys.focused() in ons4.radios["1"]
    keys.key(Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)  # back to Clear
    keys.key(Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert keys.focused() in swemwbs.radios["7"]
    keys.key(Qt.Key.Key_Down)  # down from the last statement: ONS4's first question
    assert keys.focused() in ons4.radios["1"]
    _digits(keys, "1")  # one, perhaps ten: it waits on the question
    assert ons4.values() == {"1": 1} and keys.focused() in ons4.radios["1"]
    keys.key(Qt.Key.Key_Down)  # one it is
    _digits(keys, "0")  # nought, on the second
    assert ons4.values() == {"1": 1, "2": 0}

    key = f"dropin:{page.person_id}"  # the autosave (1 s in this profile) keeps them
    qtbot.waitUntil(lambda: (_draft(desk, key) or {}).get("wellbeing") == {
        "swemwbs": {"1": 4, "2": 5, "3": 1}, "ons4": {"1": 1, "2": 0}}, timeout=20_000)
    dialog.dirty = False  # "crash": gone without a chance to ask or save
    desks.stop(desk)

    desk = desks.start(profile)
    page = desk.window.open_person(page.person_id)
    qtbot.waitUntil(lambda: page.view is not None, timeout=20_000)
    dialog, keys = _open_drop_in(desk, qtbot, page)
    qtbot.waitUntil(dialog.banner.isVisible, timeout=20_000)
    assert "restored" in dialog.banner.text()
    panel = dialog.pages.panel
    assert panel.values() == {"swemwbs": {"1": 4, "2": 5, "3": 1}, "ons4": {"1": 1, "2": 0}}
    assert dialog.pages.tabText(1) == "Wellbeing &questions (SWEMWBS, no total, ONS4 2 of 4)"
    keys.key(Qt.Key.Key_Q, ALT)
    assert keys.focused() is panel.boxes["swemwbs"].groups["1"].button(4)  # at its answer

    # a wrong answer the save sends back is said at its question, which gets the keyboard
    keys.key(Qt.Key.Key_Tab, CTRL)
    dialog.save_failed(ValidationError({"wellbeing.swemwbs.3": "Question 3: choose 1 to 5."}))
    swemwbs = panel.boxes["swemwbs"]
    assert dialog.pages.currentIndex() == 1 and keys.focused() in swemwbs.radios["3"]
    assert swemwbs.error.isVisibleTo(dialog) and swemwbs.error.text() == \
        "Question 3: choose 1 to 5."
    assert swemwbs.texts["3"].property("error") == "true"
    clear = panel.boxes["swemwbs"].clear_button
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert panel.values()["swemwbs"] == {}
    assert QApplication.focusWidget() is not None


def test_a_follow_up_where_they_were_not_reached_keeps_no_answers(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Lee", "Chan")
    dialog, keys = _open_drop_in(desk, qtbot, page)
    keys.key(Qt.Key.Key_U, ALT)
    keys.key(Qt.Key.Key_1)
    _save(qtbot, desk, page, keys, dialog)

    step = _open_follow_up_done(qtbot, page)
    keys = Keyboard(qtbot)
    keys.key(Qt.Key.Key_N)  # No answer, try again
    keys.key(Qt.Key.Key_Q, ALT)
    section = step.wellbeing
    qtbot.waitUntil(section.scroll.isVisible, timeout=20_000)
    qtbot.waitUntil(lambda: keys.focused() in section.panel.boxes["swemwbs"].radios["1"],
                    timeout=20_000)
    _digits(keys, "3")
    qtbot.waitUntil(section.error.isVisible, timeout=20_000)  # said as they answer
    assert "they were not reached" in section.error.text()
    keys.key(Qt.Key.Key_Return)  # refused: the keyboard stays at the questions
    assert step.isVisible() and keys.focused() in section.panel.boxes["swemwbs"].radios["1"]
    qtbot.mouseClick(section.panel.boxes["swemwbs"].clear_button, Qt.MouseButton.LeftButton)
    assert not section.error.isVisible()
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.mouseClick(step.save_button, Qt.MouseButton.LeftButton)
    assert _measures(desk) == []


def test_the_page_hears_a_measure_recorded_for_its_person_elsewhere(qtbot, desks, profile):
    desk = desks.start(profile)
    other = open_person(desk, qtbot, "Sam", "Reid")
    page = open_person(desk, qtbot, "Kim", "Ward")
    advisor = desk.window.desk.advisor_id
    pid = page.person_id

    def measured(s):  # as a sync pull or another form would write it
        return wellbeing.record(s, pid, "ons4", {"1": 6}, advisor, "walton")

    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    other_loads: list = []
    other.wellbeing.loaded.connect(lambda: other_loads.append(1))
    with qtbot.waitSignal(page.wellbeing.loaded, timeout=20_000):
        desk.tasks.run(measured)
    assert [page.wellbeing.model.words(r) for r in page.wellbeing.model.rows] == [
        "Life satisfaction 6 (Medium) (baseline)"]
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    assert other_loads == []  # someone else's page does not read theirs again


def test_follow_up_done_keeps_the_answers_in_its_draft(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Jas", "Kaur")
    dialog, keys = _open_drop_in(desk, qtbot, page)
    keys.key(Qt.Key.Key_U, ALT)
    keys.key(Qt.Key.Key_1)
    _save(qtbot, desk, page, keys, dialog)
    step = _open_follow_up_done(qtbot, page)
    keys = Keyboard(qtbot)
    keys.key(Qt.Key.Key_Q, ALT)
    section = step.wellbeing
    qtbot.waitUntil(lambda: keys.focused() in section.panel.boxes["swemwbs"].radios["1"],
                    timeout=20_000)
    _digits(keys, "45")
    key = step.draft_key
    qtbot.waitUntil(lambda: ((_draft(desk, key) or {}).get("wellbeing") or {}).get(
        "swemwbs") == {"1": 4, "2": 5}, timeout=20_000)
    step.dirty = False  # "crash"
    desks.stop(desk)

    desk = desks.start(profile)
    page = desk.window.open_person(page.person_id)
    qtbot.waitUntil(lambda: page.view is not None, timeout=20_000)
    step = _open_follow_up_done(qtbot, page)
    qtbot.waitUntil(step.banner.isVisible, timeout=20_000)
    section = step.wellbeing
    assert section.scroll.isVisible()  # opened again, as it was left
    assert section.values() == {"swemwbs": {"1": 4, "2": 5}, "ons4": {}}
    assert section.said.text() == "SWEMWBS, no total"
