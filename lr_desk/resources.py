"""Where the shipped resources (reference data, fonts, icons) live."""

from __future__ import annotations

import json
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def load_json(name: str) -> dict:
    """A fresh copy of a shipped JSON file (callers may change what they get)."""
    with open(RESOURCES / name, encoding="utf-8") as fh:
        return json.load(fh)
