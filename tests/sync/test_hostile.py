"""One device's login appending straight to the log (issue 10). Each hostile change is
refused at push: by PostgreSQL itself for a device's own login (psycopg, no lr_desk in
between), and by the SQLite store's push. One already in a log from before the check is
set aside on every desk alike, with its reason for an admin, while the good changes
around it are applied."""

from __future__ import annotations

import json

import psycopg
import pytest
from sqlalchemy import select

from lr_desk.services import advisors, people
from lr_desk.services import set_aside as set_aside_service
from lr_desk.store.clock import new_id
from lr_desk.store.models import Person, SetAside
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync.central import CentralStore, add_device, init_central
from lr_desk.sync.checks import Refused
from lr_desk.sync.engine import NewerVersion, SyncError, sync_once
from lr_desk.sync.push import push_outbox

from .devices import new_device, records
from .hostile import ATTACKS, append_as_owner, append_unchecked, new_person, now_stamp
from .test_security import _name, login, raw

SAID = {  # what the refusal says is wrong, for each attack
    "fields a list": "not a set of named values",
    "fields a string": "not a set of named values",
    "a person without family_name": "needs family_name",
    "an erasure without requested_by": "needs requested_by",
    "a date of birth not-a-date": "date_of_birth is",
    "a clock stamp of 999999999999999": "more than a day ahead",
    "schema_version 9999": "9999'?, which the central store does not know",
}
COLUMNS = ("seq", "change_id", "device_id", "entity", "entity_id", "op", "fields", "seen",
           "hlc", "schema_version")


def _as_sent(change: dict) -> dict:
    """As a push sends it: JSON as text (the outbox's)."""
    return change | {"fields": json.dumps(change["fields"])}


@pytest.fixture
def device_login(postgres_url):
    init_central(postgres_url)
    return add_device(postgres_url, _name("lost laptop"), "walton")


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_devices_own_login_cannot_append_a_hostile_change(device_login, attack):
    new = device_login
    change = ATTACKS[attack](new_id(), "desk-evil")
    values = [1, change["change_id"], new.name, change["entity"], change["entity_id"],
              change["op"], json.dumps(change["fields"]), None, change["hlc"],
              change["schema_version"]]
    with raw(login(new)) as conn:
        with pytest.raises(psycopg.errors.DataError, match=SAID[attack]) as refused:
            conn.execute(f"INSERT INTO change_log ({', '.join(COLUMNS)}) VALUES "
                         "(%s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s)", values)
        assert change["change_id"] in str(refused.value)  # the message names the change
        assert conn.execute("SELECT count(*) FROM change_log").fetchone() == (0,)
    dev = CentralStore(login(new))  # and lr_desk's own push says it plainly
    try:
        with pytest.raises(Refused, match=f"refused the change '{change['change_id']}'"):
            dev.push(new.name, [_as_sent(change)])
        assert dev.head() == 0
    finally:
        dev.close()


def _ann_registered(desk) -> tuple[str, str]:
    """An advisor and Ann Lee, registered by them on ``desk``: (advisor id, Ann's id)."""
    with desk.session() as s:
        adv = advisors.create(s, "Alex Advisor", "walton").id
        return adv, people.register(s, {"given_name": "Ann", "family_name": "Lee"}, adv,
                                    "walton").id


def test_a_devices_login_cannot_append_json_too_deep_for_a_desk_to_read(device_login):
    """1,500 levels of brackets: PostgreSQL stores them, Python's json cannot read them
    back (RecursionError), so every desk's pull would stop there for good."""
    new = device_login
    deep = '{"k": ' + "[" * 1500 + "]" * 1500 + "}"
    with raw(login(new)) as conn, pytest.raises(psycopg.errors.DataError,
                                                match="sealed_key is"):
        conn.execute(f"INSERT INTO change_log ({', '.join(COLUMNS)}) VALUES "
                     "(1, %s, %s, 'advisor', %s, 'update', %s::jsonb, NULL, %s, %s)",
                     (new_id(), new.name, new_id(), '{"sealed_key": ' + deep + "}",
                      now_stamp("desk-evil"), SCHEMA_VERSION))


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_sqlite_store_refuses_a_hostile_change_at_push(tmp_path, attack):
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    init_central(url)
    central = CentralStore(url)
    try:
        good = new_person("desk-a")
        change = ATTACKS[attack](new_id(), "desk-evil")
        with pytest.raises(Refused, match=SAID[attack]) as refused:
            central.push("evil", [good, _as_sent(change)])
        assert change["change_id"] in str(refused.value)
        assert central.head() == 0  # nothing of the batch: the good one neither
        assert central.push("a", [good]) == [good["change_id"]]
    finally:
        central.close()


def test_an_old_logs_hostile_changes_are_set_aside_alike_and_the_rest_applies(
        central_url, tmp_path):
    """Appended before the check (the store at c4, as the issue found it), then the store
    is upgraded: every desk sets aside the same seven, the good changes before and after
    them are applied, and no desk's clock was moved by the stamp far ahead."""
    init_central(central_url, target="c4")
    a, b, c = (new_device(tmp_path / name) for name in "abc")
    central = CentralStore(central_url)
    try:
        adv, ann = _ann_registered(a)
        push_outbox(a, central)
        bad = set()
        for make in ATTACKS.values():
            change = make(ann, "desk-evil")
            append_as_owner(central_url, "evil", change)
            bad.add(change["change_id"])
        with a.session() as s:
            bob = people.register(s, {"given_name": "Bob", "family_name": "Day"}, adv,
                                  "walton").id
            s.get(Person, ann).phone = "0151 000 0001"
        push_outbox(a, central)
    finally:
        central.close()
    init_central(central_url)  # the upgrade: checked from here on
    central = CentralStore(central_url)
    try:
        synced = [sync_once(d, central) for d in (a, b, c)]
        assert [s.set_aside for s in synced] == [7, 7, 7]
        assert records(a) == records(b) == records(c)
        for d in (b, c):
            with d.session() as s:
                person = s.get(Person, ann)
                assert (person.family_name, person.phone, person.date_of_birth) == (
                    "Lee", "0151 000 0001", None)
                assert s.get(Person, bob).given_name == "Bob"
        aside = [_set_aside(d) for d in (a, b, c)]
        assert aside[0] == aside[1] == aside[2]
        assert set(aside[0]) == bad
        with c.session() as s:
            listed = set_aside_service.listed(s)
        assert {x.change_id for x in listed} == bad and all(x.reason for x in listed)
        # no clock rolled over: b's next change is stamped now, and the store takes it
        with b.session() as s:
            s.get(Person, ann).phone = "0151 000 0002"
        sync_once(b, central)
        sync_once(c, central)
        with c.session() as s:
            assert s.get(Person, ann).phone == "0151 000 0002"
        assert records(b) == records(c)
    finally:
        central.close()
        for d in (a, b, c):
            d.close()


def _set_aside(store) -> dict[str, str]:
    with store.session() as s:
        return dict(s.execute(select(SetAside.change_id, SetAside.reason)).all())


def test_a_desk_whose_clock_is_days_ahead_is_told_so(tmp_path):
    """Its own change is refused (the store's time says otherwise): the sync says why in
    plain words, and the desks that pull are not dragged days ahead."""
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    init_central(url)
    a = new_device(tmp_path / "a")
    real = a.clock.wall
    a.clock.wall = lambda: real() + 3 * 24 * 3600 * 1000
    central = CentralStore(url)
    try:
        with a.session() as s:
            advisors.create(s, "Alex Advisor", "walton")
        with pytest.raises(SyncError, match=r"more than a day ahead .*clock right"):
            sync_once(a, central)
        assert central.head() == 0
    finally:
        central.close()
        a.close()


def test_junk_versions_are_set_aside_but_a_newer_one_the_store_knows_stops(central_url,
                                                                          tmp_path):
    """"9999", appended before the store knew any such version, is junk: set aside. Then
    a newer lr_desk's init adds "0100" and pushes a change of it: a genuine newer
    version, which stops every desk's pull until it is updated (nothing after it lost)."""
    init_central(central_url)
    a, b = new_device(tmp_path / "a"), new_device(tmp_path / "b")
    central = CentralStore(central_url)
    try:
        _adv, ann = _ann_registered(a)
        sync_once(a, central)
        junk = ATTACKS["schema_version 9999"](ann, "desk-evil")
        append_unchecked(central, "evil", junk)
        with central.engine.begin() as conn:  # as the newer lr_desk's central init does
            conn.exec_driver_sql("INSERT INTO desk_schema (version) VALUES ('0100')")
        central.push("new", [ATTACKS["schema_version 9999"](ann, "desk-new")
                             | {"schema_version": "0100"}])
        for d in (a, b):
            with pytest.raises(NewerVersion, match="update lr_desk"):
                sync_once(d, central)
            assert list(_set_aside(d)) == [junk["change_id"]]
        with b.session() as s:
            assert s.get(Person, ann).phone == ""  # what came before it is applied
    finally:
        central.close()
        a.close()
        b.close()


def test_what_a_change_set_aside_held_goes_when_its_record_is_erased(tmp_path):
    """A change set aside keeps what it held, for an admin to see; not once the person
    is erased on the desk (store.erase.scrub), nor one about them arriving after."""
    from lr_desk.store import erase

    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    init_central(url)
    a = new_device(tmp_path / "a")
    central = CentralStore(url)
    try:
        _adv, ann = _ann_registered(a)
        sync_once(a, central)
        append_unchecked(central, "evil", ATTACKS["schema_version 9999"](ann, "desk-evil"))
        sync_once(a, central)
        with a.session() as s:
            assert [x.fields for x in set_aside_service.listed(s)] == [
                {"phone": "0151 999 9998"}]
        with a.engine.begin() as conn:
            erase.scrub(conn, {"person": {ann}})
        append_unchecked(central, "evil", ATTACKS["fields a list"](ann, "desk-evil"))
        sync_once(a, central)
        with a.session() as s:
            assert [x.fields for x in set_aside_service.listed(s)] == [None, None]
    finally:
        central.close()
        a.close()


def test_big_changes_come_a_few_to_a_page(central_url, tmp_path, monkeypatch):
    """A device's changes each as big as the store takes would not fit in a desk's memory
    5,000 to a page: a page stops at PULL_BYTES (here made small), and the desk gets them
    all, page after page."""
    import random

    from lr_desk.sync import central as central_module

    init_central(central_url)
    a, b = new_device(tmp_path / "a"), new_device(tmp_path / "b")
    central = CentralStore(central_url)
    try:
        with a.session() as s:
            adv = advisors.create(s, "Alex Advisor", "walton").id
            ids = [people.register(s, {"given_name": f"P{n}", "family_name": "Big"}, adv,
                                   "walton").id for n in range(4)]
        rng = random.Random(7)
        for person_id in ids:  # 50,000 characters no compression makes much smaller
            with a.session() as s:
                s.get(Person, person_id).communication_other = "".join(
                    chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(50_000))
        sync_once(a, central)
        head = central.head()
        firsts = [c.seq for c in central.pull(head - 8, max_bytes=300_000)]
        assert 1 <= len(firsts) < 8 and firsts[0] == head - 7
        monkeypatch.setattr(central_module, "PULL_BYTES", 300_000)
        sync_once(b, central)
        assert records(a) == records(b)
    finally:
        central.close()
        a.close()
        b.close()
