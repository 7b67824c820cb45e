"""The check PostgreSQL runs on every change appended (checks_pg, remade by central
migration c12 for cost) gives the desk's answers on what c12 rewrote: ids matched as
UUIDs without a regular expression, and each field's JSON type looked up once."""

from __future__ import annotations

import json

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError

from lr_desk.sync import checks
from lr_desk.sync.checks import Refused

from .hostile import WHEN, new_person, now_stamp

GOOD = "0f1e2d3c-4b5a-6978-8a9b-acbdcedfe0f1"
# (what it is, the id, a UUID?)
IDS = [
    ("lower case", GOOD, True),
    ("upper case", GOOD.upper(), True),
    ("mixed case", "0F1e2D3c-4B5a-6978-8A9b-AcBdCeDfE0F1", True),
    ("a dash for a digit", "-f1e2d3c-4b5a-6978-8a9b-acbdcedfe0f1", False),
    ("a digit for a dash", "0f1e2d3c04b5a-6978-8a9b-acbdcedfe0f1", False),
    ("dashes only", "-" * 36, False),
    ("a g", GOOD[:-1] + "g", False),
    ("a space", GOOD[:-1] + " ", False),
    ("an Arabic-Indic digit", GOOD[:-1] + "\u0663", False),
    ("a fullwidth a", GOOD[:-1] + "\uff41", False),
    ("35 characters", GOOD[:-1], False),
    ("37 characters", GOOD + "0", False),
    ("a newline after", GOOD + "\n", False),
    ("braces", "{" + GOOD[1:-1] + "}", False),
    ("no dashes", GOOD.replace("-", "") + "0000", False),
    ("dashes moved", "0f1e2d3c4-b5a-6978-8a9b-acbdcedfe0f1", False),
    ("percent and underscore", "0f1e2d3c-4b5a-6978-8a9b-acbdcedf%_f1", False),
]


@pytest.mark.parametrize("which", ["change_id", "entity_id"])
@pytest.mark.parametrize(("what", "value", "valid"), IDS, ids=[c[0] for c in IDS])
def test_an_id_is_a_uuid_to_the_store_as_to_the_desk(central, which, what, value, valid):
    change = new_person("d") | {which: value}
    desk_says = checks.problem(change, checks.desk_versions(), int(now_stamp("d")[:15]))
    assert (desk_says is None) == valid, desk_says
    sent = change | {"fields": json.dumps(change["fields"])}
    if valid:
        assert central.push("d", [sent]) == [change["change_id"]]
        assert [c.entity_id for c in central.pull(0)] == [change["entity_id"]]
    else:
        with pytest.raises((Refused, DBAPIError), match=r"refused the change|value too long"):
            central.push("d", [sent])
        assert central.head() == 0


PERSON = {"given_name": "Ann", "family_name": "Lee", "created_at": WHEN, "updated_at": WHEN}
# (what it is, fields of an update to a person, valid?): each kind of column, absent,
# null, of its type and of another
FIELDS = [
    ("nothing", {}, True),
    ("a nullable date null", {"date_of_birth": None}, True),
    ("a nullable date a number", {"date_of_birth": 19800101}, False),
    ("a nullable date an object", {"date_of_birth": {}}, False),
    ("a text null where it may not be", {"family_name": None}, False),
    ("a text a list", {"family_name": ["Lee"]}, False),
    ("a text true", {"family_name": True}, False),
    ("a boolean null where it may not be", {"carer": None}, False),
    ("a boolean a string", {"carer": "true"}, False),
    ("a time null where it may not be", {"updated_at": None}, False),
    ("a time like created_at", {"created_at": WHEN, "updated_at": WHEN}, True),
    ("a time unlike created_at, valid", {"created_at": WHEN,
                                         "updated_at": "2027-01-02T03:04:05"}, True),
    ("a time unlike created_at, 31 April", {"created_at": WHEN,
                                            "updated_at": "2027-04-31T03:04:05"}, False),
    ("created_at 30 February", {"created_at": "2027-02-30T00:00:00"}, False),
    ("created_at a number", {"created_at": 20270101}, False),
]


@pytest.mark.parametrize(("what", "fields", "valid"), FIELDS, ids=[c[0] for c in FIELDS])
def test_a_field_of_each_kind_gets_the_desks_answer(central, what, fields, valid):
    change = new_person("d") | {"op": "update", "fields": fields}
    desk_says = checks.problem(change, checks.desk_versions(), int(now_stamp("d")[:15]))
    assert (desk_says is None) == valid, desk_says
    sent = change | {"fields": json.dumps(fields)}
    if valid:
        central.push("d", [sent])
        assert central.head() == 1
    else:
        with pytest.raises((Refused, DBAPIError), match="refused the change"):
            central.push("d", [sent])
        assert central.head() == 0


def test_the_check_is_never_compiled_by_jit(postgres_url):
    from lr_desk.sync.central import init_central

    init_central(postgres_url)
    with psycopg.connect(postgres_url.replace("+psycopg", "")) as conn:
        config, = conn.execute("SELECT proconfig FROM pg_proc "
                               "WHERE proname = 'change_log_check'").fetchone()
    assert "jit=off" in config

