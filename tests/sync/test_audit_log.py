"""The audit log through the central store (a SQLite file and a real PostgreSQL): every
desk's records reach every other desk as they were written, a log merged again changes
nothing (and is not refused), and looking at a record is never taken for an edit of it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lr_desk.services import advisors, audit, people
from lr_desk.store.clock import new_id, utcnow
from lr_desk.store.models import Person
from lr_desk.sync import engine
from lr_desk.sync.engine import sync_once
from lr_desk.sync.push import put_state

from .devices import clocks, new_device, open_conflicts, records
from .hostile import append_unchecked


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
    # Nothing in an audit record ever changes (nothing to merge): neither the desk that
    # wrote them nor the one that pulled them keeps their clocks.
    for desk in (a, b):
        held = clocks(desk)
        assert not set(on_b) & set(held) and person_id in held
    with b.session() as s:  # is not an audited change
        page = audit.read(s, audit.Filters(person_ids=(person_id,)), b.device_id)
    assert [(r.action, r.detail) for r in page.rows] == [
        ("Changed a record", "Changed phone number"), ("Opened a person's record", ""),
        ("Created a record", page.rows[-1].detail)]
    assert {r.who for r in page.rows[:2]} == {"Alex Advisor"}  # (registered by no one)
    assert all(r.device.startswith("Desk …") for r in page.rows)  # another desk's


def test_a_log_merged_again_changes_nothing_and_is_not_refused(desks, central):
    """A desk that has lost what it knew of the log's clocks (restored from a backup,
    say) merges everything again: the audit records it has are left as they are (an
    older desk kept clocks for them: here they are gone too)."""
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


def _first_change(central, event_id: str):
    return next(c for c in central.pull(0, limit=100_000) if c.entity_id == event_id)


def test_an_audit_record_logged_again_leaves_the_one_here_as_it_is(desks, central,
                                                                   tmp_path):
    """The same record again in the log, even with other values (a log no desk should
    have written): the first is kept, on every desk, and the pull goes on."""
    a, b, person_id = desks
    with a.session() as s:
        audit.record_opening(s, person_id)
    sync_once(a, central)
    sync_once(b, central)
    (event_id, first), = [(k, v) for k, v in records(b)["audit_event"].items()
                          if v["action"] == "open_person"]
    change = _first_change(central, event_id)
    for fields, op in (({**change.fields, "detail": "rewritten"}, "insert"),
                       ({"detail": "rewritten"}, "update")):
        append_unchecked(central, "elsewhere", {
            "change_id": new_id(), "entity": "audit_event", "entity_id": event_id,
            "op": op, "fields": fields, "hlc": f"{int(change.hlc[:15]) + 1:015d}-00000-elsewhere",
            "schema_version": change.schema_version, "seen": None})
    new = new_device(tmp_path / "new")
    try:
        for desk in (a, b, new):
            assert sync_once(desk, central).conflicts == 0
            assert records(desk)["audit_event"][event_id] == first
        # the change to it is set aside, with why, on every desk
        for desk in (a, b, new):
            with desk.engine.connect() as conn:
                aside = conn.execute(text(
                    "SELECT op, reason FROM set_aside WHERE entity_id = :id"),
                    {"id": event_id}).all()
            assert aside == [("update", "an audit record is never changed once written")]
    finally:
        new.close()
