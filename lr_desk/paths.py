"""Where a profile's data and logs live. Light: the entry point uses it before anything
heavy is imported."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

from lr_desk import ENV_DATA_DIR
from lr_desk.store.private import make_private, owner_only, private_dir, private_file

APP_NAME = "lr_desk"
APP_AUTHOR = "MerseyCare"


def data_dir(explicit: str | os.PathLike | None = None, demo: bool = False) -> Path:
    """``--data-dir``, else $LR_DESK_DATA_DIR, else the platform's user data folder.
    The demo profile is a separate ``demo`` folder inside it."""
    base = Path(explicit or os.environ.get(ENV_DATA_DIR) or
                platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    return base / "demo" if demo else base


def setup_logging(folder: Path) -> None:
    """Logging to the profile's logs folder. The first thing done at start, so here the
    process makes everything from now on owner-only, and the profile made before (or
    copied in) is put right: no other account on the computer may read or copy it."""
    owner_only()
    make_private(folder)
    logs = private_dir(folder / "logs")
    handler = logging.handlers.RotatingFileHandler(logs / "lr_desk.log", maxBytes=2_000_000,
                                                   backupCount=5, encoding="utf-8")
    private_file(logs / "lr_desk.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)
