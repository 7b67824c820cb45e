"""Service gaps: a need that no suitable service could meet, noted at a drop-in (the need,
where, and what was needed in the advisor's words), and counted by need and site over a
period (for the reports: issue 13).

A gap noted at a drop-in is recorded with the drop-in's conversation, in the same
transaction (``record_gaps``, called by the drop-in's save), so erasing the person empties
its words too (store.erase lists service gaps under their conversation); the need and the
site stay, and are still counted. ``record_gap`` records one on its own as well (a gap
with no conversation names no one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lr_desk.services.audit import utc_start
from lr_desk.services.validation import Checker, ValidationError, check_text
from lr_desk.store.clock import session_now
from lr_desk.store.models import Advisor, Category, Conversation, ServiceGap, Site

MAX_WORDS = 2_000  # what was needed, in a few sentences


@dataclass(frozen=True)
class Count:
    """How many gaps were noted for one need at one site."""

    category: str
    need: str  # the category in words
    site_code: str
    count: int


def check_gap(raw: dict, categories: Iterable[str], sites: Iterable[str]) -> dict:
    """A gap's values from a form (``category``, ``site_code``, ``words``), checked
    against the needs and sites this desk knows: clean values, or ValidationError with a
    message per field. Pure: the form checks as the advisor types."""
    c = Checker()
    category = raw.get("category") or ""
    if not isinstance(category, str) or category not in set(categories):
        c.errors["category"] = "Choose the need that no service could meet."
    site = raw.get("site_code") or ""
    if not isinstance(site, str) or (site and site not in set(sites)):
        c.errors["site_code"] = "Choose where this was."
    words = c.field("words", check_text, raw.get("words") or "",
                    "description of what was needed", MAX_WORDS)
    if words == "" and "words" not in c.errors:
        c.errors["words"] = "Say in a few words what was needed and not found."
    c.done()
    return {"category": category, "site_code": site, "words": words}


def _known(session: Session) -> tuple[list[str], list[str]]:
    return (list(session.scalars(select(Category.code))),
            list(session.scalars(select(Site.code))))


def record_gap(session: Session, category: str, site_code: str, words: str,
               advisor_id: str, conversation_id: str | None = None) -> ServiceGap:
    """Record one service gap (checked; ValidationError in plain words), in the caller's
    transaction, noted now by ``advisor_id``, under ``conversation_id`` if given."""
    return record_gaps(session, [{"category": category, "words": words}], site_code,
                       advisor_id, conversation_id)[0]


def record_gaps(session: Session, gaps: list[dict], site_code: str, advisor_id: str,
                conversation_id: str | None = None) -> list[ServiceGap]:
    """Record the gaps noted at one drop-in (each ``category`` and ``words``) at
    ``site_code``, under its conversation: all or none."""
    categories, sites = _known(session)
    errors: dict[str, str] = {}
    clean = []
    for n, raw in enumerate(gaps):
        try:
            clean.append(check_gap({**raw, "site_code": site_code}, categories, sites))
        except ValidationError as exc:
            errors.update({f"gaps.{n}.{k}" if len(gaps) > 1 else k: v
                           for k, v in exc.errors.items()})
    if session.get(Advisor, advisor_id) is None:
        errors["advisor_id"] = "Sign in again: this desk does not know who is noting it."
    if conversation_id is not None:
        conv = session.get(Conversation, conversation_id)
        if conv is None or conv.deleted_at is not None:
            errors["conversation_id"] = "That conversation is no longer on this desk."
    if errors:
        raise ValidationError(errors)
    now = session_now(session)
    rows = [ServiceGap(**values, advisor_id=advisor_id, conversation_id=conversation_id,
                       recorded_at=now) for values in clean]
    session.add_all(rows)
    session.flush()
    return rows


def counts(session: Session, start: date, end: date,
           site_code: str | None = None) -> list[Count]:
    """Gaps noted from ``start`` to ``end`` (local days, both included), by need and site
    (one site's only, if given), in the needs' order; gaps deleted on a desk are not
    counted, gaps of erased people are (their words are gone, the need stays)."""
    g = ServiceGap
    q = (select(g.category, Category.name, g.site_code, func.count())
         .join(Category, Category.code == g.category, isouter=True)
         .where(g.deleted_at.is_(None), g.recorded_at >= utc_start(start),
                g.recorded_at < utc_start(end + timedelta(days=1)))
         .group_by(g.category, Category.name, Category.position, g.site_code)
         .order_by(Category.position, g.category, g.site_code))
    if site_code is not None:
        q = q.where(g.site_code == site_code)
    return [Count(category, need or category, site, n)
            for category, need, site, n in session.execute(q)]


def noted_at(session: Session, conversation_id: str) -> list[ServiceGap]:
    """The gaps noted at one conversation, oldest first (not deleted)."""
    return list(session.scalars(
        select(ServiceGap).where(ServiceGap.conversation_id == conversation_id,
                                 ServiceGap.deleted_at.is_(None))
        .order_by(ServiceGap.recorded_at, ServiceGap.id)))
