"""Signing in to a desk: the account's password unwraps the data key that opens the
encrypted database (see ``store.keys``). No Qt; the slow parts (argon2id on purpose,
then opening the store) are for a worker thread.

A profile folder is in one of these states:

- ``new``: nothing there yet. Setting up makes the data key, the first (admin) account,
  and the recovery key, shown once.
- ``convert``: a database from before encryption. Setting up does the same, and
  encrypts that database in place (an encrypted backup first; nothing lost).
- ``locked``: the usual. Staff sign in with their username and password.
- ``no_keys``: an encrypted database without its keys file (deleted or lost).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lr_desk import settings
from lr_desk.services import accounts, audit, proofs
from lr_desk.services.accounts import SignedIn
from lr_desk.services.validation import Checker, ValidationError, check_choice, check_name
from lr_desk.store import cipher, keys
from lr_desk.store.clock import new_id
from lr_desk.store.db import Store
from lr_desk.store.keys import KeyFile, Locked, WrongPassword
from lr_desk.store.models import Advisor

log = logging.getLogger(__name__)

DB_NAME = "lr_desk.sqlite"
DEMO_PASSWORD = "life-rooms-demo"  # the demo profile's accounts (synthetic data only)
DEMO_ACCOUNTS = (("advisor", "advisor"), ("manager", "manager"), ("admin", "admin"))


class SignInError(Exception):
    """Why signing in did not work, in plain words for the sign-in box."""

    def __init__(self, message: str, field: str = "password"):
        super().__init__(message)
        self.field = field


@dataclass
class Unlocked:
    """An open desk: its store (with the data key) and who signed in."""

    store: Store
    signed_in: SignedIn
    recovery_key: str = ""  # set once, at set-up: to show, print and forget
    # the password was changed on another desk since this one last saw it: the new one
    # must be given (``confirm_new_password``) before the desk opens
    password_changed_elsewhere: bool = False


def wait_message(exc: Locked, now: datetime) -> str:
    seconds = max(1, int((exc.until - now).total_seconds() + 0.999))
    if exc.locked:
        minutes = max(1, (seconds + 59) // 60)
        return (f"Too many wrong passwords: this account is locked on this desk for "
                f"{minutes} more minute{'s' if minutes != 1 else ''}.")
    return f"Wrong password. Please wait {seconds} seconds before trying again."


class Gate:
    """Signing in to the desk whose data lives in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.db_path = self.folder / DB_NAME
        self.keyfile = KeyFile(self.folder)

    def state(self) -> str:
        if self.keyfile.exists:
            return "locked"
        if not self.db_path.exists() or self.db_path.stat().st_size == 0:
            return "new"
        return "convert" if cipher.is_plain(self.db_path) else "no_keys"

    # --- set-up ------------------------------------------------------------------

    def set_up(self, name: str, site: str, username: str, password: str,
               password_again: str, sites: dict[str, str]) -> Unlocked:
        """The first account (an admin) on a new desk, or on the first start after an
        update that brought encryption. Raises ValidationError (fields: name, home_site,
        username, password, password_again) before anything is changed."""
        state = self.state()
        if state not in ("new", "convert"):
            raise RuntimeError(f"this desk is already set up ({state})")
        c = Checker()
        clean_name = c.field("name", check_name, name, "name")
        c.field("home_site", check_choice, site, sites, "home hub")
        clean_username = c.field("username", accounts.check_username, username)
        problem = accounts.check_password(password, clean_username or "")
        if problem:
            c.errors["password"] = problem
        elif password != password_again:
            c.errors["password_again"] = "The two passwords are not the same."
        c.done()
        if state == "convert":
            self.check_convertible()
        self.folder.mkdir(parents=True, exist_ok=True)
        with_same_name = self._taken(clean_username) if state == "convert" else False
        if with_same_name:
            raise ValidationError({"username": "Someone already has this username."})
        data_key = os.urandom(32)
        keyfile = KeyFile(self.folder)
        recovery = keyfile.create(data_key)
        advisor_id = new_id()
        keyfile.add(data_key, advisor_id, clean_username, password, "")
        keyfile.set_pending({"advisor_id": advisor_id, "name": clean_name, "home_site": site,
                             "username": clean_username})
        keyfile.save()  # first: from here on the data key can always be unwrapped
        self.keyfile = keyfile
        try:
            unlocked = self._open(advisor_id, data_key, password)
        except Exception as exc:
            # the keys are saved, and signing in finishes the set-up: the recovery key
            # must not be lost with the error (it is shown nowhere else, ever)
            exc.recovery_key = recovery
            raise
        unlocked.recovery_key = recovery
        return unlocked

    def check_convertible(self) -> None:
        """Raise NewerDataError if the unencrypted database was written by a newer
        lr_desk (it must be left exactly as it is)."""
        import sqlite3

        from lr_desk.store.db import NewerDataError, _known_revision

        conn = sqlite3.connect(self.db_path)
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            row = None
        finally:
            conn.close()
        if row and not _known_revision(row[0]):
            raise NewerDataError(
                "This desk's data was saved by a newer version of lr_desk. Please update "
                "lr_desk on this computer (nothing has been changed).")

    def _taken(self, username: str) -> bool:
        """Whether the unencrypted database already has an account of that name."""
        import sqlite3

        conn = sqlite3.connect(self.db_path)
        try:
            columns = {r[1] for r in conn.execute("PRAGMA table_info(advisor)")}
            if "username" not in columns:
                return False
            return conn.execute("SELECT 1 FROM advisor WHERE lower(username) = ?",
                                (username,)).fetchone() is not None
        finally:
            conn.close()

    def _open(self, advisor_id: str, data_key: bytes, password: str) -> Unlocked:
        """Open the store with the data key: encrypting a database from before encryption,
        finishing a set-up that was cut short, and checking the account."""
        from lr_desk.profile import open_store

        if cipher.is_plain(self.db_path):
            encrypt_in_place(self.db_path, self.folder / "backups", data_key)
        else:  # a conversion cut short after the database, before the rest
            encrypt_leftovers(self.db_path, self.folder / "backups", data_key)
        store = open_store(self.folder, key=data_key)
        founder = None
        try:
            pending = self.keyfile.pending()
            with store.session() as s:
                advisor = s.get(Advisor, advisor_id)
                if advisor is None and pending and pending["advisor_id"] == advisor_id:
                    advisor = Advisor(id=advisor_id, name=pending["name"],
                                      home_site=pending["home_site"],
                                      username=pending["username"], role="admin",
                                      password_hash=accounts.hash_password(password))
                    founder = proofs.first_admin(s, advisor, password)
                    settings.put(s, "site_code", advisor.home_site)  # a new desk: theirs
                if advisor is None or not advisor.active or advisor.deleted_at is not None:
                    self.keyfile.remove(advisor_id)
                    self.keyfile.save()
                    raise SignInError("This account can no longer sign in. Please ask an "
                                      "admin.", "username")
                signed_in = SignedIn.of(advisor)
                password_hash = advisor.password_hash
            if pending:
                self.keyfile.set_pending(None)
                self.keyfile.set_known_hash(advisor_id, password_hash)
                self.keyfile.save()
            changed = password_hash != self.keyfile.known_hash(advisor_id)
            if changed and accounts.password_matches(password_hash, password):
                self.keyfile.set_known_hash(advisor_id, password_hash)
                self.keyfile.save()
                changed = False
            if not changed:  # (the password is the account's: its key opens with it)
                signed_in = self._with_key(store, signed_in, password, founder)
                self._signed_in(store, signed_in)
        except BaseException:
            store.close()
            raise
        return Unlocked(store, signed_in, password_changed_elsewhere=changed)

    @staticmethod
    def _with_key(store: Store, who: SignedIn, password: str, signer=None) -> SignedIn:
        """``who`` with their signing key, if they sign (services.proofs), or one
        already at hand (a new desk's first admin)."""
        if signer is None:
            with store.session() as s:
                signer = proofs.signer_for(s, s.get(Advisor, who.advisor_id), password)
        return dataclasses.replace(who, signer=signer)

    def set_up_demo(self, fill) -> Unlocked:
        """The demo profile, new: its data encrypted like any desk's, filled by ``fill``
        (given the store), with three accounts that sign in with DEMO_PASSWORD."""
        from lr_desk.profile import open_store

        self.folder.mkdir(parents=True, exist_ok=True)
        data_key = os.urandom(32)
        keyfile = KeyFile(self.folder)
        keyfile.create(data_key)  # the demo's recovery key is shown to no one
        keyfile.save()  # before the database exists: its key is never lost
        store = open_store(self.folder, key=data_key)
        try:
            fill(store)
            with store.session() as s:
                chosen = settings.get(s, "advisor_id")
                people = [a for a in accounts.all_accounts(s) if a.id != chosen]
                password_hash = accounts.hash_password(DEMO_PASSWORD)
                for (username, role), advisor in zip(
                        DEMO_ACCOUNTS, [s.get(Advisor, chosen), *people], strict=False):
                    advisor.username, advisor.role = username, role
                    advisor.password_hash = password_hash
                    keyfile.add(data_key, advisor.id, username, DEMO_PASSWORD, password_hash)
            keyfile.save()
            self.keyfile = keyfile
        finally:
            store.close()
        return self.sign_in("advisor", DEMO_PASSWORD)

    # --- signing in --------------------------------------------------------------

    def sign_in(self, username: str, password: str, now: datetime | None = None) -> Unlocked:
        """Open the desk for this username and password. Raises SignInError with the
        reason in plain words (wrong password, wait, locked, unknown here, disabled)."""
        from lr_desk.store.clock import utcnow

        now = now or utcnow()
        if not username.strip():
            raise SignInError("Enter your username.", "username")
        try:
            advisor_id, data_key = self.keyfile.unlock(username, password, now)
        except Locked as exc:
            raise SignInError(wait_message(exc, now)) from None
        except WrongPassword:
            raise SignInError(self._wrong(username)) from None
        except KeyError:
            raise SignInError(
                f"{username.strip()} has not signed in on this desk before. Ask someone who "
                "has to sign in and choose Switch user, then sign in there: after that, "
                "your password opens this desk.", "username") from None
        return self._open(advisor_id, data_key, password)

    def _wrong(self, username: str) -> str:
        left = keys.LOCK_AFTER - self.keyfile.failures(username)
        if left <= 0:
            return (f"That password is not right, and that was too many tries: the account "
                    f"is locked on this desk for {keys.LOCK_MINUTES} minutes.")
        if left <= 3:
            return (f"That password is not right. {left} more wrong "
                    f"tr{'ies' if left != 1 else 'y'} and the account is locked on this "
                    "desk for a while.")
        return "That password is not right."

    def confirm_new_password(self, unlocked: Unlocked, new_password: str) -> None:
        """After ``password_changed_elsewhere``: the password set on another desk, checked
        against the synced hash; this desk's wrap moves to it."""
        from lr_desk.store.clock import utcnow

        store, who = unlocked.store, unlocked.signed_in
        now = utcnow()
        try:  # guesses here wait and lock as at sign-in
            self.keyfile.check_wait(who.username, now)
        except Locked as exc:
            raise SignInError(wait_message(exc, now), "new_password") from None
        with store.session() as s:
            advisor = s.get(Advisor, who.advisor_id)
            if not accounts.password_matches(advisor.password_hash, new_password):
                self.keyfile.failed(who.username, now)
                raise SignInError("That is not the new password either.", "new_password")
            password_hash = advisor.password_hash
        self.keyfile.add(store.key, who.advisor_id, who.username, new_password, password_hash)
        self.keyfile.data.get("failures", {}).pop(keys.username_key(who.username), None)
        self.keyfile.save()
        unlocked.password_changed_elsewhere = False
        unlocked.signed_in = who = self._with_key(store, who, new_password)
        self._signed_in(store, who)

    def check_password(self, store: Store, who: SignedIn, password: str,
                       now: datetime | None = None) -> None:
        """Unlocking a locked desk: raises SignInError unless ``password`` is right."""
        if self._verify_here(store, who.username, password, now).advisor_id != who.advisor_id:
            raise SignInError(self._wrong(who.username))

    def switch(self, store: Store, username: str, password: str,
               now: datetime | None = None) -> SignedIn:
        """Another member of staff signs in at an open desk. Someone who has not signed in
        on this desk before is checked against their synced account, and their password
        then opens this desk too."""
        who = self._verify_here(store, username, password, now)
        self._signed_in(store, who)
        return who

    def _verify_here(self, store: Store, username: str, password: str,
                     now: datetime | None) -> SignedIn:
        """Whose username and password these are, at an open desk: by this desk's keys,
        else by the synced account (new to this desk, or a password changed elsewhere),
        whose password then opens this desk too. Wrong passwords count, as at sign-in."""
        from lr_desk.store.clock import utcnow

        now = now or utcnow()
        if not username.strip():
            raise SignInError("Enter your username.", "username")
        try:
            self.keyfile.check_wait(username, now)
        except Locked as exc:
            raise SignInError(wait_message(exc, now)) from None
        advisor_id = None
        if self.keyfile.accounts_for(username):
            with contextlib.suppress(WrongPassword):  # counted: then the synced account
                advisor_id, _key = self.keyfile.unlock(username, password, now)
        with store.session() as s:
            advisor = (s.get(Advisor, advisor_id) if advisor_id
                       else accounts.verify(s, username, password))
            if advisor is None:
                if not self.keyfile.accounts_for(username):
                    self.keyfile.failed(username, now)  # else counted by unlock already
                raise SignInError(self._wrong(username))
            if not advisor.active or advisor.deleted_at is not None:
                raise SignInError("This account can no longer sign in. Please ask an admin.",
                                  "username")
            password_hash = advisor.password_hash
            # the password is the account's (not an old one this desk still knows)
            if advisor_id is None or self.keyfile.known_hash(advisor.id) == password_hash:
                who = SignedIn.of(advisor, proofs.signer_for(s, advisor, password))
            else:
                who = SignedIn.of(advisor)
        if self.keyfile.known_hash(who.advisor_id) != password_hash:
            self.keyfile.add(store.key, who.advisor_id, who.username, password, password_hash)
        self.keyfile.clear_failures(username)
        self.keyfile.save()
        return who

    def _signed_in(self, store: Store, who: SignedIn) -> None:
        store.advisor_id = who.advisor_id
        store.signer = who.signer  # what they change that needs proof is signed with it
        with store.session() as s:
            settings.put(s, "advisor_id", who.advisor_id)
            audit.record(s, "sign_in", entity="advisor", entity_id=who.advisor_id)

    # --- passwords ---------------------------------------------------------------

    def change_password(self, store: Store, who: SignedIn, old: str, new: str,
                        again: str) -> None:
        """Someone changes their own password (offline too: the new hash syncs). Wrong
        current passwords wait and lock as at sign-in."""
        from lr_desk.store.clock import utcnow

        now = utcnow()
        try:
            self.keyfile.check_wait(who.username, now)
        except Locked as exc:
            raise ValidationError({"old_password": wait_message(exc, now)}) from None
        with store.session() as s:
            advisor = s.get(Advisor, who.advisor_id)
            if not accounts.password_matches(advisor.password_hash, old):
                self.keyfile.failed(who.username, now)
                raise ValidationError({"old_password": "That is not your current password."})
            own = proofs.signer_for(s, advisor, old, always=True)  # resealed under the new
            advisor = accounts.set_password(s, who.advisor_id, new, again, signer=own)
            password_hash = advisor.password_hash
        self.keyfile.add(store.key, who.advisor_id, who.username, new, password_hash)
        self.keyfile.data.get("failures", {}).pop(keys.username_key(who.username), None)
        self.keyfile.save()

    def reset_password(self, store: Store, advisor_id: str, new: str, again: str) -> None:
        """An admin sets someone's password (a forgotten one, or a new account's): this desk
        opens with it at once, other desks once it has synced and been used there. Signed
        by the admin signed in; with the recovery key (nobody signed in) it is for this
        desk only: other desks set it aside."""
        with store.session() as s:
            advisor = accounts.set_password(s, advisor_id, new, again,
                                            signer=getattr(store, "signer", None))
            username, password_hash = advisor.username, advisor.password_hash
        if username:
            self.keyfile.add(store.key, advisor_id, username, new, password_hash)
            self.keyfile.clear_failures(username)
            self.keyfile.save()

    def recover(self, recovery_key: str) -> Store:
        """Open the desk with the admin recovery key (all passwords forgotten): an admin
        then resets an account's password with ``reset_password``."""
        from lr_desk.profile import open_store

        try:
            data_key = self.keyfile.unlock_with_recovery(recovery_key)
        except WrongPassword:
            raise SignInError("That recovery key does not open this desk.",
                              "recovery_key") from None
        return open_store(self.folder, key=data_key)


def encrypt_in_place(db_path: Path, backup_dir: Path, data_key: bytes) -> None:
    """Encrypt a database from before encryption, losing nothing: an encrypted copy is
    made and checked (every table's rows counted), kept as a backup, and only then put in
    place of the original. Backups of the unencrypted database are encrypted too."""
    from lr_desk.store.clock import utcnow

    backup_dir.mkdir(parents=True, exist_ok=True)
    saved = backup_dir / f"{db_path.stem}-before-encryption-{utcnow():%Y%m%dT%H%M%S%f}.sqlite"
    cipher.encrypt_copy(db_path, saved, data_key)
    staging = db_path.with_name(db_path.name + ".encrypting")
    staging.unlink(missing_ok=True)
    cipher.copy(saved, staging, data_key)
    with open(staging, "rb+") as f:
        os.fsync(f.fileno())
    for suffix in ("-wal", "-shm"):  # the original's: checkpointed into the copy above
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.replace(staging, db_path)
    encrypt_leftovers(db_path, backup_dir, data_key)
    log.info("encrypted %s (backup %s)", db_path, saved)


def encrypt_leftovers(db_path: Path, backup_dir: Path, data_key: bytes) -> None:
    """Encrypt, each in place, what of the profile is still plain beside an encrypted
    database: the embedded central store (every change the desk made) and the backups
    made before encryption (a look at each file's first bytes when there are none)."""
    embedded = db_path.with_name("central.sqlite")
    for old in [embedded, *sorted(backup_dir.glob(f"{db_path.stem}-*.sqlite"))]:
        if cipher.is_plain(old):
            encrypted = old.with_name(old.name + ".encrypting")
            encrypted.unlink(missing_ok=True)
            cipher.encrypt_copy(old, encrypted, data_key)  # its -wal checkpointed into it
            for suffix in ("-wal", "-shm"):
                Path(f"{old}{suffix}").unlink(missing_ok=True)
            os.replace(encrypted, old)
