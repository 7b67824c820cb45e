"""The checker read from a real desk: the person's facts (age, postcode, benefits, earlier
referrals, their duplicates' too), every service's rules and load, key contacts."""

from __future__ import annotations

from datetime import date, datetime

from lr_desk.services import contacts, eligibility
from lr_desk.services.reference import example_id
from lr_desk.store.models import PartnerService
from tests.services.test_eligibility_load import refer

TODAY = date(2025, 6, 11)
HOUSING = example_id("service", "Example Housing Trust", "Tenancy support")
DEBT = example_id("service", "Example Advice Centre (debt and benefits)",
                  "Benefits and debt drop-in")
DEBT_BOOTLE = example_id("service", "Example Advice Centre (debt and benefits)",
                         "Benefits and debt drop-in (Bootle)")
PANTRY = example_id("service", "Example Food and Fuel Project", "Community pantry")


def test_facts_of_a_person(store, advisor, make_person):
    ann = make_person(given_name="Ann", date_of_birth="12/06/1985", postcode="l4 1ab",
                      on_benefits="yes")
    with store.session() as s:
        refer(s, ann.id, advisor.id, HOUSING, [("sent", datetime(2023, 3, 1, 10)),
                                               ("accepted", datetime(2023, 3, 3, 10)),
                                               ("completed", datetime(2023, 9, 1, 10))])
        refer(s, ann.id, advisor.id, DEBT, [("sent", datetime(2025, 6, 2, 10))])
        refer(s, ann.id, advisor.id, PANTRY, [("sent", datetime(2025, 1, 2, 10)),
                                              ("declined", datetime(2025, 1, 9, 10))])
    with store.session() as s:
        facts = eligibility.facts(s, ann.id, TODAY)
    assert (facts.age, facts.postcode, facts.on_benefits) == (39, "L4 1AB", "yes")
    assert facts.used == {HOUSING: [date(2023, 3, 3)]}
    assert facts.open == {DEBT: ("sent", date(2025, 6, 2))}
    bare = make_person(given_name="Bo")
    with store.session() as s:
        facts = eligibility.facts(s, bare.id, TODAY)
        assert (facts.age, facts.postcode, facts.on_benefits, facts.used) == (None, "", "",
                                                                               {})
        assert eligibility.facts(s, None, TODAY) is None
        assert eligibility.facts(s, "no-such-person", TODAY) is None


def test_prepare_reads_rules_loads_and_key_contacts(store, advisor, make_person):
    ann = make_person(given_name="Ann", date_of_birth="12/06/1985", postcode="L4 1AB",
                      on_benefits="no")
    with store.session() as s:
        housing = s.get(PartnerService, HOUSING)
        housing.once_only, housing.catchment = True, "Sefton"
        debt = s.get(PartnerService, DEBT)
        debt.takes, debt.capacity_confirmed_on, debt.benefits_rule = 2, TODAY, "on"
        s.get(PartnerService, DEBT_BOOTLE).takes = 20
        s.get(PartnerService, DEBT_BOOTLE).capacity_confirmed_on = TODAY
        for when in (datetime(2025, 6, 2, 10), datetime(2025, 6, 3, 10)):
            refer(s, ann.id, advisor.id, DEBT, [("sent", when)])
        refer(s, ann.id, advisor.id, HOUSING, [("accepted", datetime(2024, 1, 5, 10))])
    with store.session() as s:
        checker = eligibility.prepare(s, ann.id, TODAY)
        partner_of_debt = s.get(PartnerService, DEBT).partner_id
        pantry_partner = s.get(PartnerService, PANTRY).partner_id
    assert checker.load(DEBT) == 2
    debt_words = [w.text for w in checker.check(DEBT).warnings]
    assert debt_words == ["Only for people on benefits: this person does not receive benefits",
                          "2 referred this month, takes 2",
                          "Already referred: sent on 3 June"]
    assert checker.check(DEBT).mark == "Not eligible"
    housing_words = [w.text for w in checker.check(HOUSING).blocking]
    assert housing_words == [
        "Sefton residents only: this person's postcode (L4) is in Liverpool",
        "Once only: this person was accepted on 5 January 2024"]
    # the pantry's partner has no key contact in the example directory
    assert partner_of_debt in checker.key_contacts
    assert pantry_partner not in checker.key_contacts
    assert [w.text for w in checker.check(PANTRY).warnings] == [
        "No named key contact at Example Food and Fuel Project"]
    # the other debt service: same category, but its benefits rule is anyone's
    assert checker.similar(DEBT) == [DEBT_BOOTLE]
    # a named key contact saved through the directory's contacts counts at once
    with store.session() as s:
        contacts.save_contacts(s, pantry_partner, [
            {"name": "Kim Example", "role": "Coordinator", "is_key": True}])
    with store.session() as s:
        assert not eligibility.prepare(s, ann.id, TODAY).check(PANTRY).warnings


def test_prepare_for_some_services_only_and_no_person(store):
    with store.session() as s:
        s.get(PartnerService, DEBT).capacity = "closed"
    with store.session() as s:
        checker = eligibility.prepare(s, None, TODAY, [DEBT])
    assert set(checker.services) == {DEBT}
    assert checker.check(DEBT).mark == "Closed"
    assert checker.check(HOUSING).warnings == ()  # not read: nothing said


def test_a_deleted_service_is_not_offered(store):
    with store.session() as s:
        s.get(PartnerService, DEBT).deleted_at = datetime(2025, 6, 1)
    with store.session() as s:
        checker = eligibility.prepare(s, None, TODAY)
    assert DEBT not in checker.services
    assert DEBT not in checker.similar(DEBT_BOOTLE)
