"""The data key of a profile's encrypted database, and who can unlock it.

A random 256-bit data key encrypts the database (``store.cipher``). It is kept only
wrapped (AES-256-GCM) in the profile's ``keys.json``, once per local account under a key
derived from that account's password (argon2id), and once under the admin recovery key
made at set-up. So several staff can open the same desk, a password change rewraps one
copy instead of re-encrypting the file, and without a password or the recovery key the
file and its backups are unreadable.

``keys.json`` holds nothing secret in the clear: salts, cost parameters, wrapped keys,
and the count of recent wrong passwords per username (for the lockout, which has to
work before the database is open). It is written atomically, with the last good copy
kept beside it.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lr_desk.store.clock import utcnow

log = logging.getLogger(__name__)

FILE = "keys.json"
VERSION = 1


@dataclass(frozen=True)
class Cost:
    """argon2id's cost: time (passes), memory (KiB) and lanes. The default is chosen to
    take a fraction of a second to a second on a desk PC: slow enough that guessing
    passwords from a stolen file is slow, quick enough for a front desk."""

    time: int = 10
    memory: int = 64 * 1024
    lanes: int = 2


COST = Cost()  # tests lower it (tests/conftest.py), except where sign-in time is measured

# Wrong passwords: after FREE_TRIES, each further one makes the next try wait longer;
# after LOCK_AFTER the account is locked on this desk for LOCK_MINUTES.
FREE_TRIES = 3
LOCK_AFTER = 6
LOCK_MINUTES = 15


class WrongPassword(Exception):
    """The password (or recovery key) does not unlock this desk's data."""


class Locked(Exception):
    """Too many wrong passwords: ``until`` is when the next try is allowed."""

    def __init__(self, until: datetime, locked: bool):
        self.until = until
        self.locked = locked  # locked for a while (else: only slowed down)
        super().__init__(until.isoformat())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def derive(secret: str, salt: bytes, cost: Cost) -> bytes:
    """A 256-bit key from a password (or recovery key) with argon2id."""
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(secret.encode("utf-8"), salt, time_cost=cost.time,
                           memory_cost=cost.memory, parallelism=cost.lanes, hash_len=32,
                           type=Type.ID)


def _wrap(data_key: bytes, secret: str, cost: Cost, aad: str) -> dict:
    salt, nonce = os.urandom(16), os.urandom(12)
    kek = derive(secret, salt, cost)
    return {"salt": _b64(salt), "nonce": _b64(nonce),
            "cost": [cost.time, cost.memory, cost.lanes],
            "wrapped": _b64(AESGCM(kek).encrypt(nonce, data_key, aad.encode("utf-8")))}


def _unwrap(wrap: dict, secret: str, aad: str) -> bytes:
    kek = derive(secret, _unb64(wrap["salt"]), Cost(*wrap["cost"]))
    try:
        return AESGCM(kek).decrypt(_unb64(wrap["nonce"]), _unb64(wrap["wrapped"]),
                                   aad.encode("utf-8"))
    except InvalidTag:
        raise WrongPassword() from None


def new_recovery_key() -> str:
    """A recovery key to print and keep: 160 random bits as 8 groups of 4 letters and
    digits (base32: no 0/O or 1/I to confuse)."""
    text = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def normal_recovery_key(typed: str) -> str:
    """The recovery key as typed (any case, spaces or dashes) in its printed form."""
    text = "".join(ch for ch in typed.upper() if ch.isalnum())
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def username_key(username: str) -> str:
    return username.strip().casefold()


class KeyFile:
    """``keys.json`` in a profile folder."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / FILE
        self.data: dict = {}
        for path in (self.path, self.path.with_suffix(".json.bak")):  # the last good copy
            try:
                self.data = json.loads(path.read_text(encoding="utf-8"))
            except (FileNotFoundError, NotADirectoryError):  # (a folder that isn't one is
                continue  # said plainly at start)
            except (ValueError, UnicodeDecodeError):  # damaged (a disk error): the copy
                log.error("%s is damaged; trying its last good copy", path)
                continue
            break

    @property
    def exists(self) -> bool:
        return bool(self.data.get("accounts") is not None)

    # --- set-up and wraps --------------------------------------------------------

    def create(self, data_key: bytes, cost: Cost | None = None) -> str:
        """A new desk's keys: ``data_key`` wrapped for a new recovery key, which is
        returned (to be shown once). Accounts are added with ``add``; nothing is written
        until ``save``."""
        recovery = new_recovery_key()
        self.data = {"version": VERSION, "accounts": {}, "failures": {},
                     "recovery": _wrap(data_key, recovery, cost or COST, "recovery")}
        return recovery

    def add(self, data_key: bytes, advisor_id: str, username: str, password: str,
            password_hash: str, cost: Cost | None = None) -> None:
        """Wrap the data key for an account (replacing its wrap, if it had one).
        ``password_hash`` is the account's synced hash the password matched: a different
        one later means the password was changed on another desk."""
        wrap = _wrap(data_key, password, cost or COST, advisor_id)
        wrap.update(username=username_key(username), hash=password_hash)
        self.data["accounts"][advisor_id] = wrap

    def remove(self, advisor_id: str) -> None:
        self.data["accounts"].pop(advisor_id, None)

    def accounts_for(self, username: str) -> list[str]:
        """The ids of the local accounts with this username (normally one)."""
        name = username_key(username)
        return [aid for aid, w in self.data.get("accounts", {}).items()
                if w.get("username") == name]

    def known_hash(self, advisor_id: str) -> str:
        return self.data["accounts"].get(advisor_id, {}).get("hash", "")

    def set_known_hash(self, advisor_id: str, password_hash: str) -> None:
        if advisor_id in self.data["accounts"]:
            self.data["accounts"][advisor_id]["hash"] = password_hash

    def unlock(self, username: str, password: str, now: datetime | None = None
               ) -> tuple[str, bytes]:
        """(the account's id, the data key) for a username and password on this desk.
        Raises Locked while the username must wait, WrongPassword if nothing unlocks
        (counted, and saved), KeyError if no account of that name is known here."""
        now = now or utcnow()
        self.check_wait(username, now)
        ids = self.accounts_for(username)
        if not ids:
            raise KeyError(username)
        for advisor_id in ids:
            try:
                key = _unwrap(self.data["accounts"][advisor_id], password, advisor_id)
            except WrongPassword:
                continue
            self.data["failures"].pop(username_key(username), None)
            self.save()
            return advisor_id, key
        self.failed(username, now)
        raise WrongPassword()

    def unlock_with_recovery(self, recovery_key: str) -> bytes:
        return _unwrap(self.data["recovery"], normal_recovery_key(recovery_key), "recovery")

    # --- a set-up under way -------------------------------------------------------
    # The keys are saved before the database is made or encrypted (a database encrypted
    # under a key nobody kept would be lost), so the first account's details wait here
    # until its row is in the database.

    def pending(self) -> dict | None:
        return self.data.get("setup")

    def set_pending(self, details: dict | None) -> None:
        if details is None:
            self.data.pop("setup", None)
        else:
            self.data["setup"] = details

    # --- wrong passwords ---------------------------------------------------------

    def check_wait(self, username: str, now: datetime) -> None:
        entry = self.data.get("failures", {}).get(username_key(username))
        if entry and entry.get("until") and now < datetime.fromisoformat(entry["until"]):
            raise Locked(datetime.fromisoformat(entry["until"]),
                         entry["count"] >= LOCK_AFTER)

    def failed(self, username: str, now: datetime | None = None) -> None:
        """Count a wrong password: past FREE_TRIES, the next try waits 2, 4, 8... seconds;
        at LOCK_AFTER, the account is locked here for LOCK_MINUTES."""
        now = now or utcnow()
        failures = self.data.setdefault("failures", {})
        entry = failures.setdefault(username_key(username), {"count": 0})
        entry["count"] += 1
        count = entry["count"]
        if count >= LOCK_AFTER:
            entry["until"] = (now + timedelta(minutes=LOCK_MINUTES)).isoformat()
        elif count > FREE_TRIES:
            entry["until"] = (now + timedelta(seconds=2 ** (count - FREE_TRIES))).isoformat()
        self.save()

    def failures(self, username: str) -> int:
        return self.data.get("failures", {}).get(username_key(username), {}).get("count", 0)

    def clear_failures(self, username: str) -> None:
        if self.data.get("failures", {}).pop(username_key(username), None) is not None:
            self.save()

    # --- the file ----------------------------------------------------------------

    def save(self) -> None:
        """Write atomically (a temporary file, flushed to disk, renamed over), keeping the
        last good copy beside it: losing this file would lose the data."""
        tmp = self.path.with_suffix(".tmp")
        text = json.dumps(self.data, indent=1, sort_keys=True)
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if self.path.exists():
            shutil.copyfile(self.path, self.path.with_suffix(".json.bak"))
        os.replace(tmp, self.path)
