"""The hybrid logical clock: monotonic whatever the wall clock does, moved past remote
stamps by ``observe``, and restored past the last outbox stamp when the store reopens."""

from __future__ import annotations

import itertools
import time

from sqlalchemy import select

from lr_desk.store.clock import HybridClock
from lr_desk.store.db import Store
from lr_desk.store.models import Outbox, Person

DEVICE = "0190a000-0000-7000-8000-000000000001"
OTHER = "0190a000-0000-7000-8000-000000000002"


class FakeWall:
    """A wall clock the test sets, in milliseconds."""

    def __init__(self, ms: int):
        self.ms = ms

    def __call__(self) -> int:
        return self.ms * 1_000_000


def test_stamps_encode_and_decode():
    stamp = HybridClock.encode(1_700_000_000_123, 7, DEVICE)
    assert HybridClock.decode(stamp) == (1_700_000_000_123, 7, DEVICE)


def test_string_order_is_clock_order():
    stamps = [HybridClock.encode(w, c, DEVICE)
              for w, c in [(999, 99999), (1000, 0), (1000, 9), (1000, 10), (1000, 100),
                           (10_000, 0), (1_700_000_000_000, 1)]]
    assert stamps == sorted(stamps)


def test_wall_time_drives_the_clock(monkeypatch):
    wall = FakeWall(1_000_000)
    monkeypatch.setattr(time, "time_ns", wall)
    clock = HybridClock(DEVICE)
    a = clock.now()
    wall.ms += 5
    b = clock.now()
    assert HybridClock.decode(a)[:2] == (1_000_000, 0)
    assert HybridClock.decode(b)[:2] == (1_000_005, 0)


def test_monotonic_when_the_wall_clock_goes_backwards(monkeypatch):
    wall = FakeWall(2_000_000)
    monkeypatch.setattr(time, "time_ns", wall)
    clock = HybridClock(DEVICE)
    stamps = [clock.now()]
    wall.ms -= 60_000  # the clock is set back a minute
    stamps += [clock.now() for _ in range(3)]
    wall.ms += 30_000  # still behind the first stamp
    stamps.append(clock.now())
    assert all(a < b for a, b in itertools.pairwise(stamps))
    assert [HybridClock.decode(s)[:2] for s in stamps] == [
        (2_000_000, 0), (2_000_000, 1), (2_000_000, 2), (2_000_000, 3), (2_000_000, 4)]
    wall.ms = 2_000_001  # the wall clock catches up: back to wall time, counter reset
    assert HybridClock.decode(clock.now())[:2] == (2_000_001, 0)


def test_monotonic_when_the_wall_clock_stands_still(monkeypatch):
    monkeypatch.setattr(time, "time_ns", FakeWall(3_000_000))
    clock = HybridClock(DEVICE)
    stamps = [clock.now() for _ in range(50)]
    assert all(a < b for a, b in itertools.pairwise(stamps))


def test_observe_moves_past_a_remote_stamp(monkeypatch):
    monkeypatch.setattr(time, "time_ns", FakeWall(1_000_000))
    clock = HybridClock(DEVICE)
    clock.now()
    remote = HybridClock.encode(5_000_000, 3, OTHER)  # a device whose clock runs fast
    clock.observe(remote)
    after = clock.now()
    assert after[:21] > remote[:21]  # wall and counter, whatever the device ids
    assert HybridClock.decode(after) == (5_000_000, 4, DEVICE)


def test_observing_an_older_stamp_changes_nothing(monkeypatch):
    monkeypatch.setattr(time, "time_ns", FakeWall(9_000_000))
    clock = HybridClock(DEVICE)
    clock.now()
    clock.observe(HybridClock.encode(1_000, 50, OTHER))
    assert HybridClock.decode(clock.now())[:2] == (9_000_000, 1)


def test_outbox_stamps_stay_ordered_when_the_wall_clock_goes_back(tmp_path, monkeypatch):
    wall = FakeWall(1_750_000_000_000)
    monkeypatch.setattr(time, "time_ns", wall)
    store = Store(tmp_path / "a.sqlite")
    try:
        with store.session() as s:
            s.add(Person(given_name="A", family_name="One"))
        wall.ms -= 3_600_000  # an hour back
        with store.session() as s:
            s.add(Person(given_name="B", family_name="Two"))
        with store.session() as s:
            stamps = list(s.scalars(select(Outbox.hlc).where(Outbox.entity == "person")
                                    .order_by(Outbox.seq)))
    finally:
        store.close()
    assert len(stamps) == 2 and stamps[0] < stamps[1]


def test_clock_restored_past_the_last_outbox_stamp_on_reopen(tmp_path, monkeypatch):
    wall = FakeWall(1_750_000_000_000)
    monkeypatch.setattr(time, "time_ns", wall)
    store = Store(tmp_path / "a.sqlite")
    # a stamp from a device far ahead pushes this clock forward, and a change is made
    store.clock.observe(HybridClock.encode(1_760_000_000_000, 0, OTHER))
    with store.session() as s:
        s.add(Person(given_name="A", family_name="One"))
    with store.session() as s:
        last = s.scalar(select(Outbox.hlc).order_by(Outbox.seq.desc()))
    store.close()

    reopened = Store(tmp_path / "a.sqlite")  # a fresh clock, the wall still behind
    try:
        assert reopened.clock.now() > last
        with reopened.session() as s:
            s.add(Person(given_name="B", family_name="Two"))
        with reopened.session() as s:
            stamps = list(s.scalars(select(Outbox.hlc).order_by(Outbox.seq)))
    finally:
        reopened.close()
    assert last in stamps and stamps[-1] > last


def test_a_desk_whose_last_outbox_stamp_is_not_a_stamp_still_opens(tmp_path, caplog):
    # an old profile's outbox with a stamp not of the form wall-counter-device: the desk
    # opens (it used to stop with a ValueError), says so in the log, and stamps go on
    store = Store(tmp_path / "a.sqlite")
    with store.session() as s:
        s.add(Person(given_name="A", family_name="One"))
    with store.engine.begin() as conn:
        conn.execute(Outbox.__table__.update().values(hlc="not a stamp"))
    store.close()

    reopened = Store(tmp_path / "a.sqlite")
    try:
        with reopened.session() as s:
            s.add(Person(given_name="B", family_name="Two"))
        with reopened.session() as s:
            newest = s.scalar(select(Outbox.hlc).order_by(Outbox.seq.desc()))
    finally:
        reopened.close()
    assert HybridClock.decode(newest)[2] == reopened.device_id
    assert "not one lr_desk makes" in caplog.text


def test_local_time_follows_british_summer_time(monkeypatch):
    import time as time_module
    from datetime import datetime

    from lr_desk.store import clock

    monkeypatch.setenv("TZ", "Europe/London")
    time_module.tzset()
    clock._utc_offset.cache_clear()
    try:
        assert clock.local_time(datetime(2025, 1, 15, 12, 30)) == datetime(2025, 1, 15, 12, 30)
        assert clock.local_time(datetime(2025, 7, 1, 12, 30)) == datetime(2025, 7, 1, 13, 30)
        # the hour the clocks go forward, and back
        assert clock.local_time(datetime(2025, 3, 30, 0, 59)) == datetime(2025, 3, 30, 0, 59)
        assert clock.local_time(datetime(2025, 3, 30, 1, 0)) == datetime(2025, 3, 30, 2, 0)
        assert clock.local_time(datetime(2025, 10, 26, 0, 59)) == datetime(2025, 10, 26, 1, 59)
        assert clock.local_time(datetime(2025, 10, 26, 1, 0)) == datetime(2025, 10, 26, 1, 0)
    finally:
        monkeypatch.undo()
        time_module.tzset()
        clock._utc_offset.cache_clear()
