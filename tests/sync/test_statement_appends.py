"""A device's login appending many changes in one statement (as CentralStore.push does,
and as a login could by hand): the store's numbering, clock-stamp and shape checks run
once per statement (migration c8, lr_desk.sync.harden) and hold for every row of it."""

from __future__ import annotations

import json

import psycopg
import pytest

from lr_desk.sync.central import CentralStore
from lr_desk.sync.checks import Refused

from .hostile import ATTACKS, new_person
from .test_central import change
from .test_security import login, raw, store  # noqa: F401 (a fixture)

COLUMNS = "seq, change_id, device_id, entity, entity_id, op, fields, hlc, schema_version"


def _values(device_name: str, rows: list[tuple[int, str]]) -> tuple[str, list]:
    """One INSERT of several changes (seq, clock stamp's device id), by hand."""
    marks = ", ".join(["(%s, gen_random_uuid(), %s, 'person', gen_random_uuid(), 'insert', "
                       "%s::jsonb, %s, '0002')"] * len(rows))
    params = []
    for seq, stamp in rows:
        params += [seq, device_name, json.dumps(change()["fields"]),
                   f"000000000000001-00000-{stamp}"]
    return f"INSERT INTO change_log ({COLUMNS}) VALUES {marks}", params


def test_one_statement_of_a_device_gets_the_next_numbers_in_its_order(store):  # noqa: F811
    _, a, b = store
    with raw(login(a)) as conn:
        conn.execute(*_values(a.name, [(2**63 - 1, "desk-a"), (-5, "desk-a"), (7, "desk-a")]))
        conn.execute(*_values(a.name, [(1, "desk-a")]))
    dev_b = CentralStore(login(b))
    try:
        dev_b.push(b.name, [change(3, stamp="desk-b"), change(4, stamp="desk-b")])
        assert [(c.seq, c.device_id) for c in dev_b.pull(0)] == [
            (1, a.name), (2, a.name), (3, a.name), (4, a.name), (5, b.name), (6, b.name)]
    finally:
        dev_b.close()


def test_a_device_cannot_move_the_numbers_itself(store):  # noqa: F811
    _, a, _ = store
    with raw(login(a)) as conn:
        for call in ("nextval('central_next_seq')",
                     "setval('central_next_seq', 4611686018427387904)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT {call}")


def test_a_statement_with_another_stamp_in_it_is_refused_whole(store):  # noqa: F811
    admin, a, b = store
    with raw(login(b)) as conn:  # b binds desk-b
        conn.execute(*_values(b.name, [(1, "desk-b")]))
    with raw(login(a)) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege,
                           match='stamps its changes with its own device stamp desk-a, '
                                 'not desk-x'):
            conn.execute(*_values(a.name, [(1, "desk-a"), (2, "desk-a"), (3, "desk-x")]))
        with pytest.raises(psycopg.errors.InsufficientPrivilege,
                           match='the device stamp desk-b belongs to the device'):
            conn.execute(*_values(a.name, [(1, "desk-b"), (2, "desk-b")]))
    with raw(admin) as conn:
        assert conn.execute("SELECT count(*) FROM change_log").fetchone() == (1,)
        assert conn.execute("SELECT stamp_id FROM device WHERE name = %s",
                            (a.name,)).fetchone() == (None,)  # (its binding undone too)


def test_a_push_names_its_first_wrong_change_and_stores_none(store):  # noqa: F811
    _, a, _ = store
    good = new_person("desk-a")
    first = ATTACKS["fields a list"](good["entity_id"], "desk-a")
    second = ATTACKS["a date of birth not-a-date"](good["entity_id"], "desk-a")
    dev = CentralStore(login(a))
    try:
        with pytest.raises(Refused, match=f"refused the change '{first['change_id']}'.*"
                                          "not a set of named values"):
            dev.push(a.name, [good, first, second])
        assert dev.head() == 0
        assert dev.push(a.name, [good]) == [good["change_id"]]  # the good one alone
    finally:
        dev.close()
