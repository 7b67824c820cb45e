"""Making up people and times: names that fit their age, dates of birth, postcodes near a
hub, phones from Ofcom's drama ranges, working-day times, and a referral's later steps.
Seeded: the same seed makes the same people."""

from __future__ import annotations

import bisect
import itertools
import random
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from lr_desk.demo.words import DECLINE_REASONS, DRAMA_PHONES, HUB_WEIGHTS, STATUS_NOTES
from lr_desk.resources import load_json

LONDON = None
try:
    from zoneinfo import ZoneInfo

    LONDON = ZoneInfo("Europe/London")
except Exception:
    LONDON = None


def weighted(items: list, skew: float = 0.0, offset: float = 8.0) -> tuple[list, list[float]]:
    """Items with cumulative weights; ``skew`` > 0 makes earlier items more likely."""
    weights = [1.0 / (rank + offset) ** skew for rank in range(len(items))]
    return items, list(itertools.accumulate(weights))


def dict_weights(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    keys = list(weights)
    return keys, list(itertools.accumulate(weights[k] for k in keys))


class Synth:
    """Makes up people: names that fit their age, DOBs, postcodes near a hub, phones."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        data = load_json("names.json")
        given = data["given_names"]
        self.given = {era: weighted(given[era], 0.6, 6) for era in
                      ("born_before_1960", "born_1960_1984", "born_1985_on")}
        self.any_age = weighted(given["any_age"])
        self.nicknames: dict[str, str] = given["nicknames"]
        self.family = weighted(data["family_names"], 1.0, 6)
        self.areas = {hub: weighted(codes, 1.0, 2) for hub, codes in data["hub_areas"].items()
                      if not hub.startswith("_")}
        self.letters = data["inward_letters"]
        self.streets = data["streets"]
        self.hubs = dict_weights(HUB_WEIGHTS)

    def pick(self, weighted: tuple[list, list[float]]):
        items, cum = weighted
        return items[bisect.bisect(cum, self.rng.random() * cum[-1])]

    def hub(self) -> str:
        return self.pick(self.hubs)

    def date_of_birth(self, on: date) -> date:
        r = self.rng
        lo, hi = r.choices(((18, 25), (25, 35), (35, 45), (45, 55), (55, 65), (65, 75), (75, 92)),
                           cum_weights=(10, 28, 46, 66, 83, 93, 100))[0]
        age_days = int((lo + r.random() * (hi - lo)) * 365.25)
        return on - timedelta(days=age_days)

    def given_name(self, born: date) -> str:
        if self.rng.random() < 0.22:
            return self.pick(self.any_age)
        era = ("born_before_1960" if born.year < 1960 else
               "born_1960_1984" if born.year < 1985 else "born_1985_on")
        return self.pick(self.given[era])

    def family_name(self) -> str:
        return self.pick(self.family)

    def preferred_name(self, given: str) -> str:
        nick = self.nicknames.get(given)
        return nick if nick and self.rng.random() < 0.4 else ""

    def postcode(self, hub: str) -> str:
        r = self.rng
        outward = self.pick(self.areas[hub]) if r.random() < 0.9 else self.pick(
            self.areas[r.choice(list(self.areas))])
        return f"{outward} {r.randint(1, 9)}{r.choice(self.letters)}{r.choice(self.letters)}"

    def phone(self, drama: bool) -> str:
        """A phone number: from Ofcom's drama ranges if ``drama`` (the demo), else made-up
        but realistic-looking (the benchmark, which nobody rings)."""
        r = self.rng
        if drama:
            prefix, n = r.choice(DRAMA_PHONES)
            number = prefix + "".join(str(r.randint(0, 9)) for _ in range(n))
            if r.random() < 0.2:
                number = number.replace(" ", "")
            return number
        kind = r.random()
        if kind < 0.7:
            digits = f"07{r.randint(100, 999)} {r.randint(0, 999999):06d}"
            return digits if r.random() < 0.8 else digits.replace(" ", "")
        if kind < 0.9:
            return f"0151 {r.randint(200, 999)} {r.randint(0, 9999):04d}"
        return f"01704 {r.randint(100000, 999999)}"


def to_utc(local: datetime) -> datetime:
    """Naive local (UK) time to naive UTC, as ``utcnow`` gives."""
    if LONDON is None:
        return local
    return local.replace(tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)


def working_day(day: date, forward: bool = False) -> date:
    """Move a Saturday or Sunday to the nearest working day (back to Friday, or forward)."""
    wd = day.weekday()
    if wd < 5:
        return day
    return day + timedelta(days=7 - wd) if forward else day - timedelta(days=wd - 4)


def at_time(day: date, rng: random.Random, start: int = 9 * 60 + 30,
        end: int = 16 * 60 + 15) -> datetime:
    minute = rng.randint(start, end)
    return datetime.combine(day, dtime(minute // 60, minute % 60))


REFERRAL_PATHS = [  # what happens after a referral is opened, and how often
    (("agreed", "sent", "accepted", "engaged", "completed"), 30),
    (("agreed", "sent", "accepted", "engaged"), 12),
    (("agreed", "sent", "accepted", "not_taken_up"), 12),
    (("agreed", "sent", "declined"), 10),
    (("agreed", "sent", "accepted"), 10),
    (("agreed", "sent"), 8),
    (("agreed", "not_taken_up"), 6),
    ((), 6),
]
_PATHS, _PATH_CUM = zip(*REFERRAL_PATHS, strict=True)
_PATH_CUM = list(itertools.accumulate(_PATH_CUM))
_OPENING_ORDER = ("suggested", "agreed", "sent")


def referral_steps(rng: random.Random, opening: str, opened: datetime, before: date
                   ) -> list[tuple[datetime, str, str, str]]:
    """The later (when, status, reason, note) steps of one referral, all before ``before``."""
    path = rng.choices(_PATHS, cum_weights=_PATH_CUM)[0]
    if opening in path:
        path = path[path.index(opening) + 1:]
    else:  # never step back to a status at or before the opening one
        passed = _OPENING_ORDER[:_OPENING_ORDER.index(opening) + 1]
        path = tuple(status for status in path if status not in passed)
    steps = []
    when = opened
    for status in path:
        day = working_day(when.date() + timedelta(days=rng.randint(1, 12)), forward=True)
        if day >= before:
            break
        when = at_time(day, rng)
        reason = rng.choice(DECLINE_REASONS) if status == "declined" else ""
        note = ""
        if status in STATUS_NOTES and rng.random() < 0.7:
            note = rng.choice(STATUS_NOTES[status])
        steps.append((when, status, reason, note))
    return steps

