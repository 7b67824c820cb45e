"""Where the shipped resources (reference data, fonts, icons, schemas) live: inside the
package, in lr_desk/data, so a wheel or a desktop bundle carries them (found beside this
module, wherever the package is installed)."""

from __future__ import annotations

import json
from pathlib import Path

# (a real folder: the wheel and the bundle install the package as files, and fonts and
# icons are handed to reportlab and Qt by path. Found from this file rather than through
# importlib.resources, whose import alone took longer than the sign-in box has to spare:
# the same folder either way, the package being files)
RESOURCES = Path(__file__).parent / "data"


def load_json(name: str) -> dict:
    """A fresh copy of a shipped JSON file (callers may change what they get)."""
    with open(RESOURCES / name, encoding="utf-8") as fh:
        return json.load(fh)
