"""The directory out as HSDS 3.0, checked against the official schemas bundled in the
package (HSDS 3.0 and the Open Referral UK profile), on a real desk's database."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from lr_desk.services import directory, hsds, hsds_check
from lr_desk.store.models import Partner, PartnerContact, PartnerService

FEED_ORG = "0f0e7b4c-61c4-4c2e-8a53-0f0b0c3d9e11"

PARTNER = {"name": "Walton Food Bank", "phone": "0151 000 1111", "web": "food.example",
           "notes": "PRIVATE: ring before noon, ask for the back door.",
           "catchup_every_months": "3",
           "contacts": [{"name": "Pat Jones", "role": "Referrals lead",
                         "phone": "07700 900 111", "email": "pat@food.example",
                         "is_key": True},
                        {"name": "Sam Lee", "role": "Volunteer coordinator",
                         "phone": "07700 900 222", "email": "sam@food.example"}]}

EVERY_FIELD = {"name": "Food parcels", "category": "food_fuel", "delivery": "hub",
               "site_code": "walton", "location": "St Mary's Church Hall, Walton",
               "when_text": "Fridays 10:00 to 12:00", "phone": "0151 000 3333",
               "web": "https://food.example/parcels",
               "description": "A week's food for a household, with a hot drink.",
               "capacity": "waiting", "wait_weeks": "3", "capacity_confirmed_on": "2025-06-01",
               "takes": "12", "takes_per": "week", "reply_days": "5",
               "reply_deadline_days": "9", "min_age": "18", "max_age": "64",
               "catchment": "Liverpool, Sefton, L20 3", "benefits_rule": "on",
               "once_only": True, "once_lookback_months": "24",
               "criteria": "Bring a referral letter or proof of address."}


def save(store, fn, raw, row_id=None):
    with store.session() as s:
        return fn(s, raw, row_id)


def export(store, **kw) -> dict:
    with store.session() as s:
        return hsds.export_directory(s, **kw)


@pytest.fixture
def filled(store):
    """A partner with every field filled, two named contacts, and a service with every
    field filled: ids from a feed on the partner (a UUID) and the service (not a UUID)."""
    partner = save(store, directory.save_partner, PARTNER)
    svc = save(store, directory.save_service, {"partner_id": partner.id, **EVERY_FIELD})
    remote = save(store, directory.save_service,
                  {"partner_id": partner.id, "name": "Food advice by phone",
                   "category": "food_fuel", "delivery": "community",
                   "site_code": "telephone", "capacity": "paused",
                   "paused_until": "2025-09-03", "max_age": "25"})
    with store.session() as s:
        s.get(Partner, partner.id).feed_id = FEED_ORG
        s.get(PartnerService, svc.id).feed_id = "food-parcels-17"
    return partner, svc, remote


def service_named(doc: dict, name: str) -> dict:
    return next(c for c in doc["contents"] if c["name"] == name)


def test_the_example_directory_exports_and_validates(store):
    with store.session() as s:
        services = s.query(PartnerService).filter_by(is_example=True).count()
    doc = export(store, include_examples=True)
    assert doc["total_items"] == doc["size"] == len(doc["contents"]) == services > 0
    assert (doc["total_pages"], doc["page_number"], doc["first_page"], doc["last_page"],
            doc["empty"]) == (1, 1, True, True, False)
    assert hsds_check.problems(doc) == []
    assert hsds.problems(json.loads(json.dumps(doc))) == []  # as written to a file
    names = [(c["organization"]["name"], c["name"]) for c in doc["contents"]]
    assert names == sorted(names, key=lambda n: (n[0].casefold(), n[1].casefold()))


def test_examples_are_left_out_unless_asked_for(store):
    doc = export(store)  # a new desk has only the made-up example directory
    assert doc["contents"] == [] and doc["empty"] is True and doc["total_items"] == 0
    assert hsds_check.problems(doc) == []


def test_an_example_edited_into_a_real_entry_goes_out_with_a_real_partner(store):
    with store.session() as s:
        svc = s.query(PartnerService).filter_by(is_example=True).order_by(
            PartnerService.name).first()
        raw = {"partner_id": svc.partner_id, "name": "Tenancy help", "category": svc.category,
               "delivery": "community", "location": "Walton Library"}
        directory.save_service(s, raw, svc.id)
        partner_id = svc.partner_id
    assert export(store)["contents"] == []  # its partner is still a made-up one
    with store.session() as s:
        p = s.get(Partner, partner_id)
        directory.save_partner(s, {"name": "Walton Housing", "phone": p.phone, "web": p.web,
                                   "notes": "", "catchup_every_months": "3"}, partner_id)
    doc = export(store)
    assert [(c["organization"]["name"], c["name"]) for c in doc["contents"]] == [
        ("Walton Housing", "Tenancy help")]
    assert hsds_check.problems(doc) == []


def test_every_field_filled_exports_and_validates(store, filled, today):
    doc = export(store, today=today)
    assert hsds_check.problems(doc) == []
    parcels = service_named(doc, "Food parcels")

    with store.session() as s:  # a feed id that is not a UUID: the row's own id goes out
        row = s.scalars(select(PartnerService).where(
            PartnerService.feed_id == "food-parcels-17")).one()
        assert parcels["id"] == row.id
    assert parcels["organization_id"] == parcels["organization"]["id"] == FEED_ORG
    assert parcels["url"] == "https://food.example/parcels"
    assert parcels["email"] == "pat@food.example"  # the key contact's: referrals go there
    assert parcels["status"] == "active"
    assert parcels["wait_time"] == "Waiting list: usually about 3 weeks."
    assert (parcels["minimum_age"], parcels["maximum_age"]) == (18, 64)
    assert parcels["eligibility_description"] == (
        "Only for people receiving benefits. Once only: not for someone who has used it "
        "before in the last 2 years. Bring a referral letter or proof of address.")
    assert [(a["name"], a["description"]) for a in parcels["service_areas"]] == [
        ("Liverpool", "Local authority area: Liverpool"),
        ("Sefton", "Local authority area: Sefton"),
        ("L20 3", "Postcode district: L20 3")]
    assert [p["number"] for p in parcels["phones"]] == ["0151 000 3333"]
    assert [s["description"] for s in parcels["schedules"]] == ["Fridays 10:00 to 12:00"]
    assert parcels["description"] == EVERY_FIELD["description"]
    assert parcels["attributes"][0]["taxonomy_term"]["code"] == "food_fuel"

    hub, church = (a["location"] for a in parcels["service_at_locations"])
    assert (hub["name"], hub["location_type"]) == ("The Life Rooms Walton", "physical")
    [address] = hub["addresses"]
    assert (address["address_1"], address["city"], address["postal_code"],
            address["country"]) == ("Evered Avenue", "Liverpool", "L9 2AF", "GB")
    assert (church["name"], church["location_type"]) == (
        "St Mary's Church Hall, Walton", "physical")
    assert all(a["location_id"] == a["location"]["id"] and a["service_id"] == parcels["id"]
               for a in parcels["service_at_locations"])

    org = parcels["organization"]
    assert (org["name"], org["website"]) == ("Walton Food Bank", "https://food.example")
    assert [p["number"] for p in org["phones"]] == ["0151 000 1111"]
    assert [(c["name"], c["title"], c["email"], c["phones"][0]["number"])
            for c in org["contacts"]] == [
        ("Pat Jones", "Referrals lead", "pat@food.example", "07700 900 111"),
        ("Sam Lee", "Volunteer coordinator", "sam@food.example", "07700 900 222")]
    assert [c["name"] for c in parcels["contacts"]] == ["Pat Jones"]
    assert org["description"] == "Offers: Food advice by phone; Food parcels."
    with store.session() as s:
        pat = s.query(PartnerContact).filter_by(name="Pat Jones").one()
    assert org["contacts"][0]["id"] == pat.id


def test_capacity_says_the_status(store, filled, today):
    doc = export(store, today=today)
    phone = service_named(doc, "Food advice by phone")
    assert phone["status"] == "temporarily closed"
    assert phone["alert"] == "Not taking referrals until Wednesday 3 September 2025."
    [at] = phone["service_at_locations"]
    assert (at["location"]["name"], at["location"]["location_type"]) == (
        "Telephone support", "virtual")
    assert "addresses" not in at["location"]
    assert phone["maximum_age"] == 25 and "minimum_age" not in phone
    assert "eligibility_description" not in phone  # (its age is maximum_age)
    with store.session() as s:
        s.query(PartnerService).filter_by(name="Food advice by phone").one().capacity = "closed"
    assert service_named(export(store, today=today), "Food advice by phone")[
        "status"] == "inactive"
    later = date(2025, 9, 4)  # its pause is over: taking again
    with store.session() as s:
        s.query(PartnerService).filter_by(name="Food advice by phone").one().capacity = "paused"
    assert service_named(export(store, today=later), "Food advice by phone")[
        "status"] == "active"


def test_rules_in_words_are_said_once_when_read_back_into_the_criteria(store, filled, today):
    """A desk that imports this export keeps eligibility_description as its criteria:
    exported again, it says the same, not the rules twice."""
    words = service_named(export(store, today=today), "Food parcels")["eligibility_description"]
    with store.session() as s:
        s.query(PartnerService).filter_by(name="Food parcels").one().criteria = words
    assert service_named(export(store, today=today), "Food parcels")[
        "eligibility_description"] == words


@pytest.mark.parametrize(("typed", "out"), [
    ("food.example", "https://food.example"),
    ("www.food.example/parcels?day=fri#times", "https://www.food.example/parcels?day=fri#times"),
    ("http://food.example", "http://food.example"),
    ("café.example/menú", "https://caf%C3%A9.example/men%C3%BA"),
    ("https://food.example/a%20b", "https://food.example/a%20b"),
    ("", ""), (None, "")])
def test_web_addresses_go_out_as_uris(typed, out):
    assert hsds.web_address(typed) == out
    if out:
        assert hsds_check.problems({"contents": [{"id": FEED_ORG, "name": "x",
                                                  "status": "active", "url": out}]}) == []


def test_nothing_private_goes_out(store, filled, today):
    text = json.dumps(export(store, today=today))
    for private in ("PRIVATE", "back door", "takes", "reply", "deadline", "confirmed",
                    "catchup", '"notes"'):
        assert private not in text


def test_ids_are_uuids_the_same_every_time_and_one_per_thing(store, filled, today):
    first, again = export(store, today=today), export(store, today=today)
    assert first == again
    seen: dict[str, str] = {}

    def walk(node, kind="service"):
        if isinstance(node, dict):
            if "id" in node:
                uuid.UUID(node["id"])
                body = json.dumps(node, sort_keys=True)
                assert seen.setdefault(node["id"], body) == body, node["id"]
            for key, value in node.items():
                walk(value, key)
        elif isinstance(node, list):
            for item in node:
                walk(item, kind)

    walk(first["contents"])
    assert len(seen) > 20


def test_deleted_rows_are_left_out(store, filled, today):
    partner, _svc, remote = filled
    with store.session() as s:
        s.get(PartnerService, remote.id).deleted_at = datetime(2025, 6, 1)
        s.query(PartnerContact).filter_by(name="Sam Lee").one().deleted_at = datetime(
            2025, 6, 1)
    doc = export(store, today=today)
    assert [c["name"] for c in doc["contents"]] == ["Food parcels"]
    assert [c["name"] for c in doc["contents"][0]["organization"]["contacts"]] == [
        "Pat Jones"]
    with store.session() as s:
        s.get(Partner, partner.id).deleted_at = datetime(2025, 6, 1)
    assert export(store, today=today)["contents"] == []


def test_a_partner_from_before_contacts_exports_its_key_contact(store, today):
    with store.session() as s:
        p = Partner(name="Old Friends Club", key_contact="Jo Bloggs",
                    key_contact_phone="0151 000 4444", key_contact_email="jo@old.example")
        s.add(p)
        s.flush()
        s.add(PartnerService(partner_id=p.id, name="Coffee morning", category="social_isolation"))
    doc = export(store, today=today)
    assert hsds_check.problems(doc) == []
    [svc] = doc["contents"]
    assert [(c["name"], c["email"]) for c in svc["contacts"]] == [("Jo Bloggs", "jo@old.example")]
    assert svc["organization"]["contacts"] == svc["contacts"]


def test_a_broken_document_is_caught_in_plain_words(store, filled, today):
    doc = export(store, today=today)
    assert hsds_check.problems(doc) == []
    broken = json.loads(json.dumps(doc))  # as read from a file: nothing shared
    parcels = service_named(broken, "Food parcels")
    parcels["id"] = "food-parcels-17"
    parcels["url"] = "www.food.example"
    parcels["status"] = "open"
    parcels["minimum_age"] = "eighteen"
    del parcels["organization"]["name"]
    del parcels["phones"][0]["number"]
    broken["total_pages"] = "1"
    found = hsds_check.problems(broken)
    n = broken["contents"].index(parcels) + 1
    both = "(HSDS 3.0, UK profile)"
    assert f"service {n} (“Food parcels”), id: “food-parcels-17” is not a valid id (a UUID) " \
           f"{both}" in found
    assert f"service {n} (“Food parcels”), url: “www.food.example” is not a valid web " \
           f"address (starting https://) {both}" in found
    assert f"service {n} (“Food parcels”), status: “open” should be one of: active, " \
           f"inactive, defunct, temporarily closed {both}" in found
    assert f"service {n} (“Food parcels”), minimum_age: “eighteen” should be a number " \
           f"{both}" in found
    assert f"service {n} (“Food parcels”), organization: name is missing {both}" in found
    # (the UK profile leaves a service's phones out, so only HSDS 3.0 checks them)
    assert f"service {n} (“Food parcels”), phones 1: number is missing (HSDS 3.0)" in found
    assert f"total_pages: “1” should be a whole number {both}" in found
    assert len(found) == 7

    assert hsds_check.problems({"total_items": 0}) == ["the document: contents is missing"]
    assert hsds_check.problems([]) == ["the document: “[]” should be a record "
                                       "(HSDS 3.0, UK profile)"]
    assert hsds_check.problems({"contents": [{}]}) == [
        "service 1: id is missing (HSDS 3.0, UK profile)",
        "service 1: name is missing (HSDS 3.0, UK profile)",
        "service 1: status is missing (HSDS 3.0, UK profile)"]


OFFICIAL = Path(__file__).resolve().parent.parent / "fixtures" / "oruk"  # (part of import's)


@pytest.mark.parametrize("name", ["hsds_service_full", "uk_profile_service_full",
                                  "uk_profile_service_list", "validator_test_service_list"])
def test_the_official_examples_validate(name):
    """The specification's and the UK profile's own examples, and the ORUK validator's
    passing mock feed, pass the check as published."""
    feed = json.loads((OFFICIAL / f"{name}.json").read_text(encoding="utf-8"))
    doc = feed if "contents" in feed else {"contents": [feed]}
    assert hsds_check.problems(doc) == []


def test_the_official_validators_failing_feed_fails_for_its_reasons():
    """Its mock feed that fails: no names, bad web and email addresses (its duplicate id
    and wrong total are the import's to report: the schemas do not say them)."""
    feed = json.loads((OFFICIAL / "validator_fail_service_list.json").read_text(
        encoding="utf-8"))
    found = hsds_check.problems(feed)
    both = "(HSDS 3.0, UK profile)"
    assert "service 1: name is missing " + both in found
    assert "service 1, email: “email-example_com” is not a valid email address " + both in found
    assert ("service 1, url: “example_counselling” is not a valid web address (starting "
            "https://) " + both) in found
    assert "service 3, email: “false” should be text " + both in found
    assert all(line.startswith("service ") for line in found)


def test_the_schemas_are_bundled_with_their_licence_and_source_and_resolve_offline():
    bundle = hsds_check.BUNDLE
    readme = (bundle / "README.md").read_text(encoding="utf-8")
    for words in ("openreferral/specification", "279fd2eb3552c349bf698c07c00cc25f5fc8249b",
                  "openreferral/uk-profile", "ecdfabf78944d480d7f580d08b702b08cbec4b09",
                  "CC BY-SA 4.0"):
        assert words in readme
    assert "Attribution-ShareAlike 4.0" in (bundle / "LICENSE").read_text(encoding="utf-8")
    # every $ref in the files the export is checked against is found in the bundle:
    # the registry has no way to fetch anything, so an unknown one would fail here
    resolver = hsds_check._registry().resolver()
    refs = 0
    for folder, base in hsds_check.PROFILES.values():
        root = bundle / folder / "schema"
        for path in root.rglob("*.json"):
            if path.name == "openapi.json":
                continue  # (its other paths refer to files the export does not use)
            here = base + path.relative_to(root).as_posix()
            for ref in _refs(json.loads(path.read_text(encoding="utf-8"))):
                resolver.lookup(ref if "://" in ref else here.rsplit("/", 1)[0] + "/" + ref)
                refs += 1
        resolver.lookup(base + hsds_check.SERVICES_PAGE)
    assert refs > 50


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)
