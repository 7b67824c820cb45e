"""What the desk shows: follow-ups due, recent conversations, a person's timeline."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from lr_desk.services import desk, directory, dropin, referrals, sheet
from lr_desk.services.reference import example_id
from lr_desk.store.models import Conversation, FollowUp, Person

TODAY = date(2025, 6, 11)
SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")


def record(store, person_id, advisor_id, raw, today=TODAY):
    with store.session() as s:
        return dropin.record_drop_in(s, person_id, advisor_id, raw, today=today)


def follow_up(store, person, advisor_id, due: date, site="walton", way="call",
              assigned_to=None, due_time=""):
    """A follow-up agreed on the day it was due (so any due date can be made)."""
    raw = {"conversation": {"site_code": site, "mode": "drop_in", "time": "09:00",
                            "date": due.strftime("%d/%m/%Y")},
           "follow_up": {"due_date": due.strftime("%d/%m/%Y"), "way": way,
                         "assigned_to": assigned_to, "due_time": due_time}}
    return record(store, person.id, advisor_id, raw, today=due).follow_up_id


def due(store, today=TODAY, **kw) -> list[desk.FollowUpRow]:
    with store.session() as s:
        return desk.follow_ups_due(s, today, **kw)


# --- follow-ups due -------------------------------------------------------------------


def test_today_and_overdue_but_not_later(store, make_person, advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    overdue = follow_up(store, ann, advisor.id, TODAY - timedelta(days=3))
    today = follow_up(store, ann, advisor.id, TODAY, due_time="14:00")
    follow_up(store, ann, advisor.id, TODAY + timedelta(days=1))
    rows = due(store)
    assert [r.id for r in rows] == [overdue, today]  # oldest first
    assert [r.overdue for r in rows] == [True, False]
    assert rows[1].due_time == "14:00" and rows[1].way == "Phone call"
    assert rows[0].person_name == "Ann Lee" and rows[0].assigned_to == "Alex Advisor"


def test_for_an_advisor(store, make_person, advisor, other_advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    mine = follow_up(store, ann, advisor.id, TODAY, site="walton")
    theirs = follow_up(store, ann, advisor.id, TODAY, site="bootle",
                       assigned_to=other_advisor.id)
    assert [r.id for r in due(store, advisor_id=advisor.id)] == [mine]
    assert [r.id for r in due(store, advisor_id=other_advisor.id)] == [theirs]
    assert {r.id for r in due(store)} == {mine, theirs}


def test_for_a_site(store, make_person, advisor, other_advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    walton = follow_up(store, ann, advisor.id, TODAY, site="walton")
    bootle = follow_up(store, ann, other_advisor.id, TODAY, site="bootle")
    assert [r.id for r in due(store, site_code="bootle")] == [bootle]
    assert [r.id for r in due(store, site_code="walton")] == [walton]
    assert due(store, site_code="southport") == []
    # both: either the advisor's or the site's
    assert {r.id for r in due(store, advisor_id=advisor.id, site_code="bootle")} == {
        walton, bootle}


def test_done_follow_ups_disappear(store, make_person, advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    fid = follow_up(store, ann, advisor.id, TODAY)
    assert [r.id for r in due(store)] == [fid]
    with store.session() as s:
        dropin.complete_follow_up(s, fid, advisor.id, "Spoke on the phone; all well.")
    assert due(store) == []


def test_follow_ups_of_tombstoned_people_or_tombstoned_follow_ups_disappear(
        store, make_person, advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    bob = make_person(given_name="Bob", family_name="Roe")
    follow_up(store, ann, advisor.id, TODAY)
    bobs = follow_up(store, bob, advisor.id, TODAY)
    with store.session() as s:
        s.get(Person, ann.id).deleted_at = datetime(2025, 6, 1)
    assert [r.id for r in due(store)] == [bobs]
    with store.session() as s:
        s.get(FollowUp, bobs).deleted_at = datetime(2025, 6, 1)
    assert due(store) == []


# --- recent conversations -------------------------------------------------------------


def conversation(store, person, advisor_id, day: date, hhmm: str, site="walton", needs=()):
    raw = {"conversation": {"site_code": site, "mode": "drop_in", "time": hhmm,
                            "date": day.strftime("%d/%m/%Y"), "needs": list(needs)}}
    return record(store, person.id, advisor_id, raw).conversation_id


def test_recent_conversations_newest_first(store, make_person, advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    bob = make_person(given_name="Bob", family_name="Roe")
    first = conversation(store, ann, advisor.id, TODAY - timedelta(days=1), "10:00",
                         needs=["other", "housing"])
    second = conversation(store, bob, advisor.id, TODAY, "09:00", site="bootle")
    third = conversation(store, ann, advisor.id, TODAY, "11:30")
    with store.session() as s:
        rows = desk.recent_conversations(s)
        assert [r.id for r in rows] == [third, second, first]
        assert rows[2].needs == ["Housing", "Other"]  # in category order, by name
        assert rows[1].person_name == "Bob Roe" and rows[1].advisor == "Alex Advisor"
        assert rows[0].mode == "Drop-in"
        assert [r.id for r in desk.recent_conversations(s, site_code="bootle")] == [second]
        assert [r.id for r in desk.recent_conversations(s, limit=2)] == [third, second]


def test_recent_conversations_leave_out_tombstones(store, make_person, advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    bob = make_person(given_name="Bob", family_name="Roe")
    gone = conversation(store, ann, advisor.id, TODAY, "10:00")
    kept = conversation(store, bob, advisor.id, TODAY, "10:00")
    other_gone = conversation(store, bob, advisor.id, TODAY, "11:00")
    with store.session() as s:
        s.get(Person, ann.id).deleted_at = datetime(2025, 6, 1)
        s.get(Conversation, other_gone).deleted_at = datetime(2025, 6, 1)
    with store.session() as s:
        assert [r.id for r in desk.recent_conversations(s)] == [kept]
    assert gone


# --- a person's timeline --------------------------------------------------------------


@pytest.fixture
def history(store, make_person, advisor, other_advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    with store.session() as s:
        course = directory.courses(s)[0]
    raw = {
        "conversation": {"date": "10/06/2025", "time": "10:00", "site_code": "walton",
                         "mode": "drop_in", "what_matters": "Sorting the rent",
                         "needs": ["housing", "debt_benefits"], "escalated": True,
                         "escalation_reason": "distress",
                         "escalation_action": "Gave the crisis line number"},
        "items": [{"kind": "course", "course_id": course.id, "why": "Confidence",
                   "first_step": "Book", "target_date": "30/06/2025"},
                  {"kind": "partner_service", "service_id": SERVICE, "refer": True,
                   "title": "Tenancy help"}],
        "follow_up": {"due_date": "18/06/2025", "due_time": "10:30", "way": "drop_in"},
    }
    result = record(store, ann.id, advisor.id, raw, today=date(2025, 6, 10))
    with store.session() as s:
        referrals.set_status(s, result.referral_ids[0], "declined", other_advisor.id,
                             reason_code="outside_area", reason="Out of area",
                             note="Try the council")
    return ann, course, result


def view(store, person_id):
    with store.session() as s:
        return desk.person_view(s, person_id)


def test_the_timeline_has_every_part(store, history, advisor):
    ann, course, result = history
    v = view(store, ann.id)
    assert v.person.id == ann.id and v.registered_by == "Alex Advisor"
    kinds = sorted(e.kind for e in v.timeline)
    assert kinds == ["conversation", "follow_up", "item", "item", "prescription", "referral"]

    [rx] = [e for e in v.timeline if e.kind == "prescription"]
    assert rx.title == "Social prescription (2 items)"
    assert rx.detail == "Sheet not printed yet"
    assert rx.prescription_id == result.prescription_id
    assert all(e.prescription_id == result.prescription_id
               for e in v.timeline if e.kind == "item")

    [conv] = [e for e in v.timeline if e.kind == "conversation"]
    assert conv.when == datetime(2025, 6, 10, 10, 0)
    assert "Drop-in at The Life Rooms Walton with Alex Advisor" in conv.detail
    assert "Needs: Debt and benefits, Housing" in conv.detail
    assert "What matters: Sorting the rent" in conv.detail
    assert "Escalated (Distress): Gave the crisis line number" in conv.detail

    items = [e for e in v.timeline if e.kind == "item"]
    assert {e.title for e in items} == {f"Recovery College course: {course.title}",
                                        "Partner service: Tenancy help"}
    course_item = next(e for e in items if e.title.startswith("Recovery"))
    assert "Why: Confidence" in course_item.detail and "By 30 Jun 2025" in course_item.detail

    [ref] = [e for e in v.timeline if e.kind == "referral"]
    assert ref.referral_id == result.referral_ids[0]
    assert ref.referral_status == "declined"  # what "Update referral" starts from
    assert ref.title == "Referral to Example Housing Trust (Tenancy support): Declined"
    assert not ref.open
    lines = ref.detail.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("Suggested (Alex Advisor)")
    assert lines[1].endswith(
        "Declined (Bea Advisor): Outside the area: Out of area - Try the council")

    [fu] = [e for e in v.timeline if e.kind == "follow_up"]
    assert fu.follow_up_id == result.follow_up_id and fu.open
    assert fu.title == "Follow-up due Wed 18 Jun 2025 at 10:30 (Drop-in)"
    assert fu.detail == "With Alex Advisor"


def test_the_timeline_is_newest_first(store, history):
    ann, _, _ = history
    whens = [e.when for e in view(store, ann.id).timeline]
    assert whens == sorted(whens, reverse=True)


def test_a_done_follow_up_shows_its_outcome(store, history, advisor):
    ann, _, result = history
    with store.session() as s:
        dropin.complete_follow_up(s, result.follow_up_id, advisor.id, "Came to the hub")
    [fu] = [e for e in view(store, ann.id).timeline if e.kind == "follow_up"]
    assert not fu.open
    assert fu.title == "Follow-up done (Drop-in)" and fu.detail == "Outcome: Came to the hub"


def test_an_open_referral_is_open(store, make_person, advisor, agree_to_share):
    ann = make_person(given_name="Ann", family_name="Lee")
    agree_to_share(ann.id, SERVICE)
    record(store, ann.id, advisor.id, {
        "conversation": {"site_code": "walton", "mode": "drop_in"},
        "items": [{"kind": "partner_service", "service_id": SERVICE, "refer": True,
                   "referral_status": "sent"}]})
    [ref] = [e for e in view(store, ann.id).timeline if e.kind == "referral"]
    assert ref.open and ref.title.endswith(": Sent")
    assert ref.referral_status == "sent"


def test_someone_elses_history_is_not_in_the_timeline(store, history, make_person):
    bob = make_person(given_name="Bob", family_name="Roe")
    v = view(store, bob.id)
    assert v.timeline == []


def test_no_view_of_a_missing_or_tombstoned_person(store, history):
    ann, _, _ = history
    assert view(store, "nobody") is None
    with store.session() as s:
        s.get(Person, ann.id).deleted_at = datetime(2025, 6, 1)
    assert view(store, ann.id) is None


# --- private advisor notes: on the desk when asked for, never on the sheet -----------------


def test_private_notes_are_kept_off_the_timeline_until_asked_for(store, make_person, advisor):
    ann = make_person(given_name="Ann", family_name="Lee")
    with store.session() as s:
        course = directory.courses(s)[0]
    notes = "Seemed low; lives alone since March.\nAsk about her son next time."
    result = record(store, ann.id, advisor.id, {
        "conversation": {"date": "10/06/2025", "time": "10:00", "site_code": "walton",
                         "mode": "drop_in", "what_matters": "Getting out more",
                         "private_notes": notes, "escalated": True,
                         "escalation_reason": "distress",
                         "escalation_action": "Gave the crisis line number"},
        "items": [{"kind": "course", "course_id": course.id, "why": "Confidence"}]},
        today=date(2025, 6, 10))
    conversation(store, ann, advisor.id, TODAY, "11:00")  # a later one with no notes

    convs = [e for e in view(store, ann.id).timeline if e.kind == "conversation"]
    assert len(convs) == 2
    later, earlier = convs  # newest first
    assert not later.private_notes and earlier.private_notes  # which have them, not what
    assert earlier.detail.splitlines()[1:] == [
        "What matters: Getting out more", "Escalated (Distress): Gave the crisis line number"]
    assert "lives alone" not in repr(view(store, ann.id))

    with store.session() as s:
        shown = desk.private_notes(s, ann.id)
    assert shown == {earlier.conversation_id: notes}

    # the take-home sheet is made elsewhere, and still carries none of it
    with store.session() as s:
        data = sheet.sheet_data(s, result.prescription_id, today=TODAY)
    assert "lives alone" not in repr(data) and "Private notes" not in repr(data)
