"""The whole drop-in, driven through the real widgets, then a restart on the same folder."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

from lr_desk.ui.dropin import DropInDialog
from lr_desk.ui.people import PersonDialog
from lr_desk.ui.person import PersonPage
from tests.ui.test_dropin_keys import ALT, Keyboard, _ready


def _current_dialog(desk, kind):
    dialogs = [d for d in desk.window.editors if isinstance(d, kind) and d.isVisible()]
    assert dialogs, f"no {kind.__name__} open"
    return dialogs[-1]


def test_register_converse_prescribe_refer_follow_up_restart_and_find(qtbot, desks, profile):
    desk = desks.start(profile)
    window = desk.window
    follow_up_day = date.today() + timedelta(days=7)

    # Register: Ctrl+N opens the new-person form
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    person_dialog = _current_dialog(desk, PersonDialog)
    w = person_dialog.f.widgets
    qtbot.keyClicks(w["given_name"], "Margaret")
    qtbot.keyClicks(w["family_name"], "Fitzgerald")
    qtbot.keyClicks(w["preferred_name"], "Peggy")
    qtbot.keyClicks(w["date_of_birth"], "3 Apr 1957")
    qtbot.keyClicks(w["postcode"], "l92af")
    qtbot.keyClicks(w["phone"], "0151 496 0123")
    w["needs_large_print"].setChecked(True)
    with qtbot.waitSignal(window.person_opened, timeout=10_000) as opened:
        qtbot.mouseClick(person_dialog.save_button, Qt.MouseButton.LeftButton)
    page: PersonPage = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None, timeout=10_000)
    assert page.heading.text() == "Peggy Fitzgerald"
    assert "L9 2AF" in page.details.text()
    assert "Large print" in page.comms.text()

    # Record the drop-in from the person page, from the keyboard
    _ready(qtbot, desk, page)
    page.dropin_button.setFocus()
    keys = Keyboard(qtbot)
    keys.key(Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dialog = _current_dialog(desk, DropInDialog)
    _ready(qtbot, desk, dialog)
    keys.words("Getting out of the house and sorting my gas bill")
    keys.key(Qt.Key.Key_P, ALT)
    keys.words("Seemed low; lives alone")
    keys.key(Qt.Key.Key_N, ALT)  # the needs: a letter jumps, Space ticks
    keys.key(Qt.Key.Key_S)
    keys.key(Qt.Key.Key_Space)
    keys.key(Qt.Key.Key_D)
    keys.key(Qt.Key.Key_Space)
    assert dialog.needs.values() == ["debt_benefits", "social_isolation"], keys.focused()

    keys.key(Qt.Key.Key_A, ALT)
    keys.words("anxiety")
    keys.key(Qt.Key.Key_Return)
    keys.key(Qt.Key.Key_H, ALT)
    keys.words("To understand my worry")
    keys.key(Qt.Key.Key_F, ALT)
    keys.words("Book the first session")
    keys.key(Qt.Key.Key_A, ALT)
    keys.words("benefits")
    keys.key(Qt.Key.Key_Return)
    keys.key(Qt.Key.Key_H, ALT)
    keys.words("The gas bill")
    keys.key(Qt.Key.Key_F, ALT)
    keys.words("Go on Tuesday")
    keys.key(Qt.Key.Key_R, ALT)
    keys.key(Qt.Key.Key_Down)
    keys.key(Qt.Key.Key_Down)  # Agreed
    assert dialog.items.rowCount() == 2

    keys.key(Qt.Key.Key_U, ALT)
    keys.key(Qt.Key.Key_End)  # Another date or way
    keys.words(follow_up_day.strftime("%d %b %Y"))
    keys.key(Qt.Key.Key_T, ALT)
    keys.words("1030am")  # read as 10:30
    with qtbot.waitSignal(dialog.saved, timeout=20_000):
        keys.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(e.kind == "referral" for e in page.timeline.entries),
                    timeout=20_000)

    # Restart the app on the same folder
    desks.stop(desk)
    desk = desks.start(profile)
    window = desk.window

    # Find her by a mistyped surname, Enter opens her
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    people = window.people
    assert people.query.hasFocus() or window.tabs.currentWidget() is people
    with qtbot.waitSignal(desk.search.results, timeout=10_000):
        qtbot.keyClicks(people.query, "Fitzgreald")
    qtbot.waitUntil(lambda: people.model.rowCount() >= 1, timeout=10_000)
    assert people.model.hits[0].entry.family_name == "Fitzgerald"
    with qtbot.waitSignal(window.person_opened, timeout=10_000) as opened:
        qtbot.keyClick(people.query, Qt.Key.Key_Return)
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None, timeout=10_000)

    titles = [e.title for e in page.timeline.entries]
    details = "\n".join(e.detail for e in page.timeline.entries)
    assert "Conversation" in titles
    assert "Needs: Debt and benefits, Social isolation" in details
    assert "What matters: Getting out of the house and sorting my gas bill" in details
    assert any("Recovery College course: Understanding Anxiety" in t for t in titles)
    assert any("Partner service: Benefits and debt drop-in" in t for t in titles)
    assert any(t.startswith("Referral to Example Advice Centre") and t.endswith("Agreed")
               for t in titles)
    assert any(t.startswith(f"Follow-up due {follow_up_day:%a %d %b %Y} at 10:30") for t in titles)

    # On the due date, the follow-up shows on Today
    today_page = window.today
    today_page.today = lambda: follow_up_day
    with qtbot.waitSignal(today_page.loaded, timeout=10_000):
        today_page.reload()
    names = [r.person_name for r in today_page.follow_ups.rows]
    assert "Peggy Fitzgerald" in names
    # ...and not the day before it is due
    today_page.today = lambda: follow_up_day - timedelta(days=1)
    with qtbot.waitSignal(today_page.loaded, timeout=10_000):
        today_page.reload()
    assert "Peggy Fitzgerald" not in [r.person_name for r in today_page.follow_ups.rows]
