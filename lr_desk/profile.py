"""Where a profile's data lives, and opening it ready for work (no Qt)."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs
from sqlalchemy.orm import Session

from lr_desk import ENV_DATA_DIR, settings
from lr_desk.services import reference
from lr_desk.store.db import Store

APP_NAME = "lr_desk"
APP_AUTHOR = "MerseyCare"


def data_dir(explicit: str | os.PathLike | None = None, demo: bool = False) -> Path:
    """``--data-dir``, else $LR_DESK_DATA_DIR, else the platform's user data folder.
    The demo profile is a separate ``demo`` folder inside it."""
    base = Path(explicit or os.environ.get(ENV_DATA_DIR) or
                platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    return base / "demo" if demo else base


def setup_logging(folder: Path) -> None:
    logs = folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(logs / "lr_desk.log", maxBytes=2_000_000,
                                                   backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)


def open_store(folder: Path) -> Store:
    """Open (creating or migrating) the profile's database and make sure the shipped
    reference data and example directory are in it."""
    folder.mkdir(parents=True, exist_ok=True)
    store = Store(folder / "lr_desk.sqlite", backup_dir=folder / "backups")
    checksum = reference.checksum()
    # Seeded without the outbox: every device seeds the same rows with the same ids.
    # Only when the shipped files changed since the last start (it costs time at start).
    with Session(store.engine) as s, s.begin():
        if settings.get(s, "reference_checksum") != checksum:
            reference.seed_reference(s)
            reference.seed_example_directory(s)
            settings.put(s, "reference_checksum", checksum)
    return store
