"""Today's "Awaiting reply": referrals sent and not answered by their reply date, listed
for me or my hub; chosen from the keyboard; Chase (and it leaves the list for a week),
Mark not taken up, and Refer elsewhere end to end (consent to share recorded on the way);
the page still fits the hub's screen with its actions on show."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import Qt
from sqlalchemy import select

from lr_desk.services import consent, dropin, people
from lr_desk.services.reference import example_id
from lr_desk.store.models import PartnerService, PrescriptionItem, Referral, ReferralEvent
from lr_desk.ui.consent import ConsentDialog
from lr_desk.ui.person_steps import StepDialog
from lr_desk.ui.today_elsewhere import ReferElsewhereDialog
from tests.ui.screen import assert_fits
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
from tests.ui.test_today import _shown

PARTNER = "Example Housing Trust"
SERVICE = example_id("service", PARTNER, "Tenancy support")
OTHER_PARTNER = "Example Advice Centre (debt and benefits)"
OTHER_SERVICE = example_id("service", OTHER_PARTNER, "Benefits and debt drop-in")
ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier


def sent_referral(desk, given: str, days_ago: int, site: str = "walton") -> str:
    """A person registered, who agreed to share with PARTNER and was referred there (as
    sent) ``days_ago`` days ago at ``site``, by the advisor at the desk."""
    me = desk.window.desk.advisor_id
    day = date.today() - timedelta(days=days_ago)
    with desk.store.session() as s:
        s.info["now"] = datetime.combine(day, datetime.min.time()) + timedelta(hours=10)
        person = people.register(s, {"given_name": given, "family_name": "Quinn"}, me, site)
        consent.record(s, person.id, me, {"kind": "share",
                                          "partner_id": example_id("partner", PARTNER)})
        return dropin.record_drop_in(s, person.id, me, {
            "conversation": {"site_code": site, "mode": "drop_in",
                             "date": day.strftime("%d/%m/%Y"), "time": "09:30"},
            "items": [{"kind": "partner_service", "service_id": SERVICE, "refer": True,
                       "referral_status": "sent", "why": "Rent arrears"}]},
            today=day).referral_ids[0]


def listed(page) -> list[tuple[str, ...]]:
    model = page.replies.model
    return [tuple(model.index(r, c).data() for c in range(model.columnCount()))
            for r in range(model.rowCount())]


def choose_first(qtbot, page) -> None:
    """Alt+W (the list's own key) takes the keyboard to the list; Down chooses a row."""
    page.window().activateWindow()
    qtbot.waitUntil(page.window().isActiveWindow, timeout=20_000)
    qtbot.keyClick(page.window(), Qt.Key.Key_W, ALT)
    table = page.replies.table
    qtbot.waitUntil(table.hasFocus, timeout=20_000)
    qtbot.keyClick(table, Qt.Key.Key_Home)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: page.replies.selected() is not None, timeout=20_000)


def open_dialog(qtbot, page, button, kind):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialogs = [d for d in page.findChildren(kind) if d.isVisible()]
    assert len(dialogs) == 1
    qtbot.waitUntil(dialogs[0].isActiveWindow, timeout=20_000)
    qtbot.waitUntil(lambda: page.tasks.pending == 0, timeout=20_000)
    return dialogs[0]


def events(desk, rid) -> list[tuple[str, str]]:
    with desk.store.session() as s:
        return [(e.kind, e.status) for e in s.scalars(
            select(ReferralEvent).where(ReferralEvent.referral_id == rid)
            .order_by(ReferralEvent.at, ReferralEvent.id))]


def test_listed_chosen_by_keyboard_chased_and_back_a_week_later(qtbot, desks, profile):
    desk = desks.start(profile)
    late = sent_referral(desk, "Ada", days_ago=16)
    sent_referral(desk, "Ben", days_ago=10)  # not due a reply yet
    page = _shown(qtbot, desk.window)
    assert listed(page) == [(
        page.replies.model.index(0, 0).data(), "Ada Quinn",
        f"{PARTNER} (Tenancy support)", "16 days", "", "Alex Advisor")]
    assert page.replies.counts.text() == "1 referral past its reply date"
    assert not page.replies.chase_button.isEnabled()  # nothing chosen yet
    assert unnamed_controls(page.replies) == [] and mnemonic_clashes(page) == {}

    choose_first(qtbot, page)
    assert page.replies.chase_button.isEnabled()
    assert "7 days" in page.replies.chase_button.toolTip()
    chase = open_dialog(qtbot, page, page.replies.chase_button, StepDialog)
    assert chase.what == "chase" and "awaiting reply, 16 days" in chase.findChild(
        type(page.replies.label)).text()
    note = chase.f.widgets["note"]
    assert note.hasFocus()
    qtbot.keyClick(note, Qt.Key.Key_Return)  # a chase notes who and how
    qtbot.waitUntil(chase.f.errors["note"].isVisible, timeout=20_000)
    qtbot.keyClicks(note, "Rang Jane at the trust; she will call Ada")
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.keyClick(note, Qt.Key.Key_Return)
    assert listed(page) == []  # chased: off the list for a week
    assert page.replies.counts.text() == "None past their reply date"
    assert events(desk, late)[-1] == ("chase", "sent")
    with desk.store.session() as s:
        assert s.get(Referral, late).reply_due == date.today() + timedelta(days=7)

    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    later = date.today() + timedelta(days=8)
    page.today = lambda: later
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        page.reload()
    ada, ben = listed(page)  # (Ben's is late by then too)
    assert (ada[1], ada[3], ben[1], ben[3], ben[4]) == ("Ada Quinn", "24 days", "Ben Quinn",
                                                        "18 days", "")
    row = ada
    assert row[4] == f"{date.today().day} {date.today():%b}" + (
        "" if date.today().year == later.year else f" {date.today().year}")


def test_mark_not_taken_up_from_today(qtbot, desks, profile):
    desk = desks.start(profile)
    rid = sent_referral(desk, "Cal", days_ago=20)
    page = _shown(qtbot, desk.window)
    choose_first(qtbot, page)
    step = open_dialog(qtbot, page, page.replies.not_taken_button, StepDialog)
    status = step.f.widgets["status"]
    assert status.currentData() == "not_taken_up"
    assert [status.itemData(i) for i in range(status.count())] == [
        "sent", "accepted", "declined", "engaged", "completed", "not_taken_up"]
    qtbot.keyClicks(step.f.widgets["note"], "Moved away, the trust says")
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.keyClick(step.f.widgets["note"], Qt.Key.Key_S, CTRL)
    assert listed(page) == []
    assert events(desk, rid)[-1] == ("step", "not_taken_up")


def test_refer_elsewhere_end_to_end_with_consent_on_the_way(qtbot, desks, profile):
    desk = desks.start(profile)
    rid = sent_referral(desk, "Dee", days_ago=30)
    page = _shown(qtbot, desk.window)
    choose_first(qtbot, page)
    dialog = open_dialog(qtbot, page, page.replies.elsewhere_button, ReferElsewhereDialog)
    qtbot.waitUntil(lambda: bool(dialog.picker.choices), timeout=20_000)
    assert dialog.picker.box.hasFocus()
    assert SERVICE not in {c.id for c in dialog.picker.choices}  # not where it was sent
    assert_fits(dialog)
    assert unnamed_controls(dialog) == [] and mnemonic_clashes(dialog) == {}

    qtbot.keyClick(dialog.picker.box, Qt.Key.Key_Return)  # nothing typed: nothing chosen
    qtbot.waitUntil(dialog.f.errors["service"].isVisible, timeout=20_000)
    qtbot.keyClicks(dialog.picker.box, "benefits and debt")
    assert dialog.picker.current().id == OTHER_SERVICE
    qtbot.keyClick(dialog.picker.box, Qt.Key.Key_Return)  # picks the highlighted one
    assert dialog.f.widgets["service"].text() == f"{OTHER_PARTNER} (Benefits and debt drop-in)"
    note = dialog.f.widgets["note"]
    assert note.hasFocus()
    qtbot.keyClicks(note, "No reply in a month; this one is at the hub")
    qtbot.keyClick(note, Qt.Key.Key_Return)
    # not agreed to share with that partner: held back, said at the field, offered
    qtbot.waitUntil(lambda: dialog.f.errors["service"].isVisible() and
                    "consent" in dialog.f.errors["service"].text(), timeout=20_000)
    assert events(desk, rid)[-1] == ("step", "sent")
    offer = dialog.consent_offer.button
    assert offer.isVisible()
    qtbot.mouseClick(offer, Qt.MouseButton.LeftButton)
    form = next(d for d in dialog.findChildren(ConsentDialog) if d.isVisible())
    qtbot.waitUntil(lambda: form.partner_ids is not None, timeout=20_000)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    with qtbot.waitSignal(form.saved, timeout=20_000):
        qtbot.keyClick(form.f.widgets["note"], Qt.Key.Key_S, CTRL)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=20_000)
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.keyClick(note, Qt.Key.Key_Return)
    assert listed(page) == []
    assert events(desk, rid)[-1] == ("step", "not_taken_up")
    with desk.store.session() as s:
        old = s.get(Referral, rid)
        new = s.scalars(select(Referral).where(Referral.service_id == OTHER_SERVICE)).one()
        assert (new.status, new.person_id) == ("sent", old.person_id)
        assert new.reply_due == date.today() + timedelta(days=14)
        assert s.get(PrescriptionItem, new.item_id).prescription_id == \
            s.get(PrescriptionItem, old.item_id).prescription_id
        last = s.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == rid)
                         .order_by(ReferralEvent.at.desc(), ReferralEvent.id.desc())).first()
        assert last.reason == f"Referred elsewhere: {OTHER_PARTNER} (Benefits and debt drop-in)"
        assert last.note == "No reply in a month; this one is at the hub"


def test_today_with_replies_awaited_fits_the_hub_screen(qtbot, desks, profile):
    desk = desks.start(profile)
    for i, name in enumerate(("Eve", "Fay", "Gil", "Hal", "Ivy", "Jon")):
        sent_referral(desk, name, days_ago=15 + 3 * i, site="walton" if i % 2 else "bootle")
    page = _shown(qtbot, desk.window)
    assert [r[1] for r in listed(page)] == [
        "Jon Quinn", "Ivy Quinn", "Hal Quinn", "Gil Quinn", "Fay Quinn", "Eve Quinn"]
    assert_fits(desk.window)
    for button in page.replies.buttons:
        assert button.isVisibleTo(desk.window) and "&" in button.text()


def test_refer_elsewhere_says_what_the_checks_say_and_asks_why_all_the_same(qtbot, desks,
                                                                          profile):
    desk = desks.start(profile)
    rid = sent_referral(desk, "Kit", days_ago=30)
    with desk.store.session() as s:
        s.get(PartnerService, OTHER_SERVICE).capacity = "closed"
        person = s.get(Referral, rid).person_id
        consent.record(s, person, desk.window.desk.advisor_id, {
            "kind": "share", "partner_id": example_id("partner", OTHER_PARTNER)})
    page = _shown(qtbot, desk.window)
    choose_first(qtbot, page)
    dialog = open_dialog(qtbot, page, page.replies.elsewhere_button, ReferElsewhereDialog)
    qtbot.waitUntil(lambda: dialog.checker is not None, timeout=20_000)
    qtbot.keyClicks(dialog.picker.box, "benefits and debt")
    assert dialog.picker.current().id == OTHER_SERVICE
    assert "Closed" in dialog.picker.results.item(0).text()  # said in the list already
    qtbot.keyClick(dialog.picker.box, Qt.Key.Key_Return)
    assert dialog.checks.isVisibleTo(dialog) and "closed" in dialog.checks.text().lower()
    why = dialog.f.widgets["override_reason"]
    assert why.isVisibleTo(dialog) and why.hasFocus()  # asked, and at hand
    assert_fits(dialog)
    qtbot.keyClick(why, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.f.errors["override_reason"].isVisible, timeout=20_000)
    assert why.hasFocus()
    qtbot.keyClicks(why, "Rang them: they will see her")
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.keyClick(why, Qt.Key.Key_Return)
    with desk.store.session() as s:
        new = s.scalars(select(Referral).where(Referral.service_id == OTHER_SERVICE)).one()
        assert new.override_reason == "Rang them: they will see her"
        assert new.override_warnings
