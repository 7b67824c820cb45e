"""A profile is readable by its owner only: the folder 0700, every file in it 0600.

The database and its backups are encrypted, but keys.json, the lockout counts and copies
of the files are what someone would take away to guess passwords offline: no other
local account may read them. Modes are set as files are made (``owner_only`` for what
this process makes from then on, explicit modes where we make a file ourselves) and
corrected at start (``make_private``) for a profile made before, or copied in with
looser modes. Windows keeps files private through the user's profile ACLs: there, this
does nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
POSIX = os.name == "posix"


def owner_only() -> None:
    """From now on, whatever this process creates (logs as they roll over, backups,
    SQLite's -wal and -shm, an embedded central store) is for its owner only."""
    if POSIX:
        os.umask(0o077)


def private_dir(path: Path) -> Path:
    """Make ``path`` (and missing parents) a folder only its owner may enter."""
    path = Path(path)
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _tighten(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> None:
    """Make an existing file readable by its owner only (nothing if it is gone)."""
    _tighten(Path(path), FILE_MODE)


def create_private(path: Path) -> None:
    """Create ``path`` empty, owner-only, if it is not there yet."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))


def make_private(folder: Path) -> None:
    """The profile folder 0700 and everything in it (files 0600, folders 0700), for a
    profile made before this was done, or with files copied in since. Problems (a file
    owned by someone else) are logged, never raised: the desk still opens."""
    if not POSIX:
        return
    folder = Path(folder)
    if not folder.is_dir():
        return
    _tighten(folder, FOLDER_MODE)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            _tighten(Path(root) / name, FOLDER_MODE)
        for name in files:
            _tighten(Path(root) / name, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    if not POSIX:
        return
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):  # not ours to change what a link points at
            return
        if stat.S_IMODE(st.st_mode) & 0o077:
            os.chmod(path, stat.S_IMODE(st.st_mode) & ~0o077 | (mode & 0o700))
    except FileNotFoundError:
        pass
    except OSError:
        log.warning("could not make %s private to its owner", path, exc_info=True)


def private_sqlite(path: str | os.PathLike | None) -> None:
    """A SQLite database file (a shared central store's, say) and its -wal and -shm made
    owner-only, if they are files (not ``:memory:``)."""
    if not path or str(path) == ":memory:" or str(path).startswith("file:"):
        return
    for suffix in ("", "-wal", "-shm"):
        private_file(Path(f"{path}{suffix}"))
