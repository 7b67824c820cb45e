"""Eligibility and load at the point of referral, driven as an advisor would: the picker
marks a service the person cannot be referred to, with its reason; choosing it shows the
reason at the item with similar services beside it (Alt+1 swaps to one); referring all
the same asks for a reason, which is saved and read back."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from sqlalchemy import select

from lr_desk.services import eligibility_override
from lr_desk.services.reference import example_id
from lr_desk.store.clock import utcnow
from lr_desk.store.models import Advisor, Person, PrescriptionItem, Referral
from tests.services.test_eligibility_load import refer
from tests.ui.screen import assert_fits
from tests.ui.test_dropin_keys import ALT, CTRL, Keyboard, _dialog, _ready, open_person

PARTNER = "Example Advice Centre (debt and benefits)"
WALTON = "Benefits and debt drop-in"
BOOTLE = "Benefits and debt drop-in (Bootle)"
NOT_IN_SEFTON = "Sefton residents only: this person's postcode (L4) is in Liverpool"


def _services(desk, **rules) -> None:
    """Give the Walton debt service ``rules`` (catchment, takes...)."""
    from lr_desk.store.models import PartnerService

    with desk.store.session() as s:
        service = s.get(PartnerService, example_id("service", PARTNER, WALTON))
        for key, value in rules.items():
            setattr(service, key, value)


def _open(desk, qtbot, given: str):
    page = open_person(desk, qtbot, given, "Lee")
    with desk.store.session() as s:  # they live in Liverpool
        s.get(Person, page.view.person.id).postcode = "L4 1AB"
    _ready(qtbot, desk, page)
    keys = Keyboard(qtbot)
    page.dropin_button.setFocus()
    keys.key(Qt.Key.Key_D, CTRL)
    dialog = _dialog(desk)
    _ready(qtbot, desk, dialog)
    qtbot.waitUntil(lambda: dialog.checks.checker is not None, timeout=20_000)
    return page, dialog, keys


def test_an_ineligible_service_says_why_and_offers_a_similar_one(qtbot, desks, profile):
    desk = desks.start(profile)
    _services(desk, catchment="Sefton")
    _page, dialog, keys = _open(desk, qtbot, "Ann")

    keys.key(Qt.Key.Key_A, ALT)
    keys.words("benefits and debt")
    dialog.grab().save("/tmp/dropin_picker.png")
    rows = [dialog.picker.results.item(r).text() for r in range(2)]
    assert rows[0].startswith(WALTON + " (example)\nNot eligible: " + NOT_IN_SEFTON)
    assert rows[1].startswith(BOOTLE + " (example)\nService · ")  # nothing to say
    assert NOT_IN_SEFTON in dialog.picker.results.item(0).toolTip()
    keys.key(Qt.Key.Key_Return)  # chosen all the same: the reason is at the item

    panel = dialog.panel
    assert panel.checks.isVisible()
    assert panel.checks.text() == "Not eligible: " + NOT_IN_SEFTON
    assert panel.similar_buttons[0].isVisible()
    assert panel.similar_buttons[0].text() == "&1 " + BOOTLE
    assert not panel.similar_buttons[1].isVisible()
    assert_fits(dialog)
    dialog.grab().save("/tmp/dropin_eligibility.png")
    long_name = "Benefits, debt and money advice drop-in for carers and their families"
    verdict = dialog.checks.checker.check(example_id("service", PARTNER, WALTON))
    panel.show_checks(verdict, [("x", long_name)])  # a long name: cut short, whole in its tip
    assert panel.similar_buttons[0].text().endswith("…")
    assert long_name in panel.similar_buttons[0].toolTip()
    assert_fits(dialog)
    dialog.checks.show()

    keys.key(Qt.Key.Key_H, ALT)
    keys.words("Letters keep coming")
    keys.key(Qt.Key.Key_1, ALT)  # the similar one instead, their words kept
    qtbot.waitUntil(lambda: dialog.items.item(0).text() == "Partner service: " + BOOTLE,
                    timeout=20_000)  # (a mnemonic's click)
    assert dialog.items.rowCount() == 1
    assert panel.heading.text() == BOOTLE
    assert panel.f.widgets["why"].text() == "Letters keep coming"
    assert not panel.checks.isVisible() and not panel.similar.isVisible()
    assert keys.focused() is panel.f.widgets["referral"]


def test_referring_all_the_same_asks_for_a_reason_which_is_saved(qtbot, desks, profile):
    desk = desks.start(profile)
    _services(desk, takes=1, capacity_confirmed_on=date.today())
    other = open_person(desk, qtbot, "Bo", "Kaur").view.person.id
    with desk.store.session() as s:  # someone else was referred there this month
        advisor = s.scalars(select(Advisor.id)).first()
        refer(s, other, advisor, example_id("service", PARTNER, WALTON),
              [("sent", utcnow())])
    _page, dialog, keys = _open(desk, qtbot, "Cat")
    full = "1 referred this month, takes 1"

    keys.key(Qt.Key.Key_A, ALT)
    keys.words("benefits and debt")
    assert dialog.picker.results.item(0).text().startswith(f"{WALTON} (example)\nFull: {full}")
    keys.key(Qt.Key.Key_Return)
    panel = dialog.panel
    reason = panel.f.widgets["override_reason"]
    assert panel.checks.text() == f"Full: {full}"
    assert not reason.isVisible()  # not referred yet: nothing to go past
    keys.key(Qt.Key.Key_R, ALT)
    keys.key(Qt.Key.Key_Down)  # Suggested
    assert reason.isVisible() and reason.isEnabled()
    assert not panel.f.errors["override_reason"].isVisible()  # asked by being there

    keys.key(Qt.Key.Key_S, CTRL)  # refused until they say why
    qtbot.waitUntil(lambda: keys.focused() is reason, timeout=20_000)
    assert panel.f.errors["override_reason"].text() == eligibility_override.ASK
    dialog.grab().save("/tmp/dropin_override.png")
    keys.words("They are in crisis; the partner agreed by phone")
    with qtbot.waitSignal(dialog.saved, timeout=20_000):
        keys.key(Qt.Key.Key_S, CTRL)
    with desk.store.session() as s:
        item = s.scalars(select(PrescriptionItem).where(PrescriptionItem.title == WALTON)).one()
        referral = s.scalars(select(Referral).where(Referral.item_id == item.id)).one()
        assert (referral.status, referral.override_warnings, referral.override_reason) == (
            "suggested", full, "They are in crisis; the partner agreed by phone")


def test_the_checks_follow_what_changes_while_the_form_is_open(qtbot, desks, profile):
    from lr_desk.store.models import PartnerService

    desk = desks.start(profile)
    _page, dialog, keys = _open(desk, qtbot, "Dee")
    service_id = example_id("service", PARTNER, WALTON)
    assert dialog.checks.checker.check(service_id).mark == ""
    keys.key(Qt.Key.Key_A, ALT)
    keys.words("benefits and debt")
    keys.key(Qt.Key.Key_Return)
    assert not dialog.panel.checks.isVisible()

    def pause(s):  # saved elsewhere on the desk (or pulled from another desk)
        s.get(PartnerService, service_id).capacity = "closed"

    desk.tasks.run(pause)
    qtbot.waitUntil(lambda: dialog.panel.checks.isVisible(), timeout=20_000)
    assert dialog.panel.checks.text() == "Closed: Closed to referrals"
    keys.words("benefits and debt")
    assert dialog.picker.results.item(0).text().startswith(
        f"{WALTON} (example)\nClosed: Closed to referrals")


def test_the_save_asks_for_the_reason_when_the_checks_were_not_read(qtbot, desks, profile):
    desk = desks.start(profile)
    _services(desk, capacity="closed")
    _page, dialog, keys = _open(desk, qtbot, "Eve")
    dialog.checks.checker = None  # as if the form's own checks had not been read yet
    dialog.picker.set_checker(None)
    keys.key(Qt.Key.Key_A, ALT)
    keys.words("benefits and debt")
    keys.key(Qt.Key.Key_Return)
    keys.key(Qt.Key.Key_R, ALT)
    keys.key(Qt.Key.Key_Down)  # Suggested
    reason = dialog.panel.f.widgets["override_reason"]
    assert not reason.isVisible()
    keys.key(Qt.Key.Key_S, CTRL)  # the save checks against the store: closed
    qtbot.waitUntil(lambda: keys.focused() is reason, timeout=20_000)
    assert dialog.panel.f.errors["override_reason"].text() == eligibility_override.ASK
    keys.words("Agreed with their manager by phone")
    with qtbot.waitSignal(dialog.saved, timeout=20_000):
        keys.key(Qt.Key.Key_S, CTRL)
    with desk.store.session() as s:
        referral = s.scalars(select(Referral)).one()
        assert (referral.override_warnings, referral.override_reason) == (
            "Closed to referrals", "Agreed with their manager by phone")
