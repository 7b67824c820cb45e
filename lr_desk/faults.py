"""Faults the environment causes, told in plain words with what to do: one place for the
command line, the desk and the services.

A disk that is full, a folder that may not be written, a data file that is damaged or
held by another program, a central store that cannot be reached: none of these is a bug,
and none should reach anyone as a traceback or an exception's name. ``classify`` looks
through an exception and what caused it (``__cause__``/``__context__``) for such a
fault; anything it does not recognise is a bug (None), which the caller logs with its
traceback and reports as one. After qutebrowser's split of SQL errors into the ones the
environment causes and the rest (``qutebrowser/misc/sql.py``).

No Qt here, and nothing heavy at import: the entry point uses it before the window.
"""

from __future__ import annotations

import errno
import os
from typing import NamedTuple

from lr_desk.paths import profile_log

DISK_FULL = "disk full"
NO_PERMISSION = "no permission"
READ_ONLY = "read-only"
NOT_A_FOLDER = "not a folder"
IS_A_FOLDER = "is a folder"
NAME = "bad name"
DAMAGED = "damaged"
LOCKED = "locked"
DISK_ERROR = "disk error"
CANNOT_OPEN = "cannot open"
OFFLINE = "offline"

KEPT = "Nothing already saved has been lost."


class Fault(NamedTuple):
    """What went wrong (one of the kinds above), and what to tell the user. (A named
    tuple, not a dataclass: dataclasses is not loaded before the sign-in box.)"""

    kind: str
    message: str

    @property
    def offline(self) -> bool:
        return self.kind == OFFLINE


def short(path, at_most: int = 80) -> str:
    """A path or name fit to quote in a message: a hostile one may be a megabyte long, or
    hold characters no terminal can show."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    text = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    if len(text) > at_most:
        half = (at_most - 1) // 2
        text = f"{text[:half]}…{text[-half:]}"
    return text


def _sentence(text: str) -> str:
    """``text`` to start a sentence (lr_desk's name is always written small)."""
    return text if text.startswith("lr_desk") else text[:1].upper() + text[1:]


def _chain(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _where(e: OSError, place: str | None) -> str:
    if e.filename is not None:
        return short(e.filename)
    return place or "the data folder"


def _os_fault(e: OSError, place: str | None) -> Fault | None:
    where = _where(e, place)
    code = e.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        # lr_desk's own check of the room a task takes says how much (the system's not)
        how_much = f" {e.strerror}" if e.strerror and e.strerror != os.strerror(code) else ""
        return Fault(DISK_FULL, f"The disk is full, so lr_desk could not finish.{how_much} "
                                "Free some space on this computer (or ask IT), then try "
                                f"again. {KEPT}")
    if code == errno.EROFS:
        return Fault(READ_ONLY, f"lr_desk cannot write to {where}: it is on a disk that is "
                                "read-only. Use a folder that can be written to, or ask IT.")
    if code in (errno.EACCES, errno.EPERM):
        return Fault(NO_PERMISSION, f"This computer's account may not write to {where}: "
                                    "ask IT to let it read and write there, or use "
                                    "another folder.")
    if code == errno.ENOTDIR or (code == errno.EEXIST and e.filename is not None and
                                 os.path.isfile(e.filename)):
        # (EEXIST: Path.mkdir(exist_ok=True) where a file has the folder's name)
        return Fault(NOT_A_FOLDER, f"lr_desk needs a folder at {where} (or at a folder "
                                   "above it), but a file is there: choose a folder, or "
                                   "move the file away.")
    if code == errno.EISDIR:
        return Fault(IS_A_FOLDER, f"lr_desk needs a file at {where}, but a folder is "
                                  "there: check the name.")
    if code == errno.ENAMETOOLONG:
        return Fault(NAME, "That folder or file name is too long for this computer: "
                           "choose a shorter one.")
    if code == errno.EIO:
        return Fault(DISK_ERROR, f"This computer could not read or write {where} (a fault "
                                 "of the disk or network drive): try again, and if it "
                                 "keeps happening ask IT to check the disk.")
    if code in (errno.EMFILE, errno.ENFILE):
        return Fault(DISK_ERROR, "This computer has too many files open just now: close "
                                 "some programs, then try again.")
    return None


# SQLite's own words (the stdlib module's, sqlcipher3's and SQLAlchemy's wrappers of them).
_SQLITE = (
    (("database or disk is full",), DISK_FULL),
    (("attempt to write a readonly database", "readonly database"), READ_ONLY),
    (("file is not a database", "file is encrypted or is not a database",
      "database disk image is malformed", "malformed database schema"), DAMAGED),
    (("database is locked", "database table is locked", "database schema is locked"),
     LOCKED),
    (("disk i/o error",), DISK_ERROR),
    (("unable to open database file",), CANNOT_OPEN),
)


def _sqlite_text(e: BaseException) -> str | None:
    """The message of a SQLite error (wrapped by SQLAlchemy or not), lower case; None if
    ``e`` is not one."""
    orig = getattr(e, "orig", None)
    if orig is not None and type(orig).__module__.split(".")[0] in ("sqlite3", "sqlcipher3"):
        e = orig
    if type(e).__module__.split(".")[0] not in ("sqlite3", "sqlcipher3"):
        return None
    return str(e).lower()


def _sqlite_fault(text: str, place: str | None) -> Fault | None:
    data = place or "lr_desk's data file"
    kind = next((k for words, k in _SQLITE if any(w in text for w in words)), None)
    if kind == DISK_FULL:
        return Fault(DISK_FULL, "The disk is full, so lr_desk could not save. Free some "
                                f"space on this computer (or ask IT), then try again. {KEPT}")
    if kind == READ_ONLY:
        return Fault(READ_ONLY, f"{_sentence(data)} cannot be written to (it or its "
                                "folder is read-only): ask IT to let this account write "
                                "there.")
    if kind == DAMAGED:
        return Fault(DAMAGED, f"{_sentence(data)} is damaged, or is not an lr_desk "
                              "data file. Nothing more has been changed in it. Put back "
                              "the newest copy from the backups folder beside it (or ask "
                              "IT to restore it), then start again.")
    if kind == LOCKED:
        return Fault(LOCKED, "The data is in use by another program (perhaps another "
                             "lr_desk on this computer, or a backup running) and stayed "
                             "busy: try again in a moment, and close the other lr_desk if "
                             f"it keeps happening. {KEPT}")
    if kind == DISK_ERROR:
        return Fault(DISK_ERROR, f"This computer could not read or write {data}: the disk "
                                 "may be full, or the disk or network drive at fault. Free "
                                 "some space and try again; if it keeps happening ask IT to "
                                 f"check the disk. {KEPT}")
    if kind == CANNOT_OPEN:
        return Fault(CANNOT_OPEN, f"lr_desk could not open {data}: check that its folder "
                                  "is there and that this account may write to it.")
    return None


def classify(exc: BaseException, place: str | None = None, url=None,
             folder: str | os.PathLike | None = None) -> Fault | None:
    """The environment fault behind ``exc``, or None for a bug. ``place``: what was being
    used, in words for a message ("the central store file /x/central.sqlite"), where the
    error itself does not say; ``url``: the central store's, to name it when offline;
    ``folder``: where the data is, to tell a full disk behind SQLite's "disk I/O error"
    (what it says when its journal cannot grow)."""
    for e in _chain(exc):
        if isinstance(e, OSError) and not _is_network(e):
            found = _os_fault(e, place)
        else:
            text = _sqlite_text(e)
            found = _sqlite_fault(text, place) if text is not None else None
        if found is not None and found.kind == DISK_ERROR and _full(folder):
            found = _os_fault(OSError(errno.ENOSPC, "full"), place)
        if found is not None:
            return found
    return _offline(exc, url)


def _full(folder) -> bool:
    """Whether the disk holding ``folder`` has (next to) no room left."""
    if folder is None:
        return False
    import shutil

    try:
        return shutil.disk_usage(folder).free < 64 * 1024
    except OSError:
        return False


def _is_network(e: OSError) -> bool:
    import socket

    return isinstance(e, (ConnectionError, TimeoutError, socket.gaierror, socket.herror))


def _offline(exc: BaseException, url) -> Fault | None:
    """The central store out of reach: sync.connect knows the words (imported only here:
    it brings SQLAlchemy, which the entry point must not load before the window)."""
    from lr_desk.sync.connect import explain, is_offline

    if is_offline(exc):
        return Fault(OFFLINE, explain(exc, url))
    return None


def plain(exc: BaseException, place: str | None = None,
          folder: str | os.PathLike | None = None) -> str | None:
    """``classify``'s message, or None for a bug."""
    fault = classify(exc, place, folder=folder)
    return fault.message if fault is not None else None


# --- a profile that would not open -------------------------------------------------------

def opening_problem(exc: BaseException) -> str:
    """Why the profile's data could not be opened, in plain words: the environment's
    fault, an upgrade of the file that failed (its backup restored), or a bug."""
    from lr_desk.store.db import MigrationError

    said = plain(exc)
    if said is None and isinstance(exc, OSError) and exc.strerror:
        said = f"The computer refused: {exc.strerror}. Please try again."
    if said is None and isinstance(exc, MigrationError):
        said = str(exc)  # says what happened to the file and what to do
    return said or (f"A problem lr_desk did not expect ({type(exc).__name__}). The details "
                    "are in the log; please tell the lr_desk team.")


# --- a sync that did not finish -------------------------------------------------------

SETTINGS_HINT = "Check the sync settings (Desk menu, Sync settings…)."


def sync_problem(exc: BaseException) -> str | None:
    """A sync failure the environment caused (not being offline: the desk says Offline),
    in plain words with what to do; None for a bug. (Imports the sync layer here only:
    the entry point must not load SQLAlchemy before the window.)"""
    from sqlalchemy.exc import DBAPIError

    from lr_desk.sync import connect
    from lr_desk.sync.engine import NewerVersion, SyncError

    if isinstance(exc, NewerVersion):
        return str(exc)  # says what to do: update lr_desk
    if isinstance(exc, SyncError):
        return f"{exc} {SETTINGS_HINT}"  # a refused password, a wrong address…
    if isinstance(exc, DBAPIError) and type(exc.orig).__module__.startswith("psycopg"):
        return f"{connect.explain(exc)} {SETTINGS_HINT}"  # the central store's server
    if connect.is_offline(exc):
        return connect.explain(exc)
    said = plain(exc)  # this computer's own database or disk
    if said is None and isinstance(exc, OSError) and exc.strerror:
        said = f"The computer refused: {exc.strerror}. Please try again."
    return f"Sync could not finish: {said}" if said else None


def sync_message(exc: BaseException) -> str:
    """``sync_problem``'s words, or for a bug what to do about it."""
    return sync_problem(exc) or (
        f"Sync failed ({type(exc).__name__}) and has been logged. Press Sync now (F5) to "
        "try again; if it keeps failing, please tell the lr_desk team.")


# --- names typed on the command line ----------------------------------------------------

LONGEST_NAME = 4096  # the longest path most systems take


def name_problem(text: str, what: str) -> str | None:
    """What makes ``text`` unusable as a file or folder name (or an address, or a login),
    in plain words naming ``what`` ("--data-dir"), or None if it will do. A name that
    came from the system (a lone surrogate standing for a byte that is not UTF-8) will
    do; one that cannot be given back to it, or holds a NUL, will not."""
    if "\x00" in text:
        return f"The {what} has a NUL character in it (nothing can be named that): check it."
    if len(text) > LONGEST_NAME:
        return f"The {what} is too long ({len(text):,} characters): check it."
    try:
        os.fsencode(text)
    except UnicodeError:
        return (f"The {what} has characters in it that this computer cannot use (broken "
                "text, perhaps from a copy and paste): type it again.")
    return None


# --- bugs -----------------------------------------------------------------------------

def report_bug(exc: BaseException, what: str) -> str:
    """Keep the details of a bug (``exc``, met while doing ``what``) where someone can
    send them to the team: the profile's log if there is one, else a file of its own in
    the temporary folder. Returns the words to show instead of a traceback."""
    import logging
    import tempfile
    import traceback

    logged = profile_log()  # (paths.setup_logging's handler, not another's file)
    where = None
    if logged is not None:
        logging.getLogger("lr_desk").error("%s failed", what, exc_info=exc)
        where = logged.baseFilename
    else:
        try:
            fd, where = tempfile.mkstemp(prefix="lr-desk-problem-", suffix=".log", text=True)
            with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
                f.write(f"{what} failed\n")
                f.writelines(traceback.format_exception(exc))
        except OSError:
            where = None
    kept = f"The details are in {short(where, 200)}" if where else "No details could be kept"
    return (f"lr_desk stopped on a problem it did not expect while doing {what} "
            f"({type(exc).__name__}). {kept}: please send them to the lr_desk team.")


def cipher_log_to(folder) -> None:
    """SQLCipher's own words about a page it cannot decrypt (a damaged file) go to the
    profile's log folder, not to the terminal beside the plain message. Best effort: the
    setting is the library's, for the whole process."""
    try:
        import sqlcipher3

        where = str(os.path.join(folder, "logs", "sqlcipher.log")).replace("'", "''")
        conn = sqlcipher3.connect(":memory:")
        try:
            conn.execute(f"PRAGMA cipher_log = '{where}'").fetchall()
        finally:
            conn.close()
    except Exception:  # no SQLCipher, or a name it cannot take: its words stay on stderr
        return
