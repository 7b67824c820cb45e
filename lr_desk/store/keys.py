"""The data key of a profile's encrypted database, and who can unlock it.

A random 256-bit data key encrypts the database (``store.cipher``). It is kept only
wrapped (AES-256-GCM) in the profile's ``keys.json``, once per local account under a key
derived from that account's password (argon2id), and once under the admin recovery key
made at set-up. So several staff can open the same desk, a password change rewraps one
copy instead of re-encrypting the file, and without a password or the recovery key the
file and its backups are unreadable.

``keys.json`` holds nothing secret in the clear: salts, cost parameters and wrapped
keys. Losing it loses the data, so (``store.jsonfile``) it is written only when a wrap
changes, under the profile's exclusive lock, through a temporary file of its own, with
the last good copy kept beside it; a checksum finds damage, and the good copy is used
instead: damage never reads as a wrong password. Every shape it can take is checked
before use (``check_keys``). The wrong-password counts are kept apart
(``store.lockout``): a guess never rewrites this file.
"""

from __future__ import annotations

import base64
import binascii
import copy
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lr_desk.store import jsonfile
from lr_desk.store.lockout import (  # noqa: F401 (where callers have found them)
    FREE_TRIES,
    LOCK_AFTER,
    LOCK_MINUTES,
    Locked,
    Lockout,
    WrongPassword,
    username_key,
)

log = logging.getLogger(__name__)

FILE = "keys.json"
VERSION = 2  # 2: with a checksum (a file of version 1 has none, and is still read)


@dataclass(frozen=True)
class Cost:
    """argon2id's cost: time (passes), memory (KiB) and lanes. The default is chosen to
    take a fraction of a second to a second on a desk PC: slow enough that guessing
    passwords from a stolen file is slow, quick enough for a front desk."""

    time: int = 10
    memory: int = 64 * 1024
    lanes: int = 2


COST = Cost()  # tests lower it (tests/conftest.py), except where sign-in time is measured

# What a wrap's cost may be: beyond these, the file is damaged (a cost that would take
# hours, or all the memory, is never tried).
MAX_COST = Cost(time=100, memory=4 * 1024 * 1024, lanes=64)


class KeysProblem(Exception):
    """keys.json cannot be used (missing, or damaged along with its last good copy)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def derive(secret: str, salt: bytes, cost: Cost) -> bytes:
    """A 256-bit key from a password (or recovery key) with argon2id. Half a character
    (a lone surrogate, from a bad paste) is taken as it is: no wrap was ever made with
    one (a new password must be storable), so it is simply wrong, after the same work."""
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(secret.encode("utf-8", "surrogatepass"), salt, time_cost=cost.time,
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


def _cost_of(wrap: dict) -> Cost:
    return Cost(*wrap["cost"])


def _check_wrap(wrap, what: str) -> None:
    if not isinstance(wrap, dict):
        raise jsonfile.Bad(f"{what} is not a wrap")
    sizes = {"salt": (8, 64), "nonce": (12, 12), "wrapped": (48, 48)}
    for name, (least, most) in sizes.items():
        value = wrap.get(name)
        try:
            raw = base64.b64decode(value.encode("ascii"), validate=True)
        except (AttributeError, UnicodeEncodeError, binascii.Error, ValueError):
            raise jsonfile.Bad(f"{what}: {name} is not base64") from None
        if not least <= len(raw) <= most:
            raise jsonfile.Bad(f"{what}: {name} has {len(raw)} bytes")
    cost = wrap.get("cost")
    if (not isinstance(cost, list) or len(cost) != 3
            or any(type(n) is not int or n < 1 for n in cost)):
        raise jsonfile.Bad(f"{what}: its cost is not three whole numbers")
    time, memory, lanes = cost
    if (time > MAX_COST.time or memory > MAX_COST.memory or lanes > MAX_COST.lanes
            or memory < 8 * lanes):
        raise jsonfile.Bad(f"{what}: its cost {cost} is out of bounds")


def check_keys(data: dict, legacy: bool) -> None:
    """Raise jsonfile.Bad unless ``data`` has the shape of a keys file."""
    version = data.get("version")
    if type(version) is not int or version < 1 or (legacy and version >= 2):
        raise jsonfile.Bad(f"version {version!r} (or its checksum is missing)")
    _check_wrap(data.get("recovery"), "the recovery wrap")
    found = data.get("accounts")
    if not isinstance(found, dict):
        raise jsonfile.Bad("no accounts")
    for advisor_id, wrap in found.items():
        _check_wrap(wrap, f"the wrap of {advisor_id}")
        if not isinstance(wrap.get("username"), str) or not isinstance(wrap.get("hash"), str):
            raise jsonfile.Bad(f"the wrap of {advisor_id} has no username or hash")
    if data.get("setup") is not None and not isinstance(data["setup"], dict):
        raise jsonfile.Bad("the set-up under way is not an object")


class KeyFile:
    """``keys.json`` in a profile folder, and the profile's lockout (``lockout``).

    Changes (``add``, ``remove``, ``set_known_hash``, ``set_pending``) are kept in
    memory until ``save``, which makes them again on the file as it is then, under the
    lock: a change another process saved meanwhile is kept, not overwritten."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / FILE
        self.loaded = jsonfile.load(self.path, check_keys)
        self.data: dict = copy.deepcopy(self.loaded.data) if self.loaded.data else {}
        self._changes: list[Callable[[dict], None]] = []
        self._new = False  # made by ``create``: the file is written whole
        legacy = (self.loaded.data or {}).get("failures")
        self.lockout = Lockout(self.folder, legacy)

    @property
    def exists(self) -> bool:
        return bool(self.data.get("accounts") is not None)

    @property
    def damaged(self) -> bool:
        """A keys file is there, but neither it nor its last good copy can be read."""
        return self.loaded.data is None and bool(self.loaded.damaged)

    # --- set-up and wraps --------------------------------------------------------

    def create(self, data_key: bytes, cost: Cost | None = None) -> str:
        """A new desk's keys: ``data_key`` wrapped for a new recovery key, which is
        returned (to be shown once). Accounts are added with ``add``; nothing is written
        until ``save``."""
        recovery = new_recovery_key()
        self.data = {"version": VERSION, "accounts": {},
                     "recovery": _wrap(data_key, recovery, cost or COST, "recovery")}
        self._changes, self._new = [], True
        return recovery

    def _change(self, change: Callable[[dict], None]) -> None:
        change(self.data)
        if not self._new:
            self._changes.append(change)

    def add(self, data_key: bytes, advisor_id: str, username: str, password: str,
            password_hash: str, cost: Cost | None = None) -> None:
        """Wrap the data key for an account (replacing its wrap, if it had one).
        ``password_hash`` is the account's synced hash the password matched: a different
        one later means the password was changed on another desk."""
        wrap = _wrap(data_key, password, cost or COST, advisor_id)
        wrap.update(username=username_key(username), hash=password_hash)
        self._change(lambda d: d["accounts"].__setitem__(advisor_id, dict(wrap)))

    def remove(self, advisor_id: str) -> None:
        self._change(lambda d: d["accounts"].pop(advisor_id, None))

    def accounts_for(self, username: str) -> list[str]:
        """The ids of the local accounts with this username (normally one)."""
        name = username_key(username)
        return [aid for aid, w in self.data.get("accounts", {}).items()
                if w.get("username") == name]

    def known_hash(self, advisor_id: str) -> str:
        return self.data.get("accounts", {}).get(advisor_id, {}).get("hash", "")

    def set_known_hash(self, advisor_id: str, password_hash: str) -> None:
        def change(d: dict) -> None:
            if advisor_id in d["accounts"]:
                d["accounts"][advisor_id]["hash"] = password_hash

        self._change(change)

    def try_unlock(self, username: str, password: str) -> tuple[str, bytes] | None:
        """(the account's id, the data key), or None: uncounted (see ``unlock``). An
        unknown username costs the same work as a known one: a wrap is tried all the
        same (on a salt of no account's), so the time taken tells no names."""
        ids = self.accounts_for(username)
        for advisor_id in ids:
            try:
                return advisor_id, _unwrap(self.data["accounts"][advisor_id], password,
                                           advisor_id)
            except WrongPassword:
                continue
        if not ids:
            self.dummy(password)
        return None

    def dummy(self, password: str) -> None:
        """The work of one wrong password, on nothing."""
        wraps = list(self.data.get("accounts", {}).values()) or [self.data.get("recovery")]
        cost = _cost_of(wraps[0]) if wraps[0] else COST
        derive(password, b"no such account!", cost)

    def unlock(self, username: str, password: str, now: datetime | None = None
               ) -> tuple[str, bytes]:
        """(the account's id, the data key) for a username and password on this desk.
        Raises Locked while the username must wait, WrongPassword if nothing unlocks
        (counted: an unknown username too, after the same work)."""
        found = self.lockout.attempt(username, lambda: self.try_unlock(username, password),
                                     now)
        if self.loaded.from_backup or self.loaded.legacy:
            self._repair()
        return found

    def unlock_with_recovery(self, recovery_key: str) -> bytes:
        return _unwrap(self.data["recovery"], normal_recovery_key(recovery_key), "recovery")

    # --- a set-up under way -------------------------------------------------------
    # The keys are saved before the database is made or encrypted (a database encrypted
    # under a key nobody kept would be lost), so the first account's details wait here
    # until its row is in the database. The demo's set-up marks itself {"demo": true}
    # until it is finished: one cut short is started again.

    def pending(self) -> dict | None:
        return self.data.get("setup")

    def set_pending(self, details: dict | None) -> None:
        if details is None:
            self._change(lambda d: d.pop("setup", None))
        else:
            self._change(lambda d: d.__setitem__("setup", dict(details)))

    # --- wrong passwords (kept in lockout.json: see store.lockout) -----------------

    def check_wait(self, username: str, now: datetime) -> None:
        self.lockout.check_wait(username, now)

    def failed(self, username: str, now: datetime | None = None) -> None:
        self.lockout.failed(username, now)

    def failures(self, username: str) -> int:
        return self.lockout.failures(username)

    def clear_failures(self, username: str) -> None:
        self.lockout.clear(username)

    # --- the file ----------------------------------------------------------------

    def save(self) -> None:
        """Write the changes made since loading (or the whole of a new file), under the
        lock, onto the file as it is now; nothing is written if nothing changed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with jsonfile.exclusive(self.folder):
            now = jsonfile.load(self.path, check_keys)
            if self._new:
                data = copy.deepcopy(self.data)
            else:
                base = now.data if now.data is not None else self.loaded.data
                if base is None:
                    raise KeysProblem(f"{self.path} is missing or damaged")
                data = copy.deepcopy(base)
                for change in self._changes:
                    change(data)
            data.pop("failures", None)  # kept in lockout.json now
            data["version"] = VERSION
            if data != now.data or now.from_backup or now.legacy:
                jsonfile.write(self.path, data, now.data, damaged=self.path in now.damaged)
            self.data, self._changes, self._new = data, [], False
            self.loaded = jsonfile.Loaded(copy.deepcopy(data))

    def _repair(self) -> None:
        """Write the file again from its good copy (or with a checksum, if it was
        written before they were): not needed to sign in, so a failure is only logged."""
        try:
            self.save()
        except (OSError, KeysProblem):
            log.warning("could not write %s again", self.path, exc_info=True)
