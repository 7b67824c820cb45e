"""The partner page, driven as staff drive it: opened from the directory with the
keyboard, its figures on show (and in words for a screen reader), a catch-up recorded
from it, and overdue catch-ups on a manager's Today (never an advisor's)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from lr_desk.services import catchups, dates, people
from lr_desk.services.changes import Changed
from lr_desk.store.clock import utcnow
from lr_desk.store.models import (
    Conversation,
    Partner,
    PartnerCatchup,
    PartnerContact,
    PartnerService,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
)
from lr_desk.ui.catchups import CatchupDialog
from lr_desk.ui.partner_page import PartnerPage
from tests.ui.conftest import make_profile
from tests.ui.screen import assert_fits
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls

WAIT = 20_000


def add_partner(desk, name: str, created: datetime | None = None, key: str = "Ria Shah"
                ) -> tuple[str, str]:
    """A partner with one service that takes 2 a month, and its key contact."""
    with desk.store.session() as s:
        p = Partner(name=name, created_at=created)
        s.add(p)
        s.flush()
        if key:
            s.add(PartnerContact(partner_id=p.id, name=key, role="Manager", is_key=True,
                                 phone="0151 000 1234"))
        service = PartnerService(partner_id=p.id, name=f"{name} advice line",
                                 category="housing", takes=2, takes_per="month")
        s.add(service)
        s.flush()
        return p.id, service.id


def refer(desk, service_id: str, advisor_id: str, *steps: str, made: datetime | None = None,
          **values) -> None:
    """A referral made and sent now (or ``made``), with its later steps (all at once: 0
    days to reply)."""
    now = made or utcnow()
    with desk.store.session() as s:
        person = people.register(s, {"given_name": "Jo", "family_name": "Bloggs"},
                                 advisor_id, "walton")
        talk = Conversation(person_id=person.id, occurred_at=now, site_code="walton",
                            advisor_id=advisor_id)
        s.add(talk)
        s.flush()
        rx = Prescription(person_id=person.id, conversation_id=talk.id, advisor_id=advisor_id)
        s.add(rx)
        s.flush()
        item = PrescriptionItem(prescription_id=rx.id, kind="partner_service", title="Advice")
        s.add(item)
        s.flush()
        ref = Referral(person_id=person.id, item_id=item.id, service_id=service_id,
                       status=steps[-1], status_at=now, created_at=now, **values)
        s.add(ref)
        s.flush()
        for status in ("sent", *steps):
            s.add(ReferralEvent(referral_id=ref.id, status=status, at=now,
                                advisor_id=advisor_id))


def open_from_directory(qtbot, window, service_name: str) -> PartnerPage:
    """The service chosen in the directory's list, then Enter: its partner's page."""
    directory = window.directory
    window.tabs.setCurrentWidget(directory)
    qtbot.waitUntil(lambda: any(e.service and e.service.name == service_name
                                for e in directory.services_model.rows), timeout=WAIT)
    table = directory.services_table
    row = next(i for i, e in enumerate(directory.services_model.rows)
               if e.service and e.service.name == service_name)
    table.setFocus()
    table.selectRow(row)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    page = window.tabs.currentWidget()
    assert isinstance(page, PartnerPage)
    qtbot.waitUntil(lambda: page.figures is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: window.tasks.pending == 0, timeout=WAIT)
    return page


def test_open_the_partner_page_from_the_directory_and_see_its_figures(qtbot, desks,
                                                                      profile):
    desk = desks.start(profile)
    window, me = desk.window, desk.window.desk.advisor_id
    _partner_id, service = add_partner(desk, "Walton Advice")
    refer(desk, service, me, "accepted", view="helped_lot")
    refer(desk, service, me, "declined", override_reason="Nearest to them")
    refer(desk, service, me, "sent")
    window.directory.reload()
    page = open_from_directory(qtbot, window, "Walton Advice advice line")

    # an open record in the navigation, named after the partner; closes like a person's
    index = window.tabs.indexOf(page)
    assert window.tabs.tabText(index) == "Walton Advice" and window.tabs.isClosable(index)
    assert page.heading.text() == "Walton Advice"
    assert page.contact.text() == "Key contact: Ria Shah (Manager, 0151 000 1234)"
    n = {k: v.text() for k, v in page.numbers.items()}
    assert n["made"] == "3" and n["awaiting"] == "1"
    assert n["accepted"] == "50% (1 of 2 answered)"
    assert n["reply"] == "0 days (of 2)"
    assert (n["views"], n["overrides"]) == ("It helped a lot: 1", "1")
    # this month's load against the 2 a month it takes: over, in words too
    assert page.load_table.cell(0, 11) == "3 (over)"
    assert page.load_table.cell(1, 11) == "2"
    assert "(over)" in page.chart.accessibleDescription()
    assert page.capacity_note.text().startswith("Together they can take about 2 a month")
    statuses = {page.status_model.index(r, 0).data(): page.status_model.index(r, 1).data()
                for r in range(page.status_model.rowCount())}
    assert (statuses["Accepted"], statuses["Declined"], statuses["Sent"]) == ("1", "1", "1")
    assert page.contacts_model.rows[0].name == "Ria Shah"
    # the service chooser shows one service's load and what it says it takes
    page.service.setCurrentIndex(1)
    assert page.capacity_note.text() == "Taking referrals; takes 2 a month."

    assert unnamed_controls(page) == []
    assert mnemonic_clashes(page) == {}
    assert_fits(window)
    window.grab().save("/tmp/partner-page-test.png")

    # all time, chosen from the keyboard (Alt+O, Down): a referral from last year counts
    refer(desk, service, me, "completed", made=utcnow() - timedelta(days=400))
    qtbot.keyClick(page, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert page.period.hasFocus()
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        qtbot.keyClick(page.period, Qt.Key.Key_Down)
    assert page.summary_heading.text() == "Figures for every referral made"
    assert page.numbers["made"].text() == "4" and page.numbers["completed"].text() == "1"
    assert page.status_table.isColumnHidden(1)
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        qtbot.keyClick(page.period, Qt.Key.Key_Up)
    assert page.numbers["made"].text() == "3" and not page.status_table.isColumnHidden(1)

    # a new referral elsewhere on the desk: the page reads its figures again
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        refer(desk, service, me, "sent")
        desk.tasks.announce(Changed.of({"referral": {"a new one"}}))  # (as a sync)
    assert page.numbers["made"].text() == "4"

    # not on show: read again only when shown again
    window.tabs.setCurrentWidget(window.today)
    with qtbot.assertNotEmitted(page.loaded, wait=300):
        page.on_changed(Changed.of({"partner_catchup": {"c1"}}))
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        window.tabs.setCurrentWidget(page)
    with qtbot.assertNotEmitted(page.loaded, wait=300):
        page.on_changed(Changed.of({"course": {"c1"}, "follow_up": {"f1"}}))

    window._close_tab(window.tabs.indexOf(page))  # Ctrl+W, the context menu's Close
    assert window.tabs.indexOf(page) < 0


def test_record_a_catch_up_from_the_partner_page(qtbot, desks, profile):
    desk = desks.start(profile)
    window = desk.window
    partner_id, _service = add_partner(desk, "Bootle Food Bank",
                                       created=datetime(2024, 1, 10, 12))
    window.directory.reload()
    page = open_from_directory(qtbot, window, "Bootle Food Bank advice line")
    today = date.today()
    assert page.catchup_line.text().startswith("Catch-up overdue")
    assert page.catchups_model.rows[0].held_on is None

    qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget() or page.dialog,
                                       CatchupDialog), timeout=WAIT)
    dialog = page.dialog
    assert dialog.f.widgets["held_on"].text() == today.strftime("%d/%m/%Y")
    assert unnamed_controls(dialog) == [] and mnemonic_clashes(dialog) == {}
    assert_fits(dialog)
    who = dialog.f.widgets["who"]
    assert who.hasFocus()
    qtbot.keyClicks(who, "Ria Shah, Alex")
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        qtbot.keyClick(who, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: page.dialog is None, timeout=WAIT)  # closed, and gone

    planned, held = page.catchups_model.rows[:2]
    assert (held.held_on, held.who) == (today, "Ria Shah, Alex")
    assert planned.held_on is None and planned.planned_on == catchups.add_months(today, 3)
    assert page.catchup_line.text() == f"Next catch-up: {dates.day(planned.planned_on, today)}"
    with desk.store.session() as s:
        assert s.query(PartnerCatchup).filter_by(partner_id=partner_id,
                                                 held_on=today).count() == 1

    # Enter on the one held puts it right (a name left out)
    table = page.catchups_table
    table.setFocus()
    table.selectRow(1)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=WAIT)
    fix = page.dialog
    assert fix.windowTitle() == "Put right a catch-up"
    assert (fix.f.widgets["held_on"].text(), fix.f.widgets["who"].text()) == (
        today.strftime("%d/%m/%Y"), "Ria Shah, Alex")
    qtbot.keyClick(fix.f.widgets["who"], Qt.Key.Key_End)
    qtbot.keyClicks(fix.f.widgets["who"], ", Ben Cole")
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        qtbot.keyClick(fix.f.widgets["who"], Qt.Key.Key_Return)
    assert [c.who for c in page.catchups_model.rows] == ["", "Ria Shah, Alex, Ben Cole"]


def test_overdue_catch_ups_on_a_managers_today_only(qtbot, desks, tmp_path):
    for role, shown in (("manager", True), ("advisor", False)):
        folder = tmp_path / role
        make_profile(folder, name=f"Sam {role.title()}", role=role)
        desk = desks.start(folder)
        window = desk.window
        add_partner(desk, "Crosby Carers", created=datetime.combine(
            date.today() - timedelta(days=200), datetime.min.time()))
        panel = window.today.catchups
        with qtbot.waitSignal(panel.loaded, timeout=WAIT):
            window.today.reload()
        assert panel.isVisibleTo(window) is shown
        if not shown:
            assert panel.rows == []
            desks.stop(desk)
            continue
        [row] = panel.rows
        assert row.partner_name == "Crosby Carers" and "catch-up overdue" in row.words
        assert panel.list.item(0).text().startswith("Crosby Carers: catch-up overdue, ")
        assert unnamed_controls(window.today) == [] and mnemonic_clashes(window.today) == {}
        assert_fits(window)
        panel.list.setFocus()
        panel.list.setCurrentRow(0)
        qtbot.keyClick(panel.list, Qt.Key.Key_Return)  # Enter opens the partner's page
        page = window.tabs.currentWidget()
        assert isinstance(page, PartnerPage)
        qtbot.waitUntil(lambda p=page: p.figures is not None, timeout=WAIT)
        assert page.heading.text() == "Crosby Carers"
        desks.stop(desk)
