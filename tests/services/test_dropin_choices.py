"""What the drop-in chooses from (services.choices): each course and service with where
and when, a course's next date from its day, the search as the advisor types, the
follow-up presets; and what a drop-in saves with them (services.dropin): consent to share
given in place, and the person's open follow-up closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from lr_desk.services import choices, consent, directory, dropin, reference
from lr_desk.services.consent import ConsentNeeded
from lr_desk.services.reference import example_id
from lr_desk.store.models import Consent, FollowUp, Referral

TODAY = date(2025, 6, 11)  # a Wednesday
PARTNER = "Example Advice Centre (debt and benefits)"
SERVICE = example_id("service", PARTNER, "Benefits and debt drop-in")


@dataclass
class Course:
    id: str = "c"
    title: str = "Sleep Well"
    site_code: str = "southport"
    when_text: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    is_example: bool = False


@pytest.mark.parametrize("when, starts, ends, meets", [
    ("Thursdays 13:00 to 15:00", date(2025, 5, 1), None, date(2025, 6, 12)),
    ("Wednesdays 10:00", date(2025, 5, 1), None, TODAY),  # today counts
    ("Mondays 10:00, four weeks", date(2025, 7, 7), None, date(2025, 7, 7)),
    ("Mon 10:00", date(2025, 7, 1), None, date(2025, 7, 7)),  # the first Monday from its start
    ("Tuesday evenings", date(2025, 5, 1), date(2025, 6, 15), None),  # ends before Tuesday
    ("By appointment", date(2025, 9, 1), None, date(2025, 9, 1)),
    ("By appointment", None, None, None),
    ("Thursdays 13:00", None, None, None),  # no dates set: no date is guessed
])
def test_a_course_meets_next_on_the_day_its_times_name(when, starts, ends, meets):
    course = Course(when_text=when, starts_on=starts, ends_on=ends)
    assert directory.next_session(course, TODAY) == meets
    assert (f"{meets.day} " in choices.course_when(course, TODAY)) if meets else \
        ("next" not in choices.course_when(course, TODAY))


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@given(st.dates(date(2024, 1, 1), date(2030, 12, 31)), st.integers(0, 6))
def test_the_next_meeting_is_on_that_day_within_a_week(today, weekday):
    course = Course(when_text=f"{DAYS[weekday]}s 10:00", starts_on=date(2023, 1, 2))
    meets = directory.next_session(course, today)
    assert meets.weekday() == weekday and 0 <= (meets - today).days < 7


def test_a_course_shows_its_day_time_and_next_date_with_the_year_when_not_this_year():
    thursday = Course(when_text="Thursdays 10:00 to 11:30", starts_on=date(2025, 1, 9))
    assert choices.course_when(thursday, TODAY) == "Thursdays 10:00 to 11:30; next Thu 12 Jun"
    starting = Course(when_text="Mondays 10:00", starts_on=date(2026, 1, 5))
    assert choices.course_when(starting, TODAY) == "Mondays 10:00; starts Mon 5 Jan 2026"
    ended = Course(when_text="Fridays", ends_on=date(2025, 5, 30))
    assert choices.course_when(ended, TODAY) == "Fridays; ended Fri 30 May"


def test_the_directory_as_choices_and_the_search(store):
    with store.session() as s:
        found = choices.build(directory.courses(s), directory.services(s),
                              reference.sites(s), TODAY)
    anxiety = choices.search(found, "anx")
    assert [c.title for c in anxiety] == ["Understanding Anxiety"]
    assert anxiety[0].kind == "course" and anxiety[0].where == "Walton"
    # its days and times; no next date, as the example directory sets none for it
    assert anxiety[0].when == "Mondays 10:00 to 12:00, four weeks"
    debt = choices.search(found, "benefits")
    assert [c.title for c in debt][:2] == ["Benefits and debt drop-in",
                                           "Benefits and debt drop-in (Bootle)"]
    assert debt[0].line == f"{PARTNER} · at Walton hub · Tuesdays 10:00 to 12:30"
    # every word typed must match: the partner, the hub, the day
    assert [c.title for c in choices.search(found, "benefits bootle")] == [
        "Benefits and debt drop-in (Bootle)"]
    assert {c.title for c in choices.search(found, "thursdays", 20)} >= {
        "Cooking on a Budget", "Sleep Well", "Gentle exercise class"}
    assert choices.search(found, "volunteering")[0].kind == "volunteering"
    assert choices.search(found, "   ") == [] and choices.search(found, "zzz") == []


@pytest.mark.parametrize("days, due", [(7, date(2025, 6, 18)), (14, date(2025, 6, 25)),
                                       (3, date(2025, 6, 16))])  # Saturday -> Monday
def test_presets_fall_on_a_day_the_hubs_are_open(days, due):
    assert choices.due_on(TODAY, days) == due


# --- what a drop-in saves -----------------------------------------------------------------


def _referral(consented: bool) -> dict:
    return {"conversation": {"site_code": "walton", "mode": "drop_in", "date": "11/06/2025",
                             "time": "10:00"},
            "items": [{"kind": "partner_service", "service_id": SERVICE, "refer": True,
                       "referral_status": "sent", "consent": consented}]}


def test_consent_given_in_place_is_recorded_with_the_referral_it_allows(store, advisor,
                                                                          make_person):
    person = make_person()
    with store.session() as s, pytest.raises(ConsentNeeded):
        dropin.record_drop_in(s, person.id, advisor.id, _referral(False), TODAY)
    with store.session() as s:
        assert s.scalars(select(Referral)).all() == []
        done = dropin.record_drop_in(s, person.id, advisor.id, _referral(True), TODAY)
    with store.session() as s:
        agreed = s.scalars(select(Consent)).one()
        assert (agreed.person_id, agreed.partner_id, agreed.given, agreed.note) == (
            person.id, example_id("partner", PARTNER), True, dropin.AGREED_AT_DROP_IN)
        assert s.get(Referral, done.referral_ids[0]).status == "sent"
        assert consent.sharing(s, person.id).reason(SERVICE) is None


def test_a_drop_in_closes_the_persons_open_follow_up_and_no_one_elses(store, advisor,
                                                                       make_person):
    person, other = make_person(), make_person(given_name="Kim")
    follow = {"due_date": "13/06/2025", "way": "call"}
    base = {"conversation": {"site_code": "walton", "mode": "drop_in", "date": "11/06/2025",
                             "time": "10:00"}}
    with store.session() as s:
        first = dropin.record_drop_in(s, person.id, advisor.id, {**base, "follow_up": follow},
                                      TODAY).follow_up_id
        theirs = dropin.record_drop_in(s, other.id, advisor.id, {**base, "follow_up": follow},
                                       TODAY).follow_up_id
    with store.session() as s:
        found = dropin.open_follow_up(s, person.id)
        assert (found.id, found.due_date, found.way) == (first, date(2025, 6, 13), "call")
        # someone else's follow-up is not theirs to close
        wrong = dropin.record_drop_in(s, person.id, advisor.id,
                                      {**base, "close_follow_up": theirs}, TODAY)
        assert wrong.closed_follow_up_id is None
        done = dropin.record_drop_in(s, person.id, advisor.id,
                                     {**base, "close_follow_up": first}, TODAY)
        assert done.closed_follow_up_id == first
    with store.session() as s:
        closed = s.get(FollowUp, first)
        assert closed.done_at is not None and closed.done_by == advisor.id
        assert closed.outcome == dropin.SEEN_AT_DROP_IN
        assert s.get(FollowUp, theirs).done_at is None
        assert dropin.open_follow_up(s, person.id) is None
