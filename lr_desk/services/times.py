"""Times of day as people type them at a desk: 1030, 10.30, 10:30, 10:30am, 1030am, 2pm,
2 pm, 9, 14h30, noon. Pure: the drop-in form reads a time as it is typed.

``parse_time`` gives "HH:MM" on the 24-hour clock (empty stays empty), or raises
ValueError with a plain message for anything that is not a time of day.
"""

from __future__ import annotations

import re

EXAMPLES = "for example 10:30, 1030 or 2pm"
NOT_A_TIME = f"Please write a time of day, {EXAMPLES}."

_WORDS = {"noon": (12, 0), "midday": (12, 0), "midnight": (0, 0)}
# hours, then minutes after a separator (: . h or a space), or run together (930, 1030),
# then am or pm (a.m., p.m., a, p) if given
_TIME = re.compile(
    r"(?P<h>\d{1,2})(?:(?:\s*[:.h]\s*|\s+)(?P<m>\d{2})|(?P<mm>\d{2}))?\s*"
    r"(?:(?P<half>[ap])\.?\s*m?\.?)?", re.ASCII)


def parse_time(value: str) -> str:
    """'1030', '10.30', '10:30am', '1030am', '2pm' -> '10:30', '10:30', '10:30', '10:30',
    '14:00'. Empty (or only spaces) -> ''. Anything else: ValueError in plain words."""
    if not isinstance(value, str):
        raise ValueError(NOT_A_TIME)
    text = " ".join(value.split()).lower()
    if not text:
        return ""
    if text in _WORDS:
        hour, minute = _WORDS[text]
        return f"{hour:02d}:{minute:02d}"
    if len(text) > 12:
        raise ValueError(NOT_A_TIME)
    m = _TIME.fullmatch(text)
    if m is None:
        raise ValueError(NOT_A_TIME)
    if m.group("m") is not None:  # 10:30, 10.30, 14h30
        hour, minute = int(m.group("h")), int(m.group("m"))
    elif m.group("mm") is not None:  # run together: 1030, 930
        digits = m.group("h") + m.group("mm")
        hour, minute = int(digits[:-2]), int(digits[-2:])
    else:  # the hour alone: 9, 2pm
        hour, minute = int(m.group("h")), 0
    half = m.group("half")
    if minute > 59:
        raise ValueError(f"An hour has 60 minutes, so :{minute:02d} is not a time; "
                         f"please write it {EXAMPLES}.")
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(f"On the 12-hour clock the hour is 1 to 12; please write it "
                             f"{EXAMPLES}.")
        hour = hour % 12 + (12 if half == "p" else 0)
    elif hour > 23:
        raise ValueError(f"A day has hours 0 to 23, so {hour} is not an hour; please write "
                         f"it {EXAMPLES}.")
    return f"{hour:02d}:{minute:02d}"


def spoken(hhmm: str) -> str:
    """'14:00' -> '2pm', '10:30' -> '10:30am' (for words shown to a visitor)."""
    if not hhmm:
        return ""
    hour, minute = (int(part) for part in hhmm.split(":"))
    suffix = "am" if hour < 12 else "pm"
    twelve = hour % 12 or 12
    return f"{twelve}{suffix}" if minute == 0 else f"{twelve}:{minute:02d}{suffix}"
