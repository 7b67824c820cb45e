"""The demo desk's own partners, written through the services like typed ones: named
contacts (and one partner with none), and services with every kind of capacity and
eligibility, so each check the desk makes shows somewhere in the demo.

- capacity: taking referrals, a waiting list, paused until a date, closed; small
  weekly and monthly limits (the demo's referrals fill some); confirmed lately, long ago
  (shown "unconfirmed") and never;
- eligibility: Sefton-only and Liverpool-only catchments, districts and sectors, an age
  range, only people on benefits, only people not on them, once only with a look-back,
  and criteria in words.

The example directory's partners get a second named contact each. Made-up names and
numbers (0151 000 / 07700 900: never dialled).
"""

from __future__ import annotations

from datetime import date, timedelta

from lr_desk.services import contacts, directory
from lr_desk.services.directory import partners

# (partner, phone, contacts [(name, role, phone, email)], the first the key contact; or
#  None: no named contact), then its services: (name, category, where, when, terms)
PARTNERS = (
    ("North Liverpool Money Advice", "0151 000 2101",
     [("Farah Okoro", "Referrals coordinator", "0151 000 2102", "farah@money.example"),
      ("Dan Price", "Debt caseworker", "", "dan@money.example")],
     [("Debt advice appointments", "debt_benefits", "walton", "Mondays to Thursdays",
       {"takes": "2", "takes_per": "month", "reply_days": "3", "confirmed": 5,
        "catchment": "Liverpool"}),
      ("Benefit appeals clinic", "debt_benefits", "", "Fridays 10:00 to 13:00",
       {"capacity": "waiting", "wait_weeks": "6", "confirmed": 12, "benefits_rule": "on",
        "catchment": "Liverpool, Knowsley"})]),
    ("Sefton Carers Link", "0151 000 2201",
     [("Gwen Hughes", "Carers' support worker", "0151 000 2202", "gwen@carers.example")],
     [("Carers' breaks", "family_caring", "bootle", "By arrangement",
       {"capacity": "waiting", "wait_weeks": "10", "confirmed": 45, "catchment": "Sefton",
        "criteria": "Carers looking after someone who lives in Sefton."})]),
    ("Next Steps Young Adults", "0151 000 2301",
     [("Ola Bankole", "Youth worker", "07700 900231", "ola@nextsteps.example"),
      ("Priya Shah", "Manager", "0151 000 2302", "")],
     [("Young adults' wellbeing group", "mental_wellbeing", "", "Wednesdays 16:00 to 18:00",
       {"takes": "3", "takes_per": "week", "min_age": "18", "max_age": "25",
        "catchment": "Sefton, L4, L9", "confirmed": 2, "reply_days": "2"})]),
    ("Southport Food Share", "01704 000 241",
     [("Mick Taylor", "Volunteer lead", "01704 000 242", "")],
     [("Emergency food parcels", "food_fuel", "southport", "Tuesdays and Fridays 12:00",
       {"takes": "4", "takes_per": "week", "benefits_rule": "on", "catchment": "Sefton",
        "confirmed": 20, "reply_days": "1", "reply_deadline": "3"})]),
    ("Active Lives Merseyside", "0151 000 2501",
     [("Jo Finch", "Exercise referral officer", "0151 000 2502", "jo@active.example")],
     [("Gym on referral (12 weeks)", "physical_health", "", "Weekdays 07:00 to 21:00",
       {"once_only": True, "lookback": "36", "min_age": "16", "catchment": "Liverpool",
        "confirmed": 8,
        "criteria": "Funded once per person in three years; a GP's note of fitness."})]),
    ("Talking Space Counselling", "0151 000 2601",
     [("Ruth Adeyemi", "Clinical lead", "0151 000 2602", "ruth@talking.example")],
     [("Counselling (six sessions)", "mental_wellbeing", "walton", "By appointment",
       {"capacity": "paused", "paused_days": 24, "confirmed": 3, "benefits_rule": "not_on",
        "criteria": "Low-cost sessions for people not entitled to free ones."})]),
    ("Walton Bike Workshop", "0151 000 2701", None,
     [("Bike recycling workshop", "volunteering", "", "Saturdays 10:00 to 14:00",
       {"capacity": "closed", "confirmed": 60})]),
    ("Knowsley Befriending Circle", "0151 000 2801",
     [("Ann Doyle", "Coordinator", "0151 000 2802", "ann@befriend.example")],
     [("Befriending for over-65s", "social_isolation", "", "Weekly visits at home",
       {"min_age": "65", "catchment": "Knowsley, L10, L11",
        "criteria": "Lives alone or is often alone."})]),
)
# Why an advisor referred although the checks said not (kept only where they did)
OVERRIDE_WHY = (
    "They asked for this service by name; the partner agreed to see them.",
    "Nothing nearer has room; the partner said to send it anyway.",
    "Moving into the area next month.",
)
SECOND_CONTACT = ("Referrals inbox", "Shared inbox", "", "referrals@example.org")


def add_demo_directory(s, today: date) -> None:
    """Write the demo's partners and their services, and give the example partners
    (but the one kept without a named contact) a second contact."""
    for name, phone, people, services in PARTNERS:
        partner = directory.save_partner(s, {"name": name, "phone": phone,
                                             "notes": "Synthetic demo partner."})
        if people:
            contacts.save_contacts(s, partner.id, [
                {"name": n, "role": r, "phone": p, "email": e, "is_key": i == 0}
                for i, (n, r, p, e) in enumerate(people)])
        for svc_name, category, site, when, terms in services:
            directory.save_service(s, _service(partner.id, svc_name, category, site, when,
                                               terms, today))
    for partner in partners(s):
        if not partner.is_example:
            continue
        kept = contacts.contacts(s, partner.id)
        if kept and kept[0].name:  # the one with no named contact stays as it is
            contacts.save_contacts(s, partner.id, [
                *kept, dict(zip(("name", "role", "phone", "email"), SECOND_CONTACT,
                                strict=True))])


def _service(partner_id: str, name: str, category: str, site: str, when: str, terms: dict,
             today: date) -> dict:
    def day(days: int | None) -> str:
        return (today - timedelta(days=days)).strftime("%d/%m/%Y") if days is not None \
            else ""

    paused = terms.get("paused_days")
    return {
        "partner_id": partner_id, "name": name, "category": category,
        "delivery": "hub" if site else "community", "site_code": site,
        "location": "" if site else "In the community", "when_text": when,
        "description": "Synthetic demo service.",
        "capacity": terms.get("capacity", "taking"), "wait_weeks": terms.get("wait_weeks"),
        "paused_until": day(-paused) if paused else "",
        "capacity_confirmed_on": day(terms.get("confirmed")),
        "takes": terms.get("takes"), "takes_per": terms.get("takes_per", "month"),
        "reply_days": terms.get("reply_days"),
        "reply_deadline_days": terms.get("reply_deadline", "14"),
        "min_age": terms.get("min_age"), "max_age": terms.get("max_age"),
        "catchment": terms.get("catchment", ""),
        "benefits_rule": terms.get("benefits_rule", ""),
        "once_only": terms.get("once_only", False),
        "once_lookback_months": terms.get("lookback"), "criteria": terms.get("criteria", ""),
    }


CATCHMENTS = ("", "", "", "Liverpool", "Sefton", "Knowsley", "Liverpool, Sefton",
              "Sefton, L9, L10", "L4, L5, L6", "Wirral")


def dataset_terms(rng, today: date) -> dict:
    """A partner service's capacity and eligibility for the ten-year dataset's bulk
    insert (column values): most take anyone, some have limits, rules and a status."""
    capacity = rng.choices(("taking", "waiting", "paused", "closed"),
                           cum_weights=(75, 88, 95, 100))[0]
    confirmed = rng.choice((None, 3, 20, 45, 120))
    low = rng.choice((None, None, None, 16, 18, 50, 65))
    high = rng.choice((None, 25, 30)) if low in (16, 18) else None
    once = rng.random() < 0.08
    return {
        "capacity": capacity,
        "wait_weeks": rng.choice((2, 4, 6, 12)) if capacity == "waiting" else None,
        "paused_until": today + timedelta(days=rng.randint(7, 60))
        if capacity == "paused" else None,
        "capacity_confirmed_on": today - timedelta(days=confirmed)
        if confirmed is not None else None,
        "takes": rng.choice((None, None, 3, 5, 10, 20)),
        "takes_per": rng.choice(("week", "month")),
        "reply_days": rng.choice((None, 1, 3, 5, 10)),
        "reply_deadline_days": rng.choice((14, 14, 14, 7, 21)),
        "min_age": low, "max_age": high, "catchment": rng.choice(CATCHMENTS),
        "benefits_rule": rng.choices(("", "on", "not_on"), cum_weights=(85, 97, 100))[0],
        "once_only": once, "once_lookback_months": rng.choice((None, 12, 36)) if once else None,
        "criteria": "", "feed_id": "", "feed_record": None,
    }
