"""The sheet's fixed words: its headings and labels, clock times in plain English, and
where to get urgent help (read from ``lr_desk/data/urgent_help.json``, so the service can
correct it without a code change).

Every fixed word is written here once, in English: it is the msgid of the sheet's
translations (``lr_desk/locale/<code>/LC_MESSAGES/sheet.po``, read by ``catalogues``), and
``template_words()`` lists them all for ``lr_desk/locale/sheet.pot``
(``scripts/sheet_catalogues.py`` writes it and brings every catalogue up to date).
"""

from __future__ import annotations

import functools
import json
import logging
from datetime import date, time

from babel.core import UnknownLocaleError
from babel.dates import format_date, format_time

from lr_desk.resources import RESOURCES
from lr_desk.services.sheet import SHEET_KINDS, SHEET_WAYS

log = logging.getLogger(__name__)

URGENT_HELP = RESOURCES / "urgent_help.json"

INTRO = ("This is the plan we made together. Keep it somewhere handy, and get in touch with "
         "the people on it whenever you are ready.")
URGENT_TITLE = "If you need help urgently"
WHAT_MATTERS = "What matters to me"
YOUR_PLAN = "Your plan"
NOTHING_YET = "Nothing written down yet."
CATCH_UP = "Your next catch-up with us"
NOT_BOOKED = "Nothing is booked yet. You are always welcome to drop in."
NOT_BOOKED_CALL = ("Nothing is booked yet. You are always welcome to drop in, or call us on "
                   "{phone}.")
UNCHECKED = "This translation has not yet been checked by a fluent speaker."
CONTINUED = "(continued)"  # after an item's title, when it goes on over a page
# The labels in front of the plan's details, and the header's.
LABELS = ("What it is:", "With:", "Where:", "When:", "Phone:", "Why this matters to me:",
          "My first step:", "By when:", "How:")
HEADER_LABELS = ("Made with", "For", "Phone", "Open")
FIXED = (INTRO, WHAT_MATTERS, YOUR_PLAN, NOTHING_YET, CATCH_UP, NOT_BOOKED,
         NOT_BOOKED_CALL, URGENT_TITLE, *LABELS, *HEADER_LABELS, UNCHECKED, CONTINUED)


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


@functools.lru_cache(maxsize=1024)
def local_date(day: date, code: str, hhmm: str = "") -> str:
    """``day`` (and the clock time ``hhmm``, '09:30') in the language ``code`` ("ar"),
    its weekday and month named as that language names them (Babel's CLDR data):
    'الأربعاء، 11 يونيو 2025'; "" when Babel does not know the language."""
    try:
        said = format_date(day, "full", locale=code)
    except (ValueError, UnknownLocaleError):
        return ""
    try:
        hours, minutes = (int(p) for p in hhmm.split(":"))
        return f"{said} {format_time(time(hours, minutes), 'short', locale=code)}"
    except ValueError:  # no time, or not a clock time
        return said


# Used only when lr_desk/data/urgent_help.json cannot be read: a sheet always says where to
# get urgent help, even after a bad edit of that file.
DEFAULT_URGENT_HELP = {
    "title": URGENT_TITLE,
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


def template_words() -> list[str]:
    """Every English phrase the sheet can print in the visitor's language too, in the
    order the catalogues list them: the fixed words, the kinds of item and the ways of a
    catch-up (``services.sheet``'s words for the visitor), and the shipped urgent help
    (its title, each line's lead and words)."""
    from_json = [DEFAULT_URGENT_HELP["title"]]
    try:
        with open(URGENT_HELP, encoding="utf-8") as fh:
            shipped = json.load(fh)
        lines = shipped["lines"]
        from_json = [shipped["title"]]
    except (OSError, ValueError, KeyError, TypeError):
        lines = DEFAULT_URGENT_HELP["lines"]
    for line in lines:
        from_json += [line.get("lead", ""), line.get("text", "")]
    out: list[str] = []
    for word in (*FIXED, *SHEET_KINDS.values(), *SHEET_WAYS.values(), *from_json):
        if word and word not in out:
            out.append(word)
    return out
