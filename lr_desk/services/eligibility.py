"""A person checked against a partner service's eligibility and its load, in plain words,
at the point of referral.

``prepare(session, person_id, today)`` reads everything once (every service's rules, this
period's loads, which partners have a key contact, the person's facts) into a
``Checker``; ``checker.check(service_id)`` and ``checker.similar(service_id)`` then answer
in memory, so the picker can ask them on every keystroke. A rule the person's record
lacks a fact for says so ("No date of birth: cannot check the age range 18-25") without
blocking: the desk never guesses. A blocking warning can be gone past only with a
reason (services.eligibility_override).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services import contacts, duplicates, load
from lr_desk.services.eligibility_area import Catchment, parse
from lr_desk.services.eligibility_rules import Facts, Warning, rules_of, warnings_for
from lr_desk.store.models import Partner, PartnerService, Person, Referral, ReferralEvent

__all__ = ["Checker", "Facts", "Rules", "Verdict", "Warning", "prepare"]

USED = ("accepted", "engaged", "completed")  # a referral that used a once-only service
OPEN = ("suggested", "agreed", "sent", "accepted", "engaged")
ELIGIBILITY = ("age", "area", "benefits", "once")
MARKS = (("Not eligible", ELIGIBILITY), ("Closed", ("closed",)), ("Paused", ("paused",)),
         ("Full", ("load",)))


@dataclass(frozen=True, slots=True)
class Rules:
    """One service's rules, as read for the checker."""

    id: str
    name: str
    partner_id: str
    partner_name: str
    category: str
    capacity: str = "taking"
    wait_weeks: int | None = None
    paused_until: date | None = None
    confirmed_on: date | None = None
    takes: int | None = None
    takes_per: str = "month"
    min_age: int | None = None
    max_age: int | None = None
    catchment: Catchment = field(default_factory=lambda: parse(""))
    benefits_rule: str = ""
    once_only: bool = False
    once_lookback_months: int | None = None
    criteria: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    service_id: str
    warnings: tuple[Warning, ...] = ()

    @property
    def blocking(self) -> tuple[Warning, ...]:
        return tuple(w for w in self.warnings if w.blocking)

    @property
    def mark(self) -> str:
        """'Not eligible', 'Closed', 'Paused', 'Full', 'Check', or '' (nothing to say)."""
        kinds = {w.kind for w in self.blocking}
        for mark, of in MARKS:
            if kinds & set(of):
                return mark
        return "Check" if self.warnings else ""

    @property
    def reason(self) -> str:
        """The first thing to say (a blocking one first)."""
        return self.warnings[0].text if self.warnings else ""

    def words(self, blocking_only: bool = False) -> str:
        """The warnings as lines, as recorded with an override."""
        return "\n".join(w.text for w in (self.blocking if blocking_only else self.warnings))


class Checker:
    """Everything ``check`` and ``similar`` need, loaded once; answers in memory."""

    def __init__(self, services: dict[str, Rules], facts: Facts | None,
                 loads: dict[str, int], key_contacts: set[str], today: date):
        self.services, self.facts, self.loads = services, facts, loads
        self.key_contacts, self.today = key_contacts, today
        self._verdicts: dict[str, Verdict] = {}
        self._by_category: dict[str, list[Rules]] = {}
        for rules in services.values():
            self._by_category.setdefault(rules.category, []).append(rules)

    def rules(self, service_id: str) -> Rules | None:
        return self.services.get(service_id)

    def load(self, service_id: str) -> int:
        return self.loads.get(service_id, 0)

    def check(self, service_id: str) -> Verdict:
        found = self._verdicts.get(service_id)
        if found is None:
            rules = self.services.get(service_id)
            found = Verdict(service_id, () if rules is None else tuple(warnings_for(
                rules, self.facts, self.load(service_id),
                rules.partner_id in self.key_contacts, self.today)))
            self._verdicts[service_id] = found
        return found

    def similar(self, service_id: str, limit: int = 3) -> list[str]:
        """Services of the same category that this person is eligible for and that have
        room (nothing blocking), the least loaded first; ids."""
        rules = self.services.get(service_id)
        if rules is None:
            return []
        found = []
        for other in self._by_category.get(rules.category, ()):
            if other.id == service_id:
                continue
            verdict = self.check(other.id)
            if verdict.blocking:
                continue
            used = self.load(other.id)
            share = used / other.takes if other.takes else 0.0
            found.append((share, used, bool(verdict.warnings), other.name.casefold(),
                          other.id))
        found.sort()
        return [f[-1] for f in found[:limit]]


def prepare(session: Session, person_id: str | None, today: date,
            service_ids=None) -> Checker:
    """Read what the checks need, once: every service's rules (or only ``service_ids``'),
    their loads, which partners have a key contact, and the person's facts."""
    stmt = (select(PartnerService, Partner.name)
            .join(Partner, Partner.id == PartnerService.partner_id)
            .where(PartnerService.deleted_at.is_(None), Partner.deleted_at.is_(None)))
    wanted = None if service_ids is None else list(dict.fromkeys(service_ids))
    if wanted is not None:
        stmt = stmt.where(PartnerService.id.in_(wanted))
    services = {s.id: rules_of(Rules, s, partner_name) for s, partner_name in
                session.execute(stmt)}
    loads = load.loads(session, wanted, today)
    keys = set(contacts.key_contacts(session))
    return Checker(services, facts(session, person_id, today), loads, keys, today)


def facts(session: Session, person_id: str | None, today: date) -> Facts | None:
    """What the checks need to know of a person (None: no person)."""
    if not person_id:
        return None
    person_id = duplicates.survivor(session, person_id)
    person = session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        return None
    family = duplicates.family(session, person_id)
    used: dict[str, list[date]] = {}
    open_: dict[str, tuple[str, date]] = {}
    stmt = (select(Referral.id, Referral.service_id, Referral.status, Referral.status_at)
            .where(Referral.person_id.in_(family), Referral.deleted_at.is_(None)))
    rows = session.execute(stmt).all()
    ids = [r.id for r in rows if r.status in USED]
    firsts: dict[str, date] = {}
    if ids:
        for ref_id, at in session.execute(
                select(ReferralEvent.referral_id, ReferralEvent.at)
                .where(ReferralEvent.referral_id.in_(ids), ReferralEvent.status.in_(USED),
                       ReferralEvent.deleted_at.is_(None))):
            day = at.date()
            firsts[ref_id] = min(firsts.get(ref_id, day), day)
    for r in rows:
        if r.status in USED:
            used.setdefault(r.service_id, []).append(firsts.get(r.id, r.status_at.date()))
        if r.status in OPEN:
            was = open_.get(r.service_id)
            if was is None or r.status_at.date() > was[1]:
                open_[r.service_id] = (r.status, r.status_at.date())
    return Facts(person_id, age_on(person.date_of_birth, today), person.postcode or "",
                 person.on_benefits or "", used, open_)


def age_on(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

