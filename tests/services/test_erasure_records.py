"""Erasing a person empties what issue 12 added about them, end to end through
services.erasure: whether they receive benefits, why a referral was made although the
checks said not, their view in their words, and the words of the service gaps noted at
their conversations; what reports count (the view, the gap's need and site, the counts)
is kept, and nobody else's words are touched. The old values are gone from the file."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lr_desk.services import accounts, dropin, erasure, gaps, people
from lr_desk.services.reference import example_id
from lr_desk.store import erase as store_erase
from lr_desk.store.models import Erasure, Outbox, Person, Referral, ServiceGap
from tests.conftest import TODAY
from tests.services.erasing import found_in_files

SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")
MARK = "Zq~benefit"  # (see tests/services/erasing.py: a mark chance never makes)
SECRETS = (f"{MARK} override", f"{MARK} view", f"{MARK} gap")


@pytest.fixture
def manager(store):
    with store.session() as s:
        return accounts.create(s, "Mo Manager", "walton", "mo", "manager",
                               "a long manager password")


def _someone(s, advisor_id: str, given: str, mark: str) -> tuple[str, str, str]:
    """A person on benefits, a referral made anyway with their view, a gap noted at their
    drop-in: (person, referral, gap) ids."""
    person = people.register(s, {"given_name": given, "family_name": "Erasable",
                                 "on_benefits": "yes"}, advisor_id, "bootle", today=TODAY)
    done = dropin.record_drop_in(s, person.id, advisor_id, {
        "conversation": {"date": "11/06/2025", "time": "10:15", "site_code": "bootle",
                         "mode": "drop_in", "needs": ["housing"]},
        "items": [{"kind": "partner_service", "service_id": SERVICE, "title": "Tenancy",
                   "refer": True, "referral_status": "agreed"}]}, today=TODAY)
    referral = s.get(Referral, done.referral_ids[0])
    referral.override_warnings = "Sefton residents only"
    referral.override_reason = f"{mark} override: she is moving to Sefton next week"
    referral.view, referral.view_words = "helped_lot", f"{mark} view: I kept my flat"
    gap = gaps.record_gap(s, "housing", "bootle", f"{mark} gap: a hostel that takes dogs",
                          advisor_id, done.conversation_id)
    s.flush()
    return person.id, referral.id, gap.id


def test_the_new_fields_are_emptied_and_what_reports_count_is_kept(store, advisor, manager):
    with store.session() as s:
        mine = _someone(s, advisor.id, "Zelda", MARK)
        theirs = _someone(s, advisor.id, "Olwen", "Keep")
        gaps.record_gap(s, "employment", "walton", "Keep: a gap on its own", advisor.id)
    june = date(2025, 1, 1), date(2030, 12, 31)
    with store.session() as s:
        counted = gaps.counts(s, *june)
    with store.session() as s:
        erasure.erase(s, mine[0], manager.id, manager.id, "request")
    store_erase.wipe(store.engine)

    with store.session() as s:
        person, referral, gap = (s.get(Person, mine[0]), s.get(Referral, mine[1]),
                                 s.get(ServiceGap, mine[2]))
        assert person.on_benefits == "" and person.erased_at is not None
        assert (referral.override_reason, referral.view_words) == ("", "")
        assert referral.view == "helped_lot"  # counted: kept
        assert (gap.words, gap.category, gap.site_code) == ("", "housing", "bootle")
        record = s.scalars(select(Erasure)).one()
        assert gap.id in record.record_ids["service_gap"]
        # the other person, and the gap noted on its own, are as they were
        other_ref, other_gap = s.get(Referral, theirs[1]), s.get(ServiceGap, theirs[2])
        assert s.get(Person, theirs[0]).on_benefits == "yes"
        assert other_ref.override_reason.startswith("Keep override")
        assert other_gap.words.startswith("Keep gap")
        assert s.scalars(select(ServiceGap.words).where(
            ServiceGap.conversation_id.is_(None))).one() == "Keep: a gap on its own"
        assert gaps.counts(s, *june) == counted
        sent = [o.fields for o in s.scalars(select(Outbox))]
    assert not [x for x in SECRETS if x in repr(sent)]
    assert found_in_files(store, SECRETS) == {}


def test_a_gap_noted_later_under_their_conversation_is_erased_as_it_is_written(
        store, advisor, manager):
    # (a drop-in's gaps are recorded right after its save: an erasure may come between)
    with store.session() as s:
        person_id, _referral, gap_id = _someone(s, advisor.id, "Zelda", MARK)
        conversation_id = s.get(ServiceGap, gap_id).conversation_id
    with store.session() as s:
        erasure.erase(s, person_id, manager.id, manager.id, "request")
    with store.session() as s:
        late = gaps.record_gap(s, "employment", "bootle", f"{MARK} gap: noted late",
                               advisor.id, conversation_id)
    with store.session() as s:
        row = s.get(ServiceGap, late.id)
        assert (row.words, row.category) == ("", "employment")
        sent = [o.fields for o in s.scalars(select(Outbox).where(
            Outbox.entity_id == late.id))]
    assert sent and all(f.get("words", "") == "" for f in sent)
