"""Times typed any common way at the desk (services.times.parse_time): every way of
writing a real time reads as that time; anything else is refused in plain words."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lr_desk.services.times import parse_time, spoken

HOURS = st.integers(0, 23)
MINUTES = st.integers(0, 59)


def _twelve(hour: int) -> tuple[int, str]:
    return hour % 12 or 12, "am" if hour < 12 else "pm"


@pytest.mark.parametrize("typed, read", [
    ("1030", "10:30"), ("10.30", "10:30"), ("10:30am", "10:30"), ("10:30", "10:30"),
    ("1030am", "10:30"), ("2pm", "14:00"), ("2 pm", "14:00"), ("2 P.M.", "14:00"),
    ("930", "09:30"), ("0930", "09:30"), ("9", "09:00"), ("14h30", "14:30"),
    ("12am", "00:00"), ("12pm", "12:00"), ("12:15am", "00:15"), ("noon", "12:00"),
    ("  10:30  ", "10:30"), ("", ""), ("   ", ""),
])
def test_the_ways_people_write_a_time(typed, read):
    assert parse_time(typed) == read


@given(HOURS, MINUTES, st.sampled_from(["{h}:{m:02d}", "{h:02d}:{m:02d}", "{h}.{m:02d}",
                                         "{h}{m:02d}", "{h:02d}{m:02d}", "{h} {m:02d}",
                                         " {h}:{m:02d} "]))
def test_any_24_hour_time_reads_as_itself(hour, minute, form):
    assert parse_time(form.format(h=hour, m=minute)) == f"{hour:02d}:{minute:02d}"


@given(HOURS, MINUTES, st.sampled_from(["{h}:{m:02d}{x}", "{h}{m:02d}{x}", "{h}.{m:02d} {x}",
                                         "{h}:{m:02d} {X}"]),
       st.sampled_from(["", "."]))
def test_any_12_hour_time_reads_as_the_24_hour_one(hour, minute, form, dots):
    twelve, half = _twelve(hour)
    suffix = f"{half[0]}{dots}m{dots}"
    typed = form.format(h=twelve, m=minute, x=suffix, X=suffix.upper())
    assert parse_time(typed) == f"{hour:02d}:{minute:02d}"


@given(HOURS)
def test_an_hour_alone_with_am_or_pm(hour):
    twelve, half = _twelve(hour)
    assert parse_time(f"{twelve}{half}") == f"{hour:02d}:00"


@given(HOURS, MINUTES)
def test_spoken_reads_back_as_the_same_time(hour, minute):
    hhmm = f"{hour:02d}:{minute:02d}"
    assert parse_time(spoken(hhmm)) == hhmm


@given(st.text(max_size=20))
def test_anything_typed_is_a_time_or_a_plain_refusal(typed):
    try:
        read = parse_time(typed)
    except ValueError as exc:
        assert str(exc).startswith(("Please write", "A day has", "An hour has",
                                    "On the 12-hour"))
        assert "10:30" in str(exc)  # it shows how to write one
    else:
        assert read == "" or re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", read)


@pytest.mark.parametrize("typed", ["25:00", "24:00", "10:60", "1060", "13pm", "0am",
                                   "12345", "1:5", "10:3", "half ten", "abc", "10:30x",
                                   "१०:३०", "10::30", "-1:00", "1030" * 5])
def test_nonsense_is_refused(typed):
    with pytest.raises(ValueError):
        parse_time(typed)


def test_the_message_says_what_is_wrong_in_plain_words():
    with pytest.raises(ValueError, match="A day has hours 0 to 23, so 25 is not an hour"):
        parse_time("2530")
    with pytest.raises(ValueError, match="An hour has 60 minutes"):
        parse_time("10:75")
    with pytest.raises(ValueError, match="12-hour clock the hour is 1 to 12"):
        parse_time("14pm")
