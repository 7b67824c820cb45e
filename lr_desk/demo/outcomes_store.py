"""The ten-year dataset's outcome measures and NHS numbers (``demo.outcomes``), made from
the people, conversations and follow-ups already in a database and written with Core
bulk statements and no outbox (like the rest of the dataset). ``demo.dataset`` calls
``add_outcomes`` as its last step; benchmarks/report_bench.py calls it on its copy of a
dataset built before there were outcomes, so both hold the same kind of rows, made the
same way."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from lr_desk.demo.outcomes import WINDOW, Contact, NhsNumbers, plan_measures, who_answers
from lr_desk.demo.synth import to_utc
from lr_desk.store.clock import new_id
from lr_desk.store.models import Conversation, FollowUp, Person, WellbeingMeasure

IN_CHUNK = 900  # ids per IN (...), under SQLite's old limit of 999 variables
WRITE_CHUNK = 20_000
MARGIN = timedelta(days=7)  # contacts read beyond the window after a registration


def add_outcomes(s: Session, seed: int = 1, say: Callable[[str], object] = print
                 ) -> dict[str, int]:
    """Give a dataset's people their NHS numbers and wellbeing measures; the rows written.
    Deterministic for a seed and the data already there (people taken in the order they
    were written); its own generator, so the rest of the dataset stays as it was.
    Commits."""
    rng = random.Random(f"outcomes {seed}")
    people = list(s.scalars(select(Person.id).where(Person.deleted_at.is_(None))
                            .order_by(text("person.rowid"))))
    numbers = NhsNumbers(rng)
    rows = [{"pid": pid, "nhs": n} for pid in people if (n := numbers.maybe())]
    stmt = (update(Person.__table__).where(Person.__table__.c.id == bindparam("pid"))
            .values(nhs_number=bindparam("nhs")))
    conn = s.connection()
    for i in range(0, len(rows), WRITE_CHUNK):
        conn.execute(stmt, rows[i:i + WRITE_CHUNK])
    say(f"NHS numbers {len(rows):,}")
    swemwbs, ons4_alone = who_answers(rng, people)
    contacts = _contacts(s, swemwbs + ons4_alone)
    measures = plan_measures(rng, contacts, swemwbs, ons4_alone)
    buffer: list[dict] = []
    for m in measures:
        c = m.contact
        # stamped as the desk stamps it (UTC); a conversation's time is local wall time
        when = to_utc(c.when) if c.kind == "conversation" else c.when
        buffer.append({
            "id": new_id(), "created_at": when, "updated_at": when, "deleted_at": None,
            "person_id": m.person, "measure": m.measure, "answers": m.answers,
            "raw_total": m.raw_total, "taken_at": when, "site_code": c.site,
            "advisor_id": c.advisor,
            "conversation_id": c.ref if c.kind == "conversation" else None,
            "follow_up_id": c.ref if c.kind == "follow_up" else None,
        })
        if len(buffer) >= WRITE_CHUNK:
            s.execute(insert(WellbeingMeasure.__table__), buffer)
            buffer.clear()
    if buffer:
        s.execute(insert(WellbeingMeasure.__table__), buffer)
    s.commit()
    counts = {"nhs_number": len(rows), "wellbeing_measure": len(measures)}
    say(f"wellbeing measures {len(measures):,}")
    return counts


def remove_outcomes(s: Session) -> None:
    """Undo ``add_outcomes`` (every measure gone, every NHS number emptied), so that it
    can be made again. Commits."""
    s.execute(delete(WellbeingMeasure.__table__))
    s.execute(update(Person.__table__).where(Person.__table__.c.nhs_number != "")
              .values(nhs_number=""))
    s.commit()


def measure_count(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(WellbeingMeasure)) or 0


def _contacts(s: Session, people: list[str]) -> dict[str, list[Contact]]:
    """Each person's conversations and follow-ups done, in time order, up to a little
    beyond the window of a later score after their registration (a dataset's person is
    registered at their first conversation; a regular's later years are not read)."""
    out: dict[str, list[Contact]] = {p: [] for p in people}
    until = func.datetime(Person.created_at, f"+{(WINDOW[1] + MARGIN).days} days")
    for i in range(0, len(people), IN_CHUNK):
        chunk = people[i:i + IN_CHUNK]
        for pid, when, cid, site, adv in s.execute(
                select(Conversation.person_id, Conversation.occurred_at, Conversation.id,
                       Conversation.site_code, Conversation.advisor_id)
                .join(Person, Person.id == Conversation.person_id)
                .where(Conversation.person_id.in_(chunk), Conversation.occurred_at <= until,
                       Conversation.deleted_at.is_(None))):
            out[pid].append(Contact(when, "conversation", cid, site, adv))
        for pid, when, fid, site, adv in s.execute(
                select(FollowUp.person_id, FollowUp.done_at, FollowUp.id, FollowUp.site_code,
                       FollowUp.done_by)
                .join(Person, Person.id == FollowUp.person_id)
                .where(FollowUp.person_id.in_(chunk), FollowUp.done_at <= until,
                       FollowUp.deleted_at.is_(None))):
            out[pid].append(Contact(when, "follow_up", fid, site, adv))
    for found in out.values():  # ties broken by what the contact was, not its random id
        found.sort(key=_order)
    return out


def _order(c: Contact) -> tuple[datetime, str, str, str]:
    return c.when, c.kind, c.site, str(c.advisor)
