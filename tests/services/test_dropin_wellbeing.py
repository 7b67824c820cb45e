"""The wellbeing measures recorded with a drop-in and at Follow-up done: in the same
transaction as the conversation (or the follow-up's outcome), with its id and site;
skipped items kept as skipped (no total); a wrong answer a field error at its question
with nothing written; and nothing kept from a follow-up where the person was not reached."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lr_desk.services import dropin, followups, referral_views, wellbeing
from lr_desk.services.validation import ValidationError
from lr_desk.store.clock import local_time
from lr_desk.store.models import Conversation, FollowUp, Outbox, WellbeingMeasure

TODAY = date.today()
ALL_SEVEN = {"1": 4, "2": 3, "3": 2, "4": 5, "5": 4, "6": 3, "7": 4}  # 25: metric 22.35


@pytest.fixture
def person(make_person) -> str:
    return make_person(given_name="Rhi", family_name="Owen").id


@pytest.fixture
def advisor_id(advisor) -> str:
    return advisor.id


def drop_in(measures, site: str = "southport") -> dict:
    return {"conversation": {"date": TODAY.strftime("%d/%m/%Y"), "time": "00:01",
                             "site_code": site, "mode": "drop_in",
                             "what_matters": "Feeling low since the winter", "needs": []},
            "items": [], "follow_up": None, "wellbeing": measures}


def record(store, person_id, advisor_id, raw):
    with store.session() as s:
        return dropin.record_drop_in(s, person_id, advisor_id, raw, TODAY)


def rows(store) -> list[WellbeingMeasure]:
    with store.session() as s:
        found = s.scalars(select(WellbeingMeasure).order_by(WellbeingMeasure.measure)).all()
        s.expunge_all()
        return list(found)


def count(store, model) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_both_measures_are_kept_with_the_conversation_its_site_and_the_outbox(
        store, advisor_id, person):
    result = record(store, person, advisor_id, drop_in(
        {"swemwbs": ALL_SEVEN, "ons4": {"1": 7, "2": 10, "3": None, "4": 2}}))
    ons4, swemwbs = rows(store)
    assert sorted(result.wellbeing_ids) == sorted([ons4.id, swemwbs.id])
    for row in (ons4, swemwbs):
        assert (row.person_id, row.advisor_id, row.conversation_id, row.follow_up_id,
                row.site_code) == (person, advisor_id, result.conversation_id, None, "southport")
    assert swemwbs.answers == ALL_SEVEN and swemwbs.raw_total == 25
    assert wellbeing.metric(swemwbs.raw_total) == 22.35
    assert ons4.answers == {"1": 7, "2": 10, "4": 2}  # the skipped question left out
    assert ons4.raw_total is None  # never added up
    with store.session() as s:  # asked at the conversation's time (local, kept as UTC)
        when = s.get(Conversation, result.conversation_id).occurred_at
    assert local_time(swemwbs.taken_at) == local_time(ons4.taken_at) == when
    with store.session() as s:  # synced like every record: in the outbox, same save
        assert set(s.scalars(select(Outbox.entity_id).where(
            Outbox.entity == "wellbeing_measure"))) == {ons4.id, swemwbs.id}


def test_a_skipped_statement_keeps_no_total_and_nothing_answered_keeps_nothing(
        store, advisor_id, person):
    six = {k: v for k, v in ALL_SEVEN.items() if k != "3"}
    record(store, person, advisor_id, drop_in({"swemwbs": {**six, "3": ""}, "ons4": {}}))
    (kept,) = rows(store)
    assert (kept.measure, kept.answers, kept.raw_total) == ("swemwbs", six, None)

    result = record(store, person, advisor_id, drop_in({"swemwbs": {}, "ons4": {"1": None}}))
    assert result.wellbeing_ids == [] and len(rows(store)) == 1
    record(store, person, advisor_id, drop_in(None))  # a drop-in from before: no part at all
    assert len(rows(store)) == 1 and count(store, Conversation) == 3


def test_a_wrong_answer_is_said_at_its_question_and_nothing_is_written(
        store, advisor_id, person):
    raw = drop_in({"swemwbs": {**ALL_SEVEN, "3": 6, "5": "often"},
                   "ons4": {"4": 11, "9": 3}})
    with pytest.raises(ValidationError) as info:
        record(store, person, advisor_id, raw)
    errors = info.value.errors
    assert set(errors) == {"wellbeing.swemwbs.3", "wellbeing.swemwbs.5",
                           "wellbeing.ons4.4", "wellbeing.ons4"}
    assert "from 1 (None of the time) to 5 (All of the time)" in errors["wellbeing.swemwbs.3"]
    assert "from 0 (Not at all) to 10 (Completely)" in errors["wellbeing.ons4.4"]
    assert count(store, WellbeingMeasure) == 0 and count(store, Conversation) == 0
    # the form's own check (pure, as they type) says the same
    with store.session() as s:
        known = dropin.Known.load(s)
    with pytest.raises(ValidationError) as typed:
        dropin.validate_drop_in(raw, TODAY, known)
    assert set(typed.value.errors) == set(errors)


def test_a_damaged_part_is_said_once(store, advisor_id, person):
    for damaged in (["swemwbs"], {"swemwbs": [4, 3]}, {"gad7": {"1": 2}}):
        with pytest.raises(ValidationError) as info:
            record(store, person, advisor_id, drop_in(damaged))
        (key,) = info.value.errors
        assert key.startswith("wellbeing")
    assert count(store, Conversation) == 0


def _follow_up(store, person, advisor_id) -> str:
    raw = drop_in(None, site="walton")
    raw["follow_up"] = {"due_date": (TODAY + timedelta(days=14)).strftime("%d/%m/%Y"),
                        "way": "call", "site_code": "bootle"}
    return record(store, person, advisor_id, raw).follow_up_id


def test_at_follow_up_done_the_measures_are_kept_with_the_follow_up(
        store, advisor_id, person):
    fu_id = _follow_up(store, person, advisor_id)
    with store.session() as s:  # as the step form saves it: one transaction
        fu = referral_views.record_follow_up(s, fu_id, advisor_id, "spoke", "Rang her", {})
        kept = followups.record_measures(s, fu, advisor_id, "spoke", {"swemwbs": ALL_SEVEN})
    (row,) = rows(store)
    assert kept == [row.id]
    assert (row.follow_up_id, row.conversation_id, row.site_code, row.raw_total) == (
        fu_id, None, "bootle", 25)
    with store.session() as s:
        assert s.get(FollowUp, fu_id).done_at is not None


def test_no_answers_are_kept_when_the_person_was_not_reached(store, advisor_id, person):
    fu_id = _follow_up(store, person, advisor_id)
    with pytest.raises(ValidationError) as info:
        followups.check_measures("no_answer", {"ons4": {"1": 5}})
    assert list(info.value.errors) == ["wellbeing"]
    assert "not reached" in info.value.errors["wellbeing"]
    assert followups.check_measures("left_message", {"ons4": {}, "swemwbs": {}}) == {}
    with pytest.raises(ValidationError), store.session() as s:
        fu = referral_views.record_follow_up(s, fu_id, advisor_id, "no_answer", "", {})
        followups.record_measures(s, fu, advisor_id, "no_answer", {"ons4": {"1": 5}})
    with store.session() as s:  # the whole save undone: the try not noted, not moved
        fu = s.get(FollowUp, fu_id)
        assert (fu.outcome, fu.due_date) == ("", TODAY + timedelta(days=14))
    assert count(store, WellbeingMeasure) == 0
