"""A desk holding exactly the published evaluation's Table 1 (onward referrals by
category, September 2019 to February 2020, at Walton and Southport), among records that
must not be counted: before and after the period (by a few minutes), at Bootle, steps
people take themselves, referrals never sent or corrected back, deleted items. 609
people are referred (one of them recorded twice and merged, one erased since).

Used by the reports' tests of every face (the services, the page, the files, the command
line), so each checks the same figures: ``TABLE1`` (group -> count), ``TOTAL`` 3,932
(the rows' true sum; the evaluation printed 3,894) and ``PERIOD``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import cycle

from sqlalchemy.orm import Session

from lr_desk.services.reports.core import Period
from lr_desk.store.clock import new_id
from lr_desk.store.models import (
    Conversation,
    Course,
    Partner,
    PartnerService,
    Person,
    Prescription,
    PrescriptionItem,
    Referral,
)

TABLE1 = {
    "Life Rooms learning provision": 2201,
    "Social support in relation to debt and benefits": 217,
    "Social isolation": 214,
    "Physical health": 174,
    "Employment": 117,
    "Housing": 95,
    "Volunteering": 40,
    "Family/caring role": 29,
    "Other": 845,
}
TOTAL = 3932
PEOPLE = 609
SITES = ("walton", "southport")
PERIOD = Period(date(2019, 9, 1), date(2020, 2, 29), SITES)
# group -> how its referrals are made: (category of the service, item kind, how many);
# None as the category: a Recovery College course (no referral record)
_MADE = {
    "Life Rooms learning provision": [(None, "course", 2150),
                                      ("learning", "partner_service", 51)],
    "Social support in relation to debt and benefits": [("debt_benefits", "partner_service",
                                                          217)],
    "Social isolation": [("social_isolation", "partner_service", 214)],
    "Physical health": [("physical_health", "partner_service", 174)],
    "Employment": [("employment", "partner_service", 117)],
    "Housing": [("housing", "partner_service", 95)],
    "Volunteering": [("volunteering", "volunteering", 40)],
    "Family/caring role": [("family_caring", "partner_service", 29)],
    "Other": [("mental_wellbeing", "peer_support", 400), ("food_fuel", "partner_service", 300),
              ("other", "partner_service", 145)],
}
# each prescription outside the period (or at Bootle) holds one referral of each way above
PER_VISIT_OUTSIDE = sum(len(ways) for ways in _MADE.values())
SENT_STATUSES = cycle(("sent", "accepted", "declined", "engaged", "completed", "not_taken_up"))


def wall(day: date) -> datetime:
    """A day's first moment on the local clock: conversations' times are kept as the
    advisor's wall time (services.dropin)."""
    return datetime.combine(day, time())


class Desk:
    """Writes conversations with prescriptions for people, a few lines per record."""

    def __init__(self, session: Session, advisor_id: str):
        self.s, self.advisor = session, advisor_id
        self.rows: list[list] = [[], [], [], []]  # written in this order (foreign keys)
        self.partner = Partner(id=new_id(), name="Table One Partners")
        self.services: dict[str, PartnerService] = {}
        self.course = Course(id=new_id(), title="Understanding anxiety")
        session.add_all([self.partner, self.course])
        session.flush()

    def service(self, category: str) -> PartnerService:
        if category not in self.services:
            self.services[category] = PartnerService(
                id=new_id(), partner=self.partner, name=f"Help with {category}", category=category)
            self.s.add(self.services[category])
            self.s.flush()
        return self.services[category]

    def person(self, n: int) -> Person:
        p = Person(id=new_id(), given_name=f"Person{n}", family_name="Table",
                   registered_site="walton")
        self.s.add(p)
        return p

    def prescription(self, person: Person, when, site: str) -> Prescription:
        conv = Conversation(id=new_id(), person_id=person.id, occurred_at=when, site_code=site,
                            advisor_id=self.advisor)
        rx = Prescription(id=new_id(), person_id=person.id, conversation_id=conv.id,
                          advisor_id=self.advisor)
        self.rows[0].append(conv)
        self.rows[1].append(rx)
        return rx

    def item(self, rx: Prescription, category: str | None, kind: str,
             status: str | None = None, deleted: bool = False) -> PrescriptionItem:
        item = PrescriptionItem(id=new_id(), prescription_id=rx.id, kind=kind, title="An item",
                                course_id=self.course.id if kind == "course" else None,
                                service_id=self.service(category).id if category else None)
        if deleted:
            item.deleted_at = wall(date(2020, 3, 2))
        self.rows[2].append(item)
        if category and kind != "own_step":
            self.rows[3].append(Referral(person_id=rx.person_id, item_id=item.id,
                                service_id=item.service_id,
                                status=status or next(SENT_STATUSES)))
        return item

    def write(self) -> None:
        for rows in self.rows:
            self.s.add_all(rows)
            self.s.flush()


def table1_desk(session: Session, advisor_id: str) -> dict:
    """Write the desk (flushed, not committed). Returns {"merged": (kept id, merged id),
    "erased": person id} for tests that merge or erase through the services."""
    desk = Desk(session, advisor_id)
    people = [desk.person(n) for n in range(PEOPLE + 1)]  # the last: the first, twice
    session.flush()
    days = (PERIOD.end - PERIOD.start).days
    made = [(cat, kind) for group in TABLE1 for cat, kind, n in _MADE[group]
            for _ in range(n)]
    assert len(made) == TOTAL
    # five items a prescription, people in turn, spread over the period's days
    for i in range(0, TOTAL, 5):
        person = people[(i // 5) % len(people)]
        day = PERIOD.start + timedelta(days=(i // 5) % (days + 1))
        when = wall(day) + timedelta(hours=11)
        if i == 0:
            when = wall(PERIOD.start) + timedelta(minutes=5)  # its first minutes
        elif i == 5:
            when = wall(PERIOD.end + timedelta(days=1)) - timedelta(minutes=5)
        rx = desk.prescription(person, when, SITES[(i // 5) % 2])
        for cat, kind in made[i:i + 5]:
            desk.item(rx, cat, kind)
        # in the same prescriptions, what does not count
        if i % 50 == 0:
            desk.item(rx, None, "own_step")
            desk.item(rx, "housing", "partner_service", status="suggested")
            desk.item(rx, "employment", "partner_service", status="agreed")
            desk.item(rx, "housing", "partner_service", deleted=True)
            desk.item(rx, None, "course", deleted=True)
    # just outside the period, and at another site within it
    for when, site in ((wall(PERIOD.start) - timedelta(minutes=5), "walton"),
                       (wall(PERIOD.end + timedelta(days=1)) + timedelta(minutes=5),
                        "southport"),
                       (wall(date(2019, 11, 12)) + timedelta(hours=11), "bootle"),
                       (wall(date(2020, 6, 1)) + timedelta(hours=11), "walton")):
        rx = desk.prescription(people[1], when, site)
        for cat, kind, _n in (c for group in _MADE.values() for c in group):
            desk.item(rx, cat, kind)
    # the first person recorded twice, merged: their prescriptions count for one person
    people[-1].merged_into = people[0].id
    desk.write()
    return {"merged": (people[0].id, people[-1].id), "erased": people[2].id}


def counted_both_ways(store, name: str, period: Period, monkeypatch) -> tuple:
    """Report ``name`` for ``period`` counted in two parts side by side (as a long
    period is) and in one: the two reports' tables, which must be the same."""
    from lr_desk.services import reports
    from lr_desk.services.reports import core, partners

    with store.session() as s:
        assert len(core.halves(s, period)) == 2, "the period should be long enough to split"
        assert name != "partners" or len(partners._id_halves(s, period)) == 2
        in_parts = reports.make(s, name, period)
    with monkeypatch.context() as whole:
        whole.setattr(core, "LONG", 10 ** 6)
        whole.setattr(partners, "_id_halves", lambda _s, _p: [None])
        with store.session() as s:
            in_one = reports.make(s, name, period)
    return ([(t.key, t.rows, t.total) for t in in_parts.tables],
            [(t.key, t.rows, t.total) for t in in_one.tables])
