"""Onward referrals by category, laid out as the published evaluation's Table 1.

What counts as an onward referral (said once, here and in the README):
- an item of a social prescription made in the period (the time and site of the
  conversation the prescription was made in) that sends the person onward:
  - a Recovery College course on the plan: "Life Rooms learning provision", though a
    course has no referral record;
  - any other item whose referral was sent to the partner (its status is now sent,
    accepted, declined, engaged, completed or not taken up): the group of its service's
    category (``Category.report_group``, shipped in lr_desk/data/reference.json); a
    learning partner's service is learning provision too;
- under "Other" fall the categories mental wellbeing, food or fuel and other;
- not counted: a step the person takes themselves, a referral only suggested or agreed
  (never sent), or one corrected back to that, and anything deleted.

Each row is a count and its true share of the true total (the published table's rows
sum to 3,932 where it states 3,894, and prints 2,201 as 57.0% where it is 56.0% of
3,932: a report from records shows the true figures).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sqlalchemy import and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from lr_desk.services.load import unindexed
from lr_desk.services.reports.core import (
    LABEL,
    PERCENT,
    Chart,
    Column,
    Period,
    Report,
    Survivors,
    Table,
    halves,
    share_rows,
    side_by_side,
    site_names,
)
from lr_desk.store.models import (
    Category,
    Conversation,
    PartnerService,
    Prescription,
    PrescriptionItem,
    Referral,
)

LEARNING = "learning"  # the category a course counts under
OTHER = "Other"
SENT = ("sent", "accepted", "declined", "engaged", "completed", "not_taken_up")
TITLE = "Onward referrals by category"


def groups(session: Session) -> tuple[list[str], dict[str, str]]:
    """Table 1's rows in order ("Other" last), and each category code's row."""
    order: list[str] = []
    of: dict[str, str] = {}
    for code, group in session.execute(select(Category.code, Category.report_group)
                                       .order_by(Category.position)):
        of[code] = group
        if group not in order:
            order.append(group)
    if OTHER in order:
        order.remove(OTHER)
    return [*order, OTHER], of


def made_in(q, period: Period):
    """``q`` (over prescription items) limited to prescriptions made in ``period``."""
    q = (q.join(Prescription, Prescription.id == PrescriptionItem.prescription_id)
         .join(Conversation, Conversation.id == Prescription.conversation_id)
         .where(Conversation.occurred_at >= period.wall_from,  # (local wall time)
                Conversation.occurred_at < period.wall_to,
                Conversation.deleted_at.is_(None), Prescription.deleted_at.is_(None),
                PrescriptionItem.deleted_at.is_(None)))
    where = period.site_filter(Conversation.site_code)
    return q if where is None else q.where(where)


def sent_onward():
    """The join of a prescription item to its referral, if that was sent onward (the
    referral looked up by its item: never through every sent referral's status)."""
    return and_(Referral.item_id == PrescriptionItem.id, Referral.deleted_at.is_(None),
                unindexed(Referral.status).in_(SENT))


def counts(session: Session, period: Period) -> tuple[Counter, set[str]]:
    """Onward referrals in ``period`` by category code, and the people referred (ids)."""
    by_category: Counter = Counter()
    people: set[str] = set()
    is_course = PrescriptionItem.kind == "course"
    grouped = (made_in(select(Prescription.person_id.label("person"),
                               is_course.label("course"),
                               PartnerService.category.label("category"),
                               func.count().label("n"))
                        .select_from(PrescriptionItem)
                        .outerjoin(Referral, sent_onward())
                        .outerjoin(PartnerService, PartnerService.id == Referral.service_id)
                        .where(or_(is_course, Referral.id.is_not(None))), period)
               .group_by(Prescription.person_id, is_course, PartnerService.category)
               .cte("grouped").prefix_with("MATERIALIZED"))
    # counted once, read twice: the counts by category, then each person once (a row
    # per person and category would be three times as many rows to hand to Python)
    g = grouped.c
    totals = select(g.course, g.category, func.sum(g.n), literal(None)) \
        .group_by(g.course, g.category)
    persons = select(literal(None), literal(None), literal(None), g.person).distinct()
    for course, category, n, person in session.execute(union_all(totals, persons)):
        if person is None:
            by_category[LEARNING if course else category] += n
        else:
            people.add(person)
    return by_category, people


def make(session: Session, period: Period, check: Callable[[], None]) -> Report:
    order, group_of = groups(session)
    by_category: Counter = Counter()
    people: set[str] = set()
    for part_counts, part_people in side_by_side(
            session, [lambda s, part=part: counts(s, part)
                      for part in halves(session, period)]):
        by_category.update(part_counts)
        people |= part_people
    check()
    by_group: Counter = Counter()
    for category, n in by_category.items():
        by_group[group_of.get(category, OTHER)] += n
    rows, total = share_rows((g, by_group[g]) for g in order)
    table = Table("referrals", TITLE,
                  [Column("label", "Category", LABEL), Column("count", "Referrals"),
                   Column("percent", "Share of total (%)", PERCENT, of="count")],
                  rows, total)
    n_people = Survivors.load(session).count(people)
    others = list(session.scalars(select(Category.name).where(Category.report_group == OTHER)
                                  .order_by(Category.position)))
    summary = Table("summary", "Summary",
                    [Column("label", "Figure", LABEL), Column("count", "Number")],
                    [{"label": "Onward referrals", "count": total["count"]},
                     {"label": "People referred onward", "count": n_people}])
    return Report(
        "referrals", TITLE, period, site_names(session, period), [table, summary],
        charts=[Chart("Onward referrals by category", "referrals", "label", ("count",))],
        notes=["An onward referral is a Recovery College course on a social prescription, "
               "or any other item of one that was sent to a partner (whatever the partner "
               "did next), counted when and where the prescription was made. Steps a "
               "person takes themselves, and referrals never sent, are not counted.",
               "Other: " + ", ".join(others).lower() + "."])
