"""Where the shipped resources (reference data, fonts, icons) live."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


@cache
def load_json(name: str) -> dict:
    with open(RESOURCES / name, encoding="utf-8") as fh:
        return json.load(fh)
