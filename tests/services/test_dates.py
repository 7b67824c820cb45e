"""Dates in words: the year when it is not this year; overdue groups; how long ago."""

from __future__ import annotations

from datetime import date, datetime

from lr_desk.services import dates

TODAY = date(2026, 12, 6)  # a Sunday


def test_a_date_this_year_has_no_year_and_any_other_has_it():
    assert dates.day(date(2026, 1, 20), TODAY) == "Tue 20 Jan"
    assert dates.day(date(2025, 10, 10), TODAY) == "Fri 10 Oct 2025"
    assert dates.day(date(2027, 1, 4), TODAY) == "Mon 4 Jan 2027"  # next year too
    assert dates.day(date(2025, 10, 10), TODAY, weekday=False) == "10 Oct 2025"
    # the issue's own examples, seen from 2026
    assert dates.day(date(2026, 1, 20), date(2026, 3, 1)).endswith("20 Jan")
    assert dates.day(date(2025, 10, 10), date(2026, 3, 1)).endswith("Oct 2025")


def test_the_year_is_decided_by_today_not_by_the_computer_clock():
    assert dates.day(date(2025, 10, 10), date(2025, 12, 31)) == "Fri 10 Oct"
    assert dates.day(date(2025, 12, 31), date(2026, 1, 1)) == "Wed 31 Dec 2025"


def test_a_time_carries_the_year_as_its_date_does():
    assert dates.day_time(datetime(2026, 3, 7, 14, 5), TODAY) == "Sat 7 Mar 14:05"
    assert dates.day_time(datetime(2024, 3, 7, 9, 0), TODAY) == "Thu 7 Mar 2024 09:00"


def test_long_day_for_a_heading():
    assert dates.long_day(TODAY) == "Sunday 6 December 2026"


def test_overdue_groups_by_week_starting_monday():
    # Sunday 6 Dec: this week began on Monday 30 Nov; last week on Monday 23 Nov
    assert dates.overdue_group(date(2026, 12, 5), TODAY) == dates.THIS_WEEK
    assert dates.overdue_group(date(2026, 11, 30), TODAY) == dates.THIS_WEEK
    assert dates.overdue_group(date(2026, 11, 29), TODAY) == dates.LAST_WEEK
    assert dates.overdue_group(date(2026, 11, 23), TODAY) == dates.LAST_WEEK
    assert dates.overdue_group(date(2026, 11, 22), TODAY) == dates.OLDER
    assert dates.overdue_group(date(2025, 10, 10), TODAY) == dates.OLDER
    # on a Monday nothing is earlier this week: yesterday was last week
    monday = date(2026, 12, 7)
    assert dates.overdue_group(date(2026, 12, 6), monday) == dates.LAST_WEEK
    assert dates.OVERDUE_GROUPS == (dates.THIS_WEEK, dates.LAST_WEEK, dates.OLDER)


def test_how_long_ago():
    assert [dates.days_ago(date(2026, 12, d), TODAY) for d in (6, 5, 1)] == [
        "today", "yesterday", "5 days ago"]
    assert dates.days_ago(date(2026, 11, 1), TODAY) == "5 weeks ago"
    assert dates.days_ago(date(2026, 6, 1), TODAY) == "6 months ago"
    assert dates.days_ago(date(2024, 1, 1), TODAY) == "2 years ago"


def test_age_in_whole_years():
    assert dates.age(date(1980, 12, 6), TODAY) == 46  # a birthday today counts
    assert dates.age(date(1980, 12, 7), TODAY) == 45
    assert dates.age(date(2000, 2, 29), date(2027, 2, 28)) == 26
    assert dates.age(None, TODAY) is None
