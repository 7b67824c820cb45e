"""The standard drop-in at the keyboard, counted: two needs, a course, a partner referral
that needs the person's consent (recorded in place), and a follow-up, in at most 25
keystrokes beyond the words typed. Every key goes to the widget that has the focus, as a
person's keyboard would send it; nothing is set on a widget directly. Then what was saved
is read back from the database."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from lr_desk.services import choices
from lr_desk.services.reference import example_id
from lr_desk.store.models import (
    Consent,
    Conversation,
    ConversationNeed,
    FollowUp,
    PrescriptionItem,
    Referral,
)
from lr_desk.ui.dropin import DropInDialog
from tests.ui.screen import assert_fits

PARTNER = "Example Advice Centre (debt and benefits)"
SERVICE = "Benefits and debt drop-in"
COURSE = "Understanding Anxiety"
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
BUDGET = 25


class Keyboard:
    """Types into whatever has the focus, and counts the keystrokes that are not words:
    Tab, Enter, Space, arrows, a letter that jumps, Alt+letter, Ctrl+D..."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.count = 0
        self.pressed: list[str] = []

    def focused(self):
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard"
        return widget

    def key(self, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        """One keystroke, counted."""
        widget = self.focused()
        self.count += 1
        self.pressed.append(f"{modifier.name}+{key.name}" if modifier.value else key.name)
        self.qtbot.keyClick(widget, key, modifier)

    def words(self, text: str) -> None:
        """Words typed (what matters, a search, their why): not counted."""
        assert any(c.isalpha() for c in text), "words are words"
        self.qtbot.keyClicks(self.focused(), text)


def open_person(desk, qtbot, given: str, family: str):
    """Register someone and wait for their page (opened as the desk opens it)."""
    form = desk.window.new_person({})
    qtbot.keyClicks(form.f.widgets["given_name"], given)
    qtbot.keyClicks(form.f.widgets["family_name"], family)
    with qtbot.waitSignal(desk.window.person_opened, timeout=20_000) as opened:
        form.save()
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None, timeout=20_000)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    return page


def _dialog(desk) -> DropInDialog:
    found = [d for d in desk.window.editors if isinstance(d, DropInDialog) and d.isVisible()]
    assert found, "the drop-in form did not open"
    return found[-1]


def _ready(qtbot, desk, widget) -> None:
    widget.window().activateWindow()
    qtbot.waitUntil(widget.window().isActiveWindow, timeout=20_000)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)


STATUS_KEYS = {"Suggested": [Qt.Key.Key_Down], "Agreed": [Qt.Key.Key_Down] * 2,
               "Sent": [Qt.Key.Key_End]}  # from Not referred, in the Referral box


def referral_drop_in(desk, qtbot, page, status: str = "Suggested", due: date | None = None,
                     what_matters: str = "", why: str = "") -> DropInDialog:
    """Record from the keyboard a drop-in that refers to SERVICE (at ``status``, the
    person's consent to share recorded in place if Sent needs it) with a follow-up due on
    ``due`` (a phone call; none if None); wait until the page shows it."""
    _ready(qtbot, desk, page)
    page.dropin_button.setFocus()
    keys = Keyboard(qtbot)
    keys.key(Qt.Key.Key_D, CTRL)
    dialog = _dialog(desk)
    _ready(qtbot, desk, dialog)
    if what_matters:
        keys.words(what_matters)
    keys.key(Qt.Key.Key_A, ALT)
    keys.words("benefits")
    assert dialog.picker.current().title == SERVICE
    keys.key(Qt.Key.Key_Return)
    if why:
        keys.key(Qt.Key.Key_H, ALT)
        keys.words(why)
    keys.key(Qt.Key.Key_R, ALT)
    for key in STATUS_KEYS[status]:
        keys.key(key)
    if dialog.panel.consent.isVisible():
        keys.key(Qt.Key.Key_G, ALT)
        qtbot.waitUntil(dialog.panel.consent.isChecked, timeout=20_000)
    if due is not None:
        keys.key(Qt.Key.Key_U, ALT)
        keys.key(Qt.Key.Key_End)  # Another date or way: the date box has the keyboard
        keys.words(due.strftime("%d %b %Y"))
    with qtbot.waitSignal(page.loaded, timeout=20_000), \
            qtbot.waitSignal(dialog.saved, timeout=20_000):
        keys.key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    return dialog


def test_the_standard_drop_in_takes_at_most_25_keystrokes(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Jo", "Lee")
    _ready(qtbot, desk, page)
    keys = Keyboard(qtbot)
    page.dropin_button.setFocus()  # the page as it opens, Record a drop-in at hand

    keys.key(Qt.Key.Key_D, CTRL)
    dialog = _dialog(desk)
    _ready(qtbot, desk, dialog)
    assert keys.focused() is dialog.f.widgets["conversation.what_matters"]
    keys.words("Money worries, and I hardly see anyone")

    keys.key(Qt.Key.Key_Tab)  # to the needs
    keys.key(Qt.Key.Key_D)  # jumps to Debt and benefits
    keys.key(Qt.Key.Key_Space)
    keys.key(Qt.Key.Key_S)  # jumps to Social isolation
    keys.key(Qt.Key.Key_Space)
    assert dialog.needs.values() == ["debt_benefits", "social_isolation"]

    keys.key(Qt.Key.Key_A, ALT)  # Add from the directory
    keys.words("anxiety")
    first = dialog.picker.results.item(0).text()
    assert first.startswith(COURSE) and "Mondays 10:00 to 12:00" in first  # when, shown
    assert dialog.picker.box.accessibleDescription().startswith(COURSE)  # and heard
    keys.key(Qt.Key.Key_Return)
    keys.words("benefits")
    assert dialog.picker.results.item(0).text().startswith(SERVICE + " (example)\n")
    keys.key(Qt.Key.Key_Return)
    assert dialog.items.rowCount() == 2

    keys.key(Qt.Key.Key_H, ALT)  # their why, for the service chosen
    keys.words("Letters keep coming")
    keys.key(Qt.Key.Key_R, ALT)  # Referral
    keys.key(Qt.Key.Key_End)  # Sent to the partner
    panel = dialog.panel
    qtbot.waitUntil(panel.consent.isVisible, timeout=20_000)
    assert "has not agreed to share their information with " + PARTNER in \
        panel.consent_message.text()
    keys.key(Qt.Key.Key_G, ALT)  # they agree to share: recorded in place
    qtbot.waitUntil(panel.consent.isChecked, timeout=20_000)  # (a mnemonic's click)

    keys.key(Qt.Key.Key_U, ALT)  # Follow-up
    keys.key(Qt.Key.Key_2)  # 2 weeks, phone call
    due = choices.due_on(date.today(), 14)
    assert dialog.f.widgets["follow_up.due_date"].text() == due.strftime("%d/%m/%Y")

    with qtbot.waitSignal(dialog.saved, timeout=20_000):
        keys.key(Qt.Key.Key_Return)  # Enter saves
    print(f"standard drop-in: {keys.count} keystrokes beyond the words: {keys.pressed}")
    assert keys.count <= BUDGET, keys.pressed

    with desk.store.session() as s:
        conv = s.scalars(select(Conversation)).one()
        assert conv.what_matters == "Money worries, and I hardly see anyone"
        assert set(s.scalars(select(ConversationNeed.category))) == {
            "debt_benefits", "social_isolation"}
        items = {i.title: i for i in s.scalars(select(PrescriptionItem))}
        assert set(items) == {COURSE, SERVICE}
        assert items[COURSE].course_id == example_id("course", COURSE, "walton")
        assert items[SERVICE].service_id == example_id("service", PARTNER, SERVICE)
        assert items[SERVICE].why == "Letters keep coming"
        referral = s.scalars(select(Referral)).one()
        assert (referral.item_id, referral.status) == (items[SERVICE].id, "sent")
        agreed = s.scalars(select(Consent)).one()
        assert (agreed.kind, agreed.partner_id, agreed.given) == (
            "share", example_id("partner", PARTNER), True)
        follow = s.scalars(select(FollowUp)).one()
        assert (follow.due_date, follow.way, follow.conversation_id) == (due, "call", conv.id)


def test_the_form_fits_the_hub_screens_and_reopens_at_its_size(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Ann", "Lee")
    dialog = desk.window.record_drop_in(page.view.person)
    _ready(qtbot, desk, dialog)
    assert_fits(dialog)
    dialog.resize(760, 520)  # (the test screen is 800x600)
    dialog.dirty = False
    dialog.reject()
    again = desk.window.record_drop_in(page.view.person)
    assert (again.width(), again.height()) == (760, 520)
