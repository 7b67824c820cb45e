"""Hostile changes, as one device's login appended them before the store checked: each of
the attacks in issue 10, and a way to put one in a log past the check (as an old log
holds them)."""

from __future__ import annotations

import json
import time

from sqlalchemy import text

from lr_desk.store.clock import new_id
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync.central import CentralStore

WHEN = "2026-01-01T00:00:00.000000"


def now_stamp(device: str) -> str:
    return f"{time.time_ns() // 1_000_000:015d}-00000-{device}"


def _change(entity: str, entity_id: str, op: str, fields, stamp: str, **more) -> dict:
    return {"change_id": new_id(), "entity": entity, "entity_id": entity_id, "op": op,
            "fields": fields, "hlc": now_stamp(stamp), "schema_version": SCHEMA_VERSION,
            "seen": None, **more}


def person(given: str = "Ann", family: str | None = "Lee") -> dict:
    fields = {"given_name": given, "created_at": WHEN, "updated_at": WHEN}
    if family is not None:
        fields["family_name"] = family
    return fields


def new_person(stamp: str, given: str = "Ann") -> dict:
    """A valid change: a new person, as a desk would make one."""
    return _change("person", new_id(), "insert", person(given), stamp)


# name -> (target person id, the device's stamp) -> a change no desk makes
ATTACKS = {
    "fields a list": lambda pid, stamp: _change("person", pid, "update", [1, 2], stamp),
    "fields a string": lambda pid, stamp: _change("person", pid, "update", "a string", stamp),
    "a person without family_name": lambda pid, stamp: _change(
        "person", new_id(), "insert", person("Nameless", None), stamp),
    "an erasure without requested_by": lambda pid, stamp: _change(
        "erasure", new_id(), "insert", {
            "person_id": new_id(), "approved_by": new_id(), "at": WHEN, "reason": "request",
            "record_ids": {}, "created_at": WHEN, "updated_at": WHEN}, stamp),
    "a date of birth not-a-date": lambda pid, stamp: _change(
        "person", pid, "update", {"date_of_birth": "not-a-date"}, stamp),
    "a clock stamp of 999999999999999": lambda pid, stamp: _change(
        "person", pid, "update", {"phone": "0151 999 9999"}, stamp,
        hlc=f"999999999999999-00000-{stamp}"),
    "schema_version 9999": lambda pid, stamp: _change(
        "person", pid, "update", {"phone": "0151 999 9998"}, stamp, schema_version="9999"),
}


def append_unchecked(central: CentralStore, device_id: str, change: dict) -> int:
    """Append ``change`` as the store's owner, past the check (on PostgreSQL its trigger
    is switched off for this one transaction), as a log from before the check holds it.
    Returns its sequence number."""
    with central.engine.begin() as conn:
        if central.postgres:
            conn.exec_driver_sql("ALTER TABLE change_log DISABLE TRIGGER change_log_check")
        seq = _append(conn, device_id, change, central.postgres)
        if central.postgres:
            conn.exec_driver_sql("ALTER TABLE change_log ENABLE TRIGGER change_log_check")
    return seq


def _append(conn, device_id: str, change: dict, postgres: bool) -> int:
    seq = conn.scalar(text("SELECT COALESCE(MAX(seq), 0) + 1 FROM change_log"))
    cast = "::jsonb" if postgres else ""
    conn.execute(text(
        "INSERT INTO change_log (seq, change_id, device_id, entity, entity_id, op, fields, "
        f"seen, hlc, schema_version) VALUES (:seq, :change_id, :device_id, :entity, "
        f":entity_id, :op, CAST(:fields AS TEXT){cast}, CAST(:seen AS TEXT){cast}, :hlc, "
        ":schema_version)"),
        {**change, "seq": seq, "device_id": device_id, "fields": json.dumps(change["fields"]),
         "seen": None if change.get("seen") is None else json.dumps(change["seen"])})
    return seq


def append_as_owner(url: str, device_id: str, change: dict) -> int:
    """Append straight to the log of a store that has no check yet (an old log)."""
    central = CentralStore(url)
    try:
        with central.engine.begin() as conn:
            return _append(conn, device_id, change, central.postgres)
    finally:
        central.close()
