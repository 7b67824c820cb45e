"""Service gaps: a need no suitable service could meet, noted with its drop-in's
conversation (or on its own), checked in plain words, all or none, and counted by need
and site over a period (local days, both ends included; deleted ones not counted)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from lr_desk.services import dropin, gaps
from lr_desk.services.gaps import Count
from lr_desk.services.validation import ValidationError
from lr_desk.store.clock import new_id
from lr_desk.store.models import AuditEvent, ServiceGap
from tests.conftest import TODAY


@pytest.fixture
def conversation_id(store, advisor, make_person):
    person = make_person(given_name="Ruairi", family_name="Gallagher")
    with store.session() as s:
        return dropin.record_drop_in(s, person.id, advisor.id, {"conversation": {
            "date": "11/06/2025", "time": "10:15", "site_code": "bootle", "mode": "drop_in",
            "needs": ["housing", "employment"]}}, today=TODAY).conversation_id


def test_a_gap_is_noted_with_its_conversation(store, advisor, conversation_id):
    store.advisor_id = advisor.id
    with store.session() as s:
        gap = gaps.record_gap(s, "housing", "bootle", "  Supported housing for a man with "
                              "a dog: none in Sefton takes pets  ", advisor.id,
                              conversation_id)
    with store.session() as s:
        row = s.get(ServiceGap, gap.id)
        assert (row.category, row.site_code, row.words, row.advisor_id,
                row.conversation_id) == (
            "housing", "bootle", "Supported housing for a man with a dog: none in Sefton "
            "takes pets", advisor.id, conversation_id)
        assert row.recorded_at is not None
        assert [g.id for g in gaps.noted_at(s, conversation_id)] == [gap.id]
        made = s.scalars(select(AuditEvent).where(AuditEvent.entity_id == gap.id)).one()
        assert (made.action, made.advisor_id) == ("create", advisor.id)


def test_a_gap_on_its_own_names_no_conversation(store, advisor):
    with store.session() as s:
        gap = gaps.record_gap(s, "employment", "walton", "Evening IT classes", advisor.id)
    with store.session() as s:
        assert s.get(ServiceGap, gap.id).conversation_id is None


@pytest.mark.parametrize(("category", "site", "words", "errors"), [
    ("", "walton", "words", {"category": "Choose the need that no service could meet."}),
    ("made_up", "walton", "words", {"category": "Choose the need that no service could "
                                                "meet."}),
    ("housing", "atlantis", "words", {"site_code": "Choose where this was."}),
    ("housing", "walton", "   ", {"words": "Say in a few words what was needed and not "
                                           "found."}),
    ("housing", "walton", "x" * 2_001, {"words": "The description of what was needed is too "
                                                 "long (2,001 characters, at most 2,000)."}),
])
def test_what_is_wrong_is_said_in_plain_words(store, advisor, category, site, words,
                                              errors):
    with store.session() as s, pytest.raises(ValidationError) as bad:
        gaps.record_gap(s, category, site, words, advisor.id)
    assert bad.value.errors == errors
    with store.session() as s:
        assert s.scalars(select(ServiceGap)).all() == []


def test_an_unknown_conversation_or_advisor_is_refused(store, advisor):
    with store.session() as s, pytest.raises(ValidationError) as bad:
        gaps.record_gap(s, "housing", "walton", "words", new_id(), new_id())
    assert set(bad.value.errors) == {"advisor_id", "conversation_id"}


def test_the_gaps_of_a_drop_in_are_all_or_none(store, advisor, conversation_id):
    with store.session() as s, pytest.raises(ValidationError) as bad:
        gaps.record_gaps(s, [{"category": "housing", "words": "Hostel beds"},
                             {"category": "housing", "words": ""}],
                         "bootle", advisor.id, conversation_id)
    assert bad.value.errors == {"gaps.1.words": "Say in a few words what was needed and "
                                                "not found."}
    with store.session() as s:
        assert s.scalars(select(ServiceGap)).all() == []
        made = gaps.record_gaps(s, [{"category": "housing", "words": "Hostel beds"},
                                    {"category": "employment", "words": "Sign language "
                                                                        "job coach"}],
                                "bootle", advisor.id, conversation_id)
    with store.session() as s:
        assert [(g.category, g.words) for g in gaps.noted_at(s, conversation_id)] == [
            (g.category, g.words) for g in made]


def _noted(store, advisor_id: str, when: datetime, category: str, site: str) -> ServiceGap:
    with store.session() as s:
        s.info["now"] = when  # (UTC, as stored)
        return gaps.record_gap(s, category, site, f"{category} at {site}", advisor_id)


def test_counted_by_need_and_site_over_a_period(store, advisor):
    for when, category, site in [
        (datetime(2025, 5, 31, 12), "housing", "walton"),  # the day before
        (datetime(2025, 6, 1, 12), "housing", "walton"),
        (datetime(2025, 6, 2, 12), "housing", "walton"),
        (datetime(2025, 6, 3, 12), "housing", "bootle"),
        (datetime(2025, 6, 15, 12), "employment", "walton"),
        (datetime(2025, 6, 30, 12), "social_isolation", "southport"),
        (datetime(2025, 7, 1, 12), "housing", "walton"),  # the day after
    ]:
        _noted(store, advisor.id, when, category, site)
    deleted = _noted(store, advisor.id, datetime(2025, 6, 20, 12), "employment", "walton")
    with store.session() as s:
        s.get(ServiceGap, deleted.id).deleted_at = datetime(2025, 6, 21, 9)
    june = date(2025, 6, 1), date(2025, 6, 30)
    with store.session() as s:
        every = gaps.counts(s, *june)
        walton = gaps.counts(s, *june, site_code="walton")
        none = gaps.counts(s, date(2024, 1, 1), date(2024, 12, 31))
    names = {c.category: c.need for c in every}
    assert names["housing"] == "Housing" and "_" not in names["social_isolation"]
    by = {(c.category, c.site_code): c.count for c in every}
    assert by == {("housing", "walton"): 2, ("housing", "bootle"): 1,
                  ("employment", "walton"): 1, ("social_isolation", "southport"): 1}
    assert walton == [c for c in every if c.site_code == "walton"]
    assert all(isinstance(c, Count) for c in every) and none == []
