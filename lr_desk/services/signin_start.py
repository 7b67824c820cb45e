"""What the sign-in box needs before the database layer is loaded: the error it shows,
and a quick look at the profile folder to know it is a desk to sign in to.

Nothing here imports SQLAlchemy, the models or the key derivation, so the desk can
show its sign-in box in the time Qt takes to show a window, while ``services.signin``
(the ``Gate`` that really checks a password) loads on a thread behind it.
"""

from __future__ import annotations

import json
from pathlib import Path

KEYS_FILE = "keys.json"  # store.keys.FILE (not imported: it loads the cryptography)


class SignInError(Exception):
    """Why signing in did not work, in plain words for the sign-in box."""

    def __init__(self, message: str, field: str = "password"):
        super().__init__(message)
        self.field = field


def looks_locked(folder: Path) -> bool:
    """True when ``folder`` holds a desk that is set up (its keys file lists accounts,
    and no demo is being set up): staff sign in to it. Only a guess, for showing the box
    at once: it reads the file without checking it, never writes, never logs, and
    anything unusual (no file, damage, a set-up under way) is False. ``Gate.state()``
    decides."""
    try:
        data = json.loads((Path(folder) / KEYS_FILE).read_bytes())
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), dict):
        return False
    setup = data.get("setup")
    return not (isinstance(setup, dict) and setup.get("demo"))
