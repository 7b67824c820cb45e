"""Importing an Open Referral UK feed: the public examples mapped to the directory, the
plan before anything is written, re-imports that keep what the desk refined, and bad
records reported and left out (services.oruk, oruk_map)."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, select

from lr_desk.services import directory, oruk, oruk_feed
from lr_desk.services import oruk_map as m
from lr_desk.store.models import Partner, PartnerContact, PartnerService

from .oruk_feeds import fixture, load, service

COUNSELLING = "ac148810-d857-441c-9679-408f346de14b"
EXAMPLE_ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"


def read(name: str) -> oruk_feed.Feed:
    return oruk_feed.read(str(fixture(name)))


def feed_of(tmp_path, records, name="feed.json") -> oruk_feed.Feed:
    path = tmp_path / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return oruk_feed.read(str(path))


def imported(store, feed) -> oruk.Plan:
    with store.session() as s:
        return oruk.apply(s, feed)


def counts(store) -> tuple[int, int, int]:
    with store.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(model).where(
            model.feed_id != "")) for model in (Partner, PartnerService, PartnerContact))


def test_the_hsds_example_service_maps_to_the_directory(store):
    done = imported(store, read("hsds_service_full.json"))
    assert done.counts("add") == "1 partner, 1 service and 1 contact"
    with store.session() as s:
        svc = s.get(PartnerService, m.row_id("service", COUNSELLING))
        partner = s.get(Partner, m.row_id("partner", EXAMPLE_ORG))
        contact = s.scalars(select(PartnerContact)).one()
        assert svc.partner_id == partner.id and partner.name == "Example Organization Inc."
        assert svc.name == "Community Counselling"
        assert svc.category == "mental_wellbeing"  # "counselling ... anxiety" in its words
        assert svc.web == "http://example.com/counselling"
        assert svc.phone == "+44 1234 234567"  # the example's number, quotes and all
        assert (svc.min_age, svc.max_age) == (12, 100)
        assert svc.when_text == "Thursdays and Fridays, 10:00 to 18:00"
        assert directory.meeting_days(svc.when_text) == {3, 4}  # the desk reads it back
        assert svc.location == "MyCity Civic Center, 1-30 Main Street, MyCity, ABC 1234"
        assert "aged 12 and over" in svc.criteria
        assert "Area: The service is available to all residents" in svc.criteria
        assert svc.catchment == ""  # a sentence, not an area's name: kept in the criteria
        assert (contact.name, contact.role, contact.email, contact.partner_id) == (
            "Ann Persona", "Reception Manager", "email@example.com", partner.id)
        assert contact.feed_id == "1e7efce3-639b-4880-940c-b95cd30cdb50"
        assert not contact.is_key  # the desk chooses its key contact
        assert svc.feed_id == COUNSELLING and svc.feed_record == load("hsds_service_full.json")
        assert partner.feed_record["website"] == "http://example.com"
        assert partner.web == "http://example.com" and "non-profit" in partner.notes
        assert partner.catchup_every_months == 0  # none planned until the desk agrees some
        # the desk's own fields are left at their defaults
        assert (svc.capacity, svc.takes, svc.reply_deadline_days) == ("taking", None, 14)


def test_every_public_example_shape_is_read(store):
    for name, style in (("uk_profile_service_full.json", "one service"),
                        ("uk_profile_organization_full.json", "one organisation"),
                        ("hsds_organization_full.json", "one organisation"),
                        ("uk_profile_service_list.json", "version 3 pages"),
                        ("uk_profile_service_at_location_full.json", "one service"),
                        ("uk_profile_service_at_location_list.json", "version 3 pages")):
        feed = read(name)
        assert feed.style == style
        with store.session() as s:
            plan = oruk.plan(s, feed)
        assert [i.name for i in plan.of("add", "service")] == ["Community Counselling"], name
    # a file that is one page of ten says so (the rest is only at the feed's address)
    assert any("one page of 10" in p for p in read("uk_profile_service_list.json").problems)


def test_ids_are_the_same_on_every_desk(store, tmp_path):
    """Made from a fixed namespace and the feed's id: two desks importing one feed make
    the same rows (they merge when they sync)."""
    assert m.row_id("service", "x") == str(uuid.uuid5(
        uuid.UUID("6f0c1d2e-4b7a-5c3e-9d41-0a7e2b5c8f13"), "oruk:service:x"))
    assert m.row_id("service", COUNSELLING) != m.row_id("partner", COUNSELLING)
    imported(store, read("hsds_service_full.json"))
    with store.session() as s:
        assert s.get(PartnerService, m.row_id("service", COUNSELLING)) is not None


def test_the_plan_writes_nothing(store, outbox):
    before = outbox.count()
    feed = read("hsds_service_full.json")
    with store.session() as s:
        plan = oruk.plan(s, feed)
    assert plan.writes and plan.counts("add") == "1 partner, 1 service and 1 contact"
    assert counts(store) == (0, 0, 0) and outbox.count() == before


def test_a_reimport_changes_nothing(store, outbox):
    imported(store, read("hsds_service_full.json"))
    before = outbox.count()
    again = imported(store, read("hsds_service_full.json"))
    assert not again.writes and again.counts("add") == "nothing"
    assert "Already as the feed has them: 1 partner, 1 service and 1 contact." in \
        again.summary()
    assert outbox.count() == before and counts(store) == (1, 1, 1)


def test_the_feeds_changes_come_in_and_the_desks_refinements_stay(store, tmp_path):
    first = service(1, minimum_age=18)
    imported(store, feed_of(tmp_path, [first]))
    sid = m.row_id("service", "svc-00001")
    with store.session() as s:  # the desk refines it
        svc = s.get(PartnerService, sid)
        svc.description = "Ask for Jo at the side door."
        svc.capacity, svc.takes, svc.catchment = "waiting", 5, "L9, L10"
        s.add(PartnerContact(partner_id=svc.partner_id, name="Our own contact", is_key=True))
    newer = service(1, minimum_age=21, name="Service One",
                    description="Changed by the feed too: debt advice.",
                    service_areas=[{"id": "a", "name": "Sefton"}])
    newer["schedules"][0]["byday"] = "TU"
    feed = feed_of(tmp_path, [newer], "second.json")
    with store.session() as s:
        plan = oruk.plan(s, feed)
    [item] = [i for i in plan.items if i.kind == "service"]
    assert {c.field: (c.old, c.new) for c in item.changes} == {
        "name": ("Service 1", "Service One"), "min_age": (18, 21),
        "when_text": ("Mondays and Wednesdays, 09:30 to 12:00",
                      "Tuesdays, 09:30 to 12:00")}
    assert {c.field for c in item.kept} == {"description", "catchment"}
    assert 'Change service "Service One" (of Organisation 0):' in plan.details()
    assert '    youngest age: "18" -> "21"' in plan.details()
    assert any(line.startswith("    description: keeps \"Ask for Jo")
               for line in plan.details())
    done = imported(store, feed)
    assert done.done_words() == ("Imported: changed 1 service; kept this desk's changes "
                                 "to 1 service.")
    with store.session() as s:
        svc = s.get(PartnerService, sid)
        assert (svc.name, svc.min_age, svc.when_text) == (
            "Service One", 21, "Tuesdays, 09:30 to 12:00")
        assert svc.description == "Ask for Jo at the side door."
        assert (svc.capacity, svc.takes, svc.catchment) == ("waiting", 5, "L9, L10")
        assert svc.feed_record["name"] == "Service One"
        names = set(s.scalars(select(PartnerContact.name)
                              .where(PartnerContact.deleted_at.is_(None))))
        assert names == {"Contact 1", "Our own contact"}


def test_a_field_the_desk_changed_back_to_the_feeds_value_follows_the_feed_again(
        store, tmp_path):
    imported(store, feed_of(tmp_path, [service(1)]))
    sid = m.row_id("service", "svc-00001")
    with store.session() as s:
        s.get(PartnerService, sid).name = "Our name for it"
    imported(store, feed_of(tmp_path, [service(1, name="Renamed")], "b.json"))
    with store.session() as s:
        assert s.get(PartnerService, sid).name == "Our name for it"  # kept
        s.get(PartnerService, sid).name = "Renamed"  # the desk agrees with the feed
    imported(store, feed_of(tmp_path, [service(1, name="Renamed again")], "c.json"))
    with store.session() as s:
        assert s.get(PartnerService, sid).name == "Renamed again"


def test_what_the_desk_removed_stays_removed_and_nothing_is_ever_removed(store, tmp_path):
    imported(store, feed_of(tmp_path, [service(1), service(2)]))
    with store.session() as s:
        s.get(PartnerService, m.row_id("service", "svc-00001")).deleted_at = \
            s.get(PartnerService, m.row_id("service", "svc-00001")).created_at
    plan = imported(store, feed_of(tmp_path, [service(1)], "one.json"))  # 2 has gone
    assert [i.name for i in plan.of("deleted")] == ["Service 1"]
    assert "Removed on this desk, so left out: 1 service." in plan.summary()
    with store.session() as s:
        assert s.get(PartnerService, m.row_id("service", "svc-00001")).deleted_at
        assert s.get(PartnerService, m.row_id("service", "svc-00002")).deleted_at is None


def test_the_validators_failing_feed_is_reported_record_by_record(store):
    feed = read("validator_fail_service_list.json")
    with store.session() as s:
        plan = oruk.plan(s, feed)
    assert plan.items == [] and plan.left_out == 4
    assert plan.problems[0] == "The feed says it has 1 records in all, but its pages held 4."
    assert plan.problems[1:4] == [
        f"Record 1 (id {COUNSELLING}): it has no name: left out.",
        "Record 2 (id b644a0d2-9e8a-4c33-9390-ae9ee93fc056): it has no name: left out.",
        "Record 3 (id e85f5bb0-62f0-42cc-a08a-0c5c16273090): it has no name: left out."]
    assert plan.problems[4] == (
        f"The id {COUNSELLING} is given to 2 records (record 1, record 4); ids must be "
        "unique: the first is imported, the other 1 left out.")
    assert "4 records left out; the rest can still be imported." in plan.summary()[-1]


def test_the_validators_failing_service_is_imported_without_its_bad_fields(store):
    done = imported(store, read("validator_fail_service_full.json"))
    assert done.problems == [
        f"Record 1, \"Community Counselling\" (id {COUNSELLING}): its web address "
        "'example/counselling' is not a web address: left blank.",
        f"Record 1, \"Community Counselling\" (id {COUNSELLING}): its email "
        "'email-example_com' is not an email address: left blank."]
    with store.session() as s:
        assert s.get(PartnerService, m.row_id("service", COUNSELLING)).web == ""


def test_duplicate_ids_and_a_total_that_disagrees(store):
    feed = read("validator_test_service_list.json")  # says 31, holds 128 of one id
    assert "The feed says it has 31 records in all, but its pages held 128." in feed.problems
    with store.session() as s:
        plan = oruk.plan(s, feed)
    assert plan.counts("add") == "1 partner and 1 service"
    assert plan.left_out == 127
    assert any(p.startswith(f"The id {COUNSELLING} is given to 128 records (record 1, "
                            "record 2, record 3 … record 128)") for p in plan.problems)


def test_odd_records_are_left_out_in_plain_words(store, tmp_path):
    records = [service(1), "not a service", service(2, id=None), service(3, id=True),
               service(4, organization=None), service(5, id="x" * 300),
               service(6, minimum_age=70, maximum_age=20, url=42,
                       phones=[{"number": "call us"}])]
    with store.session() as s:
        plan = oruk.plan(s, feed_of(tmp_path, records))
    assert [i.name for i in plan.of("add", "service")] == ["Service 1", "Service 6"]
    said = "\n".join(plan.problems)
    assert "Record 2: it is text, not a service: left out." in said
    assert "Record 3, \"Service 2\": it has no id: left out." in said
    assert "Record 4, \"Service 3\": its id is true or false, not text: left out." in said
    assert "it names no organisation (with an id) that provides it: left out" in said
    assert "its id is longer than 250 characters: left out" in said
    assert "its ages 70 to 20 are the wrong way round: left blank" in said
    assert "its web address is not text: left blank" in said
    assert "its phone 'call us' is not a phone number: left blank" in said
    assert "Traceback" not in said and plan.left_out == 5


def test_a_service_named_only_by_its_organisations_id(store, tmp_path):
    imported(store, feed_of(tmp_path, [service(1)]))  # brings Organisation 0
    known = service(2, organization={"name": "Organisation 0"}, organization_id="org-00000")
    unknown = service(3, organization=None, organization_id="org-99999")
    done = imported(store, feed_of(tmp_path, [known, unknown], "b.json"))
    assert [i.name for i in done.of("add", "service")] == ["Service 2"]
    assert any("names an organisation (id org-99999) that is neither in the feed nor "
               "in the directory: left out." in p for p in done.problems)


def test_categories_from_taxonomy_terms_else_words_else_other():
    cats = {"housing", "employment", "mental_wellbeing", "debt_benefits", "other"}
    assert m.category({"taxonomy_terms": [{"name": "Homelessness"}],
                       "name": "Advice"}, cats) == "housing"
    assert m.category({"service_taxonomys": [{"taxonomy": {"name": "Job search"}}]},
                      cats) == "employment"
    assert m.category({"name": "Drop-in", "description": "Stress and anxiety support"},
                      cats) == "mental_wellbeing"
    assert m.category({"name": "Knit and natter"}, cats) == "other"


def test_schedules_in_words():
    assert m.schedule_words({"schedules": [{"freq": "MONTHLY", "byday": "1MO",
                                            "opens_at": "10:00:00"}]}) == \
        "the first Monday of the month, 10:00"
    assert m.schedule_words({"regular_schedules": [
        {"weekday": "Thursday", "opens_at": "09:30", "closes_at": "10:30"},
        {"weekday": 1, "opens_at": "13:00", "closes_at": "15:00"}]}) == \
        "Thursdays, 09:30 to 10:30; Mondays, 13:00 to 15:00"
    assert m.schedule_words({"schedules": [{"description": "By appointment"}]}) == \
        "By appointment"


def test_hostile_records_are_kept_storable_or_left_out(store, tmp_path, outbox):
    """What the central store would refuse (NUL, half a character, nesting deeper than a
    synced value may be, a record too large for one change) never reaches the outbox."""
    deep: dict = {}
    node = deep
    for _ in range(20):
        node["next"] = {}
        node = node["next"]
    records = [service(1, name="Tea\x00 and \ud800 talk",
                       description="<p>Hello&nbsp;there\x07</p>" + "x" * 60_000),
               service(2, extra=deep), service(3, padding="y" * 500_000)]
    done = imported(store, feed_of(tmp_path, records))
    assert [i.name for i in done.of("add", "service")] == ["Tea and \ufffd talk"]
    said = "\n".join(done.problems)
    assert "\"Service 2\" (id svc-00002): it is nested more than 14 levels deep: left out." \
        in said
    assert "\"Service 3\" (id svc-00003): it is larger than 400,000 characters: left out." \
        in said
    with store.session() as s:
        svc = s.get(PartnerService, m.row_id("service", "svc-00001"))
        assert svc.description.startswith("Hello\xa0there") and len(svc.description) == 50_000
        assert svc.feed_record["name"] == "Tea and \ufffd talk"
    for entry in outbox.entries("partner_service"):
        assert "\x00" not in json.dumps(entry.fields)


def test_a_service_at_a_location_brings_its_place(store):
    with store.session() as s:
        plan = oruk.plan(s, read("uk_profile_service_at_location_full.json"))
    [svc] = plan.of("add", "service")
    assert svc.values["location"] == "MyCity Civic Center, 1-30 Main Street, MyCity, ABC 1234"
