"""Change capture: every insert/update of a synced row leaves exactly its outbox entry,
written in the same transaction as the change."""

from __future__ import annotations

import itertools
import json
import uuid

import pytest
from sqlalchemy import func, inspect, select

from lr_desk import settings
from lr_desk.services import people
from lr_desk.store.models import SYNCED_MODELS, Advisor, AuditEvent, Draft, Outbox, Person
from lr_desk.store.schema import SCHEMA_VERSION


class Boom(Exception):
    pass


def test_insert_leaves_one_entry_with_every_field(store, advisor, outbox):
    with store.session() as s:
        person = people.register(s, {"given_name": "Ann", "family_name": "Lee",
                                     "date_of_birth": "12/03/1980", "postcode": "l92af"},
                                 advisor.id, "walton")
    entries = outbox.entries("person")
    assert len(entries) == 1
    e = entries[0]
    assert (e.entity, e.entity_id, e.op) == ("person", person.id, "insert")
    assert e.schema_version == SCHEMA_VERSION
    assert e.sent_at is None
    assert uuid.UUID(e.change_id)
    columns = {c.key for c in inspect(Person).column_attrs} - {"id"}
    assert set(e.fields) == columns
    assert e.fields["given_name"] == "Ann"
    assert e.fields["postcode"] == "L9 2AF"
    assert e.fields["date_of_birth"] == "1980-03-12"
    assert e.fields["registered_by"] == advisor.id
    assert e.fields["deleted_at"] is None
    json.dumps(e.fields)  # plain JSON, ready to push


def test_the_advisor_insert_is_captured_too(store, advisor, outbox):
    [e] = outbox.entries("advisor")
    assert (e.entity_id, e.op) == (advisor.id, "insert")
    assert e.fields["name"] == "Alex Advisor"


def test_update_records_only_the_changed_fields(store, make_person, outbox):
    person = make_person(postcode="L9 2AF", phone="0151 123 4567")
    with store.session() as s:
        p = s.get(Person, person.id)
        p.postcode = "PR8 1NW"
        p.carer = True
    entries = outbox.entries("person", person.id)
    assert [e.op for e in entries] == ["insert", "update"]
    assert set(entries[1].fields) == {"postcode", "carer", "updated_at"}
    assert entries[1].fields["postcode"] == "PR8 1NW"
    assert entries[1].fields["carer"] is True


def test_update_through_the_service_records_only_the_changed_fields(store, make_person,
                                                                    outbox, today):
    person = make_person(given_name="Ann", family_name="Lee", postcode="L9 2AF")
    form = people.as_form(person)
    form["family_name"] = "Lee-Smith"
    with store.session() as s:
        people.update(s, person.id, form, today=today)
    update = outbox.entries("person", person.id)[-1]
    assert update.op == "update"
    assert set(update.fields) == {"family_name", "updated_at"}


def test_an_update_that_changes_nothing_leaves_no_entry(store, make_person, outbox, today):
    person = make_person(given_name="Ann", family_name="Lee", postcode="L9 2AF")
    before = outbox.count()
    with store.session() as s:
        p = s.get(Person, person.id)
        p.given_name = "Ann"
        p.postcode = "L9 2AF"
    with store.session() as s:
        people.update(s, person.id, people.as_form(person), today=today)
    assert outbox.count() == before


def test_each_flush_of_a_transaction_is_captured(store, advisor, outbox):
    with store.session() as s:
        p = Person(given_name="Ann", family_name="Lee")
        s.add(p)
        s.flush()
        p.family_name = "Leigh"
        s.flush()
    entries = outbox.entries("person")
    assert [e.op for e in entries] == ["insert", "update"]
    assert entries[1].fields["family_name"] == "Leigh"


def test_hlc_is_strictly_increasing_in_local_order(store, advisor, outbox):
    with store.session() as s:
        for i in range(20):
            s.add(Person(given_name=f"P{i}", family_name="Many"))
    with store.session() as s:
        for p in s.scalars(select(Person)):
            p.carer = True
    stamps = [e.hlc for e in outbox.entries()]
    assert len(stamps) == 1 + 20 + 20
    assert all(a < b for a, b in itertools.pairwise(stamps))
    assert all(h.endswith(store.device_id) for h in stamps)


def test_a_failed_transaction_leaves_neither_row_nor_entry(store, advisor, outbox):
    before = outbox.count()
    with store.session() as s:
        audited = s.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(Boom), store.session() as s:
        s.add(Person(given_name="Ghost", family_name="Row"))
        s.flush()
        # all three were written inside the transaction (the row, its entry, and the
        # audit record's entry)...
        assert s.scalar(select(func.count()).select_from(Outbox)
                        .where(Outbox.entity != "audit_event")) == before + 1
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == audited + 1
        raise Boom
    # ...and all went with it
    with store.session() as s:
        assert s.scalars(select(Person)).all() == []
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == audited
    assert outbox.count() == before


def test_a_failed_update_leaves_neither_change_nor_entry(store, make_person, outbox):
    person = make_person(family_name="Lee")
    before = outbox.count()
    with pytest.raises(Boom), store.session() as s:
        s.get(Person, person.id).family_name = "Changed"
        s.flush()
        raise Boom
    with store.session() as s:
        assert s.get(Person, person.id).family_name == "Lee"
    assert outbox.count() == before


def test_non_synced_tables_leave_no_entry(store, outbox):
    with store.session() as s:
        settings.put(s, "search_limit", 20)
        s.add(Draft(key="person-form", payload={"given_name": "Jo"}))
    with store.session() as s:
        settings.put(s, "search_limit", 30)
        s.get(Draft, "person-form").payload = {"given_name": "Joe"}
    assert outbox.count() == 0


def test_synced_and_local_tables_are_told_apart():
    from lr_desk.store.models import Synced

    for name, model in SYNCED_MODELS.items():
        assert issubclass(model, Synced) and model.__tablename__ == name
    for model in (Outbox, Draft):
        assert not issubclass(model, Synced)


def test_a_session_without_a_clock_records_nothing(store):
    # seeding and migrations use a plain session: no outbox entries
    from sqlalchemy.orm import Session

    with Session(store.engine) as s, s.begin():
        s.add(Advisor(name="Seeded", home_site="walton"))
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Outbox)) == 0
