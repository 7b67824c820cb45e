"""The SQLite engine: WAL, enforced foreign keys, device-made keys and row times."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from lr_desk.store import clock as clock_module
from lr_desk.store.clock import new_id
from lr_desk.store.db import Store
from lr_desk.store.models import Advisor, Conversation, Device, Person


def test_wal_and_foreign_keys_are_on(store):
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(store, advisor):
    with pytest.raises(IntegrityError), store.session() as s:
        s.add(Conversation(person_id=new_id(), advisor_id=advisor.id,
                           occurred_at=datetime(2025, 1, 1, 10), site_code="walton"))
    with store.session() as s:
        assert s.query(Conversation).count() == 0


def test_every_connection_gets_the_pragmas(store):
    # a second pooled connection, not just the first one
    with store.engine.connect() as a, store.engine.connect() as b:
        for conn in (a, b):
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_keys_are_uuid7_made_on_the_device(store):
    with store.session() as s:
        rows = [Advisor(name=f"Advisor {i}", home_site="walton") for i in range(5)]
        s.add_all(rows)
        s.flush()
        ids = [r.id for r in rows]
    for key in ids:
        assert uuid.UUID(key).version == 7
    assert len(set(ids)) == 5


def test_uuid7_keys_are_time_ordered():
    ids = [new_id() for _ in range(500)]
    assert ids == sorted(ids)


def test_created_and_updated_at_are_set(store, monkeypatch):
    first, later = datetime(2025, 3, 1, 9, 0), datetime(2025, 3, 1, 9, 5)
    monkeypatch.setattr(clock_module, "utcnow", lambda: first)
    with store.session() as s:
        person = Person(given_name="Ann", family_name="Lee")
        s.add(person)
    assert person.created_at == first and person.updated_at == first

    monkeypatch.setattr(clock_module, "utcnow", lambda: later)
    with store.session() as s:
        s.get(Person, person.id).postcode = "L9 2AF"
    with store.session() as s:
        again = s.get(Person, person.id)
        assert again.created_at == first
        assert again.updated_at == later
        assert again.deleted_at is None


def test_an_unchanged_row_keeps_its_updated_at(store, monkeypatch):
    monkeypatch.setattr(clock_module, "utcnow", lambda: datetime(2025, 3, 1, 9, 0))
    with store.session() as s:
        person = Person(given_name="Ann", family_name="Lee")
        s.add(person)
    monkeypatch.setattr(clock_module, "utcnow", lambda: datetime(2025, 3, 2, 9, 0))
    with store.session() as s:
        s.get(Person, person.id).family_name = "Lee"
    with store.session() as s:
        assert s.get(Person, person.id).updated_at == datetime(2025, 3, 1, 9, 0)


def test_device_id_is_made_once_and_kept(tmp_path):
    first = Store(tmp_path / "a.sqlite")
    device = first.device_id
    first.close()
    second = Store(tmp_path / "a.sqlite")
    try:
        assert second.device_id == device
        with second.session() as s:
            assert [d.id for d in s.query(Device)] == [device]
    finally:
        second.close()


def test_two_stores_have_different_devices(tmp_path):
    a, b = Store(tmp_path / "a.sqlite"), Store(tmp_path / "b.sqlite")
    try:
        assert a.device_id != b.device_id
    finally:
        a.close()
        b.close()


def test_session_commits_on_success_and_rolls_back_on_error(store):
    with store.session() as s:
        s.add(Advisor(name="Kept", home_site="walton"))
    with pytest.raises(ZeroDivisionError), store.session() as s:
        s.add(Advisor(name="Lost", home_site="walton"))
        s.flush()
        raise ZeroDivisionError("a bug after the flush")
    with store.session() as s:
        assert [a.name for a in s.query(Advisor)] == ["Kept"]


def test_error_messages_carry_no_bound_values(store, advisor):
    """An error's message reaches the log file and message boxes: the values bound to
    the failed statement (private notes here) must not be in it."""
    secret = "Disclosed something very private"
    with pytest.raises(IntegrityError) as info, store.session() as s:
        s.add(Conversation(person_id=new_id(), advisor_id=advisor.id,
                           occurred_at=datetime(2025, 1, 1, 10), site_code="walton",
                           private_notes=secret))
    assert "FOREIGN KEY" in str(info.value)  # the message itself is still there
    assert secret not in str(info.value)
    assert secret not in repr(info.value)
