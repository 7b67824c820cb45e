"""What a valid change is (lr_desk.sync.checks), said once and held to in three places:
the SQLite store's push (Python), PostgreSQL's trigger (migration c5, made from the same
description) and the desk. They agree on every case here; every change a real desk makes
passes; what the store knows of desk schema versions follows the local migrations."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy.exc import DBAPIError

from lr_desk.demo import fill_demo
from lr_desk.store.clock import new_id
from lr_desk.sync import checks
from lr_desk.sync.central import CentralStore, desk_schema, init_central
from lr_desk.sync.checks import Refused
from lr_desk.sync.engine import sync_once
from lr_desk.sync.push import push_outbox

from .devices import new_device, records
from .hostile import WHEN, new_person, now_stamp

LONG = "x" * 101


def revisions_in_order() -> list[str]:
    """The local migrations, oldest first (as tests/store/test_migrations.py reads them)."""
    from alembic.script import ScriptDirectory

    from lr_desk.store import db

    script = ScriptDirectory(str(db.MIGRATIONS))
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def _nested(levels: int) -> list:
    value: list = []
    for _ in range(levels - 1):
        value = [value]
    return value


PERSON = {"given_name": "Ann", "family_name": "Lee", "created_at": WHEN, "updated_at": WHEN}
MERGE = {"survivor_id": new_id(), "merged_id": new_id(), "advisor_id": new_id(),
         "created_at": WHEN, "updated_at": WHEN}

# (what it is, a change to a person unless it says otherwise, valid?)
CASES = [
    ("a new person", {}, True),
    ("text at its column's limit", {"fields": {"family_name": "x" * 100}}, True),
    ("text over it", {"fields": {"family_name": LONG}}, False),
    ("a Text at MAX_TEXT", {"fields": {"communication_other": "x" * checks.MAX_TEXT}}, True),
    ("a Text over it", {"fields": {"communication_other": "x" * (checks.MAX_TEXT + 1)}},
     False),
    ("a number for text", {"fields": {"phone": 151}}, False),
    ("null where the column may not be", {"fields": {"given_name": None}}, False),
    ("null where it may", {"fields": {"date_of_birth": None, "deleted_at": None}}, True),
    ("a boolean", {"fields": {"carer": True}}, True),
    ("a word for a boolean", {"fields": {"carer": "yes"}}, False),
    ("1 for a boolean", {"fields": {"carer": 1}}, False),
    ("a date", {"fields": {"date_of_birth": "1980-02-29"}}, True),
    ("30 February", {"fields": {"date_of_birth": "1980-02-30"}}, False),
    ("29 February of a common year", {"fields": {"date_of_birth": "1900-02-29"}}, False),
    ("year 0", {"fields": {"date_of_birth": "0000-01-01"}}, False),
    ("a date without dashes", {"fields": {"date_of_birth": "19800101"}}, False),
    ("a date and a newline", {"fields": {"date_of_birth": "1980-01-01\n"}}, False),
    ("a time with microseconds", {"fields": {"deleted_at": "2026-03-01T23:59:59.123456"}},
     True),
    ("a time without", {"fields": {"deleted_at": "2026-03-01T23:59:59"}}, True),
    ("hour 24", {"fields": {"deleted_at": "2026-03-01T24:00:00"}}, False),
    ("a space for the T", {"fields": {"deleted_at": "2026-03-01 10:00:00"}}, False),
    ("a time zone", {"fields": {"deleted_at": "2026-03-01T10:00:00+00:00"}}, False),
    ("a field no person has", {"fields": {"n": 1}}, False),
    ("the id among the fields", {"fields": {"id": new_id()}}, False),
    ("a new person without given_name", {"op": "insert", "fields": {
        k: v for k, v in PERSON.items() if k != "given_name"}}, False),
    ("a new person without created_at", {"op": "insert", "fields": {
        k: v for k, v in PERSON.items() if k != "created_at"}}, False),
    ("an integer", {"entity": "prescription_item", "fields": {"position": 999_999_999}},
     True),
    ("an integer too big", {"entity": "prescription_item", "fields": {"position": 10**9}},
     False),
    ("a fraction for an integer", {"entity": "prescription_item",
                                   "fields": {"position": 1.5}}, False),
    ("a merge's ids", {"entity": "person_merge", "op": "insert",
                       "fields": MERGE | {"moved": {"person": [new_id()]}}}, True),
    ("a merge's ids not in a list", {"entity": "person_merge", "op": "insert",
                                     "fields": MERGE | {"moved": {"person": new_id()}}},
     False),
    ("a number among them", {"entity": "person_merge", "op": "insert",
                             "fields": MERGE | {"moved": {"person": [7]}}}, False),
    ("an id of 37 characters among them", {"entity": "person_merge", "op": "insert",
                                           "fields": MERGE | {"moved": {"p": ["x" * 37]}}},
     False),
    ("a JSON value 16 levels deep", {"entity": "advisor",
                                     "fields": {"sealed_key": {"k": _nested(16)}}}, True),
    ("one 17 levels deep", {"entity": "advisor",
                            "fields": {"sealed_key": {"k": _nested(17)}}}, False),
    ("one 500 deep", {"entity": "advisor", "fields": {"sealed_key": {"k": _nested(500)}}},
     False),
    ("seen as a writer leaves it", {"seen": {"phone": [now_stamp("d")], "~by": new_id(),
                                             "~row": ""}}, True),
    ("seen a list", {"seen": [1]}, False),
    ("seen naming a field of 65 characters", {"seen": {"x" * 65: []}}, False),
    ("seen with a stamp of 81 characters", {"seen": {"phone": ["x" * 81]}}, False),
    ("seen with a number for a stamp", {"seen": {"phone": [1]}}, False),
    ("seen with more stamps than a desk keeps", {"seen": {"phone": ["h"] * 1001}}, False),
    ("seen's writer null", {"seen": {"~by": None}}, True),
    ("seen's writer of 81 characters", {"seen": {"~by": "x" * 81}}, False),
    ("seen with one stamp, not a list", {"seen": {"phone": now_stamp("d")}}, False),
    ("seen's writer a list", {"seen": {"~by": [new_id()]}}, False),
    ("a delete", {"op": "delete"}, False),
    ("a kind of record no one keeps", {"entity": "setting"}, False),
    ("an entity id that is no UUID", {"entity_id": "42"}, False),
    ("a change id that is no UUID", {"change_id": "42"}, False),
    ("a clock stamp of 14 digits", {"hlc": "00000000000001-00000-d"}, False),
    ("a clock stamp without a device", {"hlc": "000000000000001-00000-"}, False),
    ("a clock stamp from long ago", {"hlc": "000000000000001-00000-d"}, True),
    ("a clock stamp of 80 characters", {"hlc": "000000000000001-00000-" + "d" * 58}, True),
    ("one of 81", {"hlc": "000000000000001-00000-" + "d" * 59}, False),
    ("a tab in a clock stamp", {"hlc": "000000000000001-00000-d\td"}, False),
    ("an hour ahead", {"hlc": f"{int(now_stamp('d')[:15]) + 3_600_000:015d}-00000-d"},
     True),
    ("two days ahead", {"hlc": f"{int(now_stamp('d')[:15]) + 2 * 86_400_000:015d}-00000-d"},
     False),
    ("the first schema", {"schema_version": "0001"}, True),
    ("a schema no lr_desk wrote", {"schema_version": "0000"}, False),
]


def _change(case: dict) -> dict:
    """A new person, valid; or with ``fields``, an update of them (unless the case says
    otherwise); then whatever else the case says."""
    change = new_person("d") | {"op": "update" if "fields" in case else "insert"}
    change.update(copy.copy(case))
    return change


@pytest.mark.parametrize(("what", "case", "valid"), CASES, ids=[c[0] for c in CASES])
def test_the_store_and_the_desk_agree_on_what_is_valid(central, what, case, valid):
    change = _change(case)
    sent = change | {"fields": json.dumps(change["fields"]),
                     "seen": None if change["seen"] is None else json.dumps(change["seen"])}
    desk_says = checks.problem(change, checks.desk_versions(), int(now_stamp("d")[:15]))
    if valid:
        assert desk_says is None
        assert central.push("d", [sent]) == [change["change_id"]]
        pulled = central.pull(0)[0]
        assert checks.problem(pulled, central.desk_versions(), int(now_stamp("d")[:15])) \
            is None
    else:
        assert desk_says
        # (or by PostgreSQL's column type, before any trigger: a clock stamp over 80)
        with pytest.raises((Refused, DBAPIError), match=r"refused the change|value too long"):
            central.push("d", [sent])
        assert central.head() == 0


def test_a_push_too_big_is_refused_whole(central):
    with pytest.raises(Refused, match="at most 10,000 changes"):
        central.push("d", [new_person("d") for _ in range(checks.MAX_BATCH + 1)])
    assert central.head() == 0


def test_every_change_a_real_desk_makes_passes(central, tmp_path):
    """A demo desk (drop-ins, needs, prescriptions, referrals, follow-ups, consent,
    partners and courses, all through the services) pushes everything it wrote; a new
    desk pulls it with nothing set aside."""
    a = new_device(tmp_path / "a")
    b = new_device(tmp_path / "b")
    try:
        fill_demo(a, people=12)
        assert push_outbox(a, central).changes > 100
        done = sync_once(b, central)
        assert done.set_aside == 0 and done.pulled > 100
        assert records(a) == records(b)
    finally:
        a.close()
        b.close()


def test_the_store_knows_the_schema_versions_of_the_lr_desk_that_set_it_up(central_url):
    assert checks.desk_versions() == revisions_in_order()
    init_central(central_url)
    central = CentralStore(central_url)
    try:
        assert central.desk_versions() == set(revisions_in_order())
        with central.engine.begin() as conn:  # as if set up by an older lr_desk
            conn.execute(desk_schema.delete().where(
                desk_schema.c.version == checks.desk_versions()[-1]))
        assert checks.desk_versions()[-1] not in central.desk_versions()
        init_central(central_url)  # this lr_desk's init adds its own
        assert central.desk_versions() == set(revisions_in_order())
    finally:
        central.close()


def test_a_store_from_before_the_list_of_versions_has_none(central_url):
    """A store set up before it kept the desk versions it knows (c5) says it has none (a
    pull then checks against the desk's own list), and the list once upgraded."""
    init_central(central_url, target="c4")
    central = CentralStore(central_url)
    try:
        assert central.desk_versions() is None
    finally:
        central.close()
    init_central(central_url)
    central = CentralStore(central_url)
    try:
        assert central.desk_versions() == set(revisions_in_order())
    finally:
        central.close()


def test_a_date_is_what_python_reads_as_one():
    """DATE_RE (PostgreSQL runs it too) against date.fromisoformat, day by day, over the
    years where leap years and year 0 make the difference."""
    from datetime import date

    for year in (*range(30), 96, 100, 200, 400, 1600, 1900, 2000, 2023, 2024, 2100, 9999):
        for month in range(14):
            for day in range(33):
                text = f"{year:04d}-{month:02d}-{day:02d}"
                try:
                    real = date.fromisoformat(text) is not None
                except ValueError:
                    real = False
                assert real == (checks._ok(checks.Column("d", "date", False), text)), text


def test_a_store_made_before_partners_takes_their_records_once_upgraded(postgres_url,
                                                                        monkeypatch):
    """A PostgreSQL store's check is made from the models of the lr_desk that made it
    (c8): one made before schema 0007 knows no partner contacts and refuses them; the
    upgrade (c9) makes the check again, and then takes them."""
    contact = {"change_id": new_id(), "entity": "partner_contact", "entity_id": new_id(),
               "op": "insert", "hlc": now_stamp("d"), "schema_version": "0007",
               "seen": None, "fields": json.dumps({"partner_id": new_id(), "name": "Kim",
                                                     "created_at": WHEN, "updated_at": WHEN})}
    with monkeypatch.context() as older:  # the models of an lr_desk before 0007
        older.setattr(checks, "ENTITIES", {name: e for name, e in checks.ENTITIES.items()
                                           if name != "partner_contact"})
        init_central(postgres_url, target="c8")
    central = CentralStore(postgres_url)
    try:
        with pytest.raises(Refused, match=r"partner_contact.* is not a kind of record"):
            central.push("d", [contact])
        init_central(postgres_url)
        assert central.push("d", [contact]) == [contact["change_id"]]
    finally:
        central.close()
