"""Fixtures for the core's unit tests: no Qt anywhere in here.

``store`` is a real profile on a real SQLite file (migrated, reference data and example
directory seeded), made fresh for each test in its own temporary folder.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import func, select

from lr_desk.profile import open_store
from lr_desk.services import advisors, people
from lr_desk.store import clock, keys
from lr_desk.store.models import Outbox

# Password hashing and key derivation at a token cost: hundreds of tests sign in. The
# real cost is measured by the benchmark, and kept by tests of its own.
REAL_COST = keys.COST
keys.COST = keys.Cost(time=1, memory=64, lanes=1)

# Property tests: a quick run by default; HYPOTHESIS_PROFILE=thorough for a long hunt.
_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile("default", max_examples=25, deadline=None,
                          suppress_health_check=_QUIET)
settings.register_profile("thorough", max_examples=500, deadline=None,
                          suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# A fixed "today" (a Wednesday) for everything that takes one, so no test depends on the
# calendar it happens to run on.
TODAY = date(2025, 6, 11)


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture(scope="session")
def migrated_profile(tmp_path_factory) -> Path:
    """A profile folder made once by ``open_store``: migrated to head and seeded."""
    folder = tmp_path_factory.mktemp("template") / "profile"
    open_store(folder).close()
    return folder


@pytest.fixture
def store(tmp_path, migrated_profile):
    """``open_store`` on a fresh profile of this test's own (a copy of one already
    migrated, so each test skips running the migrations; the migration tests make their
    databases from nothing)."""
    folder = tmp_path / "profile"
    folder.mkdir()
    for f in migrated_profile.glob("lr_desk.sqlite*"):
        shutil.copy(f, folder / f.name)
    s = open_store(folder)
    yield s
    s.close()


@pytest.fixture
def advisor(store):
    with store.session() as s:
        return advisors.create(s, "Alex Advisor", "walton")


@pytest.fixture
def other_advisor(store):
    with store.session() as s:
        return advisors.create(s, "Bea Advisor", "bootle")


@pytest.fixture
def make_person(store, advisor):
    """Register a person (committed) from form values; returns the Person."""

    def make(site: str = "walton", **raw):
        raw.setdefault("given_name", "Jo")
        raw.setdefault("family_name", "Bloggs")
        with store.session() as s:
            return people.register(s, raw, advisor.id, site, today=TODAY)

    return make


@pytest.fixture
def agree_to_share(store, advisor):
    """Record a person's consent to share their information with the partner of each
    service given (a referral is sent only with it: services.consent)."""
    from lr_desk.services import consent
    from lr_desk.store.models import PartnerService

    def agree(person_id: str, *service_ids: str) -> None:
        with store.session() as s:
            for service_id in service_ids:
                partner_id = s.get(PartnerService, service_id).partner_id
                consent.record(s, person_id, advisor.id,
                               {"kind": "share", "partner_id": partner_id}, today=TODAY)

    return agree


class OutboxReader:
    """Reads the outbox in its own session, in local order: the entries of the records
    changed (the audit log's own entries, one per change, only when ``entity`` asks for
    them: tests/services/test_audit.py counts those)."""

    def __init__(self, store):
        self.store = store

    def count(self) -> int:
        with self.store.session() as s:
            return s.scalar(select(func.count()).select_from(Outbox)
                            .where(Outbox.entity != "audit_event"))

    def entries(self, entity: str | None = None, entity_id: str | None = None) -> list[Outbox]:
        with self.store.session() as s:
            stmt = select(Outbox).order_by(Outbox.seq)
            if entity:
                stmt = stmt.where(Outbox.entity == entity)
            else:
                stmt = stmt.where(Outbox.entity != "audit_event")
            if entity_id:
                stmt = stmt.where(Outbox.entity_id == entity_id)
            return list(s.scalars(stmt))


@pytest.fixture
def london(monkeypatch):
    """The desk's clock in Liverpool (summer time from the last Sunday in March: an hour
    ahead of UTC), for SQLite's local day and Python's alike; put back afterwards."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    clock._utc_offset.cache_clear()
    yield
    monkeypatch.undo()
    time.tzset()
    clock._utc_offset.cache_clear()


@pytest.fixture
def table1(store, advisor):
    """The referrals report of a desk holding exactly the evaluation's Table 1
    (tests.reports_data), for the tests of the report's files."""
    from lr_desk.services import reports
    from tests.reports_data import PERIOD, table1_desk

    with store.session() as s:
        table1_desk(s, advisor.id)
        return reports.make(s, "referrals", PERIOD)


@pytest.fixture
def outbox(store) -> OutboxReader:
    return OutboxReader(store)
