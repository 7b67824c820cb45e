"""Small JSON files of a profile that must survive crashes, concurrent writers and disk
damage: keys.json (without it the data cannot be opened) and lockout.json.

- Writers take one exclusive lock per profile folder (``exclusive``: a lock file, held
  with ``flock``, or ``msvcrt.locking`` on Windows; re-entrant within a thread, and
  threads of one process queue on a lock of their own first). A change is read,
  made and written under it, so two desks' processes or threads never lose each
  other's changes.
- A file is written through a temporary file of its own (``tempfile``: unique, 0600),
  flushed to disk and renamed over; the content it replaces is kept as ``<name>.bak``
  first. At every moment one of the two is whole.
- Each file carries a checksum of its content: damage (a changed character, a truncated
  write, a wrong shape) is found on reading, and the last good copy is used instead.
  Damage is never taken for something else (a wrong password, say).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lr_desk.store.private import FILE_MODE

log = logging.getLogger(__name__)

LOCK_FILE = "keys.lock"
CHECK = "check"  # the key of the checksum in each file


class Bad(ValueError):
    """A file's content is not what it should be (the reason, in words, for the log)."""


@dataclass
class Loaded:
    """What reading a file (or its last good copy) found."""

    data: dict | None = None  # None: neither could be read
    from_backup: bool = False  # the file itself is missing or damaged: its copy was used
    legacy: bool = False  # written before files carried a checksum
    damaged: list[Path] = field(default_factory=list)  # present, but unreadable

    @property
    def present(self) -> bool:
        return self.data is not None or bool(self.damaged)


# --- the lock ----------------------------------------------------------------------

_guard = threading.Lock()
_thread_locks: dict[str, threading.RLock] = {}
_depth: dict[str, int] = {}  # each key only touched by the thread holding its RLock


@contextlib.contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Hold the profile's lock (the folder must exist). Re-entrant in one thread."""
    key = os.path.abspath(folder)
    with _guard:
        rlock = _thread_locks.setdefault(key, threading.RLock())
    with rlock:
        if _depth.get(key):
            _depth[key] += 1
            try:
                yield
            finally:
                _depth[key] -= 1
            return
        fd = os.open(os.path.join(key, LOCK_FILE), os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            _lock(fd)
            _depth[key] = 1
            try:
                yield
            finally:
                _depth[key] = 0
                _unlock(fd)
        finally:
            os.close(fd)


if os.name == "nt":  # pragma: no cover (the desks run Windows too; CI runs Linux)
    import msvcrt

    def _lock(fd: int) -> None:
        while True:  # LK_LOCK itself gives up after 10 s
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:
                continue

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


# --- reading -------------------------------------------------------------------------


def digest(data: dict) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def backup_of(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def parse(raw: bytes, check: Callable[[dict, bool], None]) -> tuple[dict, bool]:
    """(the content, whether it is from before checksums), or Bad. ``check(data,
    legacy)`` raises Bad for a wrong shape."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise Bad(f"not JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise Bad(f"a JSON {type(data).__name__}, not an object")
    stored = data.pop(CHECK, None)
    legacy = stored is None
    if not legacy and stored != digest(data):
        raise Bad("its checksum does not match its content")
    check(data, legacy)
    return data, legacy


def load(path: Path, check: Callable[[dict, bool], None]) -> Loaded:
    """The file, else its last good copy; what was found either way."""
    found = Loaded()
    for candidate in (path, backup_of(path)):
        try:
            raw = candidate.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError:  # unreadable (permissions, a disk error): as damaged
            log.exception("cannot read %s", candidate)
            found.damaged.append(candidate)
            continue
        try:
            found.data, found.legacy = parse(raw, check)
        except Bad as exc:
            log.error("%s is damaged (%s); trying its last good copy", candidate, exc)
            found.damaged.append(candidate)
            continue
        found.from_backup = candidate != path
        break
    return found


# --- writing -------------------------------------------------------------------------


def write(path: Path, data: dict, previous: dict | None, damaged: bool = False) -> None:
    """Under ``exclusive``: ``previous`` (the good content now in place, if any) becomes
    the last good copy, then ``data`` the file. A damaged file is moved aside to
    ``<name>.damaged`` (for whoever wants to look at it), never just overwritten."""
    if damaged and path.exists():
        os.replace(path, path.with_name(path.name + ".damaged"))
    if previous is not None and previous != data:
        _replace(backup_of(path), previous)
    _replace(path, data)
    _sync_folder(path.parent)


def _replace(path: Path, data: dict) -> None:
    content = dict(data)
    content[CHECK] = digest(data)
    text = json.dumps(content, indent=1, sort_keys=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        _rename(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _rename(tmp: str, path: Path) -> None:
    """os.replace; on Windows a reader holding the file open for a moment makes it fail
    (PermissionError): tried again for a while first."""
    for _ in range(100 if os.name == "nt" else 0):
        try:
            os.replace(tmp, path)
            return
        except PermissionError:
            time.sleep(0.02)
    os.replace(tmp, path)


def _sync_folder(folder: Path) -> None:
    """The renames themselves on disk (POSIX: an fsync of the folder)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
