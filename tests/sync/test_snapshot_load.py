"""A new device's first sync from a snapshot (lr_desk.sync.snapshot_load): loaded in bulk
then pulled on, it ends exactly as a device that replayed the whole log (records, clocks,
open conflicts and their history, erasures, what was set aside, the accounts as the log
made them), on both central stores; the download resumes after a stop, a spoiled file or
a snapshot replaced meanwhile. (Killed during the download and the load:
test_snapshot_kill.py.)"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import text

from lr_desk.profile import open_store
from lr_desk.services import advisors, duplicates, people
from lr_desk.store import cipher
from lr_desk.store.clock import utcnow
from lr_desk.store.models import SYNCED_MODELS, Person
from lr_desk.sync import engine, snapshot_load, snapshot_put
from lr_desk.sync.central import CentralStore, add_device, init_central
from lr_desk.sync.engine import cursor, sync_once
from lr_desk.sync.progress import CHANGES, DOWNLOAD, LOAD, Progress
from lr_desk.sync.push import push_outbox
from lr_desk.sync.snapshot_build import build_snapshot
from lr_desk.sync.snapshot_store import latest_snapshot

from .devices import clocks, conflict_history, new_device, open_conflicts, records
from .hostile import ATTACKS, append_unchecked
from .test_erasure import erase_on, staff_and_person
from .test_security import _name, login


def encrypted_device(folder: Path):
    """A new device with an encrypted database, as the app makes one (its key random)."""
    plain = new_device(folder.with_name(folder.name + "-plain"))
    plain.close()
    key = secrets.token_bytes(32)
    folder.mkdir(parents=True)
    cipher.encrypt_copy(plain.path, folder / "lr_desk.sqlite", key)
    shutil.rmtree(plain.path.parent)
    return open_store(folder, key=key)


@pytest.fixture
def device(tmp_path):
    made = []

    def make(name: str, encrypted: bool = True):
        store = (encrypted_device if encrypted else new_device)(tmp_path / name)
        made.append(store)
        return store
    yield make
    for store in made:
        store.close()


def _edit(store, person_id: str, **values) -> None:
    with store.session() as s:
        person = s.get(Person, person_id)
        for name, value in values.items():
            setattr(person, name, value)


def _register(store, advisor_id: str, *names: str) -> list[str]:
    with store.session() as s:
        return [people.register(s, {"given_name": g, "family_name": f}, advisor_id,
                                "walton").id for g, f in (n.split() for n in names)]


def first_part(central, a, b) -> dict:
    """A log with accounts (proven), people, an erasure, a conflict (two desks editing one
    field offline), an edit against a deletion, two people merged, and changes no desk
    may apply (set aside)."""
    adv, manager, rich = staff_and_person(a)
    ids = _register(a, adv, *(f"Pat{n} Lee" for n in range(8)))
    sync_once(a, central)
    sync_once(b, central)
    _edit(a, ids[0], phone="0151 000 0001")  # offline on both: a conflict
    _edit(b, ids[0], phone="0151 000 0002")
    _edit(a, ids[1], deleted_at=utcnow())  # deleted on one, edited on the other
    _edit(b, ids[1], postcode="L1 1AA")
    with b.session() as s:
        duplicates.merge(s, ids[2], ids[3], adv)
    for attack in ("fields a list", "a date of birth not-a-date"):
        append_unchecked(central, "hostile", ATTACKS[attack](ids[4], "desk-hostile"))
    sync_once(a, central)
    sync_once(b, central)
    erase_on(a, rich, adv, manager)
    sync_once(a, central)
    return {"advisor": adv, "manager": manager, "people": ids}


def second_part(central, a, b, made: dict) -> None:
    """More after the snapshot: edits, another conflict, people, another set aside."""
    ids = made["people"]
    _register(a, made["advisor"], "Nia Jones", "Cerys Jones")
    _edit(a, ids[5], given_name="Patricia")
    _edit(b, ids[5], given_name="Trish")
    _edit(b, ids[6], deleted_at=utcnow())
    append_unchecked(central, "hostile", ATTACKS["fields a string"](ids[7], "desk-hostile"))
    sync_once(a, central)
    sync_once(b, central)


def new_desk_of_its_own(store) -> str:
    """What a new desk holds before its first sync: its account, and someone it
    registered already (all of it to send)."""
    with store.session() as s:
        adv = advisors.create(s, "Nell New", "southport").id
    _register(store, adv, "Olu Offline")
    return adv


def state_of(store) -> dict:
    """Everything a replay leaves that must be the same on a device loaded from a
    snapshot: the records and their clocks, the conflicts, erasures, changes set aside,
    the accounts as the log made them, where it is in the log. (The shipped examples
    every desk seeds for itself carry the times it seeded them: a snapshot's, its
    builder's; they are left out.)"""
    rows = records(store)
    for table in snapshot_load.SEEDED:
        for row in rows[table].values():
            if row["is_example"]:
                row.pop("created_at")
                row.pop("updated_at")
    out = {"records": rows, "open": open_conflicts(store),
           "history": conflict_history(store), "clocks": clocks(store)}
    with store.engine.connect() as conn:
        for table, columns in (("erased_row", "*"), ("authority_account", "*"),
                               ("authority_device", "*"),
                               ("set_aside", "change_id, seq, entity_id, fields, reason"),
                               ("conflict", "kind, entity_id, field, value, hlc, "
                                            "winner_hlc, by, winner_by, resolved_hlc")):
            out[table] = sorted(map(tuple, conn.execute(text(
                f"SELECT {columns} FROM {table}"))))
        out["sync_state"] = dict(conn.execute(text(
            "SELECT key, value FROM sync_state WHERE key IN ('cursor', 'central_id', "
            "'hlc_high')")).all())
    return out


def export(store, folder: Path) -> tuple[Path, bytes]:
    """The device's whole database in a new file with a key of its own, as the store's
    builder makes a snapshot (sqlcipher_export)."""
    store.engine.dispose()
    key = secrets.token_bytes(32)
    dest = folder / "snapshot.db"
    conn = sqlcipher3.connect(str(store.path), isolation_level=None)
    try:
        conn.execute(f'PRAGMA key = "{cipher.pragma_key(store.key)}"')
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(f'ATTACH DATABASE ? AS snap KEY "{cipher.pragma_key(key)}"', (str(dest),))
        conn.execute("SELECT sqlcipher_export('snap')")
        conn.execute("DETACH DATABASE snap")
    finally:
        conn.close()
    return dest, key


def test_every_table_is_copied_from_the_snapshot_or_kept_and_says_why(device):
    store = device("fresh")
    with store.engine.connect() as conn:
        tables = set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%'")).scalars())
    copied, kept = set(snapshot_put.COPIED), set(snapshot_put.KEPT)
    assert tables <= copied | kept and not copied & kept
    assert set(SYNCED_MODELS) | kept <= tables
    for table in (copied | kept) - set(SYNCED_MODELS):
        assert table in snapshot_put.__doc__


def test_a_snapshot_loaded_then_pulled_on_is_a_full_replay(device, central, tmp_path):
    a, b = device("a", encrypted=False), device("b", encrypted=False)
    made = first_part(central, a, b)
    builder = device("builder")
    engine.pull(builder, central)
    at_seq = cursor(builder, central.store_id())
    (tmp_path / "made").mkdir()
    path, key = export(builder, tmp_path / "made")
    second_part(central, a, b, made)

    new = device("new")  # a new desk with its own account, loaded then pulling on
    own = new_desk_of_its_own(new)
    push_outbox(new, central)  # (as sync_once does first)
    assert snapshot_load.eligible(new, central.store_id())
    loaded = snapshot_load.load(new, path, key, central.store_id(), at_seq)
    assert loaded.at_seq == at_seq == cursor(new, central.store_id())
    assert loaded.touched["person"] >= set(made["people"])
    mine = records(new)  # its own records are there as soon as it is loaded
    assert mine["advisor"][own]["name"] == "Nell New"
    assert [p["given_name"] for p in mine["person"].values() if p["registered_by"] == own] \
        == ["Olu"]
    engine.pull(new, central)

    replay = device("replay")  # a new desk replaying the whole log
    engine.pull(replay, central)
    assert state_of(new) == state_of(replay)
    assert state_of(new)["open"] and state_of(new)["erased_row"]
    assert state_of(new)["set_aside"] and records(new)["person_merge"]
    assert new.clock.now() > max(h for h, _ in clocks(new).values())


# --- the whole first sync, from a snapshot the central store keeps ---------------------

PART = 16 * 1024  # small parts: a snapshot of a few people is many


@pytest.fixture
def shared(device, central, tmp_path, monkeypatch):
    """A central store with a log, a snapshot of it part way, and more after it; and a
    desk that replayed the whole log, to compare with."""
    monkeypatch.setattr(snapshot_load, "WORTH", 0)  # (a test's log is short)
    a, b = device("a", encrypted=False), device("b", encrypted=False)
    made = first_part(central, a, b)
    info = build_snapshot(central, tmp_path / "work", part_bytes=PART)
    assert info.parts > 3
    second_part(central, a, b, made)
    replay = device("replay")
    monkeypatch.setattr(snapshot_load, "WORTH", 10**9)  # (this one replays)
    engine.pull(replay, central)
    monkeypatch.setattr(snapshot_load, "WORTH", 0)
    return info, replay


def replayed(replay, central) -> dict:
    """The replaying desk's state once it has pulled what came since (a new desk's own)."""
    engine.pull(replay, central)
    return state_of(replay)


def first_download(seen: list) -> Progress:
    return next(p for p in seen if p.stage == DOWNLOAD)


def _stages(seen: list) -> list[str]:
    out: list[str] = []
    for p in seen:
        if not out or out[-1] != p.stage:
            out.append(p.stage)
    return out


def test_a_new_desks_first_sync_loads_the_snapshot_then_pulls_on(device, central, shared):
    info, replay = shared
    new = device("new")
    new_desk_of_its_own(new)
    seen: list[Progress] = []
    done = sync_once(new, central, progress=seen.append)
    assert _stages(seen) == [DOWNLOAD, LOAD, CHANGES]
    got = [p.done for p in seen if p.stage == DOWNLOAD]
    assert got == sorted(got) and got[0] == 0 and got[-1] == info.size
    assert {p.total for p in seen if p.stage == DOWNLOAD} == {info.size}
    assert done.pulled > info.at_seq and not done.interrupted
    assert cursor(new, central.store_id()) == central.head()
    assert state_of(new) == replayed(replay, central)
    assert not list(new.path.parent.glob("snapshot-*"))  # the file is gone once loaded


def test_what_the_desk_saves_while_the_snapshot_comes_is_kept(device, central, shared):
    """The device's own tables are read into the file once the copy holds the device's
    write lock: a save just before it is in the loaded desk, and a save once it holds
    the lock waits for it (here: gives up after its short busy timeout)."""
    info, replay = shared
    new = device("new")
    new_desk_of_its_own(new)
    blocked: list[str] = []

    def on_progress(p: Progress) -> None:
        if p.stage == DOWNLOAD and p.done == info.size and not blocked:
            with new.engine.begin() as conn:  # a form autosaved as the last part came
                conn.execute(text("INSERT INTO draft (key, payload, updated_at) VALUES "
                                  "('register', '{\"given\": \"Ama\"}', '2026-12-07')"))
        if p.stage == LOAD and p.done and not blocked:
            other = cipher.connect(new.path, new.key)
            try:
                other.execute("PRAGMA busy_timeout=200")
                other.execute("INSERT INTO setting (key, value) VALUES ('x', '1')")
                other.commit()
                blocked.append("not blocked")
            except sqlcipher3.OperationalError as exc:
                blocked.append(str(exc))
            finally:
                other.close()

    sync_once(new, central, progress=on_progress)
    assert blocked == ["database is locked"]
    with new.engine.connect() as conn:
        assert json.loads(conn.execute(text(
            "SELECT payload FROM draft WHERE key = 'register'")).scalar_one()) == {"given": "Ama"}
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    assert state_of(new) == replayed(replay, central)


def test_a_disk_without_room_for_the_records_is_said_before_anything_comes(
        device, central, shared, monkeypatch):
    """The room it takes (the file, and twice as much again while it goes in) is
    checked before the download: a laptop short of it is told how much, in plain words,
    with nothing fetched and nothing changed; with room, the first sync goes ahead."""
    import collections
    import errno

    from lr_desk import faults

    info, replay = shared
    new = device("new")
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(snapshot_load.shutil, "disk_usage",
                        lambda _path: usage(10**12, 10**12 - 3 * info.size + 1,
                                            3 * info.size - 1))
    with pytest.raises(OSError) as raised:
        sync_once(new, central)
    assert raised.value.errno == errno.ENOSPC
    said = faults.sync_message(raised.value)
    assert said.startswith("Sync could not finish: The disk is full")
    assert "takes about 1 MB free where lr_desk keeps its data, and 1 MB is free" in said
    assert cursor(new, central.store_id()) == 0
    assert not list(new.path.parent.glob("snapshot-*"))
    monkeypatch.undo()
    monkeypatch.setattr(snapshot_load, "WORTH", 0)
    sync_once(new, central)
    assert state_of(new) == replayed(replay, central)


def test_a_stopped_download_goes_on_from_the_parts_it_has(device, central, shared):
    info, replay = shared
    new = device("new")
    seen: list[Progress] = []
    done = sync_once(new, central, progress=seen.append,
                     stop=lambda: sum(p.stage == DOWNLOAD for p in seen) > 3)
    assert done.interrupted and cursor(new, central.store_id()) == 0
    have = snapshot_load.part_file(new.path.parent, info.id).stat().st_size
    assert have == 3 * PART
    seen.clear()
    sync_once(new, central, progress=seen.append)
    assert first_download(seen).done == have  # not fetched again
    assert state_of(new) == replayed(replay, central)


def test_a_file_spoiled_on_disk_is_fetched_again_not_loaded(device, central, shared):
    info, replay = shared
    new = device("new")
    seen: list[Progress] = []
    sync_once(new, central, progress=seen.append,
              stop=lambda: sum(p.stage == DOWNLOAD for p in seen) > 2)
    path = snapshot_load.part_file(new.path.parent, info.id)
    spoiled = bytearray(path.read_bytes())
    spoiled[PART + 7] ^= 0xFF
    path.write_bytes(bytes(spoiled))
    seen.clear()
    sync_once(new, central, progress=seen.append)
    starts = [p.done for p in seen if p.stage == DOWNLOAD and p.done in (0, 2 * PART)]
    assert starts[0] == 2 * PART and 0 in starts  # carried on, found it wrong, again
    assert state_of(new) == replayed(replay, central)


def test_a_snapshot_gone_meanwhile_is_dropped_here_and_the_newest_loaded(
        device, central, shared, tmp_path):
    info, replay = shared
    new = device("new")
    seen: list[Progress] = []
    sync_once(new, central, progress=seen.append,
              stop=lambda: sum(p.stage == DOWNLOAD for p in seen) > 2)
    newer = build_snapshot(central, tmp_path / "work", part_bytes=PART)  # the old goes
    assert newer.id != info.id and latest_snapshot(central).id == newer.id
    seen.clear()
    sync_once(new, central, progress=seen.append)
    assert not snapshot_load.part_file(new.path.parent, info.id).exists()
    assert first_download(seen).done == 0
    assert first_download(seen).total == newer.size
    assert state_of(new) == replayed(replay, central)


def test_a_desk_with_records_of_its_own_from_elsewhere_replays(device, central, shared):
    """Only a new desk loads a snapshot: one that has pulled before (from another store,
    say) or has changes not yet sent replays the log, as before."""
    unsent = device("unsent")
    new_desk_of_its_own(unsent)
    assert not snapshot_load.eligible(unsent, central.store_id())
    seen: list[Progress] = []
    engine.pull(unsent, central, progress=seen.append)  # (no push first)
    assert _stages(seen) == [CHANGES]
    plain = device("plain", encrypted=False)  # (SQLCipher attaches the snapshot)
    assert not snapshot_load.eligible(plain, central.store_id())


def test_a_device_login_gets_the_snapshot_through_its_own_rights(
        device, postgres_url, tmp_path, monkeypatch):
    """PostgreSQL: a new desk reads the snapshot as its login may (SELECT, under the
    log's read policy), in the binary protocol, then pushes and pulls as itself."""
    monkeypatch.setattr(snapshot_load, "WORTH", 0)
    init_central(postgres_url)
    owner = CentralStore(postgres_url)
    try:
        first_part(owner, device("a", encrypted=False), device("b", encrypted=False))
        info = build_snapshot(owner, tmp_path / "work", part_bytes=PART)
        joined = add_device(postgres_url, _name("snap new"), "southport")
        central = CentralStore(login(joined))
        central.push_as = joined.name
        try:
            new = device("new")
            new_desk_of_its_own(new)
            seen: list[Progress] = []
            sync_once(new, central, progress=seen.append)
            assert _stages(seen) == [DOWNLOAD, LOAD, CHANGES]
            assert first_download(seen).total == info.size
        finally:
            central.close()
        assert state_of(new) == replayed(device("replay"), owner)
    finally:
        owner.close()
