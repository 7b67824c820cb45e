"""Referring past a blocking warning: the save asks for a reason, and records it with the
words the desk said; the form's own check asks as it types."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from lr_desk.services import dropin, eligibility, eligibility_override
from lr_desk.services.reference import example_id
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import PartnerService, Referral
from tests.services.test_eligibility_load import refer

TODAY = date(2025, 6, 11)
HOUSING = example_id("service", "Example Housing Trust", "Tenancy support")
DEBT = example_id("service", "Example Advice Centre (debt and benefits)",
                  "Benefits and debt drop-in")
NOT_IN_SEFTON = "Sefton residents only: this person's postcode (L4) is in Liverpool"


def drop_in(*items: dict) -> dict:
    return {"conversation": {"date": "11/06/2025", "time": "10:15", "site_code": "walton",
                             "mode": "drop_in", "needs": ["housing"]},
            "items": list(items)}


def housing(**more) -> dict:
    return {"kind": "partner_service", "service_id": HOUSING, "title": "",
            "refer": True, "referral_status": "agreed", **more}


@pytest.fixture
def ann(make_person, store):
    person = make_person(given_name="Ann", postcode="L4 1AB")
    with store.session() as s:
        s.get(PartnerService, HOUSING).catchment = "Sefton"
    return person


def test_a_referral_past_a_blocking_warning_needs_a_reason(store, advisor, ann):
    with store.session() as s, pytest.raises(ValidationError) as info:
        dropin.record_drop_in(s, ann.id, advisor.id, drop_in(housing()), TODAY)
    assert info.value.errors == {"items.0.override_reason": eligibility_override.ASK}
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Referral)) == 0
    # in the plan without a referral: nothing to go past
    with store.session() as s:
        dropin.record_drop_in(s, ann.id, advisor.id, drop_in(housing(refer=False)), TODAY)


def test_the_reason_and_the_words_are_recorded_with_the_referral(store, advisor, ann):
    with store.session() as s:
        result = dropin.record_drop_in(s, ann.id, advisor.id, drop_in(
            housing(override_reason="  Moving to Bootle next week  ")), TODAY)
    with store.session() as s:
        ref = s.get(Referral, result.referral_ids[0])
        assert ref.override_warnings == NOT_IN_SEFTON
        assert ref.override_reason == "Moving to Bootle next week"


def test_no_warning_no_override_recorded_even_with_a_reason_typed(store, advisor, ann):
    with store.session() as s:
        s.get(PartnerService, HOUSING).catchment = ""
    with store.session() as s:
        result = dropin.record_drop_in(s, ann.id, advisor.id, drop_in(
            housing(override_reason="left over from before")), TODAY)
    with store.session() as s:
        ref = s.get(Referral, result.referral_ids[0])
        assert (ref.override_warnings, ref.override_reason) == ("", "")


def test_a_service_full_since_the_form_opened_asks_at_the_save(store, advisor, ann,
                                                                 make_person):
    with store.session() as s:
        s.get(PartnerService, HOUSING).catchment = ""
        s.get(PartnerService, DEBT).takes = 1
        form_checker = eligibility.prepare(s, ann.id, TODAY)
        known = dropin.Known.load(s)
    raw = drop_in({"kind": "partner_service", "service_id": DEBT, "title": "",
                   "refer": True, "referral_status": "suggested"})
    dropin.validate_drop_in(raw, TODAY, known, form_checker)  # room when it opened
    bo = make_person(given_name="Bo")
    with store.session() as s:  # another referral, sent meanwhile
        refer(s, bo.id, advisor.id, DEBT, [("sent", datetime(2025, 6, 11, 9))])
    with store.session() as s, pytest.raises(ValidationError) as info:
        dropin.record_drop_in(s, ann.id, advisor.id, raw, TODAY)
    assert list(info.value.errors) == ["items.0.override_reason"]
    raw["items"][0]["override_reason"] = "They are in crisis: the partner agreed by phone"
    with store.session() as s:
        result = dropin.record_drop_in(s, ann.id, advisor.id, raw, TODAY)
        assert s.get(Referral, result.referral_ids[0]).override_warnings == \
            "1 referred this month, takes 1"


def test_the_forms_check_asks_as_it_types(store, ann):
    with store.session() as s:
        checker = eligibility.prepare(s, ann.id, TODAY)
        known = dropin.Known.load(s)
    with pytest.raises(ValidationError) as info:
        dropin.validate_drop_in(drop_in(housing()), TODAY, known, checker)
    assert info.value.errors == {"items.0.override_reason": eligibility_override.ASK}
    clean = dropin.validate_drop_in(drop_in(housing(override_reason="Moving there")), TODAY,
                                    known, checker)
    assert clean["items"][0]["override_reason"] == "Moving there"
    # without a checker (not ready yet), the form does not ask; the save will
    dropin.validate_drop_in(drop_in(housing()), TODAY, known)


@pytest.mark.parametrize("bad", ["\ud800 half a character", "x" * 100_001, 42])
def test_a_damaged_reason_is_said_at_its_field(store, ann, bad):
    with store.session() as s:
        known = dropin.Known.load(s)
    with pytest.raises(ValidationError) as info:
        dropin.validate_drop_in(drop_in(housing(override_reason=bad)), TODAY, known)
    assert set(info.value.errors) == {"items.0.override_reason"}
