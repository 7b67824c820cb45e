"""Dates in words for the desk: a date carries its year when it is not this year
("Tue 20 Jan" this year, "Fri 10 Oct 2025" another), and overdue dates fall into groups
a glance can count ("Earlier this week", "Last week", "Older").

Pure functions of the date and of ``today`` (passed in, so tests and pages agree on it).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
          "Dec")
LONG_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LONG_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")

# overdue groups, in the order shown (the most recent first)
THIS_WEEK, LAST_WEEK, OLDER = "Earlier this week", "Last week", "Older"
OVERDUE_GROUPS = (THIS_WEEK, LAST_WEEK, OLDER)


def day(d: date, today: date, weekday: bool = True) -> str:
    """'Tue 20 Jan' in ``today``'s year; 'Fri 10 Oct 2025' in any other. (English names
    whatever the computer's locale, as the rest of the desk's words are.)"""
    text = f"{d.day} {MONTHS[d.month - 1]}"
    if weekday:
        text = f"{DAYS[d.weekday()]} {text}"
    return text if d.year == today.year else f"{text} {d.year}"


def day_time(when: datetime, today: date) -> str:
    """'Tue 20 Jan 14:05', with the year when it is not this year."""
    return f"{day(when.date(), today)} {when:%H:%M}"


def long_day(d: date) -> str:
    """'Saturday 6 December 2026', for a page's heading."""
    return f"{LONG_DAYS[d.weekday()]} {d.day} {LONG_MONTHS[d.month - 1]} {d.year}"


def overdue_group(due: date, today: date) -> str:
    """Which group an overdue date (before ``today``) is in: earlier in this week (weeks
    start on Monday), last week, or older."""
    monday = today - timedelta(days=today.weekday())
    if due >= monday:
        return THIS_WEEK
    if due >= monday - timedelta(days=7):
        return LAST_WEEK
    return OLDER


def days_ago(d: date, today: date) -> str:
    """'yesterday', '3 days ago', '5 weeks ago', '2 years ago' (how overdue)."""
    n = (today - d).days
    if n <= 0:
        return "today"
    if n == 1:
        return "yesterday"
    if n < 14:
        return f"{n} days ago"
    if n < 61:
        return f"{n // 7} weeks ago"
    if n < 730:
        return f"{n // 30} months ago"
    return f"{n // 365} years ago"


def age(born: date | None, today: date) -> int | None:
    """Whole years from ``born`` to ``today`` (None with no date of birth)."""
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
