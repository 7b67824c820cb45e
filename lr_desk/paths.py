"""Where a profile's data and logs live. Light: the entry point uses it before anything
heavy is imported."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

from lr_desk import ENV_DATA_DIR

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
