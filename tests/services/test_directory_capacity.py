"""A service's capacity and eligibility: checked in plain words at the field, saved,
read back, and said briefly for the directory's list."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lr_desk.demo import fill_demo
from lr_desk.services import contacts, directory, directory_terms
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import PartnerService, Referral

TODAY = date(2025, 6, 11)
CATEGORIES = {"housing", "food_fuel"}


def form(**more) -> dict:
    return {"partner_id": "p1", "name": "Tenancy help", "category": "housing",
            "delivery": "community", **more}


def check(**more) -> dict:
    return directory.validate_service(form(**more), CATEGORIES, {"p1"}, TODAY)


def errors(**more) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        check(**more)
    assert all(isinstance(m, str) and m for m in info.value.errors.values())
    return info.value.errors


def test_a_service_with_no_terms_is_taking_referrals_for_anyone():
    clean = check()
    assert (clean["capacity"], clean["takes_per"], clean["reply_deadline_days"]) == (
        "taking", "month", 14)
    assert (clean["min_age"], clean["max_age"], clean["catchment"], clean["benefits_rule"],
            clean["once_only"], clean["criteria"]) == (None, None, "", "", False, "")


def test_capacity_as_typed():
    clean = check(capacity="waiting", wait_weeks=" 6 ", capacity_confirmed_on="2/6/2025",
                  takes="10", takes_per="week", reply_days="5", reply_deadline_days="21")
    assert (clean["capacity"], clean["wait_weeks"], clean["capacity_confirmed_on"],
            clean["takes"], clean["takes_per"], clean["reply_days"],
            clean["reply_deadline_days"]) == ("waiting", 6, date(2025, 6, 2), 10, "week", 5,
                                              21)
    paused = check(capacity="paused", paused_until="3 Mar 2026", wait_weeks="6")
    assert (paused["paused_until"], paused["wait_weeks"]) == (date(2026, 3, 3), None)


def test_capacity_mistakes_in_plain_words():
    found = errors(capacity="paused", takes="ten", reply_deadline_days="0",
                   capacity_confirmed_on="12/06/2025")
    assert found["paused_until"].startswith("Say until when it is paused")
    assert found["takes"] == ("Write the number of new referrals it takes as a whole "
                              "number, for example 2.")
    assert found["reply_deadline_days"] == ("The reply deadline in days should be between "
                                            "1 and 365.")
    assert found["capacity_confirmed_on"] == "It can't have been confirmed in the future."
    assert set(errors(capacity="full")) == {"capacity"}
    assert set(errors(capacity="waiting", wait_weeks="-2")) == {"wait_weeks"}
    # a wait typed wrongly is no mistake once it is not a waiting list
    assert check(capacity="taking", wait_weeks="x")["wait_weeks"] is None


def test_eligibility_as_typed():
    clean = check(min_age="18", max_age="25", catchment="sefton; l4 ,L20 3, St. Helens, l4",
                  benefits_rule="on", once_only=True, once_lookback_months="36",
                  criteria="  Referred by a GP  ")
    assert (clean["min_age"], clean["max_age"], clean["catchment"], clean["benefits_rule"],
            clean["once_only"], clean["once_lookback_months"], clean["criteria"]) == (
        18, 25, "Sefton, L4, L20 3, St Helens", "on", True, 36, "Referred by a GP")
    assert check(once_only=False, once_lookback_months="36")["once_lookback_months"] is None


def test_eligibility_mistakes_in_plain_words():
    found = errors(min_age="30", max_age="18", catchment="Sefton, Bootle",
                   benefits_rule="maybe", once_only=True, once_lookback_months="0")
    assert found["max_age"] == "The oldest age can't be below the youngest (30)."
    assert found["catchment"].startswith("'Bootle' isn't a local authority or a postcode "
                                         "district")
    assert found["benefits_rule"] == "Please choose the rule about benefits."
    assert "between 1 and 600" in found["once_lookback_months"]
    assert set(errors(min_age="121")) == {"min_age"}
    assert set(errors(catchment="L9 2AF")) == {"catchment"}  # a full postcode is no area


@pytest.mark.parametrize(("typed", "read"), [
    ("", []), ("Liverpool", ["Liverpool"]), ("l4", ["L4"]), ("CH41, wa10", ["CH41", "WA10"]),
    ("L20 3", ["L20 3"]), ("L20  3", ["L20 3"]), ("west lancashire\nKnowsley",
                                               ["West Lancashire", "Knowsley"]),
    ("St. Helens", ["St Helens"]), ("Merseyside, L4", ["Merseyside", "L4"]),
    ("Sefton residents only", ["Sefton"]),
])
def test_catchment_tokens(typed, read):
    assert directory_terms.catchment_tokens(typed) == read


@pytest.mark.parametrize("typed", ["Bootle", "4L", "L4 2A", "Lancs", "L4 12", "L203"])
def test_catchment_tokens_refused(typed):
    with pytest.raises(ValueError):
        directory_terms.catchment_tokens(typed)


def test_saved_and_read_back(store):
    with store.session() as s:
        pid = directory.save_partner(s, {"name": "Sefton Carers"}).id
    raw = form(partner_id=pid, capacity="waiting", wait_weeks="6", takes="10",
               capacity_confirmed_on="01/06/2025", min_age="18", catchment="sefton, L4",
               benefits_rule="not_on", once_only=True, once_lookback_months="24",
               criteria="Carers only")
    with store.session() as s:
        sid = directory.save_service(s, raw).id
    with store.session() as s:
        svc = s.get(PartnerService, sid)
        assert (svc.capacity, svc.wait_weeks, svc.takes, svc.takes_per,
                svc.capacity_confirmed_on, svc.reply_deadline_days) == (
            "waiting", 6, 10, "month", date(2025, 6, 1), 14)
        assert (svc.min_age, svc.max_age, svc.catchment, svc.benefits_rule, svc.once_only,
                svc.once_lookback_months, svc.criteria) == (
            18, None, "Sefton, L4", "not_on", True, 24, "Carers only")
        assert directory_terms.capacity_words(svc, TODAY) == (
            "Waiting list, about 6 weeks; takes 10 a month")
        assert directory_terms.eligibility_words(svc) == (
            "Aged 18 and over; Sefton, L4; only people not on benefits; once only "
            "(2 years); other criteria")
        assert not directory_terms.unconfirmed(svc, TODAY)
        assert directory_terms.confirmed_words(svc, TODAY) == "Confirmed 1 Jun"
    with store.session() as s:  # taking referrals again: the wait goes with the list
        directory.save_service(s, {**raw, "capacity": "taking"}, sid)
    with store.session() as s:
        assert s.get(PartnerService, sid).wait_weeks is None


def test_words_for_the_list():
    svc = PartnerService(capacity="paused", paused_until=date(2026, 3, 3),
                         capacity_confirmed_on=date(2025, 5, 1), reply_deadline_days=14)
    assert directory_terms.capacity_words(svc, TODAY) == "Paused until 3 Mar 2026"
    assert directory_terms.unconfirmed(svc, TODAY)
    assert directory_terms.confirmed_words(svc, TODAY) == "Unconfirmed since 1 May"
    assert directory_terms.eligibility_words(svc) == "Anyone"
    svc = PartnerService(capacity="closed", capacity_confirmed_on=None, max_age=25,
                         once_only=True, reply_days=1, reply_deadline_days=10)
    assert directory_terms.capacity_words(svc, TODAY) == "Closed"
    assert directory_terms.confirmed_words(svc, TODAY) == "Never confirmed"
    assert directory_terms.eligibility_words(svc) == "Aged 25 and under; once only (ever)"
    assert directory_terms.reply_words(svc) == (
        "Usually replies in 1 day; reply expected within 10 days")


def test_the_demo_directory_shows_every_check(store):
    """The demo desk's directory has each kind of capacity and eligibility, contacts (and
    a partner with none), and the demo's referrals fill some and go past the checks."""
    fill_demo(store, people=60, today=TODAY)
    with store.session() as s:
        listing = directory.listing(s, TODAY)
        services = [e.service for e in listing.entries if e.service is not None]
        assert {svc.capacity for svc in services} == {"taking", "waiting", "paused", "closed"}
        assert any(svc.takes and svc.takes_per == "week" for svc in services)
        assert any(svc.takes and svc.takes_per == "month" for svc in services)
        confirmed = [directory_terms.unconfirmed(svc, TODAY) for svc in services
                     if svc.capacity_confirmed_on]
        assert True in confirmed and False in confirmed
        catchments = {svc.catchment for svc in services}
        assert {"Sefton", "Liverpool"} <= catchments
        assert {svc.benefits_rule for svc in services} >= {"on", "not_on"}
        assert any(svc.once_only and svc.once_lookback_months for svc in services)
        assert any(svc.min_age is not None and svc.max_age is not None for svc in services)
        assert any(svc.criteria for svc in services)
        no_contact = [p.name for p in listing.partners if p.id not in listing.key_contacts]
        assert "Walton Bike Workshop" in no_contact
        assert len(contacts.contacts(s, next(
            p.id for p in listing.partners if p.name == "Example Housing Trust"))) == 2
        overridden = s.scalars(select(Referral.override_warnings).where(
            Referral.override_reason != "")).all()
        assert overridden and all(overridden)  # the checks said not, and were gone past
