"""The sheet's fixed words: clock times in plain English, and where to get urgent help
(read from ``lr_desk/data/urgent_help.json``, so the service can correct it without a code
change)."""

from __future__ import annotations

import json
import logging

from lr_desk.resources import RESOURCES

log = logging.getLogger(__name__)

URGENT_HELP = RESOURCES / "urgent_help.json"


def clock_time(hhmm: str) -> str:
    """'09:30' -> '9:30am', '14:00' -> '2pm'; anything else as it is."""
    try:
        hours, minutes = (int(p) for p in hhmm.split(":"))
    except ValueError:
        return hhmm
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        return hhmm
    suffix = "am" if hours < 12 else "pm"
    twelve = hours % 12 or 12
    return f"{twelve}{suffix}" if minutes == 0 else f"{twelve}:{minutes:02d}{suffix}"


# Used only when lr_desk/data/urgent_help.json cannot be read: a sheet always says where to
# get urgent help, even after a bad edit of that file.
DEFAULT_URGENT_HELP = {
    "title": "If you need help urgently",
    "lines": [
        {"lead": "NHS 111", "text": "Call 111 and choose the mental health option."},
        {"lead": "Samaritans 116 123", "text": "Free to call, day or night."},
        {"lead": "999 or A&E", "text": "If a life is at risk, call 999 or go to A&E."},
    ],
}
_urgent_cache: tuple[tuple[str, int], dict] | None = None


def urgent_help() -> dict:
    """The 'If you need help urgently' words from ``lr_desk/data/urgent_help.json``, read
    again whenever the file changes; the shipped words if it is missing or broken."""
    global _urgent_cache
    try:
        stamp = (str(URGENT_HELP), URGENT_HELP.stat().st_mtime_ns)
    except OSError:
        stamp = (str(URGENT_HELP), -1)
    cached = _urgent_cache
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(URGENT_HELP, encoding="utf-8") as fh:
            words = json.load(fh)
        if not (isinstance(words.get("title"), str) and isinstance(words.get("lines"), list)
                and all(isinstance(line, dict) and isinstance(line.get("text"), str)
                        and isinstance(line.get("lead", ""), str) for line in words["lines"])
                and words["lines"]):
            raise ValueError("expected a title and a list of lines, each with a text")
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("Cannot use %s (%s); the sheet shows the shipped urgent-help words",
                    URGENT_HELP, exc)
        words = DEFAULT_URGENT_HELP
    _urgent_cache = (stamp, words)
    return words
