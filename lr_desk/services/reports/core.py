"""What every report is made of, and the rules they share.

A report is asked for with a ``Period`` (local days, both inclusive, and the sites it
covers: none means every site) and comes back as a ``Report``: titled ``Table``s of
rows (each row a dict of its columns' keys), the charts to draw from them, and notes in
plain words (what is counted, and how). The Reports page, the files (CSV, XLSX, JSON,
PDF) and ``lr-desk report`` all read this one shape; none of them counts anything.

Rules every report keeps:
- a person merged into another counts once, as the person they were merged into
  (``Survivors``); an erased person's records still count (the rows stay, emptied);
- records deleted (``deleted_at``) are not counted;
- a count from 1 to 4 leaving the desk in a file shows as "<5" (``suppressed``), with
  the rule stated on the file; the screen shows managers the real numbers.

Pure but for ``Survivors.load`` (one query); each report module does its own counting
with a few grouped queries, so a year of a busy service is counted in well under a
second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from lr_desk.services.audit import utc_start
from lr_desk.store.models import Conversation, Person, Site

# Column kinds: "label" (words), "count" (people or records: suppressed in files),
# "percent" (a share of the total, 0-100, of the count column named in ``of``),
# "number" (a mean, median or score; ``of`` names the count column of the people it is
# taken over: hidden in files with that count, as a mean of one person is their own).
LABEL, COUNT, PERCENT, NUMBER = "label", "count", "percent", "number"
SMALL = 5  # counts from 1 to SMALL - 1 leave the desk as "<5"
SUPPRESSED = f"<{SMALL}"
SUPPRESSION_RULE = (f"Small numbers: to protect the people counted, any count from 1 to "
                    f"{SMALL - 1} is shown as \"{SUPPRESSED}\", and a share, mean or median "
                    "of such a count is not shown. Totals are the true totals.")


class Stopped(Exception):
    """The person asking stopped the report before it was done."""


@dataclass(frozen=True)
class Period:
    """Local days ``start`` to ``end``, both inclusive, at ``sites`` (codes; empty: all)."""

    start: date
    end: date
    sites: tuple[str, ...] = ()

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("The period ends before it starts: choose an end date on or "
                             "after the start date.")

    @property
    def utc_from(self) -> datetime:
        """The first moment of the period, as stored (naive UTC)."""
        return utc_start(self.start)

    @property
    def utc_to(self) -> datetime:
        """The moment after the period ends (naive UTC): compare with ``<``."""
        return utc_start(self.end + timedelta(days=1))

    # A conversation's time (Conversation.occurred_at) is kept as the advisor's local
    # wall time (services.dropin), not UTC as the stamps are: compare it with these.
    @property
    def wall_from(self) -> datetime:
        """The period's first moment on the local clock (naive)."""
        return datetime.combine(self.start, time())

    @property
    def wall_to(self) -> datetime:
        """The moment after the period ends on the local clock: compare with ``<``."""
        return datetime.combine(self.end + timedelta(days=1), time())

    def has_site(self, code: str | None) -> bool:
        return not self.sites or (code or "") in self.sites

    def site_filter(self, column):
        """A where-clause for ``column`` (a site code) or None for every site."""
        return column.in_(self.sites) if self.sites else None


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = COUNT
    of: str = ""  # PERCENT: the count it is a share of; NUMBER: the count it is taken over


@dataclass
class Table:
    """One table of a report: ``rows`` in order, ``total`` (a row, or None)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    total: dict | None = None
    note: str = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Chart:
    """A chart of ``table``: one bar (or line point) per row, labelled by ``label``, a
    series per key in ``values``. ``kind`` is "bar" (across), "column" (upright) or
    "line" (values over time: months)."""

    title: str
    table: str
    label: str
    values: tuple[str, ...]
    kind: str = "bar"


@dataclass
class Report:
    name: str  # referrals | activity | partners | follow-ups | outcomes
    title: str
    period: Period
    site_names: list[str]  # the sites covered, in words ("All sites" when none chosen)
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def main(self) -> Table:
        """The table ``--format json``'s ``rows`` and ``total`` are read from."""
        return self.tables[0]


def percent(part: int, whole: int) -> float | None:
    """``part`` as a share of ``whole``, 0-100, to one decimal place (None of nothing)."""
    return round(100.0 * part / whole, 1) if whole else None


def share_rows(counts: Iterable[tuple[str, int]], label: str = "label",
               count: str = "count", share: str = "percent") -> tuple[list[dict], dict]:
    """Rows of (label, count) with each count's share of their total, and the total row:
    the shares are the true shares of the true total."""
    counts = list(counts)
    total = sum(n for _label, n in counts)
    rows = [{label: name, count: n, share: percent(n, total)} for name, n in counts]
    return rows, {label: "Total", count: total, share: 100.0 if total else None}


def suppressed(report: Report) -> Report:
    """The report as it may leave the desk: each count from 1 to 4 as "<5", and a share
    of such a count as None (not shown); totals kept. A copy: ``report`` is unchanged."""

    def row(r: dict, columns: Sequence[Column], is_total: bool) -> dict:
        out = dict(r)
        if is_total:
            return out
        hidden = set()
        for c in columns:
            v = r.get(c.key)
            if c.kind == COUNT and isinstance(v, int) and 0 < v < SMALL:
                out[c.key] = SUPPRESSED
                hidden.add(c.key)
        for c in columns:
            if c.kind in (PERCENT, NUMBER) and c.of in hidden:
                out[c.key] = None
        return out

    tables = [replace(t, rows=[row(r, t.columns, False) for r in t.rows],
                      total=None if t.total is None else row(t.total, t.columns, True))
              for t in report.tables]
    return replace(report, tables=tables, notes=[*report.notes, SUPPRESSION_RULE])


class Survivors:
    """Who each person counts as: themselves, or the person they were merged into (at
    any depth). Loaded once per report: only merged people are held."""

    def __init__(self, merged: dict[str, str]):
        self._merged = merged

    @classmethod
    def load(cls, session: Session) -> Survivors:
        # ("> ''" takes ix_person_merged_into; "IS NOT NULL" read every person)
        rows = session.execute(select(Person.id, Person.merged_into)
                               .where(Person.merged_into > "")).all()
        return cls({pid: into for pid, into in rows})

    def __call__(self, person_id: str) -> str:
        seen = {person_id}
        while person_id in self._merged:
            nxt = self._merged[person_id]
            if nxt in seen:  # two desks merged a pair each its own way: the smaller id
                return min(seen)
            seen.add(nxt)
            person_id = nxt
        return person_id

    def count(self, person_ids: Iterable[str]) -> int:
        """How many people these ids are, a merged person once."""
        if not self._merged:
            return len(set(person_ids))
        return len({self(p) for p in person_ids})


def site_names(session: Session, period: Period) -> list[str]:
    """The sites a period covers, in words."""
    if not period.sites:
        return ["All sites"]
    names = dict(session.execute(select(Site.code, Site.name)).all())
    return [names.get(code, code) for code in period.sites]


def month_key(when: datetime | date) -> str:
    """'2019-09': a month's key for rows of months."""
    return f"{when.year:04d}-{when.month:02d}"


def months(period: Period) -> list[str]:
    """Every month the period touches, in order ('2019-09', ...)."""
    out, y, m = [], period.start.year, period.start.month
    while (y, m) <= (period.end.year, period.end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# -- two cores: a long period counted in two parts side by side -------------------------

LONG = 400  # days: a longer period is counted in two parts at once (see side_by_side)
T = TypeVar("T")


def halves(session: Session, period: Period) -> list[Period]:
    """``period`` itself, or, when longer than LONG days, two parts holding about as
    many contacts each (the service grew: a middle day would leave the later half the
    longer to count), split at the start of a local month."""
    if (period.end - period.start).days < LONG:
        return [period]
    when = Conversation.occurred_at
    inside = (when >= period.wall_from, when < period.wall_to)
    n = session.scalar(select(func.count()).where(*inside)) or 0
    middle = session.scalar(select(when).where(*inside).order_by(when)
                            .offset(n // 2).limit(1)) if n else None
    middle = middle.date() if middle else period.start  # (a local wall time)
    cut = date(middle.year, middle.month, 1)
    if not period.start < cut <= period.end:
        return [period]
    return [Period(period.start, cut - timedelta(days=1), period.sites),
            Period(cut, period.end, period.sites)]


def side_by_side(session: Session, jobs: Sequence[Callable[[Session], T]]) -> list[T]:
    """Each ``job(session)``'s answer, in order: run at once, each on a connection of
    its own, when there are several and the store is a file (SQLite lets readers run
    together, and Python lets go of its lock while SQLite works: a ten-year report uses
    both cores). Each part reads what was committed when it began: parts started a
    moment apart may see a save the other did not (a report is a count at a moment,
    and is said to be out of date by the page when a save lands)."""
    engine = session.get_bind()
    if len(jobs) < 2 or engine.dialect.name != "sqlite" or \
            not isinstance(engine.pool, QueuePool):
        return [job(session) for job in jobs]

    def run(job: Callable[[Session], T]) -> T:
        with Session(engine) as own:
            try:
                return job(own)
            finally:
                own.rollback()

    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="report") as pool:
        futures = [pool.submit(run, job) for job in jobs]
        return [f.result() for f in futures]


# A report's maker: (session, period, check) -> Report. ``check()`` is called now and
# then; it raises Stopped when the person asking has stopped the report.
Maker = Callable[[Session, Period, Callable[[], None]], Report]


def never_stopped() -> None:
    """The ``check`` of a report no one can stop (the command line's)."""
