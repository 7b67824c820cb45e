"""Made-up outcome measures and NHS numbers: one way to make them, for the demo desk
(``demo.desk``), the ten-year dataset (``demo.dataset``) and the reports' benchmark copy
of it (``demo.outcomes_store.add_outcomes``).

Who answers what, and when:
- about a third of people answer SWEMWBS at their first conversation (their baseline);
  about half of those answer it again 6 to 16 weeks later, at a follow-up done then (or,
  if none, at a conversation then);
- about two in five of them answer ONS4 beside it each time, and a few others ONS4 alone;
- now and then an item is skipped (then SWEMWBS has no raw total: never a guessed one);
- baseline raw totals mostly 18 to 30 (mean about 23.5); a little over half (about 57%,
  the service's 2020 figure) score higher again, a few the same, the rest lower.
- most people (85%) have an NHS number: ten digits with a valid modulus 11 check digit,
  all from the 999 range the NHS keeps for tests (never issued to anyone).

Seeded: the same generator state and contacts make the same measures. No Qt, no database
(``outcomes_store`` reads and writes them).
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

SWEMWBS_SHARE = 1 / 3  # of people: a baseline
AGAIN_SHARE = 0.5  # of those: a later score
ONS4_WITH = 0.4  # of those with SWEMWBS: ONS4 beside it
ONS4_ALONE = 0.04  # of the others: ONS4 alone, at their first conversation
WINDOW = (timedelta(weeks=6), timedelta(weeks=16))  # the later score, after the baseline
NHS_SHARE = 0.85
SKIP_SWEMWBS = 0.05  # a measure with an item (or two) skipped
SKIP_ONS4 = 0.04
BASE_MEAN, BASE_SD = 23.5, 4.2  # baseline raw total
CHANGE_MEAN, CHANGE_SD = 1.1, 3.6  # raw change: about 57% improve (after clipping)


@dataclass(frozen=True)
class Contact:
    """A time a person was seen: ``kind`` "conversation" or "follow_up" (done), ``ref``
    the caller's key for it (an id, or the demo's plan key)."""

    when: datetime
    kind: str
    ref: Hashable
    site: str
    advisor: Hashable


@dataclass(frozen=True)
class Measure:
    """One measure to record: WellbeingMeasure's fields, with the contact it was taken at."""

    person: Hashable
    measure: str  # "swemwbs" | "ons4"
    answers: dict[str, int]
    raw_total: int | None
    contact: Contact


def nhs_check_digit(nine: str) -> int | None:
    """The modulus 11 check digit of an NHS number's first nine digits (None: no number
    has these nine digits)."""
    check = 11 - sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11
    return 0 if check == 11 else None if check == 10 else check


class NhsNumbers:
    """Distinct made-up NHS numbers from the 999 test range."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def next(self) -> str:
        while True:
            nine = f"999{self.rng.randrange(1_000_000):06d}"
            check = nhs_check_digit(nine)
            if check is not None and nine not in self.used:
                self.used.add(nine)
                return f"{nine}{check}"

    def maybe(self) -> str:
        """An NHS number for most people, "" (not recorded) for the rest."""
        return self.next() if self.rng.random() < NHS_SHARE else ""


def swemwbs_answers(rng: random.Random, total: int) -> tuple[dict[str, int], int | None]:
    """Seven answers (1-5) adding up to ``total`` (7-35), spread the way people answer;
    now and then one or two skipped (then no raw total)."""
    answers = [total // 7 + (1 if i < total % 7 else 0) for i in range(7)]
    rng.shuffle(answers)
    for _ in range(4):  # spread them, keeping the total
        i, j = rng.randrange(7), rng.randrange(7)
        if i != j and answers[i] < 5 and answers[j] > 1:
            answers[i] += 1
            answers[j] -= 1
    out = {str(i + 1): a for i, a in enumerate(answers)}
    if rng.random() < SKIP_SWEMWBS:
        for key in rng.sample(sorted(out), 1 if rng.random() < 0.8 else 2):
            del out[key]
        return out, None
    return out, total


def ons4_answers(rng: random.Random, z: float) -> dict[str, int]:
    """ONS4's four answers (0-10) for someone ``z`` standard deviations above the mean:
    life satisfaction, worthwhile, happy yesterday, anxious yesterday (lower is better)."""
    def score(mean: float, slope: float, noise: float) -> int:
        return max(0, min(10, round(mean + slope * z + rng.gauss(0, noise))))

    out = {"1": score(5.0, 1.8, 1.2), "2": score(5.8, 1.5, 1.3), "3": score(5.2, 1.8, 1.5),
           "4": score(5.6, -1.6, 1.8)}
    if rng.random() < SKIP_ONS4:
        del out[rng.choice(sorted(out))]
    return out


def who_answers(rng: random.Random, people: Iterable[Hashable]
                ) -> tuple[list[Hashable], list[Hashable]]:
    """Of ``people`` (in a fixed order): who answers SWEMWBS, and who ONS4 alone."""
    swemwbs, ons4_alone = [], []
    for person in people:
        r = rng.random()
        if r < SWEMWBS_SHARE:
            swemwbs.append(person)
        elif r < SWEMWBS_SHARE + ONS4_ALONE * (1 - SWEMWBS_SHARE):
            ons4_alone.append(person)
    return swemwbs, ons4_alone


def later_contact(rng: random.Random, baseline: Contact, contacts: list[Contact]
                  ) -> Contact | None:
    """A contact 6 to 16 weeks after ``baseline``: a follow-up done then if any."""
    lo, hi = baseline.when + WINDOW[0], baseline.when + WINDOW[1]
    inside = [c for c in contacts if lo <= c.when <= hi]
    follow_ups = [c for c in inside if c.kind == "follow_up"]
    pool = follow_ups or inside
    return pool[int(rng.random() * len(pool))] if pool else None


def plan_measures(rng: random.Random, contacts: dict[Hashable, list[Contact]],
                  swemwbs: list[Hashable], ons4_alone: list[Hashable]) -> list[Measure]:
    """The measures of ``who_answers``'s people, from each one's ``contacts`` (in time
    order; people with none are passed over). About half of the SWEMWBS people (as many
    as have a contact in the window allows) answer again."""
    firsts = {p: contacts[p][0] for p in swemwbs if contacts.get(p)}
    later = {p: later_contact(rng, first, contacts[p]) for p, first in firsts.items()}
    can = sum(1 for c in later.values() if c is not None)
    again = min(1.0, AGAIN_SHARE * len(firsts) / can) if can else 0.0
    out: list[Measure] = []
    for person, first in firsts.items():
        total = _clip(round(rng.gauss(BASE_MEAN, BASE_SD)), 7, 35)
        with_ons4 = rng.random() < ONS4_WITH
        out.extend(_taken(rng, person, first, total, with_ons4))
        then = later[person]
        if then is not None and rng.random() < again:
            total = _clip(total + round(rng.gauss(CHANGE_MEAN, CHANGE_SD)), 7, 35)
            out.extend(_taken(rng, person, then, total, with_ons4))
    for person in ons4_alone:
        if contacts.get(person):
            z = rng.gauss(0, 1)
            out.append(Measure(person, "ons4", ons4_answers(rng, z), None, contacts[person][0]))
    return out


def _taken(rng: random.Random, person: Hashable, contact: Contact, total: int,
           with_ons4: bool) -> list[Measure]:
    answers, raw = swemwbs_answers(rng, total)
    out = [Measure(person, "swemwbs", answers, raw, contact)]
    if with_ons4:
        z = (total - BASE_MEAN) / BASE_SD
        out.append(Measure(person, "ons4", ons4_answers(rng, z), None, contact))
    return out


def _clip(value: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, value))
