"""What stands between a password and a desk's data, in plain words: the lockout's
messages, a password checked against a synced account under the lockout, and what is
wrong with a profile's files (a keys file missing or damaged, a data file missing,
empty or unreadable) with what to do about it.

No Qt. ``services.signin`` and the erasure approval use it; so may the command line.
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session

from lr_desk.services import accounts
from lr_desk.store.keys import FILE as KEYS_FILE
from lr_desk.store.keys import KeyFile
from lr_desk.store.lockout import LOCK_AFTER, LOCK_MINUTES, Locked, Lockout
from lr_desk.store.models import Advisor

DB_NAME = "lr_desk.sqlite"
BACKUPS = "backups"

WRONG = "That username or password is not right."
NEW_HERE = ("New to this desk? Ask someone who has used it to sign in and choose Switch "
            "user.")


def wait_message(exc: Locked, now: datetime) -> str:
    seconds = max(1, int((exc.until - now).total_seconds() + 0.999))
    if exc.locked:
        minutes = max(1, (seconds + 59) // 60)
        return (f"Too many wrong passwords: this account is locked on this desk for "
                f"{minutes} more minute{'s' if minutes != 1 else ''}.")
    return f"Wrong password. Please wait {seconds} seconds before trying again."


def wrong_message(lockout: Lockout, username: str, hint: bool = False) -> str:
    """The same words for a wrong password and for a username not known here (names
    cannot be found out by trying them), with how many tries are left."""
    left = LOCK_AFTER - lockout.failures(username)
    if left <= 0:
        return (f"{WRONG[:-1]}, and that was too many tries: the account is locked on "
                f"this desk for {LOCK_MINUTES} minutes.")
    if left <= 3:
        return (f"{WRONG} {left} more wrong tr{'ies' if left != 1 else 'y'} and the "
                "account is locked on this desk for a while.")
    return f"{WRONG} {NEW_HERE}" if hint else WRONG


@cache
def _dummy_hash() -> str:
    return accounts.hash_password("no account has this password")


def verify_account(session: Session, username: str, password: str) -> Advisor | None:
    """``accounts.verify``, taking as long for a username no account has (the synced
    hashes are argon2id: checking one against a hash of nothing costs the same)."""
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:  # half a character: no account's, after the same work
        accounts.password_matches(_dummy_hash(), "no account has this password")
        return None
    if not accounts.find(session, username):
        accounts.password_matches(_dummy_hash(), password)
        return None
    return accounts.verify(session, username, password)


def lockout_of(session: Session) -> Lockout:
    """The lockout of the profile whose database ``session`` is on."""
    database = session.get_bind().url.database
    return KeyFile(Path(database).parent).lockout


# --- a profile's files ----------------------------------------------------------------


def keys_problem(folder: Path, keyfile: KeyFile) -> str | None:
    """Why nobody can sign in here because of the keys file, or None."""
    path = Path(folder) / KEYS_FILE
    if keyfile.exists:
        if not keyfile.data["accounts"] and not keyfile.pending():
            return ("No account can open this desk: its set-up was never finished. If this "
                    f"is the demo desk, delete the folder {folder} and start the demo again "
                    "(its people are made up). Otherwise an admin can open it with the "
                    "recovery key and set a password.")
        return None
    if keyfile.damaged:
        return (f"The file that holds this desk's keys ({path}) is damaged, and so is its "
                "spare copy. Nothing has been changed. The data cannot be opened without "
                "it: put keys.json back from a backup of this computer, or ask IT.")
    db = Path(folder) / DB_NAME
    if db.exists() and db.stat().st_size > 0:
        from lr_desk.store import cipher

        if not cipher.is_plain(db):
            return (f"This desk's data is encrypted, and the file that holds its keys "
                    f"({path}) is missing. Nothing has been changed. The data cannot be "
                    "opened without it: put keys.json back from a backup of this "
                    "computer, or ask IT.")
    return None


def data_problem(folder: Path) -> str | None:
    """Why the data file cannot be signed into (missing, empty, holding no desk), with
    what to do; None if it looks like a desk's. Nothing is created or changed."""
    db = Path(folder) / DB_NAME
    try:
        size = db.stat().st_size
    except FileNotFoundError:
        return restore_message(folder, "is missing")
    except OSError:
        return restore_message(folder, "cannot be read")
    if size == 0:
        return restore_message(folder, "is empty")
    from lr_desk.store import cipher

    if cipher.is_plain(db) and not _has_schema(db):
        return restore_message(folder, "holds none of this desk's data")
    return None


def restore_message(folder: Path, what: str) -> str:
    db = Path(folder) / DB_NAME
    copies = []
    with contextlib.suppress(OSError):
        copies = sorted((Path(folder) / BACKUPS).glob(f"{db.stem}-*.sqlite"),
                        key=lambda p: p.stat().st_mtime)
    todo = (f"the newest copy the desk kept is {copies[-1]}: close lr_desk and copy it "
            f"to {db}" if copies else
            "put it back from a backup of this computer, or ask IT")
    return (f"This desk's data file ({db}) {what}. Nothing has been changed and no "
            f"password was lost. To open the desk again, {todo}; then sign in.")


def unreadable(exc: BaseException) -> bool:
    """Whether an error opening the database means its file is not a database this key
    opens (damaged, or another desk's), rather than a passing fault."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "not a database" in text or "malformed" in text


def _has_schema(db: Path) -> bool:
    conn = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'"
                            ).fetchone() is not None
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()
