"""Encrypting a database from before encryption, losing nothing (used by
``services.signin`` at set-up, and when a conversion cut short is finished)."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from lr_desk.store import cipher

log = logging.getLogger(__name__)


def check_convertible(db_path: Path) -> None:
    """Raise NewerDataError if the unencrypted database was written by a newer lr_desk
    (it must be left exactly as it is)."""
    from lr_desk.store.db import NewerDataError, _known_revision

    conn = sqlite3.connect(db_path)
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


def taken(db_path: Path, username: str) -> bool:
    """Whether the unencrypted database already has an account of that name."""
    conn = sqlite3.connect(db_path)
    try:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(advisor)")}
        if "username" not in columns:
            return False
        return conn.execute("SELECT 1 FROM advisor WHERE lower(username) = ?",
                            (username,)).fetchone() is not None
    finally:
        conn.close()


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
