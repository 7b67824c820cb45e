"""The first-sync snapshot on the central store's side (lr_desk.sync.snapshot_build and
snapshot_store), on both central stores: what it holds is what a full replay leaves on a
new device; it is replaced by the next, dropped by an erasure appended after it; device
logins may read it and nothing more (PostgreSQL)."""

from __future__ import annotations

import hashlib

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from lr_desk.cli import FAILED, OFFLINE, main
from lr_desk.services import people
from lr_desk.store.db import Store
from lr_desk.store.models import Person
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync import snapshot_store
from lr_desk.sync.central import CentralStore, add_device, init_central
from lr_desk.sync.engine import pull, sync_once
from lr_desk.sync.push import state
from lr_desk.sync.snapshot_build import SnapshotError, build_snapshot, refresh
from lr_desk.sync.snapshot_store import latest_snapshot, snapshot_part, snapshots

from .devices import clocks, conflict_history, open_conflicts, records
from .test_connect import closed_port
from .test_erasure import erase_on, staff_and_person
from .test_security import _name, login, raw
from .test_sync import make_device  # noqa: F401  (a fixture)

PART = 64 * 1024  # small parts: a snapshot of a few people is still several


def fetch(central, info, dest):
    """The snapshot's file, from its parts (as a device downloads it)."""
    with open(dest, "wb") as f:
        for n in range(info.parts):
            data = snapshot_part(central, info.id, n)
            assert data is not None, n
            f.write(data)
    return dest


def opened(central, info, folder) -> Store:
    """The snapshot's file opened as a store (checked first against its size and hash)."""
    folder.mkdir()
    path = fetch(central, info, folder / "lr_desk.sqlite")
    assert path.stat().st_size == info.size
    assert hashlib.sha256(path.read_bytes()).hexdigest() == info.sha256
    assert not path.read_bytes().startswith(b"SQLite format 3")  # encrypted
    return Store(path, key=info.key)


def logged(central) -> set[str]:
    """The records the log has changes to."""
    with central.engine.connect() as conn:
        return set(conn.scalars(text("SELECT DISTINCT entity_id FROM change_log")))


def as_synced(store: Store, ids: set[str]) -> dict:
    """records(), but the rows every new desk seeds for itself (the shipped directory,
    never in the log) without their times: each desk has its own, replayed or not."""
    return {table: {i: row if i in ids else {k: v for k, v in row.items()
                                             if k not in ("created_at", "updated_at")}
                    for i, row in rows.items()}
            for table, rows in records(store).items()}


def same_as_replay(snap: Store, replay: Store, central) -> None:
    ids = logged(central)
    assert as_synced(snap, ids) == as_synced(replay, ids)
    assert clocks(snap) == clocks(replay)
    assert open_conflicts(snap) == open_conflicts(replay)
    assert conflict_history(snap) == conflict_history(replay)


def part_rows(central) -> int:
    with central.engine.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM snapshot_part"))


@pytest.fixture
def desks(make_device, central):  # noqa: F811
    """Two desks that have registered people, one edited on both while offline (a
    conflict), all pushed."""
    a, b = make_device("a"), make_device("b")
    adv, manager, person_id = staff_and_person(a)
    with a.session() as s:
        for n in range(40):
            people.register(s, {"given_name": f"Pat{n}", "family_name": "Snap",
                                "phone": f"0151 000 {n:04d}"}, adv, "walton")
    sync_once(a, central)
    sync_once(b, central)
    for desk, name in ((a, "Zephy A"), (b, "Zephy B")):
        with desk.session() as s:
            s.get(Person, person_id).preferred_name = name
    for desk in (a, b, a):
        sync_once(desk, central)
    return a, b, adv, manager, person_id


def test_a_snapshot_holds_what_a_full_replay_leaves(desks, central, make_device,  # noqa: F811
                                                    tmp_path):
    info = build_snapshot(central, tmp_path / "work", part_bytes=PART)
    assert info.at_seq == central.head() and info.store_revision == SCHEMA_VERSION
    assert info.parts == -(-info.size // PART) > 1 and len(info.key) == 32
    got = latest_snapshot(central)
    assert (got.id, got.at_seq, got.key, got.size, got.sha256, got.parts) == \
        (info.id, info.at_seq, info.key, info.size, info.sha256, info.parts)
    assert got.made_at is not None
    assert snapshot_part(central, info.id, info.parts) is None  # no more parts than said
    assert not list((tmp_path / "work").iterdir())  # the builder's folder is gone
    replay = make_device("replay")
    pull(replay, central)
    snap = opened(central, info, tmp_path / "snap")
    try:
        same_as_replay(snap, replay, central)
        assert open_conflicts(snap)  # (there is one to compare)
        with snap.engine.connect() as conn:
            assert state(conn, "cursor") == info.at_seq
            assert state(conn, "central_id") == central.store_id()
    finally:
        snap.close()


def test_the_next_build_replaces_it_and_one_at_the_head_is_kept(desks, central, tmp_path):
    a, _, adv, _, _ = desks
    first = build_snapshot(central, tmp_path / "work", part_bytes=PART)
    again = refresh(central, tmp_path / "work", part_bytes=PART)
    assert not again.made and again.info.id == first.id  # nothing new: nothing made
    with a.session() as s:
        people.register(s, {"given_name": "Later", "family_name": "Snap"}, adv, "walton")
    sync_once(a, central)
    second = build_snapshot(central, tmp_path / "work", part_bytes=PART)
    assert second.at_seq > first.at_seq
    assert [(i.id, ready) for i, ready in snapshots(central)] == [(second.id, True)]
    assert snapshot_part(central, first.id, 0) is None  # the old one's parts are gone
    assert part_rows(central) == second.parts


def test_an_erasure_drops_the_snapshots_made_before_it(desks, central, make_device,  # noqa: F811
                                                       tmp_path):
    a, _, adv, manager, person_id = desks
    before = build_snapshot(central, tmp_path / "work", part_bytes=PART)
    erase_on(a, person_id, adv, manager)
    sync_once(a, central)
    assert snapshots(central) == [] and part_rows(central) == 0  # nothing of it left
    assert latest_snapshot(central) is None
    assert snapshot_part(central, before.id, 0) is None
    after = build_snapshot(central, tmp_path / "work", part_bytes=PART)
    replay = make_device("replay")
    pull(replay, central)
    snap = opened(central, after, tmp_path / "snap")
    try:
        same_as_replay(snap, replay, central)
        with snap.session() as s:
            assert s.get(Person, person_id).display_name == "Erased"
    finally:
        snap.close()


def test_an_erasure_sent_while_it_is_stored_makes_it_again(desks, central, tmp_path,
                                                           monkeypatch):
    """The erasure comes between the builder's pull and the snapshot's last part: that
    snapshot is dropped, and the builder pulls on and makes it again, past the erasure."""
    a, _, adv, manager, person_id = desks
    erase_on(a, person_id, adv, manager)
    real_put = snapshot_store.put_part
    sent = []

    def put_then_erase(central_, snapshot_id, n, data):
        if not sent:
            sent.append(n)
            sync_once(a, central)  # the erasure reaches the store now
        return real_put(central_, snapshot_id, n, data)

    monkeypatch.setattr(snapshot_store, "put_part", put_then_erase)
    info = build_snapshot(central, tmp_path / "work", part_bytes=PART)
    assert sent and info.at_seq == central.head()
    with central.engine.connect() as conn:
        erasure_seq = conn.scalar(text("SELECT max(seq) FROM change_log "
                                       "WHERE entity = 'erasure'"))
    assert info.at_seq >= erasure_seq
    assert [(i.id, ready) for i, ready in snapshots(central)] == [(info.id, True)]


def test_a_build_that_fails_leaves_no_part_behind(desks, central, tmp_path, monkeypatch):
    def broken(*_args):
        raise OSError("disk went away")

    monkeypatch.setattr(snapshot_store, "finish", broken)
    with pytest.raises(OSError):
        build_snapshot(central, tmp_path / "work", part_bytes=PART)
    assert snapshots(central) == [] and part_rows(central) == 0
    assert not list((tmp_path / "work").iterdir())


@pytest.fixture
def pg_store(postgres_url):
    init_central(postgres_url)
    return postgres_url, add_device(postgres_url, _name("snap a"), "walton")


def test_a_device_login_reads_the_snapshot_and_may_change_nothing(pg_store, tmp_path):
    admin, a = pg_store
    owner = CentralStore(admin)
    try:
        from .test_central import change

        owner.push(a.name, [change(n) for n in range(5)])
        info = build_snapshot(owner, tmp_path / "work", part_bytes=PART)
    finally:
        owner.close()
    device = CentralStore(login(a))
    try:  # it reads the snapshot, as a new device does
        assert latest_snapshot(device).id == info.id
        assert b"".join(snapshot_part(device, info.id, n) for n in range(info.parts)) \
            == b"".join(snapshot_part(CentralStore(admin), info.id, n)
                        for n in range(info.parts))
    finally:
        device.close()
    for statement in ("DELETE FROM snapshot", "DELETE FROM snapshot_part",
                      "UPDATE snapshot SET at_seq = 0", "UPDATE snapshot_part SET n = 99",
                      "TRUNCATE snapshot_part",
                      "INSERT INTO snapshot (id, at_seq, store_revision, key, ready) "
                      "VALUES ('x', 1, 'x', 'x', true)",
                      "INSERT INTO snapshot_part (snapshot_id, n, data) "
                      f"VALUES ('{info.id}', 99, 'x')"):
        with raw(login(a)) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
    with raw(admin) as conn:
        assert conn.execute("SELECT count(*) FROM snapshot").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM snapshot_part").fetchone() == (info.parts,)


def test_a_device_whose_password_was_changed_may_not_read_it(pg_store, tmp_path):
    """As for the log: a login whose password is not the one add-device set reads nothing
    (the read policy; needs a superuser owner, as the tests' is)."""
    admin, a = pg_store
    owner = CentralStore(admin)
    try:
        build_snapshot(owner, tmp_path / "work", part_bytes=PART)
    finally:
        owner.close()
    with raw(login(a)) as conn:
        conn.execute("ALTER ROLE CURRENT_USER PASSWORD 'mine-now-all-mine'")
    changed = make_url(login(a)).set(password="mine-now-all-mine").render_as_string(
        hide_password=False)
    with raw(changed) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege,
                                             match="password"):
        conn.execute("SELECT id FROM snapshot").fetchall()


def test_lr_desk_central_snapshot_makes_it_then_says_it_is_up_to_date(
        desks, central, central_url, tmp_path, capsys):
    work = tmp_path / "work"
    work.mkdir()
    assert main(["central", "snapshot", "--url", central_url, "--work", str(work)]) == 0
    out, err = capsys.readouterr()
    info = latest_snapshot(central)
    assert f"is made: at change {info.at_seq:,} of the log" in out
    assert f"in {info.parts} part" in out and "Reading the log..." in err
    assert main(["central", "snapshot", "--url", central_url, "--work", str(work)]) == 0
    assert "is up to date: at change" in capsys.readouterr().out
    assert latest_snapshot(central).id == info.id


def test_lr_desk_central_snapshot_says_plainly_what_is_wrong(pg_store, tmp_path, capsys):
    admin, a = pg_store
    url = make_url(admin).set(port=closed_port()).render_as_string(hide_password=False)
    assert main(["central", "snapshot", "--url", url]) == OFFLINE
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()
    # a device's login may not make one
    assert main(["central", "snapshot", "--url", login(a), "--work", str(tmp_path)]) == FAILED
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert "may not make the snapshot: it is made with the administrator's login" in err
    assert main(["central", "snapshot", "--url", admin, "--work",
                 str(tmp_path / "nowhere")]) == FAILED
    assert "no folder" in capsys.readouterr().err


def test_a_store_from_before_snapshots_has_none_and_is_told_to_run_init(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    init_central(url, target="c10")
    old = CentralStore(url)
    try:  # a new device asking finds none (and replays the log, as before)
        assert latest_snapshot(old) is None and snapshot_part(old, "x", 0) is None
        with pytest.raises(SnapshotError, match="run lr-desk central init"):
            build_snapshot(old, tmp_path / "work")
    finally:
        old.close()


def test_the_next_build_starts_from_the_last_snapshot(central, make_device,  # noqa: F811
                                                      tmp_path):
    """A build after the first loads the last snapshot, as a new device does
    (sync.snapshot_load), and pulls only what came after: still what a replay leaves."""
    from .test_central import change

    central.push("desk-a", [change(n, stamp="desk-a") for n in range(1, 6001)])
    first = build_snapshot(central, tmp_path / "work", part_bytes=PART)
    central.push("desk-a", [change(n, stamp="desk-a") for n in range(6001, 6051)])
    stages = []
    second = build_snapshot(central, tmp_path / "work", part_bytes=PART,
                            progress=lambda p: stages.append(p.stage))
    assert {"download", "load"} <= set(stages)  # the first snapshot, fetched and loaded
    assert second.at_seq == first.at_seq + 50 == central.head()
    replay = make_device("replay")
    pull(replay, central)
    snap = opened(central, second, tmp_path / "snap")
    try:
        same_as_replay(snap, replay, central)
    finally:
        snap.close()
