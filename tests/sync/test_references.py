"""A change that points at a record that does not exist (sync.references): one device's
login appends a conversation, a referral or a merge, valid in shape, naming a person or a
partner no change ever made. Each desk applies a page with its keys checked at the
commit, so before this every desk's pull stopped on that page for good. Now every desk
sets it aside alike, with its reason, applies the good changes around it and carries on;
a record made earlier in the same page, or in an earlier one, is there to point at.

Through the SQLite store and a real PostgreSQL device login (see conftest.py)."""

from __future__ import annotations

import itertools
import json
import re
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from lr_desk.services import advisors, people
from lr_desk.store import authority
from lr_desk.store.clock import new_id, utcnow
from lr_desk.store.models import (
    SYNCED_MODELS,
    Conversation,
    ConversationNeed,
    FollowUp,
    PartnerService,
    Person,
    Prescription,
    PrescriptionItem,
    Referral,
    SetAside,
)
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync import checks, references, screen
from lr_desk.sync.central import CentralStore, Change, add_device, init_central
from lr_desk.sync.engine import sync_once

from .devices import new_device, records
from .hostile import append_unchecked
from .test_checks import CASES
from .test_checks import _change as shaped
from .test_security import _name, login

WHEN = "2026-01-01T00:00:00.000000"
_counter = itertools.count()


def _change(entity: str, fields: dict, op: str = "insert", entity_id: str | None = None,
            ) -> dict:
    """A change as a desk pushes it (JSON as text), valid in shape."""
    if op == "insert":
        fields = {**fields, "created_at": WHEN, "updated_at": WHEN}
    stamp = f"{time.time_ns() // 1_000_000:015d}-{next(_counter) % 100_000:05d}-desk-evil"
    return {"change_id": new_id(), "entity": entity, "entity_id": entity_id or new_id(),
            "op": op, "fields": json.dumps(fields), "hlc": stamp,
            "schema_version": SCHEMA_VERSION, "seen": None}


def conversation(person_id: str, advisor_id: str, **more) -> dict:
    return _change("conversation", {"person_id": person_id, "occurred_at": WHEN,
                                    "site_code": "walton", "advisor_id": advisor_id, **more})


def person(given: str, **more) -> dict:
    return _change("person", {"given_name": given, "family_name": "Day", **more})


def referral(person_id: str, item_id: str, service_id: str) -> dict:
    return _change("referral", {"person_id": person_id, "item_id": item_id,
                                "service_id": service_id, "status_at": WHEN})


@pytest.fixture
def device(central_url):
    """The store, and one device's way in: on PostgreSQL its own login (lr-desk central
    add-device), which the store's checks let through: each change is valid in shape."""
    init_central(central_url)
    if central_url.startswith("sqlite"):
        store = CentralStore(central_url)
        yield store, "evil"
    else:
        new = add_device(central_url, _name("lost laptop"), "walton")
        store = CentralStore(login(new))
        yield store, new.name
    store.close()


@pytest.fixture
def desks(tmp_path):
    made = [new_device(tmp_path / name) for name in "abc"]
    yield made
    for d in made:
        d.close()


def _set_aside(store) -> dict[str, str]:
    with store.session() as s:
        return dict(s.execute(select(SetAside.change_id, SetAside.reason)).all())


def _a_visit(store) -> tuple[str, str, str]:
    """An advisor, a person and a prescription item made on ``store``, as a desk does."""
    with store.session() as s:
        adv = advisors.create(s, "Alex Advisor", "walton").id
        ann = people.register(s, {"given_name": "Ann", "family_name": "Lee"}, adv,
                              "walton").id
        conv = Conversation(person_id=ann, advisor_id=adv, occurred_at=utcnow(),
                            site_code="walton")
        s.add(conv)
        s.flush()
        rx = Prescription(person_id=ann, conversation_id=conv.id, advisor_id=adv)
        s.add(rx)
        s.flush()
        item = PrescriptionItem(prescription_id=rx.id, kind="service", title="Debt advice")
        s.add(item)
        s.flush()
        return adv, ann, item.id


def test_changes_pointing_at_nothing_are_set_aside_alike_and_the_rest_applies(
        central_url, device, desks):
    dev, name = device
    a, b, c = desks
    central = CentralStore(central_url)
    try:
        adv, ann, item = _a_visit(a)
        sync_once(a, central)
        with a.session() as s:  # a service every desk has (the shipped directory)
            service = s.scalars(select(PartnerService.id)).first()
        nobody = new_id()
        bad = {"person_id": conversation(nobody, adv),
               "service_id": referral(ann, item, nobody),
               "merged_into": person("Cat", merged_into=nobody),
               "partner_id": _change("consent", {"person_id": ann, "kind": "share",
                                                 "partner_id": nobody, "recorded_at": WHEN,
                                                 "recorded_by": adv})}
        bob = person("Bob")
        good = [conversation(ann, adv), bob, conversation(bob["entity_id"], adv),
                referral(ann, item, service)]
        dev.push(name, [good[0], bad["person_id"], good[1], bad["service_id"], good[2],
                        bad["merged_into"], good[3], bad["partner_id"]])  # one page

        synced = [sync_once(d, central) for d in desks]

        assert [s.set_aside for s in synced] == [4, 4, 4]
        aside = [_set_aside(d) for d in desks]
        assert aside[0] == aside[1] == aside[2]
        assert aside[0] == {
            bad["person_id"]["change_id"]:
                f"its person_id points at a person that does not exist: {nobody}",
            bad["service_id"]["change_id"]:
                f"its service_id points at a partner service that does not exist: {nobody}",
            bad["merged_into"]["change_id"]:
                f"its merged_into points at a person that does not exist: {nobody}",
            bad["partner_id"]["change_id"]:
                f"its partner_id points at a partner that does not exist: {nobody}"}
        assert records(a) == records(b) == records(c)
        with c.session() as s:  # the good ones, in the same page, are applied
            assert {x.id for x in s.scalars(select(Conversation))} >= {
                good[0]["entity_id"], good[2]["entity_id"]}
            assert s.get(Person, bob["entity_id"]).given_name == "Bob"
            assert s.get(Referral, good[3]["entity_id"]).service_id == service
            assert s.get(Person, bad["merged_into"]["entity_id"]) is None
        # and the pull carries on past them
        with b.session() as s:
            s.get(Person, ann).phone = "0151 000 0003"
        sync_once(b, central)
        for d in (a, c):
            assert sync_once(d, central).set_aside == 0
            with d.session() as s:
                assert s.get(Person, ann).phone == "0151 000 0003"
        assert records(a) == records(b) == records(c)
    finally:
        central.close()


def test_what_was_made_earlier_in_the_page_or_before_is_there_to_point_at(
        central_url, device, desks):
    """A record made earlier in the same page, or in an earlier one, may be pointed at;
    one made later in the page (no desk writes that order), or set aside, may not."""
    dev, name = device
    a, b, _ = desks
    central = CentralStore(central_url)
    try:
        adv, _, _ = _a_visit(a)
        sync_once(a, central)
        dan = person("Dan")
        dev.push(name, [dan])
        sync_once(b, central)  # Dan is on b now, from an earlier page
        nameless = _change("person", {"given_name": "Eve"})  # no family name: set aside
        append_unchecked(central, "evil", nameless | {"fields": json.loads(
            nameless["fields"])})
        bob, fay = person("Bob"), person("Fay")
        talk = conversation(bob["entity_id"], adv)
        need = _change("conversation_need", {"conversation_id": talk["entity_id"],
                                             "category": "money"})
        good = [conversation(dan["entity_id"], adv), bob, talk, need,
                _change("person", {"merged_into": dan["entity_id"], "updated_at": WHEN},
                        op="update", entity_id=bob["entity_id"])]
        early = conversation(fay["entity_id"], adv)  # before Fay is made
        orphan = conversation(nameless["entity_id"], adv)  # Eve was set aside
        dev.push(name, [*good, early, fay, orphan])

        synced = [sync_once(d, central) for d in (a, b)]

        assert [s.set_aside for s in synced] == [3, 3]
        aside = [_set_aside(d) for d in (a, b)]
        assert aside[0] == aside[1]
        assert set(aside[0]) == {nameless["change_id"], early["change_id"],
                                 orphan["change_id"]}
        assert aside[0][early["change_id"]] == (
            f"its person_id points at a person that does not exist: {fay['entity_id']}")
        assert records(a) == records(b)
        with b.session() as s:
            assert s.get(Person, bob["entity_id"]).merged_into == dan["entity_id"]
            assert s.get(ConversationNeed, need["entity_id"]).category == "money"
            assert s.get(Person, fay["entity_id"]).given_name == "Fay"
            assert s.get(Conversation, early["entity_id"]) is None
    finally:
        central.close()


def test_a_tombstone_is_checked_only_for_what_it_sets_and_null_points_at_nothing(
        tmp_path, desks):
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    init_central(url)
    a, b, _ = desks
    central = CentralStore(url)
    try:
        adv, ann, _ = _a_visit(a)
        sync_once(a, central)
        talk = conversation(ann, adv)
        nobody = new_id()
        gone = {"deleted_at": WHEN, "updated_at": WHEN}
        good = [talk, _change("conversation", gone, op="update", entity_id=talk["entity_id"]),
                _change("follow_up", {"person_id": ann, "conversation_id": None,
                                      "due_date": "2026-02-01", "assigned_to": adv,
                                      "done_by": None}),
                person("Gil", registered_by=None, merged_into=None)]
        bad = {"its advisor_id points at an advisor that does not exist":
               _change("conversation", {**gone, "advisor_id": nobody}, op="update",
                       entity_id=talk["entity_id"]),
               "it changes a conversation that does not exist":
               _change("conversation", gone, op="update", entity_id=nobody),
               "it changes a person that does not exist":
               _change("person", {"phone": "0151 000 0004"}, op="update", entity_id=nobody)}
        central.push("evil", [*good, *bad.values()])

        assert sync_once(b, central).set_aside == 3
        assert _set_aside(b) == {c["change_id"]: f"{why}: {nobody}" for why, c in bad.items()}
        with b.session() as s:
            assert s.get(Conversation, talk["entity_id"]).deleted_at is not None
            assert s.get(Conversation, talk["entity_id"]).advisor_id == adv
            assert s.get(FollowUp, good[2]["entity_id"]).done_by is None
            assert s.get(Person, good[3]["entity_id"]).given_name == "Gil"
            assert s.get(Person, nobody) is None
    finally:
        central.close()


def test_a_page_looks_its_references_up_at_once(tmp_path, desks):
    """Pulls of 20,000 changes are budgeted: one look-up per kind of record pointed at,
    for the whole page, never one per change."""
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    init_central(url)
    a, b, _ = desks
    central = CentralStore(url)
    try:
        adv, ann, _ = _a_visit(a)
        sync_once(a, central)
        sync_once(b, central)
        page = [conversation(ann if n % 2 else new_id(), adv) for n in range(200)]
        central.push("evil", page)
        looked_up: list[str] = []

        def note(conn, cursor, statement, parameters, context, executemany):
            looked_up.extend(re.findall(r"FROM (\w+) WHERE id IN \(SELECT value FROM json_each",
                                        statement))

        event.listen(b.engine, "before_cursor_execute", note)
        try:
            assert sync_once(b, central).set_aside == 100
        finally:
            event.remove(b.engine, "before_cursor_execute", note)
        assert sorted(looked_up) == ["advisor", "person"]
    finally:
        central.close()


def test_every_key_a_desks_database_holds_is_checked(tmp_path):
    """What the check reads from the models is what a desk's database enforces (its
    migrations' foreign keys): none is left to fail a page's commit."""
    store = new_device(tmp_path / "a")
    try:
        with store.engine.connect() as conn:
            held = {table: {(row[3], row[2]) for row in conn.exec_driver_sql(
                f"PRAGMA foreign_key_list({table})")} for table in SYNCED_MODELS}
    finally:
        store.close()
    assert {t: set(refs) for t, refs in references.REFERENCES.items()} == {
        t: refs for t, refs in held.items() if refs}


def test_a_page_of_any_shape_is_looked_up_and_screened_as_before(tmp_path):
    """The look-up sees a page before its shapes are checked: whatever a change holds
    (every case of the store's checks, odd references), nothing fails, a bad shape is
    set aside with the same words as before, and a good one only for what it points at."""
    store = new_device(tmp_path / "a")
    odd = [{"entity": "conversation", "op": "insert", "fields": {
        "person_id": bad, "occurred_at": WHEN, "site_code": "w", "advisor_id": new_id(),
        "created_at": WHEN, "updated_at": WHEN}}
        for bad in ("x" * 100_000, "\ud800", "\x00", ["a"], {"id": 1}, 7)]
    cases = [case for _, case, _ in CASES if case.get("entity") not in authority.PROVEN]
    received = datetime.now(UTC).replace(tzinfo=None)
    page = [Change(seq, c["change_id"], "d", c["entity"], c["entity_id"], c["op"],
                   c["fields"], c["hlc"], c["schema_version"], c.get("seen"), received)
            for seq, c in enumerate(map(shaped, cases + odd), 1)]
    now = checks.ms_of(received) + checks.DESK_SLACK
    try:
        with store.engine.begin() as conn:
            s = screen.Screen(conn, checks.desk_versions(), 0)
            accepted = s.run(page)
    finally:
        store.close()
    assert accepted and len(accepted) + len(s.aside) == len(page)
    for c, why in s.aside:
        shape = checks.problem(c, checks.desk_versions(), now)
        assert why == shape if shape else re.fullmatch(
            r"(it changes|its \w+ points at) an? [a-z ]+ that does not exist: [-0-9a-f]{36}",
            why)
