"""Synced rows are never deleted: session.delete is refused and writes nothing."""

from __future__ import annotations

from datetime import datetime

import pytest

from lr_desk.store.models import Draft, Person
from lr_desk.store.outbox import TombstoneRequired


def test_deleting_a_synced_row_raises(store, make_person):
    person = make_person()
    with pytest.raises(TombstoneRequired), store.session() as s:
        s.delete(s.get(Person, person.id))
    with store.session() as s:
        assert s.get(Person, person.id) is not None


def test_a_refused_delete_writes_nothing_else_either(store, make_person, outbox):
    person = make_person()
    other = make_person(given_name="Sam", family_name="Other")
    before = outbox.count()
    with pytest.raises(TombstoneRequired), store.session() as s:
        s.get(Person, other.id).family_name = "Changed"
        s.add(Person(given_name="New", family_name="Person"))
        s.delete(s.get(Person, person.id))
    with store.session() as s:
        assert s.get(Person, person.id) is not None
        assert s.get(Person, other.id).family_name == "Other"
        assert s.query(Person).count() == 2
    assert outbox.count() == before


def test_a_tombstone_is_an_ordinary_update(store, make_person, outbox):
    person = make_person()
    with store.session() as s:
        s.get(Person, person.id).deleted_at = datetime(2025, 6, 1, 12, 0)
    entry = outbox.entries("person", person.id)[-1]
    assert entry.op == "update"
    assert entry.fields["deleted_at"] == "2025-06-01T12:00:00.000000"
    with store.session() as s:
        assert s.get(Person, person.id).deleted_at == datetime(2025, 6, 1, 12, 0)


def test_local_rows_can_be_deleted(store, outbox):
    with store.session() as s:
        s.add(Draft(key="person-form", payload={"given_name": "Jo"}))
    with store.session() as s:
        s.delete(s.get(Draft, "person-form"))
    with store.session() as s:
        assert s.get(Draft, "person-form") is None
    assert outbox.count() == 0
