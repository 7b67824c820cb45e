"""Giving back memory the desk no longer needs, and what SQLite holds (no Qt).

``release()`` is called once the desk's modules are loaded (the profile opened) and again
once the sheets are warmed. It lets go of Python's cache of source lines: PySide6 reads
the source of every module imported after it (to see whether the module uses PySide6's
optional "features"), and Python's ``linecache`` keeps every line so read, for good:
some 300,000 lines, 25 MB, by the time the desk is open. Nothing needs them (a traceback
reads the few lines it shows again from the file). Then it hands the C allocator's free
memory back to the system (glibc's ``malloc_trim``; nothing elsewhere).

``sqlite_heap_bytes()``: what SQLite (every connection's cache together) holds now,
bounded by ``lr_desk.store.db.SQLITE_HEAP_LIMIT``; None where it cannot be read.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import linecache
import sys


def release() -> None:
    """Drop the cached source lines, and give free memory back to the system."""
    linecache.clearcache()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # glibc only (musl has none)
    except (OSError, AttributeError):
        return None


def sqlite_heap_bytes() -> int | None:
    """Bytes SQLite has allocated in this process (all connections, caches included),
    from the SQLCipher module's own library; None where it does not say."""
    used = _sqlite_memory_used()
    return None if used is None else int(used())


@functools.cache
def _sqlite_memory_used():
    try:
        from sqlcipher3 import _sqlite3  # (the library SQLAlchemy's pysqlcipher uses)

        library = ctypes.CDLL(_sqlite3.__file__)
        used = library.sqlite3_memory_used
    except (ImportError, OSError, AttributeError):
        return None
    used.restype = ctypes.c_int64
    used.argtypes = []
    return used
