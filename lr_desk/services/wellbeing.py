"""The wellbeing measures a person answers: SWEMWBS and ONS4, checked, scored and kept.

- SWEMWBS (Short Warwick-Edinburgh Mental Wellbeing Scale): seven statements, each
  answered 1 ("None of the time") to 5 ("All of the time"). The raw total (7-35) exists
  only when all seven were answered (a skipped item means no total, never a guessed
  one) and is compared only as its metric score, by Warwick's conversion table.
- ONS4 (the ONS personal wellbeing questions): four questions, each 0 ("Not at all") to
  10 ("Completely"), each reported on its own and in the ONS bands: never summed.

The statements, answers, conversion table, bands, sources and the copyright notice to
show wherever SWEMWBS is used are data: lr_desk/data/wellbeing.json, loaded once into
``MEASURES``.

A person's baseline is their first score of a measure that can be compared: for SWEMWBS
the first with a raw total, for ONS4 the first answered. ``history`` reads a person's
scores with those of anyone merged into them (services.duplicates.family).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.resources import load_json
from lr_desk.services import duplicates
from lr_desk.services.validation import ValidationError
from lr_desk.store.clock import session_now
from lr_desk.store.models import WellbeingMeasure

SWEMWBS, ONS4 = "swemwbs", "ons4"


@dataclass(frozen=True)
class Measure:
    code: str
    title: str
    intro: str
    items: tuple[tuple[str, str], ...]  # (key "1".., the statement or question verbatim)
    answers: tuple[tuple[int, str], ...]  # (value, its words), lowest first
    notice: str  # the copyright notice to show where it is used ("" for ONS4)
    source: str
    short: tuple[tuple[str, str], ...] = ()  # (key, a short name: ONS4 "Anxiety")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _text in self.items)

    @property
    def lowest(self) -> int:
        return self.answers[0][0]

    @property
    def highest(self) -> int:
        return self.answers[-1][0]

    def item_name(self, key: str) -> str:
        """A short name of item ``key`` (ONS4's "Life satisfaction"; SWEMWBS's statement)."""
        return dict(self.short).get(key) or dict(self.items).get(key, key)

    def words(self, value: int) -> str:
        """An answer in words ("Often"; ONS4's middle answers are their numbers)."""
        return dict(self.answers).get(value, str(value))


def _load() -> tuple[dict[str, Measure], dict[int, float], dict[str, list]]:
    data = load_json("wellbeing.json")
    measures = {}
    for code in (SWEMWBS, ONS4):
        m = data[code]
        measures[code] = Measure(
            code=code, title=m["title"], intro=m["intro"],
            items=tuple((k, text) for k, text in m["items"]),
            answers=tuple((v, words) for v, words in m["answers"]),
            notice=m["notice"], source=m["source"],
            short=tuple(m.get("short", {}).items()))
    table = {int(raw): float(value) for raw, value in data[SWEMWBS]["metric"].items()}
    return measures, table, data[ONS4]["bands"]


MEASURES, METRIC_TABLE, _BANDS = _load()  # METRIC_TABLE: raw total -> metric score
CHANGE_ABOUT = load_json("wellbeing.json")[SWEMWBS]["change_about"]


def measure_of(code: str) -> Measure:
    """The measure called ``code``; ValidationError in plain words for anything else."""
    if code not in MEASURES:
        raise ValidationError({"measure": "Choose SWEMWBS or ONS4 (this measure is not "
                                          "one the desk knows)."})
    return MEASURES[code]


def _answer(value, m: Measure) -> int | None:
    """One answer as an int, None when skipped; ValueError in plain words otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) \
            or not m.lowest <= value <= m.highest:
        raise ValueError(f"Choose an answer from {m.lowest} ({m.words(m.lowest)}) to "
                         f"{m.highest} ({m.words(m.highest)}), or leave it out if the "
                         "person would rather not answer.")
    return value


def check_answers(measure: str, raw: dict) -> dict[str, int]:
    """The answers given, item key -> answer (an int), skipped items left out.

    ``raw`` maps item keys ("1".."7"; ints are taken as keys too) to an int, a digit
    string, or None / "" when skipped. Anything else (an answer out of range, a word, an
    item the measure has not got) is refused with ValidationError, a message per item."""
    m = measure_of(measure)
    if not isinstance(raw, dict):
        raise ValidationError({"answers": "The answers could not be read: please answer "
                                          "the questions again."})
    clean: dict[str, int] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        key = str(key)
        if key not in m.keys:
            errors[key] = (f"{m.title} has no question {key}: please answer the questions "
                           "shown.")
            continue
        try:
            answer = _answer(value, m)
        except ValueError as exc:
            errors[key] = f"Question {key}: {exc}"
            continue
        if answer is not None:
            clean[key] = answer
    if errors:
        raise ValidationError(errors)
    return {k: clean[k] for k in m.keys if k in clean}


def raw_total(measure: str, answers: dict) -> int | None:
    """SWEMWBS's raw total (7-35) when all seven were answered, else None. ONS4: always
    None (its questions are never added up)."""
    if measure != SWEMWBS:
        return None
    keys = MEASURES[SWEMWBS].keys
    if any(answers.get(k) is None for k in keys):
        return None
    return sum(int(answers[k]) for k in keys)


def metric(raw_total: int) -> float:
    """A SWEMWBS raw total (7-35) as its metric score, by Warwick's conversion table."""
    if raw_total not in METRIC_TABLE:
        raise ValueError(f"A SWEMWBS raw total is from 7 to 35, not {raw_total!r}.")
    return METRIC_TABLE[raw_total]


def ons4_band(item_key: str, value: int) -> str:
    """The ONS band of an answer to ONS4 question ``item_key`` ("Low" ... "Very high"; for
    anxiety, question 4, "Very low" ... "High")."""
    for low, high, name in _BANDS[str(item_key)]:
        if low <= value <= high:
            return name
    raise ValueError(f"An ONS4 answer is from 0 to 10, not {value!r}.")


def ons4_bands(item_key: str) -> tuple[str, ...]:
    """The band names of ONS4 question ``item_key``, lowest answers first."""
    return tuple(name for _low, _high, name in _BANDS[str(item_key)])


def record(session: Session, person_id: str, measure: str, answers: dict, advisor_id: str,
           site_code: str, conversation_id: str | None = None,
           follow_up_id: str | None = None,
           taken_at: datetime | None = None) -> WellbeingMeasure | None:
    """Keep what the person answered (checked: ValidationError per item), with SWEMWBS's
    raw total when all seven were answered. Nothing answered: nothing kept (None). Kept
    under the person a merged-away record now stands for."""
    clean = check_answers(measure, answers)
    if not clean:
        return None
    row = WellbeingMeasure(
        person_id=duplicates.survivor(session, person_id), measure=measure, answers=clean,
        raw_total=raw_total(measure, clean), taken_at=taken_at or session_now(session),
        site_code=site_code or "", advisor_id=advisor_id, conversation_id=conversation_id,
        follow_up_id=follow_up_id)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Score:
    id: str
    measure: str
    taken_at: datetime
    answers: dict[str, int]
    raw_total: int | None
    metric: float | None  # SWEMWBS with a raw total
    baseline: bool  # the person's first of this measure that can be compared
    site_code: str = ""
    conversation_id: str | None = None
    follow_up_id: str | None = None


def history(session: Session, person_id: str) -> list[Score]:
    """Every score of the person (with anyone merged into them), oldest first."""
    ids = duplicates.family(session, duplicates.survivor(session, person_id))
    rows = session.scalars(
        select(WellbeingMeasure)
        .where(WellbeingMeasure.person_id.in_(ids), WellbeingMeasure.deleted_at.is_(None))
        .order_by(WellbeingMeasure.taken_at, WellbeingMeasure.created_at,
                  WellbeingMeasure.id)).all()
    out, seen = [], set()
    for r in rows:
        comparable = r.raw_total is not None if r.measure == SWEMWBS else bool(r.answers)
        first = comparable and r.measure not in seen
        if first:
            seen.add(r.measure)
        out.append(Score(
            id=r.id, measure=r.measure, taken_at=r.taken_at,
            answers={str(k): int(v) for k, v in (r.answers or {}).items()},
            raw_total=r.raw_total,
            metric=METRIC_TABLE.get(r.raw_total) if r.raw_total is not None else None,
            baseline=first, site_code=r.site_code, conversation_id=r.conversation_id,
            follow_up_id=r.follow_up_id))
    return out
