"""The audit log through the central store (a SQLite file and a real PostgreSQL): every
desk's records reach every other desk as they were written, a log merged again changes
nothing (and is not refused), and looking at a record is never taken for an edit of it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lr_desk.services import advisors, audit, people
from lr_desk.store.clock import utcnow
from lr_desk.store.models import Person
from lr_desk.sync import engine
from lr_desk.sync.engine import sync_once
from lr_desk.sync.push import put_state

from .devices import new_device, open_conflicts, records


@pytest.fixture
def desks(tmp_path, central):
    """Two desks that share an advisor and a person, then go their own ways."""
    a, b = new_device(tmp_path / "a"), new_device(tmp_path / "b")
    with a.session() as s:
        adv = advisors.create(s, "Alex Advisor", "walton")
        person = people.register(s, {"given_name": "Ann", "family_name": "Lee"}, adv.id,
                                 "walton")
    a.advisor_id = b.advisor_id = adv.id
    sync_once(a, central)
    sync_once(b, central)
    yield a, b, person.id
    a.close()
    b.close()


def test_audit_records_reach_the_other_desk_as_written(desks, central):
    a, b, person_id = desks
    with a.session() as s:
        audit.record_opening(s, person_id)
        s.get(Person, person_id).phone = "0151 000 0000"
    sync_once(a, central)
    sync_once(b, central)
    on_a, on_b = records(a)["audit_event"], records(b)["audit_event"]
    assert on_b == on_a
    assert {e["device_id"] for e in on_b.values()} == {a.device_id}  # b made none: a pull
    with b.session() as s:  # is not an audited change
        page = audit.read(s, audit.Filters(person_ids=(person_id,)), b.device_id)
    assert [(r.action, r.detail) for r in page.rows] == [
        ("Changed a record", "Changed phone number"), ("Opened a person's record", ""),
        ("Created a record", page.rows[-1].detail)]
    assert {r.who for r in page.rows[:2]} == {"Alex Advisor"}  # (registered by no one)
    assert all(r.device.startswith("Desk …") for r in page.rows)  # another desk's


def test_a_log_merged_again_changes_nothing_and_is_not_refused(desks, central):
    """A desk that has lost what it knew of the log's clocks (restored from a backup,
    say) merges everything again: the audit records are written with the values they
    have, which the append-only triggers allow."""
    a, b, person_id = desks
    with a.session() as s:
        audit.record_opening(s, person_id)
    sync_once(a, central)
    sync_once(b, central)
    before = records(b)
    with b.engine.begin() as conn:
        conn.execute(text("DELETE FROM row_clock WHERE entity_id IN "
                          "(SELECT id FROM audit_event)"))
        put_state(conn, "cursor", 0)
    again = engine.pull(b, central)
    assert again.pulled > 0 and again.conflicts == 0
    assert records(b) == before
    assert open_conflicts(b) == set()


def test_opening_a_record_deleted_elsewhere_is_not_an_edit_of_it(desks, central):
    a, b, person_id = desks
    with a.session() as s:
        s.get(Person, person_id).deleted_at = utcnow()
    with b.session() as s:  # meanwhile, offline: looked at, not changed
        audit.record_opening(s, person_id)
    for desk in (a, b, a):
        sync_once(desk, central)
    assert open_conflicts(a) == open_conflicts(b) == set()  # no "edited while deleted"
    assert records(a) == records(b)
