"""The central store on a replicated PostgreSQL: a primary (wal_level=replica) and a
streaming replica made with pg_basebackup -R, both throwaway clusters on 127.0.0.1
(tests/sync/pgcluster.py). Devices push to the primary and pull from the replica.

- A lagging replica never makes a device skip a change: with replay paused, a pull gets
  nothing new and the cursor stays; once it resumes, every change comes, once.
- Failover: with synchronous replication, every change a push was acknowledged for is
  on the promoted replica; the devices go on against it and converge.
- A replica that cannot be reached: the pull is served by the primary, and the log
  says so.
"""

from __future__ import annotations

import logging
import time

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from lr_desk import settings
from lr_desk.cli import main
from lr_desk.services import advisors, people
from lr_desk.store.models import Person
from lr_desk.sync import connect, credentials, engine
from lr_desk.sync.central import (
    CentralStore,
    add_device,
    change_log,
    device,
    init_central,
)
from lr_desk.sync.engine import SyncError, sync_once
from lr_desk.sync.push import pushed_upto

from . import pgcluster
from .devices import clocks, new_device, open_conflicts, records, writes

# Replication connections from 127.0.0.1 (initdb's default has them; spelled out here).
HBA = """\
local all         all                trust
host  all         all 127.0.0.1/32   trust
host  replication all 127.0.0.1/32   trust
"""
OPTIONS = "-c fsync=off -c wal_level=replica -c max_wal_senders=5 -c max_connections=40"


class Watched(CentralStore):
    """A real central store that notes the sequence numbers each pull page read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read: list[int] = []

    def pull(self, after, limit=1000, max_bytes=None):
        page = super().pull(after, limit, max_bytes)
        self.read.extend(c.seq for c in page)
        return page


@pytest.fixture
def pair():
    """A primary and its streaming replica, synchronous (an acknowledged commit is on the
    replica's disk), with a central store made on the primary and replicated."""
    reason = pgcluster.why_not()
    if reason:
        pytest.skip(reason)
    primary = pgcluster.Cluster("lr-desk-primary-", OPTIONS, HBA)
    primary.start()
    replica = None
    try:
        replica = primary.replica("lr-desk-replica-")
        primary.synchronous()
        primary.sql('CREATE DATABASE "central"')
        init_central(primary.url("central", "postgresql+psycopg"))
        yield primary, replica
    finally:
        for cluster in (replica, primary):
            if cluster is not None:
                cluster.stop("immediate")


def _store(primary, replica) -> Watched:
    return Watched(primary.url("central", "postgresql+psycopg"),
                   read_url=replica.url("central", "postgresql+psycopg"))


def _head(cluster) -> int:
    return cluster.sql("SELECT coalesce(max(seq), 0) FROM change_log", "central")[0]


def _caught_up(primary, replica, timeout: float = 20.0) -> int:
    """Wait until the replica has replayed all the primary has written; the log's head."""
    want = primary.sql("SELECT pg_current_wal_lsn()")[0]
    deadline = time.monotonic() + timeout
    while not replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{want}'::pg_lsn")[0]:
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)
    assert _head(replica) == _head(primary)
    return _head(replica)


def _work(store, name: str, n: int, advisor_id: str | None = None) -> str:
    """A day's work on a device: an advisor (if none given) and ``n`` people."""
    with store.session() as s:
        if advisor_id is None:
            advisor_id = advisors.create(s, f"{name} Advisor", "walton").id
        for i in range(n):
            people.register(s, {"given_name": f"{name}{i}", "family_name": "Replica"},
                            advisor_id, "walton")
    return advisor_id


def _acknowledged(store) -> set[str]:
    with store.engine.connect() as conn:
        upto = pushed_upto(conn)
    return {w.change_id for w in writes(store) if w.seq <= upto}


def _same(a, b) -> None:
    assert records(a) == records(b)
    assert clocks(a) == clocks(b)
    assert open_conflicts(a) == open_conflicts(b)


def test_a_lagging_replica_never_makes_a_device_skip_a_change(pair, tmp_path):
    primary, replica = pair
    central = _store(primary, replica)
    a, b = new_device(tmp_path / "a"), new_device(tmp_path / "b")
    try:
        adv = _work(a, "Ann", 3)
        sync_once(a, central)
        _caught_up(primary, replica)
        sync_once(b, central)
        start = engine.cursor(b, central.store_id())
        assert start == _head(primary) > 0

        replica.sql("SELECT pg_wal_replay_pause()")
        _work(a, "Bea", 5, adv)
        with a.session() as s:  # and an edit of someone B already has
            person = s.scalars(select(Person).where(Person.given_name == "Ann0")).one()
            person.phone = "0151 111 1111"
        assert sync_once(a, central).pushed > 0  # acknowledged while replay is paused
        _work(b, "Cat", 2, adv)  # B's own push goes to the primary as usual
        central.read.clear()
        done = sync_once(b, central)
        assert done.pushed > 0 and done.pulled == 0
        assert central.read == []  # the replica shows nothing after B's cursor yet
        assert engine.cursor(b, central.store_id()) == start == _head(replica)
        assert _head(primary) > start

        replica.sql("SELECT pg_wal_replay_resume()")
        head = _caught_up(primary, replica)
        central.read.clear()
        sync_once(b, central)
        # every number after the cursor read once, in order: none missed, none twice
        assert central.read == list(range(start + 1, head + 1))
        assert engine.cursor(b, central.store_id()) == head
        sync_once(a, central)
        _same(a, b)
        with b.session() as s:
            assert s.scalars(select(Person.phone).where(Person.given_name == "Ann0")) \
                .one() == "0151 111 1111"
    finally:
        central.close()
        a.close()
        b.close()


def test_failover_to_the_promoted_replica_loses_no_acknowledged_change(pair, tmp_path):
    primary, replica = pair
    central = _store(primary, replica)
    a, b = new_device(tmp_path / "a"), new_device(tmp_path / "b")
    try:
        adv = _work(a, "Dee", 4)
        sync_once(a, central)
        _caught_up(primary, replica)
        sync_once(b, central)  # B has the advisor now
        _work(b, "Eve", 3, adv)
        sync_once(b, central)
        _work(a, "Fay", 2, adv)
        sync_once(a, central)
        acknowledged = _acknowledged(a) | _acknowledged(b)
        assert acknowledged
        store_id = central.store_id()
        cursors = engine.cursor(a, store_id), engine.cursor(b, store_id)
        central.close()

        primary.stop("immediate")  # the primary is lost, hard: no orderly shutdown
        replica.promote()
        promoted = CentralStore(replica.url("central", "postgresql+psycopg"))
        with promoted.engine.connect() as conn:
            there = set(conn.scalars(select(change_log.c.change_id)))
        assert acknowledged <= there
        assert promoted.store_id() == store_id  # the same store: cursors go on
        assert promoted.head() >= max(cursors)

        _work(a, "Gil", 2, adv)  # new pushes work on the promoted server
        _work(b, "Hal", 2, adv)
        assert sync_once(a, promoted).pushed > 0
        assert sync_once(b, promoted).pushed > 0
        sync_once(a, promoted)
        _same(a, b)
        with promoted.engine.connect() as conn:
            there = set(conn.scalars(select(change_log.c.change_id)))
        assert _acknowledged(a) | _acknowledged(b) <= there
        promoted.close()
    finally:
        a.close()
        b.close()


def test_a_replica_that_cannot_be_reached_is_passed_over_for_the_primary(
        pair, tmp_path, caplog):
    primary, _replica = pair
    central = Watched(primary.url("central", "postgresql+psycopg"),
                      read_url=f"postgresql+psycopg://postgres@127.0.0.1:"
                               f"{pgcluster.free_port()}/central?connect_timeout=5")
    a, b = new_device(tmp_path / "a"), new_device(tmp_path / "b")
    try:
        _work(a, "Ida", 3)
        sync_once(a, central)
        with caplog.at_level(logging.WARNING, logger="lr_desk.sync.central"):
            done = sync_once(b, central)
        assert done.pulled > 0
        assert engine.cursor(b, central.store_id()) == _head(primary)
        assert "pulling from the primary" in caplog.text
        _same(a, b)
    finally:
        central.close()
        a.close()
        b.close()


# --- the device's "pull from" address ---------------------------------------------------


def test_the_pull_from_address_is_kept_like_the_main_one(tmp_path):
    folder = tmp_path / "d"
    store = new_device(folder)
    try:
        main = "postgresql://desk_1@central.example:5432/lr"
        with store.session() as s:
            connect.save(s, folder, main, "Desk 1", None,
                         pull_url="postgresql://:s3cret@replica.example:5433")
        with store.session() as s:
            conn = connect.configured(s, folder)
            kept = settings.get(s, "central_pull_url")
        # the main address's login and database filled in; the password moved out
        assert conn.pull_url == kept == "postgresql://desk_1@replica.example:5433/lr"
        assert credentials.get_password(folder) == "s3cret"
        with store.session() as s:  # kept when not given, forgotten when emptied
            connect.save(s, folder, main, "Desk 1", None)
        with store.session() as s:
            assert connect.configured(s, folder).pull_url == kept
            connect.save(s, folder, main, "Desk 1", None, pull_url="")
        with store.session() as s:
            assert connect.configured(s, folder).pull_url == ""
        for wrong, says in (("postgresql://other@replica.example/lr", "same login"),
                            ("postgresql://desk_1@replica.example/elsewhere", "same login"),
                            ("sqlite:////tmp/central.sqlite", "streaming replica"),
                            ("mysql://replica.example/lr", "not a central store's address")):
            with store.session() as s, pytest.raises(ValueError, match=says):
                connect.save(s, folder, main, "Desk 1", None, pull_url=wrong)
        with store.session() as s, pytest.raises(ValueError, match="streaming replica"):
            connect.save(s, folder, "sqlite:////tmp/c.sqlite", "Desk 1", None,  # not PG
                         pull_url="postgresql://replica.example/lr")
    finally:
        store.close()


def test_a_device_set_to_pull_from_the_replica_pulls_there(pair, tmp_path):
    primary, replica = pair
    new = add_device(primary.url("central", "postgresql+psycopg"), "Desk R", "walton")
    author = new_device(tmp_path / "author")
    folder = tmp_path / "desk"
    desk = new_device(folder)
    writer = CentralStore(primary.url("central", "postgresql+psycopg"))
    try:
        _caught_up(primary, replica)  # (the device's login is on the replica too)
        with desk.session() as s:
            connect.save(s, folder, new.url, new.name, new.password,
                         pull_url=f"postgresql://127.0.0.1:{replica.port}")
        central = connect.open_central(desk, folder)
        try:
            assert central.read_url is not None
            assert central.read_url.port == replica.port
            assert central.read_url.username == make_url(new.url).username
            _work(author, "Jo", 2)
            replica.sql("SELECT pg_wal_replay_pause()")
            sync_once(author, writer)
            assert sync_once(desk, central).pulled == 0  # the paused replica: not yet
            replica.sql("SELECT pg_wal_replay_resume()")
            _caught_up(primary, replica)
            assert sync_once(desk, central).pulled > 0
            _same(author, desk)
        finally:
            central.close()
        assert connect.test_connection(new.url, new.name, new.password,
                                       pull_url=f"postgresql://127.0.0.1:{replica.port}") \
            is None
    finally:
        writer.close()
        author.close()
        desk.close()


def test_a_pull_from_address_that_will_not_do_is_said_plainly(pair, tmp_path,
                                                                 postgres_server, caplog):
    primary, _replica = pair
    new = add_device(primary.url("central", "postgresql+psycopg"), "Desk S", "walton")
    down = f"postgresql://127.0.0.1:{pgcluster.free_port()}/central?connect_timeout=5"
    said = connect.test_connection(new.url, new.name, new.password, pull_url=down)
    assert said.startswith("The pull-from address")
    assert "not accepting connections" in said
    # opening the store for a sync passes it over for the primary, and says so
    folder = tmp_path / "desk"
    desk = new_device(folder)
    try:
        with desk.session() as s:
            connect.save(s, folder, new.url, new.name, new.password, pull_url=down)
        with caplog.at_level(logging.WARNING, logger="lr_desk.sync.central"):
            central = connect.open_central(desk, folder)
        try:
            assert "pulling from the primary" in caplog.text
            sync_once(desk, central)
        finally:
            central.close()
        # another store, not a copy of this one
        other = f"postgresql+psycopg://postgres@127.0.0.1:{postgres_server['port']}/central"
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{postgres_server['port']}"
                             "/postgres", autocommit=True) as conn:
            conn.execute('CREATE DATABASE "central"')
        init_central(other)
        admin = primary.url("central", "postgresql+psycopg")
        with desk.session() as s:
            connect.save(s, folder, admin, "Desk S", None,
                         pull_url=f"postgresql://127.0.0.1:{postgres_server['port']}")
        with pytest.raises(SyncError, match="not a copy of this central store"):
            connect.open_central(desk, folder)
    finally:
        desk.close()


def test_add_device_prints_the_pull_from_address_with_the_devices_login(postgres_url,
                                                                         capsys):
    init_central(postgres_url)
    admin = make_url(postgres_url)
    assert main(["central", "add-device", "Desk P", "--site", "walton", "--url",
                 postgres_url, "--pull-from", "postgresql://admin:pw@replica.example:5433"
                 "?sslmode=require"]) == 0
    out = capsys.readouterr().out
    login = out.split("Address:")[1].split("@")[0].split("//")[1].strip()
    assert login.startswith("lr_device")
    assert (f"  Pull from:    postgresql://{login}@replica.example:5433/{admin.database}"
            "?sslmode=require\n") in out
    assert "pw" not in out.split("Pull from:")[1].split("\n")[0]
    # one that will not do is said before the device is registered
    assert main(["central", "add-device", "Desk Q", "--site", "walton", "--url",
                 postgres_url, "--pull-from", "postgresql://replica.example/another"]) == 1
    assert "same login and database" in capsys.readouterr().err
    store = CentralStore(postgres_url)
    try:
        with store.engine.connect() as conn:
            assert conn.scalar(select(device.c.name).where(device.c.name == "Desk Q")) is None
    finally:
        store.close()
