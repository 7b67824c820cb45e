"""The database file's encryption: SQLCipher 4 (the ``sqlcipher3`` module), keyed with a
raw 256-bit data key. The key itself lives nowhere in the clear: see ``store.keys``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

PLAIN_HEADER = b"SQLite format 3\x00"  # the first bytes of every unencrypted SQLite file


def pragma_key(key: bytes) -> str:
    """SQLCipher's form for a raw key (used as is, without a passphrase derivation)."""
    if len(key) != 32:
        raise ValueError("a data key is 32 bytes")
    return f"x'{key.hex()}'"


def connect(path: Path, key: bytes | None):
    """A DB-API connection to ``path``: plain sqlite3 without a key, SQLCipher with one."""
    if key is None:
        return sqlite3.connect(path)
    import sqlcipher3

    conn = sqlcipher3.connect(str(path))
    conn.execute(f'PRAGMA key = "{pragma_key(key)}"')
    return conn


def copy(src: Path, dst: Path, key: bytes | None) -> None:
    """Copy one database over another with SQLite's online backup (consistent even while
    the source is in use in WAL mode); both are encrypted with ``key``, if given."""
    source = connect(src, key)
    try:
        target = connect(dst, key)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def is_plain(path: Path) -> bool:
    """Whether ``path`` is an unencrypted SQLite database (from before encryption)."""
    try:
        with open(path, "rb") as f:
            return f.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except FileNotFoundError:
        return False


def encrypt_copy(plain: Path, dest: Path, key: bytes) -> None:
    """Write an encrypted copy of the unencrypted database ``plain`` to ``dest`` (which
    must not exist), with SQLCipher's ``sqlcipher_export``; then check every table holds
    the same number of rows in both."""
    import sqlcipher3

    if dest.exists():
        raise FileExistsError(dest)
    conn = sqlcipher3.connect(str(plain), isolation_level=None)
    try:
        # everything into the file itself first: its -wal can then go with it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(f"ATTACH DATABASE ? AS encrypted KEY \"{pragma_key(key)}\"", (str(dest),))
        conn.execute("SELECT sqlcipher_export('encrypted')")
        conn.execute("PRAGMA encrypted.journal_mode=WAL")
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            before = conn.execute(f'SELECT count(*) FROM main."{table}"').fetchone()[0]
            after = conn.execute(f'SELECT count(*) FROM encrypted."{table}"').fetchone()[0]
            if before != after:
                raise RuntimeError(f"the encrypted copy of {table} has {after} rows, not "
                                   f"{before}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
