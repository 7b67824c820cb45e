"""Where the shipped resources (reference data, fonts, icons, schemas) live: inside the
package, in lr_desk/data, so a wheel or a desktop bundle carries them (found through
importlib.resources, wherever the package is installed)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

# (a real folder: the wheel and the bundle install the package as files, and fonts and
# icons are handed to reportlab and Qt by path)
RESOURCES = Path(str(files("lr_desk").joinpath("data")))


def load_json(name: str) -> dict:
    """A fresh copy of a shipped JSON file (callers may change what they get)."""
    with open(RESOURCES / name, encoding="utf-8") as fh:
        return json.load(fh)
