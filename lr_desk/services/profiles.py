"""Opening a profile's store ready for work (no Qt). (lr_desk.profile names it too.)"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from lr_desk import settings
from lr_desk.services import reference
from lr_desk.store.db import Store
from lr_desk.store.private import make_private, private_dir


def open_store(folder: Path, key: bytes | None = None) -> Store:
    """Open (creating or migrating) the profile's database and make sure the shipped
    reference data and example directory are in it. ``key``: the data key of an
    encrypted database (see services.signin, which is how the app opens a profile).
    The profile's folder and files are made owner-only, here as at every start."""
    private_dir(folder)
    make_private(folder)
    store = Store(folder / "lr_desk.sqlite", backup_dir=folder / "backups", key=key)
    checksum = reference.checksum()
    # Seeded without the outbox: every device seeds the same rows with the same ids.
    # Only when the shipped files changed since the last start (it costs time at start).
    with Session(store.engine) as s, s.begin():
        if settings.get(s, "reference_checksum") != checksum:
            reference.seed_reference(s)
            reference.seed_example_directory(s)
            settings.put(s, "reference_checksum", checksum)
    return store
