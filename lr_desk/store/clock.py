"""Identifiers and clocks made on the device.

Every synced row gets a UUIDv7 (time-ordered) key. Every change gets a hybrid
logical clock stamp: wall time in milliseconds, a counter, and the device id, encoded
as a fixed-width string so that string order is clock order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import uuid6


def new_id() -> str:
    return str(uuid6.uuid7())


def utcnow() -> datetime:
    """Timezone-naive UTC, as stored in SQLite."""
    return datetime.now(UTC).replace(tzinfo=None)


def session_now(session) -> datetime:
    """The time to stamp a session's writes with: now, unless the session says otherwise
    (``session.info["now"]``: the demo writes a made-up history with its own times)."""
    return session.info.get("now") or utcnow()


def local_time(stamp: datetime) -> datetime:
    """A stored UTC time as this computer's local wall time, for showing to people."""
    return stamp + _utc_offset(stamp.year, stamp.month, stamp.day, stamp.hour)


@lru_cache(maxsize=8192)
def _utc_offset(year: int, month: int, day: int, hour: int) -> timedelta:
    # Offsets change only on the hour (summer time), so one look-up serves a whole hour.
    return datetime(year, month, day, hour, tzinfo=UTC).astimezone().utcoffset()


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


MAX_COUNTER = 99_999  # five digits, so that string order stays clock order


class HybridClock:
    """A hybrid logical clock (Kulkarni et al.): monotonic even if the wall clock steps back."""

    def __init__(self, device_id: str, wall_ms: int = 0, counter: int = 0,
                 wall: Callable[[], int] | None = None):
        self.device_id = device_id
        self.wall = wall or _wall_ms  # the physical clock, in ms (tests skew it)
        self.wall_ms = wall_ms
        self.counter = counter
        self._lock = threading.Lock()

    @staticmethod
    def encode(wall_ms: int, counter: int, device_id: str) -> str:
        return f"{wall_ms:015d}-{counter:05d}-{device_id}"

    @staticmethod
    def decode(stamp: str) -> tuple[int, int, str]:
        wall, counter, device = stamp.split("-", 2)
        return int(wall), int(counter), device

    def now(self) -> str:
        with self._lock:
            physical = self.wall()
            if physical > self.wall_ms:
                self.wall_ms, self.counter = physical, 0
            elif self.counter < MAX_COUNTER:
                self.counter += 1
            else:  # the counter is full (a clock far ahead was seen): step the time on
                self.wall_ms, self.counter = self.wall_ms + 1, 0
            return self.encode(self.wall_ms, self.counter, self.device_id)

    def observe(self, stamp: str) -> None:
        """Move past a stamp seen from another device, so later local stamps sort after it."""
        wall, counter, _ = self.decode(stamp)
        with self._lock:
            self.wall_ms, self.counter = max((self.wall_ms, self.counter), (wall, counter))
