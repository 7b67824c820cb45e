"""Activity: what the hubs did in a period, at the sites asked for.

What each figure is (said once, here and in the report's notes):
- a contact is a conversation (not deleted) held in the period at one of the sites, by
  its way (drop-in, telephone, video, outreach), its site and its month (the local month
  of its time);
- people seen: the different people with a contact, a person recorded twice and merged
  once;
- new registrations: people first recorded in the period and registered at one of the
  sites (a record merged into another is not a new person; one erased since still
  counts), with how many of them are Mersey Care service users and carers, and how they
  came to us (their referral source);
- social prescriptions made: prescriptions made in a contact of the period, with the
  items on each (those not removed): the mean, and how many held 1, 2, 3 or 4 or more;
- needs raised: each need noted in a contact of the period, by category;
- escalations: contacts escalated, by the kind of reason only (never what was done).

One pass over the period's contacts (through the time index, a month at a time)
counts contacts, ways, sites, months and escalations together; needs and
prescriptions are read through their contacts; registrations from the people recorded
in the period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from itertools import pairwise

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from lr_desk.services.load import unindexed
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
    halves,
    months,
    percent,
    share_rows,
    side_by_side,
    site_names,
)
from lr_desk.store.models import (
    ESCALATION_REASONS,
    MODES,
    REFERRAL_SOURCES,
    Category,
    Conversation,
    ConversationNeed,
    Person,
    Prescription,
    PrescriptionItem,
    Site,
)

TITLE = "Activity"
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
               "Dec")
MOST_ITEMS = 4  # prescriptions with this many items or more share a row
NO_REASON = "Reason not recorded"


def month_words(key: str) -> str:
    """'2019-09' -> 'Sep 2019'."""
    year, month = key.split("-")
    return f"{MONTH_NAMES[int(month) - 1]} {year}"


def month_starts(period: Period) -> list:
    """The moments (local wall time, as conversations' times are kept) each month of
    ``period`` starts, clipped to the period, and the moment after it ends: month i is
    [starts[i], starts[i + 1])."""
    starts = [datetime(int(k[:4]), int(k[5:]), 1) for k in months(period)]
    return [period.wall_from, *starts[1:], period.wall_to]


def _in_period(q, period: Period, start=None, end=None):
    """``q`` limited to contacts (conversations not deleted) held in ``period`` (from
    ``start`` to before ``end`` within it, if given)."""
    q = q.where(Conversation.occurred_at >= (start or period.wall_from),
                Conversation.occurred_at < (end or period.wall_to),
                Conversation.deleted_at.is_(None))
    where = period.site_filter(Conversation.site_code)
    return q if where is None else q.where(where)


def _ordered(counts: Counter, words: dict[str, str], unknown: str = "") -> list[tuple]:
    """(words, count) for every code of ``words`` in order, then any other code met."""
    out = [(name, counts.get(code, 0)) for code, name in words.items()]
    out += [(unknown or code or "Not recorded", n) for code, n in counts.items()
            if code not in words]
    return out


def _contacts(session: Session, period: Period, check: Callable[[], None]):
    """Contacts by (month index, way, site), and escalations by reason: a query a month
    (through the time index; grouping a month at a time is quicker than grouping ten
    years at once by a computed month, and Stop is heard between months)."""
    reason = case((Conversation.escalated, Conversation.escalation_reason), else_=None)
    q = select(Conversation.mode, Conversation.site_code, reason, func.count())
    by: Counter = Counter()
    escalations: Counter = Counter()
    starts = month_starts(period)
    for i, (start, end) in enumerate(pairwise(starts)):
        check()
        for mode, site, why, n in session.execute(
                _in_period(q, period, start, end)
                .group_by(Conversation.mode, Conversation.site_code, reason)):
            by[(i, mode, site)] += n
            if why is not None:
                escalations[why] += n
    return by, escalations


def _people_seen(session: Session, period: Period, survivors: Survivors) -> int:
    """The people with a contact in the period, a merged person once: each person's
    contacts looked up by their own index (person, time), which over ten years is a
    third of the work of sorting every contact's person."""
    seen = _in_period(select(literal(1)).where(Conversation.person_id == Person.id), period)
    return survivors.count(session.scalars(select(Person.id).where(seen.exists())))


def _registrations(session: Session, period: Period) -> Counter:
    """New people by (referral source, service user, carer)."""
    p = Person
    q = (select(p.referral_source, p.service_user, p.carer, func.count())
         .where(p.created_at >= period.utc_from, p.created_at < period.utc_to,
                p.deleted_at.is_(None), unindexed(p.merged_into).is_(None))
         .group_by(p.referral_source, p.service_user, p.carer))
    where = period.site_filter(p.registered_site)
    if where is not None:
        q = q.where(where)
    return Counter({(source, bool(su), bool(carer)): n
                    for source, su, carer, n in session.execute(q)})


def _needs(session: Session, period: Period) -> Counter:
    n = ConversationNeed
    q = _in_period(select(n.category, func.count()).select_from(Conversation)
                   .join(n, n.conversation_id == Conversation.id)
                   .where(n.deleted_at.is_(None)), period)
    return Counter(dict(session.execute(q.group_by(n.category)).all()))


def _items(session: Session, period: Period) -> Counter:
    """Prescriptions made in the period by how many items they hold (not removed)."""
    i = PrescriptionItem
    # (each prescription's items counted by its own index: no grouping by prescription)
    held = (select(func.count()).where(i.prescription_id == Prescription.id,
                                       i.deleted_at.is_(None)).scalar_subquery())
    per = _in_period(
        select(held.label("items")).select_from(Conversation)
        .join(Prescription, Prescription.conversation_id == Conversation.id)
        .where(Prescription.deleted_at.is_(None)), period).subquery()
    return Counter(dict(session.execute(
        select(per.c["items"], func.count()).group_by(per.c["items"])).all()))


def _counted(session: Session, period: Period, check: Callable[[], None]):
    """What adds up across parts of a period: contacts (by month index, way and site)
    and escalations, needs, and prescriptions by their number of items."""
    by, escalations = _contacts(session, period, check)
    check()
    needs = _needs(session, period)
    check()
    return by, escalations, needs, _items(session, period)


def _item_rows(by_items: Counter) -> tuple[list[dict], dict]:
    """Prescriptions by their number of items; the items and their mean in the total
    only (a row's items would give away a small count: 2 items x 3 prescriptions)."""
    made = sum(by_items.values())
    spans = [(k, k, f"{k} item" + ("s" if k > 1 else "")) for k in range(1, MOST_ITEMS)]
    spans.append((MOST_ITEMS, None, f"{MOST_ITEMS} or more items"))
    if by_items.get(0):
        spans.insert(0, (0, 0, "No items (all removed)"))
    rows = []
    for lo, hi, label in spans:
        n = sum(c for k, c in by_items.items() if k >= lo and (hi is None or k <= hi))
        rows.append({"label": label, "count": n, "percent": percent(n, made),
                     "items": None, "mean": None})
    items = sum(k * c for k, c in by_items.items())
    total = {"label": "Total", "count": made, "percent": 100.0 if made else None,
             "items": items, "mean": round(items / made, 2) if made else None}
    return rows, total


def _shares(key: str, title: str, what: str, counts, note: str = "") -> Table:
    rows, total = share_rows(counts)
    return Table(key, title, [Column("label", what, LABEL), Column("count", "Number"),
                              Column("percent", "Share (%)", PERCENT, of="count")],
                 rows, total, note)


def make(session: Session, period: Period, check: Callable[[], None]) -> Report:
    keys = months(period)
    by, escalations, needs, by_items = Counter(), Counter(), Counter(), Counter()
    parts = halves(session, period)  # (a long period: two parts at once, a month apart)
    offsets = [0, len(months(parts[0]))]
    for offset, (part_by, part_escalations, part_needs, part_items) in zip(
            offsets, side_by_side(session, [lambda s, part=part: _counted(s, part, check)
                                            for part in parts]), strict=False):
        by.update({(i + offset, mode, site): n for (i, mode, site), n in part_by.items()})
        escalations.update(part_escalations)
        needs.update(part_needs)
        by_items.update(part_items)
    check()
    survivors = Survivors.load(session)
    seen = _people_seen(session, period, survivors)
    check()
    registered = _registrations(session, period)
    check()

    ways, sites, per_month = Counter(), Counter(), Counter()
    for (i, mode, site), n in by.items():
        ways[mode] += n
        sites[site] += n
        per_month[(i, mode)] += n
    contacts = sum(ways.values())
    new = sum(registered.values())
    users = sum(n for (_s, su, _c), n in registered.items() if su)
    carers = sum(n for (_s, _su, c), n in registered.items() if c)
    sources = Counter()
    for (source, _su, _c), n in registered.items():
        sources[source] += n
    item_rows, item_total = _item_rows(by_items)
    category_names = dict(session.execute(select(Category.code, Category.name)
                                          .order_by(Category.position)).all())
    site_words = dict(session.execute(select(Site.code, Site.name)).all())

    summary = Table("summary", "Activity in the period",
                    [Column("label", "Figure", LABEL), Column("count", "Number"),
                     Column("percent", "Share of new registrations (%)", PERCENT,
                            of="count")],
                    [{"label": "Contacts", "count": contacts, "percent": None},
                     {"label": "People seen", "count": seen, "percent": None},
                     {"label": "New registrations", "count": new,
                      "percent": 100.0 if new else None},
                     {"label": "New: Mersey Care service users", "count": users,
                      "percent": percent(users, new)},
                     {"label": "New: carers", "count": carers, "percent": percent(carers, new)},
                     {"label": "Social prescriptions made", "count": item_total["count"],
                      "percent": None},
                     {"label": "Items on them", "count": item_total["items"],
                      "percent": None},
                     {"label": "Needs raised", "count": sum(needs.values()), "percent": None},
                     {"label": "Escalations", "count": sum(escalations.values()),
                      "percent": None}])
    by_way = _shares("ways", "Contacts by way", "Way", _ordered(ways, MODES))
    wanted = period.sites or tuple(site_words)
    by_site = _shares("sites", "Contacts by site", "Site",
                      [(site_words.get(code, code), sites.get(code, 0)) for code in wanted
                       if sites.get(code) or period.sites]
                      + [(site_words.get(code, code or "Not recorded"), n)
                         for code, n in sites.items() if code not in wanted])
    mode_codes = list(MODES) + [m for m in ways if m not in MODES]
    month_rows = []
    for i, key in enumerate(keys):
        row = {"label": month_words(key)}
        row.update({m: per_month.get((i, m), 0) for m in mode_codes})
        row["count"] = sum(row[m] for m in mode_codes)
        month_rows.append(row)
    by_month = Table(
        "months", "Contacts by month", [Column("label", "Month", LABEL)]
        + [Column(m, MODES.get(m, m)) for m in mode_codes] + [Column("count", "All ways")],
        month_rows, {"label": "Total", **{m: ways.get(m, 0) for m in mode_codes},
                     "count": contacts})
    came = _shares("sources", "New registrations: how people came to us", "Came through",
                   _ordered(sources, REFERRAL_SOURCES))
    items = Table("items", "Social prescriptions by number of items",
                  [Column("label", "Items on the prescription", LABEL),
                   Column("count", "Prescriptions"),
                   Column("percent", "Share (%)", PERCENT, of="count"),
                   Column("items", "Items"), Column("mean", "Mean items", NUMBER, of="count")],
                  item_rows, item_total)
    need_rows = _shares("needs", "Needs raised by category", "Need",
                        _ordered(needs, category_names))
    escalated = _shares("escalations", "Escalations by kind of reason", "Reason",
                        _ordered(escalations, ESCALATION_REASONS, NO_REASON))
    return Report(
        "activity", TITLE, period, site_names(session, period),
        [summary, by_way, by_site, by_month, came, items, need_rows, escalated],
        charts=[Chart("Contacts by month", "months", "label", tuple(mode_codes), "line"),
                Chart("Contacts by way", "ways", "label", ("count",), "column"),
                Chart("Needs raised by category", "needs", "label", ("count",))],
        notes=["A contact is a conversation held in the period at the sites chosen, "
               "counted by its way, its site and the month it was held in (local time).",
               "People seen: the different people with a contact; a person recorded twice "
               "and merged counts once.",
               "New registrations: people first recorded in the period and registered at "
               "the sites chosen (a record merged into another is not a new person). "
               "Shares of Mersey Care service users and carers are of new registrations.",
               "Social prescriptions: those made in a contact of the period, with the "
               "items still on them; mean items = items / prescriptions.",
               "Needs raised: each need noted in a contact of the period, by category.",
               "Escalations: contacts escalated, counted by the kind of reason only."])
