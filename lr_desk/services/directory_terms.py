"""A partner service's terms: its capacity (taking referrals, a waiting list, paused,
closed; how many it takes; how soon it replies) and who it is for (ages, catchment,
benefits, once only, other criteria).

``check_capacity`` and ``check_eligibility`` are pure: ``directory.validate_service``
calls them, so a form checks as the user types and the save checks again. The words
functions say a service's terms briefly for lists ("Waiting list, about 6 weeks";
"Ages 18 to 25; Sefton, L4") and whether its capacity is still confirmed (30 days).

A catchment is local authority areas and postcode districts or sectors, separated by
commas: "Sefton, L4, L20 3". ``catchment_tokens`` reads it as the eligibility check
does (services.eligibility_area), and refuses words it could not check.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from lr_desk.services import dates, eligibility_area
from lr_desk.services.validation import (
    Checker,
    check_choice,
    check_text,
    clean_text,
    parse_date,
)
from lr_desk.store.vocabulary import BENEFITS_RULES, CAPACITY, CAPACITY_PERIODS

CONFIRMED_FOR = timedelta(days=30)  # capacity confirmed longer ago shows "unconfirmed"
DEFAULT_REPLY_DEADLINE = 14

CATCHMENT_HINT = "e.g. Sefton, L4, L20 (local authorities or postcode districts)"

AGE_LIMIT = 120
MOST_WEEKS = 520
MOST_DAYS = 365
MOST_TAKES = 10_000
MOST_MONTHS = 600


# --- catchment --------------------------------------------------------------------------

def catchment_tokens(text: str) -> list[str]:
    """The areas a catchment names, each as the desk writes it ("Sefton", "L4",
    "L20 3"), in order and without repeats (read by services.eligibility_area, which
    checks a person against them); ValueError in plain words for one it does not know.
    Empty text: no catchment (anyone)."""
    read = eligibility_area.parse(clean_text(text))
    if read.unknown:
        raise ValueError(f"'{read.unknown[0]}' isn't a local authority or a postcode "
                         "district: write e.g. Sefton, L4, L20 3, with commas between.")
    return list(read.names)


def check_catchment(text: str) -> str:
    return ", ".join(catchment_tokens(text))


# --- numbers and dates as typed -----------------------------------------------------------

def whole_number(value, what: str, least: int, most: int) -> int | None:
    """A whole number typed in a box ("6", " 14 "); empty is None. ``what`` names it."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = clean_text(value)
    if not text:
        return None
    if not re.fullmatch(r"\d+", text):
        raise ValueError(f"Write the {what} as a whole number, for example {max(least, 2)}.")
    number = int(text)
    if not least <= number <= most:
        raise ValueError(f"The {what} should be between {least:,} and {most:,}.")
    return number


def optional_day(value) -> date | None:
    """A date as typed, or None when nothing is typed (ValueError for a bad one)."""
    if isinstance(value, date):
        return value
    return parse_date(value) if clean_text(value) else None


def _flag(value) -> bool:
    return value is True or value in ("1", "true", "yes", 1)


# --- checking a service's terms --------------------------------------------------------

def check_capacity(raw: dict, c: Checker, today: date | None = None) -> dict:
    """A service form's capacity fields, clean (errors collected in ``c``)."""
    today = today or date.today()
    status = c.field("capacity", check_choice, raw.get("capacity") or "taking", CAPACITY,
                     "capacity")
    clean = {
        "capacity": status,
        "wait_weeks": c.field("wait_weeks", whole_number, raw.get("wait_weeks"),
                              "typical wait in weeks", 1, MOST_WEEKS),
        "paused_until": c.field("paused_until", optional_day, raw.get("paused_until")),
        "capacity_confirmed_on": c.field("capacity_confirmed_on", optional_day,
                                         raw.get("capacity_confirmed_on")),
        "takes": c.field("takes", whole_number, raw.get("takes"),
                         "number of new referrals it takes", 1, MOST_TAKES),
        "takes_per": c.field("takes_per", check_choice, raw.get("takes_per") or "month",
                             CAPACITY_PERIODS, "week or month"),
        "reply_days": c.field("reply_days", whole_number, raw.get("reply_days"),
                              "days it usually takes to reply", 0, MOST_DAYS),
        "reply_deadline_days": c.field("reply_deadline_days", whole_number,
                                       raw.get("reply_deadline_days"),
                                       "reply deadline in days", 1, MOST_DAYS),
    }
    if clean["reply_deadline_days"] is None and "reply_deadline_days" not in c.errors:
        clean["reply_deadline_days"] = DEFAULT_REPLY_DEADLINE
    if status != "waiting":
        clean["wait_weeks"] = None  # a wait belongs to a waiting list
        c.errors.pop("wait_weeks", None)
    if status != "paused":
        clean["paused_until"] = None
        c.errors.pop("paused_until", None)
    elif clean["paused_until"] is None and "paused_until" not in c.errors:
        c.errors["paused_until"] = ("Say until when it is paused (a date), or choose "
                                    "Closed if it has stopped.")
    confirmed = clean["capacity_confirmed_on"]
    if confirmed is not None and confirmed > today:
        c.errors["capacity_confirmed_on"] = "It can't have been confirmed in the future."
    return clean


def check_eligibility(raw: dict, c: Checker) -> dict:
    """A service form's eligibility fields, clean (errors collected in ``c``)."""
    once = _flag(raw.get("once_only"))
    clean = {
        "min_age": c.field("min_age", whole_number, raw.get("min_age"), "youngest age",
                           0, AGE_LIMIT),
        "max_age": c.field("max_age", whole_number, raw.get("max_age"), "oldest age",
                           0, AGE_LIMIT),
        "catchment": c.field("catchment", check_catchment, raw.get("catchment", "")),
        "benefits_rule": c.field("benefits_rule", check_choice,
                                 raw.get("benefits_rule") or "", BENEFITS_RULES,
                                 "rule about benefits"),
        "once_only": once,
        "once_lookback_months": c.field("once_lookback_months", whole_number,
                                        raw.get("once_lookback_months"),
                                        "look-back in months", 1, MOST_MONTHS),
        "criteria": c.field("criteria", check_text, raw.get("criteria", ""),
                            "other criteria", 5_000),
    }
    low, high = clean["min_age"], clean["max_age"]
    if low is not None and high is not None and low > high:
        c.errors["max_age"] = f"The oldest age can't be below the youngest ({low})."
    if not once:
        clean["once_lookback_months"] = None  # a look-back belongs to "once only"
        c.errors.pop("once_lookback_months", None)
    if clean["catchment"] is not None and len(clean["catchment"]) > 500:
        c.errors["catchment"] = "The catchment can be at most 500 characters."
    return clean


# --- in words --------------------------------------------------------------------------

def unconfirmed(service, today: date) -> bool:
    """Whether its capacity was last confirmed over 30 days ago (or never)."""
    confirmed = service.capacity_confirmed_on
    return confirmed is None or today - confirmed > CONFIRMED_FOR


def capacity_words(service, today: date) -> str:
    """Its capacity briefly: "Taking referrals", "Waiting list, about 6 weeks",
    "Paused until 3 Mar", "Closed"; with how many it takes ("takes 10 a month")."""
    status = service.capacity or "taking"
    text = CAPACITY.get(status, status)
    if status == "waiting" and service.wait_weeks:
        weeks = service.wait_weeks
        text += f", about {weeks} week{'s' if weeks != 1 else ''}"
    elif status == "paused" and service.paused_until:
        text = f"Paused until {dates.day(service.paused_until, today, weekday=False)}"
    if service.takes and status in ("taking", "waiting"):
        text += f"; takes {service.takes} {CAPACITY_PERIODS.get(service.takes_per, '')}"
    return text.strip()


def confirmed_words(service, today: date) -> str:
    """"Confirmed 2 Oct" (or with its year), "Unconfirmed since 2 Oct", "Never
    confirmed"."""
    confirmed = service.capacity_confirmed_on
    if confirmed is None:
        return "Never confirmed"
    when = dates.day(confirmed, today, weekday=False)
    return f"Unconfirmed since {when}" if unconfirmed(service, today) else f"Confirmed {when}"


def reply_words(service) -> str:
    """"Usually replies in 5 days; chase after 14"."""
    parts = []
    if service.reply_days is not None:
        parts.append(f"Usually replies in {service.reply_days} day"
                     f"{'s' if service.reply_days != 1 else ''}")
    deadline = service.reply_deadline_days or DEFAULT_REPLY_DEADLINE
    parts.append(f"reply expected within {deadline} days" if parts else
                 f"Reply expected within {deadline} days")
    return "; ".join(parts)


def ages_words(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"Ages {low} to {high}"
    if low is not None:
        return f"Aged {low} and over"
    if high is not None:
        return f"Aged {high} and under"
    return ""


def eligibility_words(service) -> str:
    """Who it is for, briefly: "Ages 18 to 25; Sefton, L4; only people on benefits;
    once only (3 years)"; "Anyone" when it has no rules."""
    parts = [ages_words(service.min_age, service.max_age)]
    if service.catchment:
        parts.append(service.catchment)
    if service.benefits_rule:
        parts.append(BENEFITS_RULES.get(service.benefits_rule, "").lower())
    if service.once_only:
        months = service.once_lookback_months
        parts.append("once only" + (f" ({_months(months)})" if months else " (ever)"))
    if (service.criteria or "").strip():
        parts.append("other criteria")
    text = "; ".join(p for p in parts if p)
    return (text[:1].upper() + text[1:]) if text else "Anyone"


def _months(n: int) -> str:
    if n % 12 == 0:
        years = n // 12
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{n} month{'s' if n != 1 else ''}"
