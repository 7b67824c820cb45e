"""Signing in to a desk: the account's password unwraps the data key that opens the
encrypted database (see ``store.keys``). No Qt; the slow parts (argon2id on purpose,
then opening the store) are for a worker thread.

A profile folder is in one of these states:

- ``new``: nothing there yet. Setting up makes the data key, the first (admin) account,
  and the recovery key, shown once.
- ``convert``: a database from before encryption. Setting up does the same, and
  encrypts that database in place (an encrypted backup first; nothing lost).
- ``locked``: the usual. Staff sign in with their username and password.
- ``no_keys``: an encrypted database without its keys file (deleted or lost), or a
  keys file damaged along with its last good copy: ``problem`` says which, plainly.

Nothing here ever replaces a missing, empty or unreadable database, or drops a key wrap
because something else is broken: only an account disabled in a readable database loses
its wrap. Every password check counts toward one lockout (``store.lockout``).
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DatabaseError

from lr_desk import settings
from lr_desk.services import accounts, audit, convert, demo_desk, guard, proofs
from lr_desk.services.accounts import SignedIn
from lr_desk.services.convert import encrypt_in_place, encrypt_leftovers
from lr_desk.services.guard import DB_NAME, wait_message
from lr_desk.services.passwords import Passwords
from lr_desk.services.profiles import open_store
from lr_desk.services.signin_start import SignInError
from lr_desk.services.validation import Checker, ValidationError, check_choice, check_name
from lr_desk.store import cipher
from lr_desk.store.clock import new_id, utcnow
from lr_desk.store.db import Store
from lr_desk.store.keys import KeyFile, Locked, WrongPassword
from lr_desk.store.models import Advisor
from lr_desk.store.private import make_private, private_dir

log = logging.getLogger(__name__)

DEMO_PASSWORD = demo_desk.PASSWORD  # the demo profile's accounts (synthetic data only)


@dataclass
class Unlocked:
    """An open desk: its store (with the data key) and who signed in."""

    store: Store
    signed_in: SignedIn
    recovery_key: str = ""  # set once, at set-up: to show, print and forget
    # the password was changed on another desk since this one last saw it: the new one
    # must be given (``confirm_new_password``) before the desk opens
    password_changed_elsewhere: bool = False


class Gate(Passwords):
    """Signing in to the desk whose data lives in ``folder`` (changing and resetting a
    password: services.passwords)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.db_path = self.folder / DB_NAME
        self.keyfile = KeyFile(self.folder)

    def state(self) -> str:
        if self.keyfile.exists:
            pending = self.keyfile.pending()
            return "new" if pending and pending.get("demo") else "locked"
        if self.keyfile.damaged:
            return "no_keys"  # never "new": a set-up must not write over it
        if not self.db_path.exists() or self.db_path.stat().st_size == 0:
            return "new"
        return "convert" if cipher.is_plain(self.db_path) else "no_keys"

    def problem(self) -> str | None:
        """What stops anyone signing in here because of the keys file (missing,
        damaged, or holding no account), in plain words with what to do; else None."""
        return guard.keys_problem(self.folder, self.keyfile)

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
        private_dir(self.folder)
        demo_desk.restart_unfinished(self)
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
        make_private(self.folder)
        return unlocked

    def check_convertible(self) -> None:
        """Raise NewerDataError if the unencrypted database was written by a newer
        lr_desk (it must be left exactly as it is)."""
        convert.check_convertible(self.db_path)

    def _taken(self, username: str) -> bool:
        return convert.taken(self.db_path, username)

    def _open(self, advisor_id: str, data_key: bytes, password: str) -> Unlocked:
        """Open the store with the data key: encrypting a database from before encryption,
        finishing a set-up that was cut short, and checking the account. A database that
        is missing, empty or unreadable is said plainly, and nothing is made or dropped
        (unless a set-up is still to finish: then the database is made now)."""
        pending = self.keyfile.pending()
        problem = None if pending else guard.data_problem(self.folder)
        if problem:
            raise SignInError(problem)
        try:
            if cipher.is_plain(self.db_path):
                encrypt_in_place(self.db_path, self.folder / "backups", data_key)
            else:  # a conversion cut short after the database, before the rest
                encrypt_leftovers(self.db_path, self.folder / "backups", data_key)
            store = open_store(self.folder, key=data_key)
        except DatabaseError as exc:
            if not guard.unreadable(exc):
                raise
            log.error("cannot open %s with its key: %s", self.db_path, exc)
            raise SignInError(guard.restore_message(
                self.folder, "cannot be read: it is damaged, or not this desk's")) from None
        founder = None
        try:
            with store.session() as s:
                advisor = s.get(Advisor, advisor_id)
                if (advisor is None and pending
                        and pending.get("advisor_id") == advisor_id):
                    advisor = Advisor(id=advisor_id, name=pending["name"],
                                      home_site=pending["home_site"],
                                      username=pending["username"], role="admin",
                                      password_hash=accounts.hash_password(password))
                    founder = proofs.first_admin(s, advisor, password)
                    settings.put(s, "site_code", advisor.home_site)  # a new desk: theirs
                if advisor is None:  # an older copy of the data? its wrap is kept
                    raise SignInError("This account is not in this desk's data (was an "
                                      "older copy of the data put back?). Nothing has been "
                                      "changed. Please ask an admin.", "username")
                if not advisor.active or advisor.deleted_at is not None:
                    self.keyfile.remove(advisor_id)  # really disabled: its wrap goes
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

    def set_up_demo(self, fill, progress=None) -> Unlocked:
        """The demo profile, new (or its set-up cut short, again), ``progress`` hearing
        how far it has got: see services.demo_desk."""
        return demo_desk.set_up(self, fill, progress)

    # --- signing in --------------------------------------------------------------

    def sign_in(self, username: str, password: str, now: datetime | None = None) -> Unlocked:
        """Open the desk for this username and password. Raises SignInError with the
        reason in plain words (wrong, wait, locked, disabled, the keys or the data file
        missing or damaged). A username not known here gets the words of a wrong password
        after the same work, and is counted the same."""
        now = now or utcnow()
        if not username.strip():
            raise SignInError("Enter your username.", "username")
        problem = self.problem()
        if problem:
            raise SignInError(problem)
        try:
            advisor_id, data_key = self.keyfile.unlock(username, password, now)
        except Locked as exc:
            raise SignInError(wait_message(exc, now)) from None
        except WrongPassword:
            raise SignInError(self._wrong(username, hint=True)) from None
        except OSError as exc:  # the try could not be counted: so it is not made
            log.exception("could not count a sign-in attempt in %s", self.folder)
            raise SignInError(_not_counted(exc)) from None
        return self._open(advisor_id, data_key, password)

    def _wrong(self, username: str, hint: bool = False) -> str:
        return guard.wrong_message(self.keyfile.lockout, username, hint)

    def confirm_new_password(self, unlocked: Unlocked, new_password: str) -> None:
        """After ``password_changed_elsewhere``: the password set on another desk, checked
        against the synced hash; this desk's wrap moves to it."""
        store, who = unlocked.store, unlocked.signed_in
        now = utcnow()

        def check() -> str | None:
            with store.session() as s:
                advisor = s.get(Advisor, who.advisor_id)
                if accounts.password_matches(advisor.password_hash, new_password):
                    return advisor.password_hash
            return None

        try:  # guesses here wait and lock as at sign-in
            password_hash = self.keyfile.lockout.attempt(who.username, check, now)
        except Locked as exc:
            raise SignInError(wait_message(exc, now), "new_password") from None
        except WrongPassword:
            raise SignInError("That is not the new password either.", "new_password") from None
        self.keyfile.add(store.key, who.advisor_id, who.username, new_password, password_hash)
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
        who = self._with_key(store, self._verify_here(store, username, password, now),
                             password)
        self._signed_in(store, who)
        return who

    def _verify_here(self, store: Store, username: str, password: str,
                     now: datetime | None) -> SignedIn:
        """Whose username and password these are, at an open desk: by this desk's keys,
        else by the synced account (new to this desk, or a password changed elsewhere),
        whose password then opens this desk too. Wrong passwords count, as at sign-in."""
        now = now or utcnow()
        if not username.strip():
            raise SignInError("Enter your username.", "username")

        def check() -> tuple[SignedIn, str] | None:
            found = self.keyfile.try_unlock(username, password)  # then the synced account
            advisor_id = found[0] if found else None
            with store.session() as s:
                advisor = (s.get(Advisor, advisor_id) if advisor_id
                           else guard.verify_account(s, username, password))
                if advisor is None:
                    return None
                if not advisor.active or advisor.deleted_at is not None:
                    raise SignInError("This account can no longer sign in. Please ask an "
                                      "admin.", "username")
                return SignedIn.of(advisor), advisor.password_hash

        try:
            who, password_hash = self.keyfile.lockout.attempt(username, check, now)
        except Locked as exc:
            raise SignInError(wait_message(exc, now)) from None
        except WrongPassword:
            raise SignInError(self._wrong(username)) from None
        except OSError as exc:
            log.exception("could not count a password check in %s", self.folder)
            raise SignInError(_not_counted(exc)) from None
        if self.keyfile.known_hash(who.advisor_id) != password_hash:
            self.keyfile.add(store.key, who.advisor_id, who.username, password, password_hash)
            self.keyfile.save()
        return who

    def _signed_in(self, store: Store, who: SignedIn) -> None:
        store.advisor_id = who.advisor_id
        store.signer = who.signer  # what they change that needs proof is signed with it
        with store.session() as s:
            settings.put(s, "advisor_id", who.advisor_id)
            audit.record(s, "sign_in", entity="advisor", entity_id=who.advisor_id)

    def recover(self, recovery_key: str) -> Store:
        """Open the desk with the admin recovery key (all passwords forgotten): an admin
        then resets an account's password with ``reset_password``."""
        try:
            data_key = self.keyfile.unlock_with_recovery(recovery_key)
        except WrongPassword:
            raise SignInError("That recovery key does not open this desk.",
                              "recovery_key") from None
        problem = guard.data_problem(self.folder)  # never a new, empty one in its place
        if problem:
            raise SignInError(problem, "recovery_key")
        return open_store(self.folder, key=data_key)


def _not_counted(exc: OSError) -> str:
    return ("This desk could not note the try in its own folder, so it was not made "
            f"({exc.strerror or type(exc).__name__}: is the disk full?). Nothing has been "
            "changed. Free some space, or ask IT, then try again.")
