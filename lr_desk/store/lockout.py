"""Counting wrong passwords, one count per username for every password check on a desk.

Signing in, switching user, unlocking the desk, the manager's approval of an erasure,
changing a password, confirming a password changed elsewhere: each goes through
``Lockout.attempt``, which holds the profile's exclusive lock (``jsonfile.exclusive``)
from reading the count, through the check itself, to writing the new count. So guesses
made at once, from threads or from processes, are each counted, and none is tried
while the username has to wait. An unknown username is counted like any other.

The counts live in ``lockout.json`` beside ``keys.json`` (they have to work before the
database is open): a wrong password rewrites this small file, never the keys.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from lr_desk.store import jsonfile
from lr_desk.store.clock import utcnow

log = logging.getLogger(__name__)

FILE = "lockout.json"
VERSION = 1

# Wrong passwords: after FREE_TRIES, each further one makes the next try wait longer;
# after LOCK_AFTER the account is locked on this desk for LOCK_MINUTES.
FREE_TRIES = 3
LOCK_AFTER = 6
LOCK_MINUTES = 15
FORGET_AFTER = timedelta(days=1)  # a count untouched this long (and not waiting) is dropped
MAX_NAME = 100  # longer than any username (see accounts.check_username)

T = TypeVar("T")


class WrongPassword(Exception):
    """The password (or recovery key) does not unlock this desk's data."""


class Locked(Exception):
    """Too many wrong passwords: ``until`` is when the next try is allowed."""

    def __init__(self, until: datetime, locked: bool):
        self.until = until
        self.locked = locked  # locked for a while (else: only slowed down)
        super().__init__(until.isoformat())


def username_key(username: str) -> str:
    return username.strip().casefold()


def _count_key(username: str) -> str:
    """The name a count is kept under: a username as typed, unless it is longer than any
    username can be (a megabyte pasted into the box): then a digest of it, so the file
    stays small."""
    name = username_key(username)
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
    return f"sha256:{digest}"


def _check(data: dict, legacy: bool) -> None:
    failures = data.get("failures")
    if not isinstance(failures, dict):
        raise jsonfile.Bad("no failures")
    for entry in failures.values():
        if not isinstance(entry, dict) or type(entry.get("count")) is not int:
            raise jsonfile.Bad("a count is not a number")
        for stamp in (entry.get("until"), entry.get("at")):
            if stamp is not None:
                try:
                    datetime.fromisoformat(stamp)
                except (TypeError, ValueError):
                    raise jsonfile.Bad("a time is not a time") from None


class Lockout:
    """The wrong-password counts of the profile in ``folder``. ``legacy``: counts kept in
    keys.json before this file existed, used until it is first written."""

    def __init__(self, folder: Path, legacy: dict | None = None):
        self.folder = Path(folder)
        self.path = self.folder / FILE
        self.legacy = legacy if isinstance(legacy, dict) else {}

    # --- the one way a password is checked ------------------------------------------

    def attempt(self, username: str, check: Callable[[], T | None],
                now: datetime | None = None) -> T:
        """Run ``check`` (a password check: its result, or None when the password is
        wrong) for ``username`` under the lockout. Raises Locked while the username must
        wait (``check`` is not run), WrongPassword after counting a wrong one. A right one
        clears the count (if it cannot be written, the sign-in still goes ahead)."""
        now = now or utcnow()
        with jsonfile.exclusive(self.folder):
            failures = self._read()
            self._wait(failures, username, now)
            result = check()
            name = _count_key(username)
            if result is None:
                self._count(failures, name, now)
                self._write(failures, now)  # an error here stops the try: never uncounted
                raise WrongPassword()
            if name in failures:
                failures.pop(name)
                try:
                    self._write(failures, now)
                except OSError:
                    log.warning("could not clear the wrong-password count of %r", name,
                                exc_info=True)
            return result

    # --- reading and counting --------------------------------------------------------

    def check_wait(self, username: str, now: datetime | None = None) -> None:
        """Raise Locked if ``username`` must wait before trying again."""
        self._wait(self._read(), username, now or utcnow())

    def failures(self, username: str) -> int:
        return self._read().get(_count_key(username), {}).get("count", 0)

    def failed(self, username: str, now: datetime | None = None) -> None:
        """Count a wrong password found by a check made elsewhere."""
        now = now or utcnow()
        with jsonfile.exclusive(self.folder):
            failures = self._read()
            self._count(failures, _count_key(username), now)
            self._write(failures, now)

    def clear(self, username: str) -> None:
        with jsonfile.exclusive(self.folder):
            failures = self._read()
            if failures.pop(_count_key(username), None) is not None:
                self._write(failures, utcnow())

    @staticmethod
    def _wait(failures: dict, username: str, now: datetime) -> None:
        entry = failures.get(_count_key(username))
        if entry and entry.get("until") and now < datetime.fromisoformat(entry["until"]):
            raise Locked(datetime.fromisoformat(entry["until"]),
                         entry["count"] >= LOCK_AFTER)

    @staticmethod
    def _count(failures: dict, name: str, now: datetime) -> None:
        """Past FREE_TRIES, the next try waits 2, 4, 8... seconds; at LOCK_AFTER, the
        account is locked here for LOCK_MINUTES."""
        entry = failures.setdefault(name, {"count": 0})
        entry["count"] += 1
        entry["at"] = now.isoformat()
        count = entry["count"]
        if count >= LOCK_AFTER:
            entry["until"] = (now + timedelta(minutes=LOCK_MINUTES)).isoformat()
        elif count > FREE_TRIES:
            entry["until"] = (now + timedelta(seconds=2 ** (count - FREE_TRIES))).isoformat()

    # --- the file ----------------------------------------------------------------------

    def _read(self) -> dict:
        loaded = jsonfile.load(self.path, _check)
        if loaded.data is not None:
            return loaded.data["failures"]
        if loaded.damaged:  # both copies: the counts start again (logged by load)
            return {}
        return {k: dict(v) for k, v in self.legacy.items()
                if isinstance(v, dict) and type(v.get("count")) is int}

    def _write(self, failures: dict, now: datetime) -> None:
        """Keep the counts, dropping those of names not tried for a day and not waiting
        (unknown names are counted too: the file stays small)."""
        def stale(entry: dict) -> bool:
            at, until = entry.get("at"), entry.get("until")
            return (at is not None and now - datetime.fromisoformat(at) > FORGET_AFTER
                    and (until is None or datetime.fromisoformat(until) < now))

        kept = {name: entry for name, entry in failures.items() if not stale(entry)}
        previous = jsonfile.load(self.path, _check)
        jsonfile.write(self.path, {"version": VERSION, "failures": kept}, previous.data,
                       damaged=self.path in previous.damaged)
