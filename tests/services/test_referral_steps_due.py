"""Referrals awaiting a reply past their deadline (services.referrals_due), for an advisor
or a hub, and the person's view of each referral asked at follow-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lr_desk.services import accounts, dropin, duplicates, erasure, referral_views, referrals
from lr_desk.services.referrals_due import WINDOW_DAYS, awaiting_reply
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import FollowUp, Referral
from tests.services.test_referral_steps import (
    SERVICE,
    TODAY,
    open_one,
    referral,
    refused,
    run,
    step,
)


@pytest.fixture
def ann(make_person, agree_to_share):
    p = make_person(given_name="Ann", family_name="Lee")
    agree_to_share(p.id, SERVICE)
    return p


@pytest.fixture
def bo(make_person, agree_to_share):
    p = make_person("bootle", given_name="Bo", family_name="Ray")
    agree_to_share(p.id, SERVICE)
    return p


def due(store, day, advisor_id=None, site=None):
    with store.session() as s:
        return awaiting_reply(s, day, advisor_id, site)


def test_sent_and_unanswered_past_the_deadline_is_awaiting_a_reply(store, ann, advisor):
    sent = open_one(store, ann.id, advisor.id, "sent")
    answered = open_one(store, ann.id, advisor.id, "sent")
    step(store, answered, "accepted", advisor.id, day=TODAY + timedelta(days=3))
    open_one(store, ann.id, advisor.id, "agreed")  # never sent: nothing to wait for
    assert due(store, TODAY + timedelta(days=14)) == []  # due that day: not late yet
    rows = due(store, TODAY + timedelta(days=16))
    assert [(r.id, r.person_name, r.service, r.partner) for r in rows] == [
        (sent, "Ann Lee", "Tenancy support", "Example Housing Trust")]
    row = rows[0]
    assert (row.sent_on, row.reply_due, row.chased_on) == (
        TODAY, TODAY + timedelta(days=14), None)
    assert row.waiting(TODAY + timedelta(days=16)) == "awaiting reply, 16 days"
    assert row.advisor == "Alex Advisor" and row.site_code == "walton"


def test_a_chase_takes_it_off_for_seven_days_and_says_when(store, ann, advisor):
    rid = open_one(store, ann.id, advisor.id, "sent")
    day = TODAY + timedelta(days=16)
    run(store, lambda s: referrals.chase(s, rid, advisor.id, "Emailed Jane"), day)
    assert due(store, day + timedelta(days=7)) == []
    row, = due(store, day + timedelta(days=8))
    assert row.chased_on == day
    assert row.chased(day + timedelta(days=8)) == "chased 27 Jun"
    assert row.waiting(day + timedelta(days=8)) == "awaiting reply, 24 days"


def test_mine_is_who_sent_it_and_the_hubs_is_where_they_talked(store, ann, bo, advisor,
                                                                 other_advisor):
    walton = open_one(store, ann.id, advisor.id, "agreed")
    step(store, walton, "sent", other_advisor.id)  # Bea sent the one agreed with Alex
    bootle = open_one(store, bo.id, advisor.id, "sent", site="bootle")
    day = TODAY + timedelta(days=20)
    assert {r.id for r in due(store, day)} == {walton, bootle}
    assert [r.id for r in due(store, day, advisor_id=advisor.id)] == [bootle]
    assert [r.id for r in due(store, day, advisor_id=other_advisor.id)] == [walton]
    assert [r.id for r in due(store, day, site="walton")] == [walton]
    assert {r.id for r in due(store, day, advisor.id, "walton")} == {walton, bootle}
    assert [r.id for r in due(store, day, other_advisor.id, "southport")] == [walton]


def test_one_sent_before_deadlines_were_kept_uses_its_sent_day(store, ann, advisor):
    rid = open_one(store, ann.id, advisor.id, "sent")
    with store.session() as s:
        s.get(Referral, rid).reply_due = None  # as a referral sent before schema 0007
    assert due(store, TODAY + timedelta(days=14)) == []
    row, = due(store, TODAY + timedelta(days=15))
    assert row.reply_due == TODAY + timedelta(days=14)


def test_a_note_at_sent_is_not_a_new_sending(store, ann, advisor, other_advisor):
    rid = open_one(store, ann.id, advisor.id, "sent")
    step(store, rid, "sent", other_advisor.id, day=TODAY + timedelta(days=5), note="Rang")
    row, = due(store, TODAY + timedelta(days=20))
    assert (row.sent_on, row.advisor) == (TODAY, "Alex Advisor")


def test_only_the_last_six_months_are_listed(store, ann, advisor):
    old = open_one(store, ann.id, advisor.id, "sent", day=TODAY - timedelta(days=WINDOW_DAYS + 5))
    recent = open_one(store, ann.id, advisor.id, "sent", day=TODAY - timedelta(days=30))
    assert [r.id for r in due(store, TODAY)] == [recent]
    assert referral(store, old).status == "sent"


def test_merged_people_show_as_the_survivor_and_erased_ones_not_at_all(store, ann, bo,
                                                                         advisor):
    rid = open_one(store, bo.id, advisor.id, "sent")
    with store.session() as s:
        duplicates.merge(s, ann.id, bo.id, advisor.id)
    row, = due(store, TODAY + timedelta(days=20))
    assert (row.id, row.person_id, row.person_name) == (rid, ann.id, "Ann Lee")
    with store.session() as s:
        manager = accounts.create(s, "Mo Manager", "walton", "mo", "manager",
                                  "a long manager password")
        erasure.erase(s, ann.id, manager.id, manager.id)
    assert due(store, TODAY + timedelta(days=20)) == []


# --- the person's view at follow-up -------------------------------------------------------


def follow_up_for(store, person_id, advisor_id) -> str:
    raw = {"conversation": {"site_code": "walton", "mode": "drop_in", "date": "11/06/2025",
                            "time": "11:00"},
           "follow_up": {"due_date": "18/06/2025", "way": "call"}}
    return run(store, lambda s: dropin.record_drop_in(s, person_id, advisor_id, raw,
                                                      today=TODAY).follow_up_id)


def test_the_referrals_that_started_are_asked_about_with_the_outcome(store, ann, advisor):
    suggested = open_one(store, ann.id, advisor.id)
    sent = open_one(store, ann.id, advisor.id, "sent")
    going = open_one(store, ann.id, advisor.id, "sent")
    step(store, going, "engaged", advisor.id)
    declined = open_one(store, ann.id, advisor.id, "sent")
    step(store, declined, "declined", advisor.id, reason_code="no_capacity")
    fid = follow_up_for(store, ann.id, advisor.id)
    with store.session() as s:
        asked = referral_views.to_ask(s, fid)
    assert {a.id for a in asked} == {sent, going}
    assert {a.status for a in asked} == {"Sent", "Engaged"}
    assert suggested not in {a.id for a in asked} and declined not in {a.id for a in asked}

    views = {going: {"view": "helped_lot", "words": "Made two friends"},
             sent: {"view": "did_not_go", "words": ""}}
    # a bad outcome: nothing is saved, the views neither
    with pytest.raises(ValidationError), store.session() as s:
        referral_views.record_follow_up(s, fid, advisor.id, "", "", views, TODAY)
    assert referral(store, going).view == ""
    # words with no choice ask for one
    assert set(refused(store, lambda s: referral_views.record_follow_up(
        s, fid, advisor.id, "spoke", "", {going: {"view": "", "words": "Some"}}))) == {
        f"views.{going}"}
    run(store, lambda s: referral_views.record_follow_up(s, fid, advisor.id, "spoke",
                                                    "All going well", views, TODAY))
    with store.session() as s:
        fu = s.get(FollowUp, fid)
        assert fu.done_at is not None and fu.outcome == "Spoke to them: All going well"
        got = {r.id: (r.view, r.view_words, r.view_at is not None) for r in
               s.scalars(select(Referral).where(Referral.id.in_([going, sent])))}
    assert got == {going: ("helped_lot", "Made two friends", True),
                   sent: ("did_not_go", "", True)}


def test_a_view_is_only_recorded_for_the_persons_own_referrals(store, ann, bo, advisor):
    theirs = open_one(store, bo.id, advisor.id, "sent")
    fid = follow_up_for(store, ann.id, advisor.id)
    with pytest.raises(ValidationError), store.session() as s:
        referral_views.record_follow_up(s, fid, advisor.id, "spoke", "",
                                   {theirs: {"view": "helped_bit", "words": ""}}, TODAY)
    with store.session() as s:
        assert s.get(FollowUp, fid).done_at is None
        assert s.get(Referral, theirs).view == ""
