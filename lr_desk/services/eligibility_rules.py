"""Each of a service's rules against a person's facts, in plain words (pure: no database).

Blocking: outside the age range, outside the catchment, the benefits rule, once-only
funding already used, closed, paused, as many referred this period as it takes.
Advisory: a fact the record lacks for a rule, a district shared by two councils, already
referred there, a waiting list, capacity not confirmed for 30 days, no named key
contact, other criteria in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lr_desk.services.dates import LONG_MONTHS
from lr_desk.services.eligibility_area import check as check_area
from lr_desk.services.eligibility_area import parse
from lr_desk.store.models import BENEFITS_RULES, REFERRAL_STATUSES

UNCONFIRMED_DAYS = 30
PERIOD_WORDS = {"week": "this week", "month": "this month"}


@dataclass(frozen=True, slots=True)
class Warning:
    kind: str  # age, area, benefits, once, already, closed, paused, load, waiting,
    # unconfirmed, contact, criteria
    text: str
    blocking: bool = False


@dataclass(frozen=True)
class Facts:
    """What the desk knows of the person that the rules ask about."""

    person_id: str
    age: int | None = None  # None: no date of birth
    postcode: str = ""
    on_benefits: str = ""  # BENEFITS code; "": not asked
    used: dict[str, list[date]] = field(default_factory=dict)  # service -> when accepted
    open: dict[str, tuple[str, date]] = field(default_factory=dict)  # service -> status, since


def rules_of(cls, s, partner_name: str):
    """A service row as ``cls`` (eligibility.Rules)."""
    return cls(s.id, s.name, s.partner_id, partner_name, s.category, s.capacity or "taking",
               s.wait_weeks, s.paused_until, s.capacity_confirmed_on, s.takes,
               s.takes_per or "month", s.min_age, s.max_age, parse(s.catchment or ""),
               s.benefits_rule or "", bool(s.once_only), s.once_lookback_months,
               (s.criteria or "").strip())


def day(d: date, today: date) -> str:
    """'3 March', with the year when it is not this year."""
    text = f"{d.day} {LONG_MONTHS[d.month - 1]}"
    return text if d.year == today.year else f"{text} {d.year}"


def months_before(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    last = 31 if month in (1, 3, 5, 7, 8, 10, 12) else 30 if month != 2 else \
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28
    return date(year, month, min(today.day, last))


def age_range(rules) -> str:
    if rules.min_age is not None and rules.max_age is not None:
        return f"{rules.min_age}-{rules.max_age}"
    if rules.min_age is not None:
        return f"{rules.min_age} and over"
    return f"up to {rules.max_age}"


def eligibility(rules, facts: Facts | None, today: date) -> list[Warning]:
    """The person against the service's eligibility (nothing without a person)."""
    if facts is None:
        return []
    found = []
    if rules.min_age is not None or rules.max_age is not None:
        ages = age_range(rules)
        if facts.age is None:
            found.append(Warning("age", f"No date of birth: cannot check the age range "
                                        f"{ages}"))
        elif (rules.min_age is not None and facts.age < rules.min_age) or \
                (rules.max_age is not None and facts.age > rules.max_age):
            only = f"Up to age {rules.max_age}" if rules.min_age is None else f"Ages {ages}"
            found.append(Warning("age", f"{only} only: this person is {facts.age}", True))
    area = check_area(rules.catchment, facts.postcode)
    if area is not None:
        found.append(Warning("area", area.text, area.blocking))
    if rules.catchment.unknown:
        words = ", ".join(f"“{w}”" for w in rules.catchment.unknown)
        found.append(Warning("area", f"The catchment also says {words}: check it"))
    if rules.benefits_rule in ("on", "not_on"):
        only = BENEFITS_RULES[rules.benefits_rule].replace("Only people", "Only for people")
        if not facts.on_benefits:
            found.append(Warning("benefits", f"Not asked whether they receive benefits: "
                                             f"cannot check ({only.lower()})"))
        elif rules.benefits_rule == "on" and facts.on_benefits == "no":
            found.append(Warning("benefits", f"{only}: this person does not receive "
                                             f"benefits", True))
        elif rules.benefits_rule == "not_on" and facts.on_benefits == "yes":
            found.append(Warning("benefits", f"{only}: this person receives benefits",
                                 True))
    if rules.once_only:
        since = None if rules.once_lookback_months is None else \
            months_before(today, rules.once_lookback_months)
        used = sorted(d for d in facts.used.get(rules.id, ()) if since is None or d >= since)
        if used:
            once = "Once only" if since is None else \
                f"Once in {rules.once_lookback_months} months"
            found.append(Warning("once", f"{once}: this person was accepted on "
                                         f"{day(used[-1], today)}", True))
    was = facts.open.get(rules.id)
    if was is not None:
        found.append(Warning("already", f"Already referred: "
                                        f"{REFERRAL_STATUSES[was[0]].lower()} on "
                                        f"{day(was[1], today)}"))
    return found


def capacity(rules, used: int, has_key_contact: bool, today: date) -> list[Warning]:
    """The service's capacity and load, and its partner's key contact."""
    found = []
    if rules.capacity == "closed":
        found.append(Warning("closed", "Closed to referrals", True))
    elif rules.capacity == "paused":
        if rules.paused_until is None:
            found.append(Warning("paused", "Paused, with no date to restart", True))
        elif rules.paused_until >= today:
            found.append(Warning("paused", f"Paused until {day(rules.paused_until, today)}",
                                 True))
        else:
            found.append(Warning("paused", f"Was paused until "
                                           f"{day(rules.paused_until, today)}: check it "
                                           f"has restarted"))
    elif rules.capacity == "waiting":
        weeks = rules.wait_weeks
        found.append(Warning("waiting", "Waiting list" + (
            f", typically {weeks} week{'s' if weeks != 1 else ''}" if weeks else "")))
    if rules.takes is not None and used >= rules.takes:
        period = PERIOD_WORDS.get(rules.takes_per, "this month")
        found.append(Warning("load", f"{used} referred {period}, takes {rules.takes}", True))
    tracked = rules.takes is not None or rules.capacity == "waiting"  # (closed: said)
    if rules.confirmed_on is not None and (today - rules.confirmed_on).days > \
            UNCONFIRMED_DAYS:
        found.append(Warning("unconfirmed", f"Capacity unconfirmed since "
                                            f"{day(rules.confirmed_on, today)}"))
    elif rules.confirmed_on is None and tracked:
        found.append(Warning("unconfirmed", "Capacity never confirmed"))
    if not has_key_contact:
        found.append(Warning("contact", f"No named key contact at {rules.partner_name}"))
    return found


def warnings_for(rules, facts: Facts | None, used: int, has_key_contact: bool,
                 today: date) -> list[Warning]:
    """Every warning for the person and the service: blocking ones first."""
    found = eligibility(rules, facts, today) + capacity(rules, used, has_key_contact, today)
    if rules.criteria:
        found.append(Warning("criteria", f"Also: {rules.criteria}"))
    return [w for w in found if w.blocking] + [w for w in found if not w.blocking]

