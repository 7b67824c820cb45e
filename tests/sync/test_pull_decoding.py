"""A pulled page's JSON is read by json's own scanner (central_schema._json_loads) and
its rows made Changes at once (central_schema.changes_of): the values come back exactly
as pushed, and anything the scanner does not take whole is read (or refused) as
json.loads reads it."""

from __future__ import annotations

import json

import pytest

from lr_desk.sync.central_schema import Change, _json_loads, changes_of

from .test_central import change

NAMES = ["Zoë", "李小龙", "😀 grin", 'say "hi" \\ back\nslash\ttab', "null", "", "é" * 100,
         "\u2028 line separator", "1e5", "[1]"]


def test_pulled_fields_are_what_was_pushed(central):
    batch = []
    for n, name in enumerate(NAMES):
        c = change(n)
        c["fields"]["given_name"] = name
        batch.append(c)
    central.push("device-a", batch)
    pulled = central.pull(0, limit=100)
    assert [c.fields for c in pulled] == [c["fields"] for c in batch]
    assert all(c.seen is None for c in pulled)
    assert all(type(c) is Change for c in pulled)
    again = [Change(*(getattr(c, k) for k in Change.__dataclass_fields__)) for c in pulled]
    assert pulled == again and [repr(c) for c in pulled] == [repr(c) for c in again]


@pytest.mark.parametrize("text", [
    '{"a": [1, 2.5, -3e-2, true, false, null], "b": {"c": "d\\u00e9\\ud83d\\ude00"}}',
    'null', 'true', '0', '-12', '1.5e300', '"text"', '[]', '{}', '"\\u0000"',
    ' {"a": 1} ', '\n[1]\n', '12345678901234567890123'])
def test_json_is_read_as_json_loads_reads_it(text):
    assert _json_loads(text.encode()) == json.loads(text)
    assert repr(_json_loads(text.encode())) == repr(json.loads(text))


@pytest.mark.parametrize("text", ['{"a":', '{"a": 1} x', '', ' ', 'nul', '[1,]', 'NaNx',
                                  '{"a": 1}{"b": 2}', '"\\x"'])
def test_what_is_not_json_is_refused_as_json_loads_refuses_it(text):
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as got:
        _json_loads(text.encode())
    assert str(got.value) == str(expected.value)


def test_rows_become_the_changes_change_would_make():
    row = (7, "c", "d", "person", "e", "insert", {"x": 1}, "h", "0009", None, None)
    assert changes_of([row]) == [Change(*row)]
    with pytest.raises(ValueError):
        changes_of([row[:-1]])
