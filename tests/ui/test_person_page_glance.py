"""A person's page a glance can take: the summary frame at the top (nothing cut off at
1366x768 or 1280x720), Record a drop-in as the page's one primary action, the rare and
destructive actions in a menu; private notes hidden until asked for (each look in the
audit log, and hidden again on leaving the page); the page hears changes to its person
only."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QFrame
from sqlalchemy import func, select

from lr_desk.services import audit, consent, directory, dropin, people
from lr_desk.services.changes import Changed
from lr_desk.store.models import AuditEvent
from lr_desk.ui.person import HIDDEN_NOTES
from tests.ui.screen import assert_fits
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
from tests.ui.test_today import cut_off

LONG_NEEDS = ("Prefers a quiet room away from the entrance, with someone she knows; "
              "hard of hearing on the left side; please speak slowly and face her")


def _register(desk, given, family, **raw) -> str:
    with desk.store.session() as s:
        return people.register(s, {"given_name": given, "family_name": family, **raw},
                               desk.window.desk.advisor_id, "walton").id


def _page(desk, qtbot, person_id):
    with qtbot.waitSignal(desk.window.person_opened, timeout=20_000) as opened:
        desk.window.open_person(person_id)
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None, timeout=20_000)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    return page


def _detail(page, kind="conversation") -> str:
    [row] = [i for i, e in enumerate(page.timeline.entries) if e.kind == kind]
    return page.timeline.index(row, 2).data()


def _looks(desk, person_id) -> int:
    with desk.store.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "see_private_notes", AuditEvent.person_id == person_id))


def test_the_summary_takes_in_who_they_are_and_what_is_open(qtbot, desks, profile):
    desk = desks.start(profile)
    me = desk.window.desk.advisor_id
    pid = _register(desk, "Margaret", "Halsall-Whitworth", preferred_name="Maggie",
                    date_of_birth="07/06/1950", phone="07700 900123", postcode="L9 1AA",
                    needs_large_print=True, needs_interpreter=True,
                    interpreter_language="Polish", communication_other=LONG_NEEDS)
    due = date.today() + timedelta(days=5)
    with desk.store.session() as s:
        services = [row.service for row in directory.services(s)[:5]]
        consent.record(s, pid, me, {"kind": "keep"})
        dropin.record_drop_in(s, pid, me, {
            "conversation": {"site_code": "walton", "mode": "drop_in"},
            "items": [{"kind": "partner_service", "service_id": svc.id, "refer": True,
                       "referral_status": "suggested"} for svc in services],
            "follow_up": {"due_date": due.strftime("%d/%m/%Y"), "due_time": "10:30",
                          "way": "call"}})
    page = _page(desk, qtbot, pid)

    summary = page.findChild(QFrame, "summary")
    assert summary is page.summary and summary.isVisibleTo(page)
    values = {key: label.text() for key, label in summary.values.items()}
    assert page.heading.text() == "Maggie Halsall-Whitworth"
    assert values["name_line"] == "Margaret Halsall-Whitworth (prefers Maggie)"
    assert values["age"].endswith("(born 07/06/1950)")
    assert values["comms"] == f"Large print, Interpreter (Polish), {LONG_NEEDS}"
    assert values["consent"] == "Keep their information: given"
    referrals = values["referrals"].splitlines()
    assert len(referrals) == 4 and referrals[-1] == "and 2 more (in the history below)"
    assert all(line.endswith(": Suggested") for line in referrals[:3])
    assert values["follow_up"].startswith(f"{due:%a} {due.day} {due:%b}")
    assert ", phone call, with Alex Advisor" in values["follow_up"]
    assert "Phone: 07700 900123" in values["details"]

    # Record a drop-in is the page's one primary action; erase and export are not here
    assert page.dropin_button.property("role") == "primary"
    buttons = [b for b in page.findChildren(QAbstractButton) if b.isVisibleTo(page)]
    assert [b for b in buttons if b.property("role") == "primary"] == [page.dropin_button]
    assert not [b.text() for b in buttons if "Erase" in b.text() or "Export" in b.text()]
    assert page.erase_action in page.more_menu.actions()
    assert unnamed_controls(page) == [] and mnemonic_clashes(page) == {}

    # the hubs' screens: the buttons on screen, nothing in the summary cut off
    window = desk.window
    assert_fits(window)
    for size in ((1366, 768 - 70), (1280, 720 - 70)):
        window.resize(*size)
        qtbot.waitUntil(lambda s=size: window.width() == s[0], timeout=5_000)
        qtbot.wait(50)  # (the wrapped labels settle their heights)
        assert cut_off(summary) == [], size
        assert page.table.height() > 150, "the history still has room"


def test_private_notes_are_hidden_until_asked_for_and_the_look_is_audited(qtbot, desks,
                                                                         profile):
    desk = desks.start(profile)
    me = desk.window.desk.advisor_id
    pid = _register(desk, "Ann", "Lee")
    with desk.store.session() as s:
        dropin.record_drop_in(s, pid, me, {"conversation": {
            "site_code": "walton", "mode": "drop_in", "what_matters": "Getting out more",
            "private_notes": "Seemed low; lives alone since March."}})
    page = _page(desk, qtbot, pid)

    hidden = _detail(page)
    assert "lives alone" not in hidden and hidden.endswith(HIDDEN_NOTES)
    assert "lives alone" not in (page.timeline.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)
                                 or "")
    assert _looks(desk, pid) == 0
    assert page.notes_button.isEnabled() and not page.notes_button.isChecked()

    # asked for from the keyboard (Alt+I): shown, and the look is in the audit log
    with qtbot.waitSignal(page.notes_shown, timeout=20_000) as shown:
        qtbot.keyClick(page, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    assert shown.args == [True]
    assert _detail(page).endswith(
        "Private notes (never printed): Seemed low; lives alone since March.")
    assert page.notes_button.text() == "Hide pr&ivate notes"
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    assert _looks(desk, pid) == 1
    with desk.store.session() as s:
        [row] = audit.read(s, audit.Filters(action="see_private_notes")).rows
    assert (row.action, row.person, row.who) == ("Looked at private notes", "Ann Lee",
                                                 "Alex Advisor")

    # a save on the page while they are shown keeps them shown: not a second look
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        page.reload()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    assert "lives alone" in _detail(page) and _looks(desk, pid) == 1

    # hidden again with the same key; and leaving the page hides them too
    qtbot.keyClick(page, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # (a click to come)
    qtbot.waitUntil(lambda: "lives alone" not in _detail(page), timeout=5_000)
    assert _detail(page).endswith(HIDDEN_NOTES)
    qtbot.keyClick(page, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: "lives alone" in _detail(page), timeout=20_000)
    desk.window.tabs.setCurrentWidget(desk.window.today)
    assert not page.notes_button.isChecked() and "lives alone" not in _detail(page)
    assert _looks(desk, pid) == 2


def test_no_private_notes_nothing_to_show(qtbot, desks, profile):
    desk = desks.start(profile)
    pid = _register(desk, "Bob", "Roe")
    with desk.store.session() as s:
        dropin.record_drop_in(s, pid, desk.window.desk.advisor_id, {"conversation": {
            "site_code": "walton", "mode": "drop_in", "what_matters": "A chat"}})
    page = _page(desk, qtbot, pid)
    assert not page.notes_button.isEnabled()
    assert HIDDEN_NOTES not in _detail(page)


def test_a_page_hears_changes_to_its_own_person_only(qtbot, desks, profile):
    desk = desks.start(profile)
    me = desk.window.desk.advisor_id
    ann, bob = _register(desk, "Ann", "Lee"), _register(desk, "Bob", "Roe")
    ann_page, bob_page = _page(desk, qtbot, ann), _page(desk, qtbot, bob)
    with desk.store.session() as s:  # (written elsewhere: a sync, another form)
        made = dropin.record_drop_in(s, ann, me, {
            "conversation": {"site_code": "walton", "mode": "drop_in"},
            "follow_up": {"due_date": (date.today() + timedelta(days=3)).strftime(
                "%d/%m/%Y"), "way": "call"}})
    change = Changed.of({"conversation": {made.conversation_id},
                         "follow_up": {made.follow_up_id}}, pulled=True)
    with (qtbot.waitSignal(ann_page.loaded, timeout=20_000),
          qtbot.assertNotEmitted(bob_page.loaded, wait=500)):
        ann_page.on_changed(change)
        bob_page.on_changed(change)
    assert ann_page.summary.values["follow_up"].text().endswith("with Alex Advisor")
    assert {e.kind for e in ann_page.timeline.entries} == {"conversation", "follow_up"}
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=20_000)
    with qtbot.assertNotEmitted(ann_page.loaded, wait=300):
        ann_page.on_changed(Changed.of({"course": {"x"}, "audit_event": {"y"}}))
    with qtbot.waitSignal(bob_page.loaded, timeout=20_000):
        bob_page.on_changed(Changed.of({"person": {bob}}))
