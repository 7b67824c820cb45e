"""Today's follow-ups first, then the overdue ones grouped; Follow-up done records what
happened from a short list plus words, in the follow-up's outcome text."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from lr_desk.services import desk, dropin, followups
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import FollowUp

TODAY = date(2025, 12, 7)  # a Sunday: this week began on Monday 1 Dec


def follow_up(store, person, advisor_id, due: date, due_time="") -> str:
    day = min(due, TODAY)  # agreed on the day it is due (or today, for one still to come)
    raw = {"conversation": {"site_code": "walton", "mode": "drop_in", "time": "09:00",
                            "date": day.strftime("%d/%m/%Y")},
           "follow_up": {"due_date": due.strftime("%d/%m/%Y"), "way": "call",
                         "due_time": due_time}}
    with store.session() as s:
        return dropin.record_drop_in(s, person.id, advisor_id, raw, today=day).follow_up_id


def test_today_first_then_overdue_grouped_most_recent_first(store, make_person, advisor):
    def person(name):
        return make_person(given_name=name, family_name="Lewis")

    follow_up(store, person("Older"), advisor.id, date(2024, 10, 10))
    follow_up(store, person("LastWeek"), advisor.id, date(2025, 11, 25))
    follow_up(store, person("ThisWeek"), advisor.id, date(2025, 12, 2))
    follow_up(store, person("Yesterday"), advisor.id, date(2025, 12, 6))
    follow_up(store, person("AnyTime"), advisor.id, TODAY)
    follow_up(store, person("Morning"), advisor.id, TODAY, "09:30")
    follow_up(store, person("Afternoon"), advisor.id, TODAY, "14:00")
    follow_up(store, person("Tomorrow"), advisor.id, TODAY + timedelta(days=1))
    with store.session() as s:
        rows = desk.follow_ups_due(s, TODAY)
    groups = followups.grouped(rows, TODAY)
    assert [(g, [r.person_name.split()[0] for r in rs]) for g, rs in groups] == [
        ("Due today", ["Morning", "Afternoon", "AnyTime"]),
        ("Earlier this week", ["Yesterday", "ThisWeek"]),
        ("Last week", ["LastWeek"]),
        ("Older", ["Older"]),
    ]
    assert all(r.overdue for _, rs in groups[1:] for r in rs)
    assert not any(r.overdue for r in groups[0][1])


def test_due_today_is_there_even_when_empty_and_empty_groups_are_not(store, make_person,
                                                                     advisor):
    follow_up(store, make_person(), advisor.id, date(2025, 11, 25))
    with store.session() as s:
        groups = followups.grouped(desk.follow_ups_due(s, TODAY), TODAY)
    assert [(g, len(rs)) for g, rs in groups] == [("Due today", 0), ("Last week", 1)]
    assert followups.grouped([], TODAY) == [("Due today", [])]


def test_what_happened_is_stored_as_words_in_the_outcome(store, make_person, advisor):
    assert followups.outcome_text("spoke", "Started the course") == \
        "Spoke to them: Started the course"
    assert followups.outcome_text("left_message", "") == "Left a message"
    assert followups.outcome_text("other", "Her daughter rang us") == "Her daughter rang us"
    fid = follow_up(store, make_person(), advisor.id, TODAY)
    with store.session() as s:
        followups.record_outcome(s, fid, advisor.id, "spoke", "  Started the course ",
                                 today=TODAY)
    with store.session() as s:
        fu = s.get(FollowUp, fid)
        assert fu.done_at is not None and fu.done_by == advisor.id
        assert fu.outcome == "Spoke to them: Started the course"
        assert desk.follow_ups_due(s, TODAY) == []
    with store.session() as s, pytest.raises(ValidationError) as done:
        followups.record_outcome(s, fid, advisor.id, "spoke", today=TODAY)
    assert done.value.errors == {"result": "This follow-up has been done already."}


def test_no_answer_keeps_it_open_for_tomorrow_and_notes_the_try(store, make_person, advisor):
    fid = follow_up(store, make_person(given_name="Sam", family_name="Hale"), advisor.id,
                    TODAY - timedelta(days=3), "10:00")
    with store.session() as s:
        followups.record_outcome(s, fid, advisor.id, "no_answer", today=TODAY)
    with store.session() as s:
        fu = s.get(FollowUp, fid)
        assert fu.done_at is None
        assert (fu.due_date, fu.due_time) == (TODAY + timedelta(days=1), "10:00")
        assert fu.outcome == "7 Dec 2025: No answer, try again"
        assert desk.follow_ups_due(s, TODAY) == []  # off today's list ...
        assert [r.id for r in desk.follow_ups_due(s, TODAY + timedelta(days=1))] == [fid]
        [entry] = [e for e in desk.person_view(s, fu.person_id, TODAY).timeline
                   if e.kind == "follow_up"]
        assert entry.open and entry.detail.splitlines() == [
            "With Alex Advisor", "Tried: 7 Dec 2025: No answer, try again"]
    with store.session() as s:  # ... and done the next day, the try kept
        followups.record_outcome(s, fid, advisor.id, "spoke", "Rang back",
                                 today=TODAY + timedelta(days=1))
    with store.session() as s:
        assert s.get(FollowUp, fid).outcome == (
            "7 Dec 2025: No answer, try again\nSpoke to them: Rang back")


def test_what_happened_must_be_chosen_and_something_else_needs_words():
    with pytest.raises(ValidationError) as nothing:
        followups.validate("", "")
    assert nothing.value.errors == {"result": "Please choose what happened."}
    with pytest.raises(ValidationError) as other:
        followups.validate("other", "   ")
    assert other.value.errors == {"outcome": "Please note what happened at the follow-up."}
    with pytest.raises(ValidationError) as long:
        followups.validate("spoke", "x" * 50_001)
    assert "too long" in long.value.errors["outcome"]
    assert followups.validate("not_needed", "") == ("not_needed", "")
    assert list(followups.OUTCOMES.values())[:5] == [
        "Spoke to them", "No answer, try again", "Left a message", "They came in to see us",
        "Not needed any more"]


def test_a_follow_up_no_longer_here_says_so(store, make_person, advisor):
    fid = follow_up(store, make_person(), advisor.id, TODAY)
    with store.session() as s:
        s.get(FollowUp, fid).deleted_at = datetime(2025, 12, 7, 9)  # a tombstone
    with store.session() as s, pytest.raises(ValidationError) as gone:
        followups.record_outcome(s, fid, advisor.id, "spoke", today=TODAY)
    assert gone.value.errors == {"result": "This follow-up is no longer here."}
