"""Paired change in wellbeing: each person's baseline against their latest score at
least six weeks later. Pure arithmetic: no database, no Qt.

The rules (said once, here; the Outcomes report repeats them in its notes):
- a person's scores are taken oldest first; their baseline is the first; their latest
  is the last, and it pairs with the baseline only when taken at least ``MIN_DAYS`` (42)
  days later (local days: a score 41 days after the baseline does not pair, 42 does).
  Since any score 42 days on pairs, the latest pairs whenever any later score does;
- a person with a baseline and no score six weeks on counts as "baseline only";
- change is latest minus baseline: SWEMWBS on the metric scale (higher is better);
  ONS4 each question on its own, 0-10 (for anxiety a fall is the better way);
- only paired people are compared: the mean at baseline, the mean latest and the mean
  change are all over the same people, never averages of unpaired groups;
- the 95% confidence interval of the mean change is mean +/- t * sd / sqrt(n), with
  Student's t for n - 1 degrees of freedom: read from a table (to six decimals) up to
  30, and beyond 30 from the normal quantile with the Cornish-Fisher expansion of t (to
  the fourth order: within 1e-7 of t from 30 degrees of freedom on). None for fewer
  than two people;
- improved: a change above 0; meaningfully improved: a change of at least 3 metric
  points (Warwick's guidance puts meaningful change between 1 and 3 points; Shah et al.
  2018 give 2.77 SEM = 2.87 points).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import NormalDist, fmean, stdev

MIN_DAYS = 42  # six weeks: the least time between a baseline and a latest score
MEANINGFUL = 3.0  # metric points of change counted as meaningful

# Student's t, the 0.975 quantile (a two-sided 95% interval), for 1 to 30 degrees of
# freedom.
T975 = (12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
        2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
        2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
        2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272)


def t975(df: int) -> float:
    """Student's t quantile for a two-sided 95% interval with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError("A t quantile needs at least one degree of freedom.")
    if df <= len(T975):
        return T975[df - 1]
    z = NormalDist().inv_cdf(0.975)
    g1 = (z ** 3 + z) / 4
    g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96
    g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384
    g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160
    return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4


def mean_ci(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    """(mean, low, high): the mean and its 95% confidence interval (t). The interval is
    None for fewer than two values, everything None for none."""
    if not values:
        return None, None, None
    mean = fmean(values)
    if len(values) < 2:
        return mean, None, None
    half = t975(len(values) - 1) * stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half


def pairing(days: Sequence[date], min_days: int = MIN_DAYS) -> tuple[int, int, bool]:
    """For one person's scores on ``days`` (oldest first): the index of the baseline (0),
    of the latest (the last), and whether they pair (the latest ``min_days`` or more
    after the baseline)."""
    if not days:
        raise ValueError("A person with no scores has no baseline.")
    last = len(days) - 1
    return 0, last, (days[last] - days[0]).days >= min_days


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage to one decimal place (None of nobody)."""
    return round(100.0 * part / whole, 1) if whole else None


def _r(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


@dataclass(frozen=True)
class Change:
    """Paired change over a group of people (SWEMWBS metric, or one ONS4 question)."""

    n_paired: int
    n_baseline_only: int
    mean_baseline: float | None
    mean_latest: float | None
    mean_change: float | None
    ci_low: float | None
    ci_high: float | None
    n_improved: int  # change > 0
    n_same: int
    n_worse: int
    n_meaningful: int  # change >= the threshold (0 when there is none)
    threshold: float | None

    @property
    def share_improved(self) -> float | None:
        return share(self.n_improved, self.n_paired)

    @property
    def share_meaningful(self) -> float | None:
        return share(self.n_meaningful, self.n_paired)


def paired_change(pairs: Iterable[tuple[float, float]], baseline_only: int = 0,
                  threshold: float | None = MEANINGFUL) -> Change:
    """Paired change over (baseline, latest) pairs, one per person; ``baseline_only``:
    how many people had a baseline and nothing six weeks on. Means to two places. A
    change is rounded to two places before it is compared (the metric scores have two),
    so 3.00 points counts as 3 however the subtraction rounds."""
    pairs = list(pairs)
    changes = [round(latest - base, 2) for base, latest in pairs]
    mean, low, high = mean_ci(changes)
    return Change(
        n_paired=len(pairs), n_baseline_only=baseline_only,
        mean_baseline=_r(fmean(b for b, _l in pairs)) if pairs else None,
        mean_latest=_r(fmean(la for _b, la in pairs)) if pairs else None,
        mean_change=_r(mean), ci_low=_r(low), ci_high=_r(high),
        n_improved=sum(c > 0 for c in changes), n_same=sum(c == 0 for c in changes),
        n_worse=sum(c < 0 for c in changes),
        n_meaningful=0 if threshold is None else sum(c >= threshold for c in changes),
        threshold=threshold)


@dataclass(frozen=True)
class ItemChange:
    """One ONS4 question: its paired change and the paired people's bands at baseline and
    at their latest (the same people in both)."""

    item: str
    change: Change
    bands_baseline: dict[str, int] = field(default_factory=dict)
    bands_latest: dict[str, int] = field(default_factory=dict)


def item_change(item: str, pairs: Iterable[tuple[int, int]], baseline_only: int,
                band_of, bands: Sequence[str]) -> ItemChange:
    """Paired change on ONS4 question ``item`` (answers 0-10), with band counts (every
    band in ``bands`` listed, 0 when none): ``band_of(item, answer)`` names a band."""
    pairs = list(pairs)
    at_base = dict.fromkeys(bands, 0)
    at_latest = dict.fromkeys(bands, 0)
    band = {v: band_of(item, v) for v in {a for pair in pairs for a in pair}}
    for base, latest in pairs:
        at_base[band[base]] += 1
        at_latest[band[latest]] += 1
    return ItemChange(item, paired_change(pairs, baseline_only, threshold=None),
                      at_base, at_latest)
