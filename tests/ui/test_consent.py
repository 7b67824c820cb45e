"""Consent on the person's page, driven through the real widgets: recording consent to
share with a partner (and seeing it after the desk is reopened), a referral held back
without it (the reason in the form, the typing kept), recording it from there and then
sending, and withdrawing it from the page, which holds the referral back again."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from lr_desk.services import consent
from lr_desk.services.reference import example_id
from lr_desk.store.models import Consent, Referral
from lr_desk.ui.consent import ConsentDialog
from lr_desk.ui.person import PersonPage
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
from tests.ui.test_dropin_keys import ALT, Keyboard, _ready, open_person
from tests.ui.test_person_page import (
    ADVISOR,
    PARTNER,
    SERVICE,
    _choose,
    _entry,
    _open_drop_in,
    _referral_and_follow_up,
    _save_button,
    _save_drop_in,
    _select_entry,
    _step_dialog,
)

NOT_AGREED = (f"Jo has not agreed to share their information with {PARTNER}. "
              "Record their consent first.")
SHARE = f"Share their information with {PARTNER}"
CTRL = Qt.KeyboardModifier.ControlModifier


def agree_to_share(desk, person_id: str, partner: str = PARTNER) -> None:
    """Record, through the service, the person's consent to share with a partner of the
    example directory (for tests about something else that send a referral)."""
    with desk.store.session() as s:
        consent.record(s, person_id, desk.window.desk.advisor_id,
                       {"kind": "share", "partner_id": example_id("partner", partner)})


# -- helpers ----------------------------------------------------------------------------


def _in_force(page: PersonPage) -> list[tuple[str, str, str, str]]:
    model = page.consent.model
    return [tuple(model.index(r, c).data() for c in range(4)) for r in range(model.rowCount())]


def _consent_dialog(qtbot, parent) -> ConsentDialog:
    """The one consent form open over ``parent``, with the keyboard and its lists read."""
    dialogs = [d for d in parent.findChildren(ConsentDialog) if d.isVisible()]
    assert len(dialogs) == 1, f"{len(dialogs)} consent forms open"
    qtbot.waitUntil(dialogs[0].isActiveWindow, timeout=10_000)
    qtbot.waitUntil(lambda: dialogs[0].partner_ids is not None, timeout=10_000)
    qtbot.waitUntil(lambda: dialogs[0].tasks.pending == 0, timeout=10_000)  # draft look-up
    return dialogs[0]


def _save_consent(qtbot, page: PersonPage, dialog: ConsentDialog) -> None:
    """Ctrl+S, then wait for the page's consent section to show what was saved."""
    with qtbot.waitSignal(page.consent.loaded, timeout=10_000):
        qtbot.keyClick(dialog.f.widgets["note"], Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: page.tasks.pending == 0, timeout=10_000)


def _press(qtbot, button) -> None:
    """Press a button from the keyboard: to it (as Tab or its Alt+letter would), Space."""
    button.window().activateWindow()
    qtbot.waitUntil(button.window().isActiveWindow, timeout=10_000)
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)


def _today() -> str:
    return f"{date.today():%d %b %Y}"


# -- the tests ----------------------------------------------------------------------------


def test_consent_to_share_recorded_from_the_keyboard_is_on_the_page_after_reopening(
        qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Jo", "Lee")
    assert _in_force(page) == [] and not page.consent.empty.isHidden()
    assert not page.consent.withdraw_button.isEnabled()  # nothing to withdraw

    # Record consent… opens the form; the keyboard does the rest
    _press(qtbot, page.consent.record_button)
    dialog = _consent_dialog(qtbot, page)
    assert unnamed_controls(dialog) == [] and mnemonic_clashes(dialog) == {}
    kind, partner = dialog.f.widgets["kind"], dialog.f.widgets["partner_id"]
    assert kind.hasFocus()
    assert not partner.isEnabled()  # only consent to share is with a partner
    qtbot.keyClicks(kind, "S")  # Share their information with a partner
    assert kind.currentData() == "share" and partner.isEnabled()
    assert not any(box.isEnabled() for box in dialog.ways.values())  # only for contact

    # Save with no partner chosen: said at the field, the form stays open
    qtbot.keyClicks(dialog.f.widgets["note"], "Signed the form at the desk")
    qtbot.keyClick(dialog.f.widgets["note"], Qt.Key.Key_S, CTRL)
    assert dialog.f.errors["partner_id"].text() == "Choose the partner this is about."
    assert partner.hasFocus() and dialog.isVisible()
    for _ in range(partner.count()):  # Down arrow to the partner
        if partner.currentText() == PARTNER:
            break
        qtbot.keyClick(partner, Qt.Key.Key_Down)
    assert partner.currentText() == PARTNER
    assert dialog.f.widgets["date"].text() == f"{date.today():%d/%m/%Y}"  # today unless told
    _save_consent(qtbot, page, dialog)

    assert _in_force(page) == [(SHARE, "Given", _today(), ADVISOR)]
    assert page.consent.model.index(0, 4).data() == "Signed the form at the desk"
    person_id = page.person_id

    # closed and opened again: still there
    desks.stop(desk)
    desk = desks.start(profile)
    with qtbot.waitSignal(desk.window.person_opened, timeout=10_000) as opened:
        desk.window.open_person(person_id)
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None, timeout=10_000)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    assert _in_force(page) == [(SHARE, "Given", _today(), ADVISOR)]


def test_contact_needs_a_way_and_is_shown_with_its_ways(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Jo", "Lee")
    qtbot.mouseClick(page.consent.record_button, Qt.MouseButton.LeftButton)
    dialog = _consent_dialog(qtbot, page)
    qtbot.keyClicks(dialog.f.widgets["kind"], "B")  # Be contacted
    assert dialog.f.widgets["kind"].currentData() == "contact"
    qtbot.keyClick(dialog.f.widgets["note"], Qt.Key.Key_S, CTRL)
    assert dialog.ways_error.text() == "Tick at least one way they are happy to be contacted."
    assert dialog.ways["phone"].hasFocus()
    qtbot.keyClick(dialog.ways["phone"], Qt.Key.Key_Space)
    assert dialog.ways_error.isHidden()  # answered as they tick
    qtbot.keyClick(dialog.ways["phone"], Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.ways["text"], Qt.Key.Key_Tab)
    assert dialog.ways["email"].hasFocus()
    qtbot.keyClick(dialog.ways["email"], Qt.Key.Key_Space)
    assert dialog.ways["email"].isChecked()
    _save_consent(qtbot, page, dialog)
    assert _in_force(page) == [("Be contacted by phone call, email", "Given", _today(),
                                ADVISOR)]


def test_a_referral_blocked_without_consent(qtbot, desks, profile):
    """The drop-in: Sent without consent to share is said at once, in place, where Sent
    was chosen; Save is refused with the reason, the form stays open with everything
    typed; consent recorded on the person's page meanwhile counts in the open form at
    once, and the same form then saves and the referral is sent."""
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Jo", "Lee")
    _ready(qtbot, desk, page)
    page.dropin_button.setFocus()
    keys = Keyboard(qtbot)
    keys.key(Qt.Key.Key_D, CTRL)
    dialog = _open_drop_in(desk, qtbot, page)
    _ready(qtbot, desk, dialog)
    keys.words("Sorting the rent out")
    keys.key(Qt.Key.Key_A, ALT)
    keys.words("benefits")
    keys.key(Qt.Key.Key_Return)
    keys.key(Qt.Key.Key_H, ALT)
    keys.words("Letters keep coming")
    panel = dialog.panel
    assert panel.consent_message.isHidden() and panel.consent.isHidden()
    keys.key(Qt.Key.Key_R, ALT)
    keys.key(Qt.Key.Key_End)  # Sent
    # said at once, where Sent was chosen, with the tick box to record it there
    qtbot.waitUntil(panel.consent.isVisible, timeout=10_000)
    assert panel.consent_message.text() == NOT_AGREED.replace(
        "Record their consent first.", "Tick below if they agree now.")
    assert panel.consent.accessibleName() == (
        f"They agree to share their information with {PARTNER}")
    keys.key(Qt.Key.Key_Up)  # Agreed needs no consent yet
    assert panel.consent_message.isHidden() and panel.consent.isHidden()
    keys.key(Qt.Key.Key_End)
    assert panel.consent.isVisible()

    # Save: refused, the reason shown, nothing typed lost
    keys.key(Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: not dialog.items_error.isHidden(), timeout=10_000)
    assert dialog.items_error.text() == f"Item 1: {NOT_AGREED}"
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert dialog.f.widgets["conversation.what_matters"].toPlainText() == "Sorting the rent out"
    assert dialog.items.item(0).data(Qt.ItemDataRole.UserRole)["why"] == "Letters keep coming"
    with desk.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Referral)) == 0

    # consent recorded on the person's page (a colleague, say): the form hears it at once
    page.window().activateWindow()
    qtbot.waitUntil(page.window().isActiveWindow, timeout=10_000)
    qtbot.mouseClick(page.consent.record_button, Qt.MouseButton.LeftButton)
    form = _consent_dialog(qtbot, page)
    qtbot.keyClicks(form.f.widgets["kind"], "S")
    _choose(form.f.widgets["partner_id"], PARTNER)
    qtbot.keyClicks(form.f.widgets["note"], "Happy for them to have my details")
    _save_consent(qtbot, page, form)
    assert _in_force(page) == [(SHARE, "Given", _today(), ADVISOR)]
    qtbot.waitUntil(panel.consent.isHidden, timeout=10_000)
    assert panel.consent_message.isHidden()

    _save_drop_in(desk, qtbot, page, dialog)
    referral = _entry(page, "referral")
    assert referral.title == f"Referral to {PARTNER} ({SERVICE}): Sent"
    with desk.store.session() as s:  # the one consent, from the page: none recorded twice
        assert s.scalar(select(func.count()).select_from(Consent)) == 1


def test_withdrawn_from_the_page_the_referral_step_is_held_back_again(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Jo", "Lee")
    agree_to_share(desk, page.person_id)
    _referral_and_follow_up(desk, qtbot, page, status="Agreed")
    assert _in_force(page) == [(SHARE, "Given", _today(), ADVISOR)]

    # withdraw: select it from the keyboard, Withdraw…, say why, Ctrl+S
    page.consent.table.setFocus()
    qtbot.keyClick(page.consent.table, Qt.Key.Key_Down)
    assert page.consent.withdraw_button.isEnabled()
    _press(qtbot, page.consent.withdraw_button)
    form = _consent_dialog(qtbot, page)
    assert form.f.widgets["given"].currentData() == "withdrawn"
    assert form.f.widgets["partner_id"].currentText() == PARTNER
    assert form.f.widgets["note"].hasFocus()
    qtbot.keyClicks(form.f.widgets["note"], "Changed their mind")
    _save_consent(qtbot, page, form)
    assert _in_force(page) == [(SHARE, "Withdrawn or refused", _today(), ADVISOR)]
    model = page.consent.model
    assert model.index(0, 4).data() == "Changed their mind"
    assert model.index(0, 5).data() == f"{_today()}: Given ({ADVISOR})"  # its history
    assert not page.consent.withdraw_button.isEnabled()  # withdrawn already

    # Update referral -> Sent: held back, the reason under the status, the note kept
    _select_entry(qtbot, page, lambda e: e.kind == "referral")
    qtbot.mouseClick(page.referral_button, Qt.MouseButton.LeftButton)
    step = _step_dialog(page, qtbot)
    _choose(step.f.widgets["status"], "Sent")
    qtbot.keyClicks(step.f.widgets["note"], "Emailed their form")
    qtbot.mouseClick(_save_button(step), Qt.MouseButton.LeftButton)
    message = step.f.errors["status"]
    qtbot.waitUntil(lambda: not message.isHidden(), timeout=10_000)
    assert message.text() == (
        f"Jo withdrew their consent to share their information with {PARTNER} on "
        f"{_today()}. Record their consent again first.")
    assert step.isVisible() and step.f.widgets["status"].hasFocus()
    assert step.f.widgets["note"].toPlainText() == "Emailed their form"
    assert _entry(page, "referral").referral_status == "agreed"

    # consent given again from the step's own button, then the step saves
    assert unnamed_controls(step) == [] and mnemonic_clashes(step) == {}
    _press(qtbot, step.consent_offer.button)
    form = _consent_dialog(qtbot, step)
    assert form.f.widgets["given"].currentData() == "given"
    _save_consent(qtbot, page, form)
    assert _in_force(page)[0][1] == "Given"
    assert message.isHidden()
    step.activateWindow()  # back in the step's form, as closing the one over it leaves it
    qtbot.waitUntil(step.isActiveWindow, timeout=10_000)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.keyClick(step.f.widgets["note"], Qt.Key.Key_S, CTRL)
    assert _entry(page, "referral").referral_status == "sent"
