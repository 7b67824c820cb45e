"""The erasure check on a push, once per statement (central migration c12 on PostgreSQL;
the SQLite store's push does the same in Python): a change to an erased record, and a
record added under one, at any depth and in any order within the push, arrive blanked;
nothing else is touched, and a push that touches no erased record notes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from lr_desk.store.clock import new_id
from lr_desk.sync.central import CentralStore

from .hostile import WHEN, _change, new_person
from .test_security import login, raw, store  # noqa: F401 (a fixture)


def _conversation(person_id: str, words: str, stamp: str) -> dict:
    return _change("conversation", new_id(), "insert", {
        "person_id": person_id, "occurred_at": WHEN, "site_code": "walton",
        "advisor_id": new_id(), "what_matters": words, "created_at": WHEN,
        "updated_at": WHEN}, stamp)


def _gap(conversation_id: str, words: str, stamp: str) -> dict:
    return _change("service_gap", new_id(), "insert", {
        "category": "housing", "words": words, "advisor_id": new_id(),
        "conversation_id": conversation_id, "recorded_at": WHEN, "created_at": WHEN,
        "updated_at": WHEN}, stamp)


def _push_around_an_erased_person(central: CentralStore, device: str, stamp: str,
                                  erase) -> dict[str, dict]:
    """Push, in one batch, changes about an erased person and about another; returns
    each change's fields in the log, by name."""
    gone, kept = new_person(stamp), new_person(stamp, "Kept")
    central.push(device, [c | {"fields": json.dumps(c["fields"])} for c in (gone, kept)])
    erase(gone["entity_id"])
    talk = _conversation(gone["entity_id"], "what matters to them", stamp)
    changes = {
        # a gap recorded under the conversation, sent before it (a desk may)
        "gap": _gap(talk["entity_id"], "no bus on Sundays", stamp),
        "talk": talk,
        "update": _change("person", gone["entity_id"], "update",
                          {"phone": "0151 000 0000"}, stamp),
        "other talk": _conversation(kept["entity_id"], "their garden", stamp),
        "other update": _change("person", kept["entity_id"], "update",
                                {"phone": "0151 111 1111"}, stamp),
    }
    central.push(device, [c | {"fields": json.dumps(c["fields"])}
                          for c in changes.values()])
    logged = {c.change_id: c.fields for c in central.pull(0)}
    return {name: logged[c["change_id"]] for name, c in changes.items()}


def _check(fields: dict[str, dict]) -> None:
    assert fields["gap"]["words"] == ""
    assert fields["talk"]["what_matters"] == ""
    assert fields["update"]["phone"] == ""
    assert fields["other talk"]["what_matters"] == "their garden"
    assert fields["other update"]["phone"] == "0151 111 1111"


def test_a_push_about_an_erased_person_arrives_blanked(central):
    def erase(person_id):
        with central.engine.begin() as conn:
            conn.execute(text("INSERT INTO erased_row (entity_id) VALUES (:i)"),
                         {"i": person_id})

    _check(_push_around_an_erased_person(central, "device-a", "d", erase))
    with central.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM erased_row")) == 3  # and the two


@pytest.mark.parametrize("nothing_erased", [False, True])
def test_a_devices_push_is_blanked_by_the_store_in_one_statement(store, nothing_erased):  # noqa: F811
    admin, a, _ = store

    def erase(person_id):
        if not nothing_erased:
            with raw(admin) as conn:
                conn.execute("INSERT INTO erased_row (entity_id) VALUES (%s)", (person_id,))

    dev = CentralStore(login(a))
    try:
        fields = _push_around_an_erased_person(dev, a.name, "desk-a", erase)
    finally:
        dev.close()
    with raw(admin) as conn:
        erased = conn.execute("SELECT count(*) FROM erased_row").fetchone()[0]
        when, = conn.execute("SELECT tgtype & 1 FROM pg_trigger "
                             "WHERE tgname = 'change_log_erased_append'").fetchone()
    assert when == 0  # (FOR EACH STATEMENT)
    if nothing_erased:
        assert fields["gap"]["words"] == "no bus on Sundays"
        assert fields["update"]["phone"] == "0151 000 0000"
        assert erased == 0
    else:
        _check(fields)
        assert erased == 3  # the person, and the two under them
