"""The desk's fast test of a pulled change's shape (sync.screen) decides nothing: it says
yes only where the full check (sync.checks.problem) does, and a page is screened on a real
desk exactly as the full check and store.authority would, change by change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lr_desk.store import authority
from lr_desk.store.clock import new_id
from lr_desk.sync import checks, screen
from lr_desk.sync.central import Change

from .devices import new_device
from .hostile import WHEN, new_person, now_stamp
from .test_checks import CASES, _change

NOW = datetime.now(UTC).replace(tzinfo=None)  # the store's time, as it records it
# received then: a desk allows DESK_SLACK more, so it measures from NOW as the store does
RECEIVED = NOW - timedelta(milliseconds=checks.DESK_SLACK)
VERSIONS = frozenset(checks.desk_versions())

# More than the store's cases: what only a type test or the ASCII shortcut could miss.
MORE = [
    ("a NUL in ASCII text", {"fields": {"family_name": "Le\x00e"}}, False),
    ("a lone surrogate", {"fields": {"family_name": "Le\ud800e"}}, False),
    ("a NUL in other text", {"fields": {"family_name": "Lé\x00e"}}, False),
    ("accented text", {"fields": {"family_name": "Lée Ōno"}}, True),
    ("text of 100 accented letters", {"fields": {"family_name": "é" * 100}}, True),
    ("True for an integer", {"entity": "prescription_item", "fields": {"position": True}},
     False),
    ("an integer of minus a billion", {"entity": "prescription_item",
                                       "fields": {"position": -10**9}}, False),
    ("a time for a date", {"fields": {"date_of_birth": WHEN}}, False),
    ("a date for a time", {"fields": {"deleted_at": "2026-03-01"}}, False),
    ("fields a list", {"fields": [1]}, False),
    ("fields null", {"op": "update", "fields": None}, False),
    ("a schema version that is a number", {"schema_version": 1}, False),
    ("an entity that is a number", {"entity": 7}, False),
    ("a stamp that is a number", {"hlc": 7}, False),
    ("seen of five fields", {"seen": {f"f{i}": [now_stamp("d")] for i in range(5)}}, True),
    ("seen a string", {"seen": "x"}, False),
]


def _pulled(case: dict, seq: int = 1) -> Change:
    c = _change(case)
    return Change(seq, c["change_id"], new_id(), c["entity"], c["entity_id"], c["op"],
                  c["fields"], c["hlc"], c["schema_version"], c.get("seen"), RECEIVED)


@pytest.mark.parametrize(("case", "valid"), [(case, valid) for _, case, valid in CASES + MORE],
                         ids=[name for name, _, _ in CASES + MORE])
def test_fast_says_yes_only_where_the_full_check_does(case, valid):
    c = _pulled(case)
    now = checks.ms_of(RECEIVED) + checks.DESK_SLACK
    full = checks.problem(c, VERSIONS, now)
    assert (full is None) == valid, full
    fast = screen._FAST.get(c.entity) if type(c.entity) is str else None
    said_yes = bool(fast is not None and fast.ok(c, VERSIONS, now))
    assert said_yes <= valid
    # (a seen of many entries is measured by the full check; the rest take the fast path)
    assert said_yes == valid or len(c.seen) > screen._SMALL_SEEN


def test_a_page_is_screened_as_the_full_check_says(tmp_path):
    """Every case in one page on a real desk: what is set aside is set aside with the
    full check's words, in log order, and the rest is accepted (accounts and erasures,
    which also need proof, are test_forgery's)."""
    desk = new_device(tmp_path / "desk")
    page = [_pulled(case, seq) for seq, (_, case, _) in enumerate(CASES + MORE, 1)
            if case.get("entity") not in authority.PROVEN]
    page.append(Change(page[-1].seq + 1, *(lambda c: (
        c["change_id"], new_id(), c["entity"], c["entity_id"], c["op"], c["fields"],
        c["hlc"], c["schema_version"], None, RECEIVED))(new_person("d"))))
    now = checks.ms_of(RECEIVED) + checks.DESK_SLACK
    expected = {c.seq: checks.problem(c, VERSIONS, now) for c in page}
    with desk.engine.begin() as conn:
        # (most cases change records this desk does not have: test_references')
        s = screen.Screen(conn, VERSIONS, 0, references=False)
        accepted = s.run(page)
        kept = dict(conn.exec_driver_sql("SELECT seq, reason FROM set_aside").all())
    assert [c.seq for c in accepted] == [seq for seq, why in expected.items() if why is None]
    assert {c.seq: why for c, why in s.aside} == kept == {
        seq: why for seq, why in expected.items() if why is not None}
    desk.close()


def test_an_account_without_proof_is_still_set_aside(tmp_path):
    """The authority screen runs for the entities it governs (only those)."""
    desk = new_device(tmp_path / "desk")
    admin = Change(1, new_id(), new_id(), "advisor", new_id(), "insert", {
        "name": "Eve", "home_site": "walton", "username": "eve", "role": "admin", "active": True,
        "password_hash": "x", "created_at": WHEN, "updated_at": WHEN},
        now_stamp("d"), checks.desk_versions()[-1], None, RECEIVED)
    with desk.engine.begin() as conn:
        s = screen.Screen(conn, VERSIONS, 0)
        assert s.run([admin]) == []
    assert "no proof" in s.aside[0][1]
    desk.close()
