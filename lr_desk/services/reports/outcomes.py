"""Outcomes: the change in people's wellbeing (SWEMWBS and ONS4), paired person by person.

Who is counted (said once, here and in the report's notes):
- a person (a merged person once, with the scores of everyone merged into them; an
  erased person's scores still count: they name no one) whose LATEST score up to the
  end of the period was taken in the period at one of its sites. Their baseline, the
  first score they ever gave, may be before the period or at another site;
- SWEMWBS: only scores with a raw total (all seven answered) count. The latest is
  paired with the baseline when taken at least 42 days (six weeks) later; otherwise the
  person counts as "baseline only". Change is on the metric scale;
- ONS4: each question on its own, the same way (the first and the latest answer to
  that question); the bands are counted for the paired people, at baseline and latest.
The arithmetic (means, the confidence interval, shares) is services.wellbeing_stats'.

One grouped query does the counting: each person's first and latest score on every
series up to the period's end, for the people with a score in the period (found by
``ix_wellbeing_measure_taken_at``; their scores read by ``ix_wellbeing_measure_person_id``),
or for everyone when the period starts before the first score; the few people in a
merge are read apart and put together under the person they count as.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import (
    DateTime,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session

from lr_desk.services import wellbeing
from lr_desk.services.reports.core import (
    LABEL,
    NUMBER,
    PERCENT,
    Chart,
    Column,
    Period,
    Report,
    Survivors,
    Table,
    site_names,
)
from lr_desk.services.wellbeing import MEASURES, ONS4, SWEMWBS
from lr_desk.services.wellbeing_stats import (
    MEANINGFUL,
    MIN_DAYS,
    Change,
    ItemChange,
    item_change,
    paired_change,
    pairing,
    share,
)
from lr_desk.store.clock import local_time
from lr_desk.store.models import Person, WellbeingMeasure

TITLE = "Outcomes: wellbeing"
W = WellbeingMeasure
SERIES = (SWEMWBS, *MEASURES[ONS4].keys)  # SWEMWBS's raw total; each ONS4 question


def _ends(session: Session, period: Period, people, counted: bool) -> list:
    """Each person's first and latest score on every series up to the end of the period,
    one row a person: (person_id, then first and latest of each of ``SERIES``), a score as
    "taken_at|id|value|site" (taken_at as stored: fixed-width text, so the least and the
    greatest such text are the first and the latest score, by time then id), None where
    the person has none. ``counted``: only people with a score in the period. One pass
    over the scores, grouped by person: many scores cost no more here than two."""
    ends = []
    for name in SERIES:
        if name == SWEMWBS:
            measure, value = SWEMWBS, W.raw_total
        else:
            measure, value = ONS4, W.answers[name].as_integer()
        score = case((and_(W.measure == measure, value.is_not(None)),
                      type_coerce(W.taken_at, String) + "|" + W.id + "|"
                      + cast(value, String) + "|" + W.site_code))
        ends += [func.min(score), func.max(score)]
    q = (select(W.person_id, *ends)
         .where(W.taken_at < period.utc_to, W.deleted_at.is_(None), people)
         .group_by(W.person_id))
    if counted:
        q = q.having(func.max(W.taken_at) >= period.utc_from)
    return session.execute(q).all()


def _local_day(stored: str) -> date:
    return local_time(datetime.fromisoformat(stored)).date()


def _paired(first: str, last: str) -> bool:
    """Whether scores taken at ``first`` and ``last`` (UTC, as stored) pair: six weeks
    apart in local days (looked up only near the line: a UTC day and a local one differ
    by a day at most)."""
    days = (date.fromisoformat(last[:10]) - date.fromisoformat(first[:10])).days
    if not MIN_DAYS - 1 <= days <= MIN_DAYS + 1:
        return days >= MIN_DAYS
    return pairing([_local_day(first), _local_day(last)])[2]


def _people(session: Session, period: Period):
    """Whose scores are read: people with a score taken in the period at its sites (by the
    index on taken_at), or everyone when the period starts before the first score."""
    earliest = session.scalar(select(func.min(W.taken_at)))
    if earliest is None or period.utc_from <= earliest:
        return true()
    in_period = (select(W.person_id).distinct()
                 .where(W.taken_at >= period.utc_from, W.taken_at < period.utc_to,
                        W.deleted_at.is_(None)))
    where = period.site_filter(W.site_code)
    return W.person_id.in_(in_period if where is None else in_period.where(where))


def _series(session: Session, period: Period, people,
            merged: dict[str, str]) -> dict[str, tuple[list, int]]:
    """For each of ``SERIES``: the (baseline, latest) values of each person counted, and
    how many counted had a baseline only. People in a merge (few) are read whole and
    put together under the person they count as, then counted the same way."""
    in_merge = sorted({*merged, *merged.values()})
    ends = [row[1:] for row in _ends(session, period,
                                     and_(people, W.person_id.not_in(in_merge)), True)]
    if in_merge:
        survivor, whole = Survivors(merged), {}
        for person, *row in _ends(session, period, W.person_id.in_(in_merge), False):
            was = whole.get(survivor(person))
            if was is not None:
                row = [_least(a, b) if i % 2 == 0 else _greatest(a, b)
                       for i, (a, b) in enumerate(zip(row, was, strict=True))]
            whole[survivor(person)] = row
        ends += whole.values()
    # the period's start as taken_at is stored (text that sorts as the times do)
    since = session.scalar(select(type_coerce(literal(period.utc_from, DateTime), String)))
    sites = set(period.sites)
    out = {}
    for i, name in enumerate(SERIES):
        pairs, only = [], 0
        for row in ends:
            first, last = row[2 * i], row[2 * i + 1]
            if last is None or last < since:
                continue
            first_at, _id, first_value, _site = first.split("|", 3)
            last_at, _id, last_value, last_site = last.split("|", 3)
            if sites and last_site not in sites:
                continue
            if first != last and _paired(first_at, last_at):
                pairs.append((int(first_value), int(last_value)))
            else:
                only += 1
        out[name] = (pairs, only)
    return out


def _least(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else min(a, b)


def _greatest(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else max(a, b)


def swemwbs_change(pairs: list, only: int) -> Change:
    metric = wellbeing.METRIC_TABLE
    return paired_change([(metric[b], metric[la]) for b, la in pairs
                          if b in metric and la in metric], only)


def ons4_changes(series: dict[str, tuple[list, int]]) -> list[ItemChange]:
    return [item_change(key, *series[key], wellbeing.ons4_band, wellbeing.ons4_bands(key))
            for key in MEASURES[ONS4].keys]


def _swemwbs_tables(c: Change) -> list[Table]:
    def count(label, n, of_paired=False):
        return {"label": label, "count": n, "value": None,
                "percent": share(n, c.n_paired) if of_paired else None}

    def number(label, value):  # (over the people paired: hidden in files with them)
        return {"label": label, "count": c.n_paired, "value": value, "percent": None}

    main = Table("swemwbs", "SWEMWBS: change from baseline (metric score)",
                 [Column("label", "Figure", LABEL), Column("count", "People"),
                  Column("value", "Score", NUMBER, of="count"),
                  Column("percent", "Share of people paired (%)", PERCENT, of="count")],
                 [count("People paired (baseline and a score six weeks or more later)",
                        c.n_paired),
                  count("People with a baseline only", c.n_baseline_only),
                  number("Mean score at baseline", c.mean_baseline),
                  number("Mean latest score", c.mean_latest),
                  number("Mean change", c.mean_change),
                  number("Mean change: 95% confidence interval, lower", c.ci_low),
                  number("Mean change: 95% confidence interval, upper", c.ci_high),
                  count("Improved (any rise)", c.n_improved, True),
                  count(f"Improved by {MEANINGFUL:g} points or more", c.n_meaningful, True)])
    rows = [(f"Improved by {MEANINGFUL:g} or more", c.n_meaningful),  # (short: a chart's)
            (f"Improved by under {MEANINGFUL:g}", c.n_improved - c.n_meaningful),
            ("No change", c.n_same), ("Worse", c.n_worse)]
    change = Table("swemwbs_change", "SWEMWBS: how people's scores changed",
                   [Column("label", "Change", LABEL), Column("count", "People"),
                    Column("percent", "Share of people paired (%)", PERCENT, of="count")],
                   [{"label": label, "count": n, "percent": share(n, c.n_paired)}
                    for label, n in rows],
                   {"label": "People paired", "count": c.n_paired,
                    "percent": 100.0 if c.n_paired else None})
    return [main, change]


def _ons4_tables(items: list[ItemChange]) -> list[Table]:
    m = MEASURES[ONS4]
    per_item = Table(
        "ons4", "ONS4: change from baseline, each question on its own (0-10)",
        [Column("label", "Question", LABEL), Column("paired", "People paired"),
         Column("only", "Baseline only"),
         Column("baseline", "Mean at baseline", NUMBER, of="paired"),
         Column("latest", "Mean latest", NUMBER, of="paired"),
         Column("change", "Mean change", NUMBER, of="paired")],
        [{"label": m.item_name(i.item), "paired": i.change.n_paired,
          "only": i.change.n_baseline_only, "baseline": i.change.mean_baseline,
          "latest": i.change.mean_latest, "change": i.change.mean_change} for i in items])
    bands = Table(
        "ons4_bands", "ONS4: people paired in each ONS band, at baseline and latest",
        [Column("label", "Question and band", LABEL), Column("baseline", "At baseline"),
         Column("latest", "Latest")],
        [{"label": f"{m.item_name(i.item)}: {band}", "baseline": n,
          "latest": i.bands_latest[band]}
         for i in items for band, n in i.bands_baseline.items()])
    return [per_item, bands]


def make(session: Session, period: Period, check: Callable[[], None]) -> Report:
    merged = dict(session.execute(select(Person.id, Person.merged_into)
                                  .where(Person.merged_into > "")).all())
    people = _people(session, period)
    check()
    series = _series(session, period, people, merged)
    check()
    sw = swemwbs_change(*series[SWEMWBS])
    items = ons4_changes(series)
    check()
    tables = [*_swemwbs_tables(sw), *_ons4_tables(items)]
    return Report(
        "outcomes", TITLE, period, site_names(session, period), tables,
        charts=[Chart("SWEMWBS: how people's scores changed", "swemwbs_change", "label",
                      ("count",), kind="column"),
                Chart("ONS4: people in each band, at baseline and latest", "ons4_bands",
                      "label", ("baseline", "latest"))],
        notes=[
            "Who is counted: people whose latest score up to the end of the period was "
            "taken in the period at the sites chosen. Their baseline is the first score "
            "they gave, which may be earlier or elsewhere; a person registered twice and "
            "merged counts once.",
            f"Paired change: each person's baseline against their latest score at least "
            f"{MIN_DAYS} days (six weeks) later; a person with nothing six weeks on counts "
            "as baseline only. The means at baseline and latest, and the change, are over "
            "the same people: never averages of different groups.",
            "SWEMWBS: the seven answers add up to a raw total (7 to 35) only when all "
            "seven were answered; the total is converted to the metric score with "
            "Warwick's conversion table, and change is on that scale (higher is better). "
            "The 95% confidence interval of the mean change uses Student's t.",
            f"Improved by {MEANINGFUL:g} points or more: Warwick's guidance puts a "
            "meaningful change for one person between 1 and 3 metric points; Shah et al. "
            "(2018) give 2.77 SEM = 2.87 points.",
            "ONS4: each question is reported on its own and never added up. For anxiety a "
            "lower answer is better, so a fall is an improvement. Bands as ONS publish "
            "them (life satisfaction, worthwhile, happiness: 0-4 low, 5-6 medium, 7-8 "
            "high, 9-10 very high; anxiety: 0-1 very low, 2-3 low, 4-5 medium, 6-10 high).",
            MEASURES[SWEMWBS].notice])
