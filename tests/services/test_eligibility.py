"""Every eligibility and capacity rule against a person's facts, in the words shown at the
field; missing facts say so and never block; districts shared by two councils cannot
tell."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from lr_desk.services.districts import AUTHORITIES, DISTRICTS
from lr_desk.services.eligibility import Checker, Facts, Rules, Verdict, age_on
from lr_desk.services.eligibility_area import check, parse, place
from lr_desk.services.eligibility_rules import Warning, months_before

TODAY = date(2025, 6, 11)
BASE = Rules("s1", "Tenancy support", "p1", "Example Housing Trust", "housing")
ANN = Facts("ann", age=40, postcode="L4 1AB", on_benefits="yes")


def verdict(rules: Rules = BASE, facts: Facts | None = ANN, load: int = 0,
            key: bool = True) -> Verdict:
    checker = Checker({rules.id: rules}, facts, {rules.id: load},
                      {rules.partner_id} if key else set(), TODAY)
    return checker.check(rules.id)


def texts(v: Verdict) -> list[tuple[str, bool]]:
    return [(w.text, w.blocking) for w in v.warnings]


def test_anyone_anywhere_says_nothing():
    v = verdict()
    assert v.warnings == () and v.mark == "" and v.reason == ""


# -- age ----------------------------------------------------------------------------------

def test_age_range():
    young = replace(BASE, min_age=18, max_age=25)
    assert texts(verdict(young)) == [("Ages 18-25 only: this person is 40", True)]
    assert verdict(young).mark == "Not eligible"
    assert verdict(young, replace(ANN, age=25)).warnings == ()
    assert verdict(young, replace(ANN, age=18)).warnings == ()
    assert texts(verdict(young, replace(ANN, age=17))) == [
        ("Ages 18-25 only: this person is 17", True)]
    assert texts(verdict(replace(BASE, min_age=50), ANN)) == [
        ("Ages 50 and over only: this person is 40", True)]
    assert texts(verdict(replace(BASE, max_age=30), ANN)) == [
        ("Up to age 30 only: this person is 40", True)]


def test_no_date_of_birth_cannot_check_the_age_and_does_not_block():
    v = verdict(replace(BASE, min_age=18, max_age=25), replace(ANN, age=None))
    assert texts(v) == [("No date of birth: cannot check the age range 18-25", False)]
    assert v.mark == "Check"


def test_age_on_birthdays():
    assert age_on(date(2000, 6, 11), TODAY) == 25
    assert age_on(date(2000, 6, 12), TODAY) == 24
    assert age_on(date(2004, 2, 29), date(2025, 2, 28)) == 20
    assert age_on(None, TODAY) is None


@given(st.dates(date(1920, 1, 1), date(2024, 12, 31)), st.integers(0, 100),
       st.integers(0, 100))
def test_age_rule_blocks_exactly_outside_the_range(born, low, high):
    low, high = min(low, high), max(low, high)
    age = age_on(born, TODAY)
    v = verdict(replace(BASE, min_age=low, max_age=high), replace(ANN, age=age))
    assert bool(v.blocking) == (not low <= age <= high)


# -- catchment -----------------------------------------------------------------------------

def test_council_catchment_outside():
    sefton = replace(BASE, catchment=parse("Sefton"))
    assert texts(verdict(sefton)) == [
        ("Sefton residents only: this person's postcode (L4) is in Liverpool", True)]
    assert verdict(sefton, replace(ANN, postcode="L21 6PQ")).warnings == ()
    assert verdict(sefton, replace(ANN, postcode="PR8 1NW")).warnings == ()


def test_mixed_catchment_of_councils_districts_and_sectors():
    c = parse("Sefton, L4; L5 9")
    assert c.names == ("Sefton", "L4", "L5 9")
    assert c.label() == "For Sefton, L4 and L5 9 only"
    rules = replace(BASE, catchment=c)
    assert verdict(rules).warnings == ()  # L4
    assert verdict(rules, replace(ANN, postcode="L5 9ZZ")).warnings == ()
    assert texts(verdict(rules, replace(ANN, postcode="L5 1AA"))) == [
        ("For Sefton, L4 and L5 9 only: this person's postcode (L5) is in Liverpool", True)]
    assert texts(verdict(rules, replace(ANN, postcode="L5"))) == [
        ("Only part of L5 is in the catchment (L5 9): check their full postcode", False)]


def test_district_catchment_outside_an_unknown_place():
    rules = replace(BASE, catchment=parse("L4 and L6"))
    assert texts(verdict(rules, replace(ANN, postcode="M1 1AE"))) == [
        ("For L4 and L6 only: this person's postcode is M1 1AE", True)]
    assert verdict(replace(BASE, catchment=parse("CH")), replace(ANN, postcode="CH41 1AA")
                   ).warnings == ()


def test_a_district_shared_by_two_councils_cannot_tell():
    sefton = replace(BASE, catchment=parse("Sefton council"))
    v = verdict(sefton, replace(ANN, postcode="L20 7AP"))  # Bootle; Kirkdale's north
    assert texts(v) == [("L20 is partly in Sefton, partly in Liverpool: check they live in "
                         "Sefton", False)]
    # shared by councils none of which is in the catchment: outside, whichever it is
    v = verdict(replace(BASE, catchment=parse("Wirral")), replace(ANN, postcode="L14 5NB"))
    assert texts(v) == [("Wirral residents only: this person's postcode (L14) is in "
                         "Liverpool or Knowsley", True)]


def test_missing_unknown_and_unreadable_postcodes_do_not_block():
    sefton = replace(BASE, catchment=parse("Sefton"))
    assert texts(verdict(sefton, replace(ANN, postcode=""))) == [
        ("No postcode: cannot check the catchment (Sefton)", False)]
    assert texts(verdict(sefton, replace(ANN, postcode="ZZ99 9ZZ"))) == [
        ("Cannot tell which council area ZZ99 is in: check they live in Sefton", False)]
    assert texts(verdict(sefton, replace(ANN, postcode="no fixed abode"))) == [
        ("Postcode no fixed abode not recognised: cannot check the catchment (Sefton)",
         False)]


def test_groups_and_words_it_cannot_check():
    c = parse("Merseyside & Halton, or near a bus route")
    assert c.authorities == {"Liverpool", "Sefton", "Knowsley", "Wirral", "St Helens",
                             "Halton"}
    assert c.unknown == ("or near a bus route",)
    v = verdict(replace(BASE, catchment=c))
    assert texts(v) == [("The catchment also says “or near a bus route”: check it", False)]
    assert parse("St. Helens Council").authorities == {"St Helens"}
    assert parse("City of Liverpool").authorities == {"Liverpool"}
    assert parse("Cheshire West and Chester and Halton").names == (
        "Cheshire West and Chester", "Halton")
    assert not parse("")


@given(st.sampled_from(sorted(DISTRICTS)), st.sampled_from(AUTHORITIES),
       st.integers(0, 9))
def test_council_rules_block_only_when_every_council_of_the_district_is_outside(
        district, council, digit):
    result = check(parse(council), f"{district} {digit}AB")
    councils = DISTRICTS[district]
    if councils == (council,):
        assert result is None
    elif council in councils:
        assert result is not None and not result.blocking and "partly" in result.text
    else:
        assert result is not None and result.blocking and district in result.text


def test_place():
    assert place("l4 1ab") == place("L41AB")
    p = place("L20 7AP")
    assert (p.district, p.sector, p.councils, p.area) == ("L20", "L20 7", ("Sefton",
                                                          "Liverpool"), "L")
    assert place("CH41").sector == "" and place("rubbish") is None


# -- benefits, once only, already referred ----------------------------------------------------

def test_benefits_rules():
    on = replace(BASE, benefits_rule="on")
    not_on = replace(BASE, benefits_rule="not_on")
    assert verdict(on).warnings == ()
    assert texts(verdict(not_on)) == [
        ("Only for people not on benefits: this person receives benefits", True)]
    assert texts(verdict(on, replace(ANN, on_benefits="no"))) == [
        ("Only for people on benefits: this person does not receive benefits", True)]
    assert texts(verdict(on, replace(ANN, on_benefits=""))) == [
        ("Not asked whether they receive benefits: cannot check (only for people on "
         "benefits)", False)]


def test_once_only_ever_and_within_a_look_back():
    used = replace(ANN, used={"s1": [date(2023, 3, 3)]})
    ever = replace(BASE, once_only=True)
    assert texts(verdict(ever, used)) == [
        ("Once only: this person was accepted on 3 March 2023", True)]
    assert verdict(ever).warnings == ()  # never used
    three_years = replace(ever, once_lookback_months=36)
    assert texts(verdict(three_years, used)) == [
        ("Once in 36 months: this person was accepted on 3 March 2023", True)]
    two_years = replace(ever, once_lookback_months=24)
    assert verdict(two_years, used).warnings == ()  # long enough ago
    assert months_before(date(2025, 3, 31), 1) == date(2025, 2, 28)


def test_already_referred_is_said_not_blocked():
    v = verdict(BASE, replace(ANN, open={"s1": ("sent", date(2025, 6, 2))}))
    assert texts(v) == [("Already referred: sent on 2 June", False)]


def test_no_person_checks_the_service_only():
    rules = replace(BASE, min_age=18, catchment=parse("Sefton"), capacity="closed")
    assert texts(verdict(rules, None)) == [("Closed to referrals", True)]


# -- capacity, load, confirmation, key contact -------------------------------------------------

def test_capacity_statuses():
    assert verdict(replace(BASE, capacity="closed")).mark == "Closed"
    paused = replace(BASE, capacity="paused", paused_until=date(2026, 3, 3))
    assert texts(verdict(paused)) == [("Paused until 3 March 2026", True)]
    assert verdict(paused).mark == "Paused"
    soon = replace(paused, paused_until=date(2025, 7, 1))
    assert texts(verdict(soon)) == [("Paused until 1 July", True)]
    over = replace(paused, paused_until=date(2025, 6, 1))
    assert texts(verdict(over)) == [("Was paused until 1 June: check it has restarted",
                                     False)]
    assert texts(verdict(replace(BASE, capacity="paused"))) == [
        ("Paused, with no date to restart", True)]
    waiting = replace(BASE, capacity="waiting", wait_weeks=6, confirmed_on=TODAY)
    assert texts(verdict(waiting)) == [("Waiting list, typically 6 weeks", False)]
    assert verdict(waiting).mark == "Check"


def test_load_against_what_it_takes():
    ten = replace(BASE, takes=10, confirmed_on=TODAY)
    assert verdict(ten, load=9).warnings == ()
    assert texts(verdict(ten, load=12)) == [("12 referred this month, takes 10", True)]
    assert verdict(ten, load=10).mark == "Full"
    weekly = replace(ten, takes=3, takes_per="week")
    assert texts(verdict(weekly, load=3)) == [("3 referred this week, takes 3", True)]


def test_capacity_unconfirmed_and_no_key_contact_are_advisory():
    old = replace(BASE, takes=10, confirmed_on=date(2025, 5, 1))
    assert texts(verdict(old)) == [("Capacity unconfirmed since 1 May", False)]
    assert verdict(replace(old, confirmed_on=date(2025, 5, 12))).warnings == ()  # 30 days
    assert texts(verdict(replace(old, confirmed_on=None))) == [
        ("Capacity never confirmed", False)]
    assert texts(verdict(key=False)) == [
        ("No named key contact at Example Housing Trust", False)]


def test_blocking_first_and_the_mark_says_the_worst():
    rules = replace(BASE, criteria="Must be a tenant", capacity="closed", min_age=50)
    v = verdict(rules, key=False)
    assert [w.kind for w in v.warnings] == ["age", "closed", "contact", "criteria"]
    assert v.mark == "Not eligible"
    assert v.reason == "Ages 50 and over only: this person is 40"
    assert v.words(blocking_only=True) == ("Ages 50 and over only: this person is 40\n"
                                           "Closed to referrals")
    assert Warning("criteria", "Also: Must be a tenant") in v.warnings


# -- similar services ----------------------------------------------------------------------------

def test_similar_offers_eligible_services_with_room_least_loaded_first():
    full = replace(BASE, takes=5)
    roomy = replace(BASE, id="s2", name="Housing advice", takes=10)
    busier = replace(BASE, id="s3", name="Housing options", takes=10)
    closed = replace(BASE, id="s4", name="Closed one", capacity="closed")
    far = replace(BASE, id="s5", name="Wirral housing", catchment=parse("Wirral"))
    other = replace(BASE, id="s6", name="Debt help", category="debt_benefits")
    unknown = replace(BASE, id="s7", name="Allotments", takes=None)
    services = {r.id: r for r in (full, roomy, busier, closed, far, other, unknown)}
    checker = Checker(services, ANN, {"s1": 5, "s2": 2, "s3": 6, "s7": 1}, {"p1"}, TODAY)
    assert checker.check("s1").mark == "Full"
    assert checker.similar("s1") == ["s7", "s2", "s3"]
    assert checker.similar("s1", limit=1) == ["s7"]
    assert checker.similar("nope") == []
    assert checker.check("nope").warnings == ()


@given(st.text(max_size=80), st.text(max_size=12))
def test_any_catchment_and_postcode_is_read_without_error(catchment, postcode):
    c = parse(catchment)
    result = check(c, postcode)
    if not c:
        assert result is None  # anyone, anywhere
    else:
        assert c.label() and (result is None or result.text)
    if not postcode.strip() and c:
        assert result is not None and not result.blocking  # never refused on no postcode
