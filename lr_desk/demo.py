"""Synthetic data: the demo profile's working desk, and the ten-year benchmark dataset.

Everything made here is made up from ``resources/names.json`` and a seeded random
generator: no row is, or describes, a real person. No Qt.

- ``fill_demo`` writes a small, lively desk (a dozen advisors, a few hundred people, two
  years of conversations, prescriptions, referrals at every stage, follow-ups due today,
  overdue and coming up) through the services, in one transaction, so the demo data is
  validated like typed data and has outbox entries like real data.
- ``build_dataset`` writes the large dataset of DESIGN.md's budgets (100,000 people and a
  million conversations over ten years) fast, with SQLAlchemy Core bulk inserts and no
  outbox: it stands for data that has already been synced.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from lr_desk.resources import load_json

# --- what the published evaluation says the mix looks like ----------------------------

# Onward referrals by category, September 2019 to February 2020 (BRIEF.md, Table 1).
TABLE_1 = {
    "learning": 2201, "debt_benefits": 217, "social_isolation": 214, "physical_health": 174,
    "employment": 117, "housing": 95, "volunteering": 40, "family_caring": 29, "other": 845,
}
# Table 1's "Other" spread over the categories the report groups under it.
ITEM_CATEGORY_WEIGHTS = {**TABLE_1, "other": 300, "mental_wellbeing": 330, "food_fuel": 215}
# How often each need is raised in a conversation (beyond the ones its items answer).
NEED_WEIGHTS = {
    "mental_wellbeing": 30, "social_isolation": 18, "debt_benefits": 14, "learning": 12,
    "physical_health": 9, "housing": 7, "employment": 6, "family_caring": 5, "food_fuel": 5,
    "volunteering": 3, "other": 4,
}
HUB_WEIGHTS = {"walton": 5, "bootle": 3, "southport": 3}

WHAT_MATTERS = [
    "Getting out of the house more", "Sorting out my benefits", "Feeling less lonely",
    "Getting back into work", "Sleeping better", "Being there for my kids",
    "Learning to use my phone for the bank", "Making some friends locally",
    "Keeping my flat", "Getting on top of my debts", "Feeling more confident",
    "Looking after my mum without going under myself", "Getting fitter",
    "Doing something useful with my week", "Understanding my anxiety",
    "Eating better on not much money", "Finding a course I can stick at",
    "Paying the gas and electric this winter", "Getting back to how I was before",
    "Having a reason to get up in the morning", "Talking to people again",
    "Not feeling judged", "Keeping busy since I retired", "Moving somewhere safer",
    "Learning English", "Getting my CV sorted", "Walking again after my operation",
    "Meeting other carers", "Volunteering with animals", "Going back to college",
]
PRIVATE_NOTES = [
    "Came in with their sister.", "Prefers a call in the afternoon.",
    "Has a CPN; happy for us to mention the visit.", "Was tearful at first, settled after a brew.",
    "Asked about the art group; none running at the moment.", "Brought their letter from the DWP.",
    "Would like a female advisor next time.", "Moving address soon; check the postcode next visit.",
]
ESCALATION_ACTIONS = {
    "distress": "Stayed with them, made a plan together and gave the crisis line number.",
    "safeguarding": "Discussed with the hub lead and raised with the safeguarding team.",
    "clinical": "With their consent, called their care coordinator at the community team.",
}
WHY = [
    "I want to feel less on my own", "It's close to home", "My GP thought it would help",
    "I used to love doing this", "To get my money sorted before it gets worse",
    "So I can get back into a routine", "I want to meet people like me",
    "To feel more confident about going back to work", "I need a break from caring",
    "I want to understand what's going on with me",
]
FIRST_STEPS = [
    "Ring them on Monday morning", "Come along to the next session with a friend",
    "Bring my letters to the drop-in", "Fill in the form with my advisor",
    "Have a look at the website with my daughter", "Turn up on Tuesday at 10",
    "Ask at reception when I'm next in", "Text them to say I'm interested",
]
OWN_STEPS = [
    "Walk to the park each morning", "Ring my sister on Sundays", "Go to bed by eleven",
    "Cook one proper meal a day", "Go to the library on Thursdays",
    "Write three good things each night",
    "Sit in the garden when it's dry", "Go to the match with my brother",
]
DECLINE_REASONS = [
    "Outside the service's catchment area for their postcode.",
    "The service only takes people who are receiving benefits.",
    "Their funding covers a person once; they used the service three years ago.",
    "The group is full until the new term.",
    "The service is for people over 50.",
]
STATUS_NOTES = {
    "accepted": ["Partner called to arrange a first session.", "Key contact confirmed by email."],
    "engaged": ["Going every week, partner says.", "Attended the first two sessions."],
    "completed": ["Finished the course; says it really helped.",
                  "Partner's feedback: engaged well throughout.",
                  "Says it helped a bit; would like something more social next."],
    "not_taken_up": ["Couldn't make the times.", "Decided it wasn't for them right now.",
                     "No answer to the partner's three calls."],
}
FOLLOW_UP_OUTCOMES = [
    "Spoke on the phone; going to the group and enjoying it.",
    "Came in; debts now on a plan. Feeling lighter.",
    "No answer; left a voicemail and will try again next week.",
    "Doing well, no more support needed for now.",
    "Started the course; wants to talk about volunteering next.",
    "Still waiting to hear from the partner; chased them today.",
]
COURSE_TITLES = [
    "Understanding Anxiety", "Mindfulness for Wellbeing", "Building Confidence",
    "Cooking on a Budget", "Introduction to Digital Skills", "Sleep Well",
    "Managing Money and Wellbeing", "Understanding Depression", "Creative Writing for Wellbeing",
    "Living Well with Long-term Pain", "Assertiveness", "Hearing Voices: An Introduction",
    "Photography for Wellbeing", "Understanding Trauma", "Self-compassion",
    "Getting Ready for Work", "Art and Wellbeing", "Coping with Loss", "Healthy Relationships",
    "Family History for Beginners",
]
PARTNER_KINDS = {
    "debt_benefits": ["Debt Advice", "Welfare Rights", "Money Matters"],
    "social_isolation": ["Friendship Group", "Community Cafe", "Walking Group"],
    "physical_health": ["Active Health", "Allotment Project", "Chair Yoga"],
    "employment": ["Employment Hub", "Work Club", "Careers Service"],
    "housing": ["Housing Trust", "Tenancy Support", "Housing Options"],
    "volunteering": ["Volunteer Centre", "Community Garden", "Conservation Volunteers"],
    "family_caring": ["Carers Centre", "Young Carers", "Parents' Group"],
    "mental_wellbeing": ["Peer Support Network", "Men's Shed", "Wellbeing Circle"],
    "food_fuel": ["Community Pantry", "Food Bank", "Warm Homes Project"],
    "other": ["Law Centre", "Advocacy Service", "Digital Inclusion Project"],
}
PARTNER_PLACES = ["Walton", "Anfield", "Everton", "Kirkdale", "Bootle", "Litherland", "Crosby",
                  "Netherton", "Southport", "Ainsdale", "Birkdale", "Toxteth", "Garston",
                  "Norris Green", "Fazakerley", "Maghull", "Liverpool", "Sefton", "Merseyside"]

# Ofcom's numbers for drama: never a real line. The demo only uses these.
DRAMA_PHONES = [("07700 900", 3), ("0151 496 0", 3)]
LONDON = None
try:
    from zoneinfo import ZoneInfo

    LONDON = ZoneInfo("Europe/London")
except Exception:
    LONDON = None


def _weighted(items: list, skew: float = 0.0, offset: float = 8.0) -> tuple[list, list[float]]:
    """Items with cumulative weights; ``skew`` > 0 makes earlier items more likely."""
    weights = [1.0 / (rank + offset) ** skew for rank in range(len(items))]
    return items, list(itertools.accumulate(weights))


def _dict_weights(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    keys = list(weights)
    return keys, list(itertools.accumulate(weights[k] for k in keys))


class Synth:
    """Makes up people: names that fit their age, DOBs, postcodes near a hub, phones."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        data = load_json("names.json")
        given = data["given_names"]
        self.given = {era: _weighted(given[era], 0.6, 6) for era in
                      ("born_before_1960", "born_1960_1984", "born_1985_on")}
        self.any_age = _weighted(given["any_age"])
        self.nicknames: dict[str, str] = given["nicknames"]
        self.family = _weighted(data["family_names"], 1.0, 6)
        self.areas = {hub: _weighted(codes, 1.0, 2) for hub, codes in data["hub_areas"].items()
                      if not hub.startswith("_")}
        self.letters = data["inward_letters"]
        self.streets = data["streets"]
        self.hubs = _dict_weights(HUB_WEIGHTS)

    def pick(self, weighted: tuple[list, list[float]]):
        items, cum = weighted
        return items[bisect.bisect(cum, self.rng.random() * cum[-1])]

    def hub(self) -> str:
        return self.pick(self.hubs)

    def date_of_birth(self, on: date) -> date:
        r = self.rng
        lo, hi = r.choices(((18, 25), (25, 35), (35, 45), (45, 55), (55, 65), (65, 75), (75, 92)),
                           cum_weights=(10, 28, 46, 66, 83, 93, 100))[0]
        age_days = int((lo + r.random() * (hi - lo)) * 365.25)
        return on - timedelta(days=age_days)

    def given_name(self, born: date) -> str:
        if self.rng.random() < 0.22:
            return self.pick(self.any_age)
        era = ("born_before_1960" if born.year < 1960 else
               "born_1960_1984" if born.year < 1985 else "born_1985_on")
        return self.pick(self.given[era])

    def family_name(self) -> str:
        return self.pick(self.family)

    def preferred_name(self, given: str) -> str:
        nick = self.nicknames.get(given)
        return nick if nick and self.rng.random() < 0.4 else ""

    def postcode(self, hub: str) -> str:
        r = self.rng
        outward = self.pick(self.areas[hub]) if r.random() < 0.9 else self.pick(
            self.areas[r.choice(list(self.areas))])
        return f"{outward} {r.randint(1, 9)}{r.choice(self.letters)}{r.choice(self.letters)}"

    def phone(self, drama: bool) -> str:
        """A phone number: from Ofcom's drama ranges if ``drama`` (the demo), else made-up
        but realistic-looking (the benchmark, which nobody rings)."""
        r = self.rng
        if drama:
            prefix, n = r.choice(DRAMA_PHONES)
            number = prefix + "".join(str(r.randint(0, 9)) for _ in range(n))
            if r.random() < 0.2:
                number = number.replace(" ", "")
            return number
        kind = r.random()
        if kind < 0.7:
            digits = f"07{r.randint(100, 999)} {r.randint(0, 999999):06d}"
            return digits if r.random() < 0.8 else digits.replace(" ", "")
        if kind < 0.9:
            return f"0151 {r.randint(200, 999)} {r.randint(0, 9999):04d}"
        return f"01704 {r.randint(100000, 999999)}"


def _utc(local: datetime) -> datetime:
    """Naive local (UK) time to naive UTC, as ``utcnow`` gives."""
    if LONDON is None:
        return local
    return local.replace(tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)


def _weekday(day: date, forward: bool = False) -> date:
    """Move a Saturday or Sunday to the nearest working day (back to Friday, or forward)."""
    wd = day.weekday()
    if wd < 5:
        return day
    return day + timedelta(days=7 - wd) if forward else day - timedelta(days=wd - 4)


def _at(day: date, rng: random.Random, start: int = 9 * 60 + 30,
        end: int = 16 * 60 + 15) -> datetime:
    minute = rng.randint(start, end)
    return datetime.combine(day, dtime(minute // 60, minute % 60))


REFERRAL_PATHS = [  # what happens after a referral is opened, and how often
    (("agreed", "sent", "accepted", "engaged", "completed"), 30),
    (("agreed", "sent", "accepted", "engaged"), 12),
    (("agreed", "sent", "accepted", "not_taken_up"), 12),
    (("agreed", "sent", "declined"), 10),
    (("agreed", "sent", "accepted"), 10),
    (("agreed", "sent"), 8),
    (("agreed", "not_taken_up"), 6),
    ((), 6),
]
_PATHS, _PATH_CUM = zip(*REFERRAL_PATHS, strict=True)
_PATH_CUM = list(itertools.accumulate(_PATH_CUM))
_OPENING_ORDER = ("suggested", "agreed", "sent")


def referral_steps(rng: random.Random, opening: str, opened: datetime, before: date
                   ) -> list[tuple[datetime, str, str, str]]:
    """The later (when, status, reason, note) steps of one referral, all before ``before``."""
    path = rng.choices(_PATHS, cum_weights=_PATH_CUM)[0]
    if opening in path:
        path = path[path.index(opening) + 1:]
    else:  # never step back to a status at or before the opening one
        passed = _OPENING_ORDER[:_OPENING_ORDER.index(opening) + 1]
        path = tuple(status for status in path if status not in passed)
    steps = []
    when = opened
    for status in path:
        day = _weekday(when.date() + timedelta(days=rng.randint(1, 12)), forward=True)
        if day >= before:
            break
        when = _at(day, rng)
        reason = rng.choice(DECLINE_REASONS) if status == "declined" else ""
        note = ""
        if status in STATUS_NOTES and rng.random() < 0.7:
            note = rng.choice(STATUS_NOTES[status])
        steps.append((when, status, reason, note))
    return steps


# --- the demo desk ---------------------------------------------------------------------


def fill_demo(store, people: int = 400, seed: int = 2016, today: date | None = None,
              now: datetime | None = None) -> None:
    """Fill a freshly opened demo store with a working desk, through the services.

    Deterministic for a seed, a ``today`` and a ``now`` (the ids are UUIDv7s, so they
    differ). ``now`` (default: the clock) caps the times of today's conversations; before
    opening time, "today's" visits happen on the weekday before. One
    transaction: either the whole desk is there and ``demo_filled`` is set, or nothing is.
    Does nothing if the store says it is already filled.
    """
    from lr_desk import settings
    from lr_desk.services import advisors as advisor_service
    from lr_desk.services import consent, directory, dropin
    from lr_desk.services import people as people_service

    now = now or datetime.now()
    today = today or now.date()
    rng = random.Random(seed)
    synth = Synth(rng)
    with store.session() as s:
        if settings.get(s, "demo_filled"):
            return
        service_rows = directory.services(s)
        courses = directory.courses(s)
        by_category: dict[str, list] = defaultdict(list)
        for row in service_rows:
            by_category[row.service.category].append(row.service)
        plan = _plan_demo(rng, synth, people, today, by_category, courses, now)
        partner_of = {row.service.id: row.partner.id for row in service_rows}
        # referrals that will be sent: the person agrees to share with the partner first
        will_send = {payload[0] for _when, _order, kind, payload in plan
                     if kind == "status" and payload[1] == "sent"}
        sharing: set[tuple[str, str]] = set()  # (person, partner) agreed already

        # The services stamp times from s.info["now"]: the story's own times.
        hubs = list(HUB_WEIGHTS)
        advisor_ids: list[str] = []
        advisor_hub: list[str] = []
        s.info["now"] = _utc(datetime.combine(today - timedelta(days=800), dtime(9, 0)))
        for i in range(12):
            hub = hubs[i % 3]
            born = synth.date_of_birth(today)
            name = f"{synth.given_name(born)} {synth.family_name()}"
            advisor_ids.append(advisor_service.create(s, name, hub).id)
            advisor_hub.append(hub)
        by_hub = {h: [i for i, x in enumerate(advisor_hub) if x == h] for h in hubs}

        person_ids: dict[int, str] = {}
        referral_ids: dict[tuple[int, int], str] = {}
        follow_up_ids: dict[int, str] = {}
        conversation_advisor: dict[int, str] = {}
        for when, _order, kind, payload in sorted(plan, key=lambda a: (a[0], a[1])):
            s.info["now"] = _utc(when)
            if kind == "register":
                key, raw, hub = payload
                adv = advisor_ids[by_hub[hub][key % len(by_hub[hub])]]
                person = people_service.register(s, raw, adv, hub, today=when.date())
                person_ids[key] = person.id
            elif kind == "drop_in":
                conv_key, person_key, raw, refer_keys = payload
                site = raw["conversation"]["site_code"]
                pool = by_hub.get(site) or list(range(len(advisor_ids)))
                adv = advisor_ids[pool[conv_key % len(pool)]]
                for ref_key in refer_keys:
                    item = raw["items"][ref_key[1]]
                    partner = partner_of[item["service_id"]]
                    if ((item["referral_status"] == "sent" or ref_key in will_send)
                            and (person_key, partner) not in sharing):
                        sharing.add((person_key, partner))
                        consent.record(s, person_ids[person_key], adv,
                                       {"kind": "share", "partner_id": partner},
                                       today=when.date())
                result = dropin.record_drop_in(s, person_ids[person_key], adv, raw,
                                               today=when.date())
                conversation_advisor[conv_key] = adv
                for ref_key, ref_id in zip(refer_keys, result.referral_ids, strict=True):
                    referral_ids[ref_key] = ref_id
                if result.follow_up_id:
                    follow_up_ids[conv_key] = result.follow_up_id
            elif kind == "status":
                ref_key, status, reason, note = payload
                dropin.set_referral_status(s, referral_ids[ref_key], status,
                                           conversation_advisor[ref_key[0]],
                                           reason=reason, note=note)
            elif kind == "follow_up_done":
                conv_key, outcome = payload
                dropin.complete_follow_up(s, follow_up_ids[conv_key],
                                          conversation_advisor[conv_key], outcome)
        s.flush()
        s.info.pop("now")
        settings.put(s, "demo_filled", True)
        if not settings.get(s, "advisor_id"):
            # sit the newcomer at the desk of the advisor with the most on today
            from lr_desk.store.models import FollowUp

            busiest = s.scalar(
                select(FollowUp.assigned_to)
                .where(FollowUp.done_at.is_(None), FollowUp.due_date <= today)
                .group_by(FollowUp.assigned_to).order_by(func.count().desc()).limit(1))
            chosen = busiest or advisor_ids[0]
            settings.put(s, "advisor_id", chosen)
            settings.put(s, "site_code", advisor_hub[advisor_ids.index(chosen)])


def _plan_demo(rng: random.Random, synth: Synth, people: int, today: date,
               by_category: dict[str, list], courses: list,
               now: datetime | None = None) -> list[tuple]:
    """Every action of the demo's story as (when, order, kind, payload), in no order."""
    # today's visits: from opening time until 11:30, but never after ``now``
    opens, latest = 9 * 60 + 30, 11 * 60 + 30
    if now is not None and now.date() == today:
        latest = min(latest, now.hour * 60 + now.minute)
    visit_today = today if latest >= opens else _weekday(today - timedelta(days=1))
    order = itertools.count()
    plan: list[tuple] = []
    item_cats = _dict_weights({k: v for k, v in ITEM_CATEGORY_WEIGHTS.items()
                               if (k == "learning" and courses) or k == "other"
                               or by_category.get(k)})
    needs_w = _dict_weights(NEED_WEIGHTS)
    earliest = today - timedelta(days=730)

    # Who is on the desk's lists today: a few people per role, the rest ordinary.
    n_role = max(1, people // 40)
    roles = (["due_today"] * n_role + ["overdue"] * (n_role + 2) + ["future"] * (2 * n_role) +
             (["seen_today"] * max(1, n_role // 2) if today.weekday() < 5 else []))
    roles += [""] * max(0, people - len(roles))
    rng.shuffle(roles)
    conv_key = itertools.count()

    for person_key, role in enumerate(roles[:people]):
        hub = synth.hub()
        visits = rng.choices((1, 2, 3, 4, 5, 6), cum_weights=(30, 55, 73, 85, 94, 100))[0]
        # the last conversation first, then earlier ones going back in time
        if role == "due_today":
            last = today - timedelta(days=rng.choice((7, 14, 21, 28)))
        elif role == "overdue":
            last = today - timedelta(days=rng.randint(10, 40))
        elif role == "future":
            last = today - timedelta(days=rng.randint(0, 10))
        elif role == "seen_today":
            last = today
        else:
            last = today - timedelta(days=int(730 * rng.random() ** 1.6) + 1)
        last = _weekday(last) if role != "seen_today" else last
        if last == today:
            last = visit_today
        days = [last]
        for _ in range(visits - 1):
            prev = _weekday(days[-1] - timedelta(days=rng.randint(7, 120)))
            if prev < earliest:
                break
            days.append(prev)
        days.reverse()
        times = [_at(d, rng, opens, latest) if d == today else _at(d, rng) for d in days]

        born = synth.date_of_birth(days[0])
        given = synth.given_name(born)
        raw_person = {
            "given_name": given,
            "family_name": synth.family_name(),
            "preferred_name": synth.preferred_name(given),
            "date_of_birth": born.strftime("%d/%m/%Y") if rng.random() < 0.95 else "",
            "postcode": synth.postcode(hub) if rng.random() < 0.92 else "",
            "phone": synth.phone(drama=True) if rng.random() < 0.85 else "",
            "referral_source": rng.choices(
                ("self", "gp", "pcn", "cpn", "partner", "consultant", "ot", "other"),
                cum_weights=(40, 58, 70, 80, 90, 94, 97, 100))[0],
            "service_user": rng.random() < 0.35,
            "carer": rng.random() < 0.12,
            "needs_large_print": rng.random() < 0.06,
            "needs_easy_read": rng.random() < 0.03,
        }
        if raw_person["referral_source"] == "gp":
            surgery = rng.choice(synth.streets)
            raw_person["referral_source_detail"] = f"Dr {synth.family_name()}, {surgery} Surgery"
        if rng.random() < 0.03:
            raw_person.update(needs_interpreter=True,
                              interpreter_language=rng.choice(("Polish", "Arabic", "Somali",
                                                               "Cantonese", "Tigrinya")))
        if rng.random() < 0.3:
            local = re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", given.lower())) or "me"
            raw_person["email"] = f"{local}{rng.randint(10, 999)}@example.com"
        plan.append((times[0], next(order), "register", (person_key, raw_person, hub)))

        for n, when in enumerate(times):
            key = next(conv_key)
            is_last = n == len(times) - 1
            site = hub
            r = rng.random()
            if r < 0.12:
                site = "telephone"
            elif r < 0.16:
                site = "video"
            elif r < 0.21:
                site = "peripatetic"
            mode = {"telephone": "telephone", "video": "video",
                    "peripatetic": "outreach"}.get(site, "drop_in")
            items, item_needs, refer_keys, steps = [], [], [], []
            if rng.random() < 0.6:
                for i in range(rng.choices((1, 2, 3), cum_weights=(45, 80, 100))[0]):
                    cat = synth.pick(item_cats)
                    item, refer = _demo_item(rng, cat, by_category, courses, when.date())
                    item_needs.append(cat)
                    if refer:
                        opening = rng.choices(("suggested", "agreed", "sent"),
                                              cum_weights=(45, 75, 100))[0]
                        item.update(refer=True, referral_status=opening)
                        ref_key = (key, i)
                        refer_keys.append(ref_key)
                        for s_when, status, reason, note in referral_steps(rng, opening, when,
                                                                           today):
                            steps.append((s_when, next(order), "status",
                                          (ref_key, status, reason, note)))
                    items.append(item)
            needs = list(dict.fromkeys(item_needs))
            while len(needs) < rng.choices((1, 2, 3), cum_weights=(40, 80, 100))[0]:
                need = synth.pick(needs_w)
                if need not in needs:
                    needs.append(need)
            conversation = {
                "date": when.strftime("%d/%m/%Y"), "time": when.strftime("%H:%M"),
                "site_code": site, "mode": mode, "needs": needs[:3],
                "what_matters": rng.choice(WHAT_MATTERS) if rng.random() < 0.8 else "",
                "private_notes": rng.choice(PRIVATE_NOTES) if rng.random() < 0.2 else "",
            }
            if rng.random() < 0.03:
                reason = rng.choice(list(ESCALATION_ACTIONS))
                conversation.update(escalated=True, escalation_reason=reason,
                                    escalation_action=ESCALATION_ACTIONS[reason])
            raw = {"conversation": conversation, "items": items}

            # a follow-up: the roles decide the last one; otherwise about half get one
            due = None
            done = False
            if is_last and role == "due_today":
                due = today
            elif is_last and role == "overdue":
                due = min(_weekday(when.date() + timedelta(days=7), forward=True),
                          today - timedelta(days=1))
            elif is_last and role == "future":
                due = _weekday(today + timedelta(days=rng.randint(1, 21)), forward=True)
            elif is_last and role == "seen_today":
                due = _weekday(today + timedelta(days=rng.choice((7, 14))), forward=True)
            elif rng.random() < 0.45:
                due = _weekday(when.date() + timedelta(days=rng.choice((7, 14, 21, 28))),
                               forward=True)
                if due < today:
                    done = rng.random() < (0.985 if (today - due).days > 30 else 0.8)
            if due is not None:
                raw["follow_up"] = {
                    "due_date": due.strftime("%d/%m/%Y"),
                    "due_time": rng.choice(("", "", "10:00", "10:30", "11:00", "14:00", "15:30")),
                    "way": rng.choices(("call", "drop_in", "video", "text"),
                                       cum_weights=(50, 80, 90, 100))[0],
                }
                if done:
                    plan.append((_at(due, rng), next(order), "follow_up_done",
                                 (key, rng.choice(FOLLOW_UP_OUTCOMES))))
                else:  # came back on or after the due date: that visit closes it
                    back = next((t for t in times[n + 1:] if t.date() >= due), None)
                    if back is not None:
                        plan.append((back, next(order), "follow_up_done",
                                     (key, "Seen again at a later drop-in.")))
            plan.append((when, next(order), "drop_in", (key, person_key, raw, refer_keys)))
            plan.extend(steps)
    return plan


def _demo_item(rng: random.Random, category: str, by_category: dict[str, list], courses: list,
               day: date) -> tuple[dict, bool]:
    """One prescription item for a need category, and whether to refer it on."""
    item = {"why": rng.choice(WHY) if rng.random() < 0.8 else "",
            "first_step": rng.choice(FIRST_STEPS) if rng.random() < 0.8 else ""}
    if rng.random() < 0.3:
        item["target_date"] = (day + timedelta(days=rng.randint(14, 56))).strftime("%d/%m/%Y")
    if category == "learning" and courses:
        item.update(kind="course", course_id=rng.choice(courses).id, title="")
        return item, False
    services = by_category.get(category)
    if not services:
        item.update(kind="own_step", title=rng.choice(OWN_STEPS))
        return item, False
    service = rng.choice(services)
    kind = {"volunteering": "volunteering", "mental_wellbeing": "peer_support"}.get(
        category, "partner_service")
    item.update(kind=kind, service_id=service.id, title="")
    return item, rng.random() < 0.85


# --- the benchmark dataset -------------------------------------------------------------

CHUNK = 20_000
DATASET_MARKER = "dataset.json"  # written last: the dataset in this folder is complete


def _chunks(rows: list[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def build_dataset(folder: Path, people: int = 100_000, contacts: int = 1_000_000, seed: int = 1,
                  progress: Callable[[str], object] = print, today: date | None = None) -> Path:
    """Write DESIGN.md's synthetic ten-year dataset into a new profile folder; return the
    database's path.

    ``contacts`` conversations over ten years ending ``today``, between ``people`` people,
    skewed like a real service (most people come one to three times, a few every week;
    the first person has been coming for ten years), with their needs, prescriptions for
    about half, onward referrals with their histories for about one item in four, and
    follow-ups. Written with SQLAlchemy Core bulk inserts on a session with no clock, so
    no outbox entries: the dataset stands for data that has already been synced.
    Deterministic for a seed and a ``today`` (except the UUIDv7 ids).
    """
    from lr_desk.profile import open_store
    from lr_desk.store.clock import new_id
    from lr_desk.store.models import (
        Advisor,
        Conversation,
        ConversationNeed,
        Course,
        FollowUp,
        Partner,
        PartnerService,
        Person,
        Prescription,
        PrescriptionItem,
        Referral,
        ReferralEvent,
    )

    started = time.perf_counter()
    folder = Path(folder)
    today = today or date.today()
    rng = random.Random(seed)
    synth = Synth(rng)
    ndays = 3653  # ten years, today included
    day0 = today - timedelta(days=ndays - 1)
    days = [day0 + timedelta(days=i) for i in range(ndays)]
    # a weekend day's visit moves to the Friday before (or the Monday after, at the start)
    snap = []
    for i, day in enumerate(days):
        back = day.weekday() - 4
        snap.append(i if back <= 0 else i - back if i - back >= 0 else i + 3 - back)
    midnight = [datetime.combine(d, dtime()) for d in days]

    def say(message: str) -> None:
        progress(f"[{time.perf_counter() - started:6.1f} s] {message}")

    store = open_store(folder)
    try:
        with Session(store.engine) as s:
            if s.scalar(select(func.count()).select_from(Person)):
                raise ValueError(f"{store.path} already has people in it; build into a new folder")
            (folder / DATASET_MARKER).write_text(json.dumps({  # replaced when complete
                "_comment": "SYNTHETIC benchmark dataset, being built by "
                            "lr_desk.demo.build_dataset.",
                "status": "building", "people": people, "contacts": contacts, "seed": seed,
            }), encoding="utf-8")
            s.connection().exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB while loading
            s.connection().exec_driver_sql("PRAGMA synchronous=OFF")
            s.connection().exec_driver_sql("PRAGMA temp_store=MEMORY")

            # -- advisors: twelve per hub over ten years, about four at a time ---------
            hubs = list(HUB_WEIGHTS)
            advisors = []
            adv_window = []
            for h, hub in enumerate(hubs):
                for j in range(12):
                    begin = -400 + j * 300 + h * 37
                    end = begin + 1300
                    born = synth.date_of_birth(today)
                    created = midnight[max(0, begin)] + timedelta(hours=9)
                    advisors.append({
                        "id": new_id(), "name": f"{synth.given_name(born)} {synth.family_name()}",
                        "home_site": hub, "active": end >= ndays, "created_at": created,
                        "updated_at": created if end >= ndays else midnight[min(end, ndays - 1)],
                        "deleted_at": None,
                    })
                    adv_window.append((hub, begin, end))
            s.execute(insert(Advisor.__table__), advisors)
            buckets = (ndays // 30) + 1
            active_by: dict[str, list[list[str]]] = {}
            for site in (*hubs, "remote"):
                per_bucket = []
                for b in range(buckets):
                    mid = b * 30 + 15
                    ids = [advisors[i]["id"] for i, (hub, begin, end) in enumerate(adv_window)
                           if begin <= mid < end and (site == "remote" or hub == site)]
                    per_bucket.append(ids or [a["id"] for a in advisors])
                active_by[site] = per_bucket

            # -- the directory: the examples plus a hundred made-up partners ----------
            partners, services = [], []
            created = midnight[0] + timedelta(hours=9)
            base = {"created_at": created, "updated_at": created, "deleted_at": None}
            cats = [c for c in ITEM_CATEGORY_WEIGHTS if c != "learning"]
            cat_w = list(itertools.accumulate(ITEM_CATEGORY_WEIGHTS[c] for c in cats))
            names_seen = set()
            while len(partners) < 100:
                cat = rng.choices(cats, cum_weights=cat_w)[0]
                name = f"{rng.choice(PARTNER_PLACES)} {rng.choice(PARTNER_KINDS[cat])}"
                if name in names_seen:
                    continue
                names_seen.add(name)
                pid = new_id()
                contact = f"{synth.given_name(synth.date_of_birth(today))} {synth.family_name()}"
                partners.append({
                    **base, "id": pid, "name": name, "phone": synth.phone(drama=False), "web": "",
                    "key_contact": contact if rng.random() < 0.85 else "",
                    "key_contact_phone": "", "key_contact_email": "",
                    "notes": "Synthetic benchmark data.", "is_example": False,
                })
                for k in range(rng.choices((1, 2, 3), cum_weights=(60, 90, 100))[0]):
                    hub_based = rng.random() < 0.4
                    services.append({
                        **base, "id": new_id(), "partner_id": pid,
                        "name": f"{name} {('drop-in', 'group', 'one-to-one support')[k]}",
                        "category": cat if k == 0 else rng.choices(cats, cum_weights=cat_w)[0],
                        "description": "", "delivery": "hub" if hub_based else "community",
                        "site_code": rng.choice(hubs) if hub_based else "",
                        "location": "" if hub_based else rng.choice(synth.streets),
                        "when_text": "", "phone": "", "web": "", "is_example": False,
                    })
            s.execute(insert(Partner.__table__), partners)
            s.execute(insert(PartnerService.__table__), services)
            courses = []
            for title in COURSE_TITLES:
                for hub in hubs:
                    courses.append({
                        **base, "id": new_id(), "title": title,
                        "provider": "The Life Rooms Recovery College", "site_code": hub,
                        "starts_on": None, "ends_on": None, "when_text": "",
                        "description": "", "is_example": False,
                    })
            s.execute(insert(Course.__table__), courses)
            service_by_cat: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for row in s.execute(select(PartnerService.id, PartnerService.name,
                                        PartnerService.category)):
                service_by_cat[row.category].append((row.id, row.name))
            course_list = list(s.execute(select(Course.id, Course.title)).tuples())
            s.commit()
            say(f"advisors {len(advisors)}, partners {len(partners)}, services "
                f"{len(services)}, courses {len(course_list)}")

            # -- how often each person comes: most one to three times, a few weekly ---
            raw = [rng.lognormvariate(0.0, 1.5) for _ in range(people)]
            cap = 480  # twice a week for five years; the first person gets a little more
            if people < 1 or contacts < people or people * cap < contacts:
                raise ValueError("need at least one conversation and at most "
                                 f"{cap} per person ({people} people, {contacts} contacts)")
            lo, hi = 0.0, float(contacts)
            for _ in range(40):  # the scale that spreads the contacts, capped per person
                mid = (lo + hi) / 2
                if sum(min(cap, 1 + int(w * mid)) for w in raw) < contacts:
                    lo = mid
                else:
                    hi = mid
            counts = [min(cap, 1 + int(w * lo)) for w in raw]
            counts[0] = min(cap + 40, contacts - (people - 1))
            diff = contacts - sum(counts)
            while diff:
                i = rng.randrange(1, people) if people > 1 else 0
                if diff > 0 and (counts[i] < cap or people == 1):
                    counts[i] += 1
                    diff -= 1
                elif diff < 0 and counts[i] > 1:
                    counts[i] -= 1
                    diff += 1

            # -- when: each person's visits over their own stretch of the ten years ---
            # Where a stretch starts leans later, as the service grows; about one regular
            # in eight is still coming, so the last years are as busy as the ones before.
            visit_keys: list[int] = []
            shift = max(people, 2).bit_length()
            for p in range(people):
                k = counts[p]
                if p == 0:  # ten years of history
                    lo_day, hi_day = rng.randint(0, 20), ndays - 1 - rng.randint(0, 14)
                else:
                    gap = rng.choice((7, 10, 14, 21, 30, 45, 60, 90))
                    span = 0 if k == 1 else min(k * gap, rng.randint(ndays // 3, ndays - 1))
                    if k > 1 and rng.random() < 0.12:
                        hi_day = ndays - 1 - int(rng.random() * 30)
                        lo_day = hi_day - span
                    else:
                        u = rng.random()
                        x = u if rng.random() < 0.5 else math.sqrt(u)
                        lo_day = int(x * (ndays - span))
                        hi_day = lo_day + span
                width = hi_day - lo_day + 1
                visit_days = [snap[lo_day]] + [snap[lo_day + int(rng.random() * width)]
                                               for _ in range(k - 1)]
                for d in visit_days:
                    minute = 570 + int(rng.random() * 405)
                    visit_keys.append(((d * 1440 + minute) << shift) | p)
            visit_keys.sort()
            say(f"planned {len(visit_keys):,} conversations for {people:,} people "
                f"(most for one person: {max(counts)})")

            # -- people, in the order they first came ------------------------------
            first_minute: dict[int, int] = {}
            for key in visit_keys:
                p = key & ((1 << shift) - 1)
                if p not in first_minute:
                    first_minute[p] = key >> shift
            person_ids = [""] * people
            home = [""] * people
            rows: list[dict] = []
            for p, minute in first_minute.items():
                hub = synth.hub()
                home[p] = hub
                when = midnight[minute // 1440] + timedelta(minutes=minute % 1440)
                born = synth.date_of_birth(when.date())
                given = synth.given_name(born)
                pid = new_id()
                person_ids[p] = pid
                rows.append({
                    "id": pid, "created_at": when, "updated_at": when, "deleted_at": None,
                    "given_name": given, "family_name": synth.family_name(),
                    "preferred_name": synth.preferred_name(given),
                    "date_of_birth": born if rng.random() < 0.96 else None,
                    "postcode": synth.postcode(hub) if rng.random() < 0.92 else "",
                    "phone": synth.phone(drama=False) if rng.random() < 0.85 else "",
                    "email": "", "referral_source": rng.choices(
                        ("self", "gp", "pcn", "cpn", "partner", "consultant", "ot", "other"),
                        cum_weights=(40, 58, 70, 80, 90, 94, 97, 100))[0],
                    "referral_source_detail": "", "service_user": rng.random() < 0.35,
                    "carer": rng.random() < 0.12, "needs_large_print": rng.random() < 0.05,
                    "needs_easy_read": rng.random() < 0.02, "needs_interpreter": False,
                    "interpreter_language": "", "needs_bsl": False, "communication_other": "",
                    "registered_site": hub,
                    "registered_by": rng.choice(active_by[hub][minute // 1440 // 30]),
                })
            for chunk in _chunks(rows):
                s.execute(insert(Person.__table__), chunk)
            s.commit()
            del rows
            say(f"people {people:,}")

            # -- conversations and everything made in them, in time order ----------
            tables = {name: [] for name in ("conversation", "conversation_need", "prescription",
                                            "prescription_item", "referral", "referral_event",
                                            "follow_up")}
            models = {"conversation": Conversation, "conversation_need": ConversationNeed,
                      "prescription": Prescription, "prescription_item": PrescriptionItem,
                      "referral": Referral, "referral_event": ReferralEvent,
                      "follow_up": FollowUp}
            totals = dict.fromkeys(tables, 0)

            def flush() -> None:
                for name, buffer in tables.items():  # parents before children
                    if buffer:
                        s.execute(insert(models[name].__table__), buffer)
                        totals[name] += len(buffer)
                        buffer.clear()
                s.commit()

            item_cats, item_cum = _dict_weights(ITEM_CATEGORY_WEIGHTS)
            need_cats, need_cum = _dict_weights(NEED_WEIGHTS)
            covid_from = (date(2020, 3, 23) - day0).days
            covid_to = (date(2021, 6, 21) - day0).days
            statuses_open = ("suggested", "agreed", "sent")
            conv_rows = tables["conversation"]
            need_rows = tables["conversation_need"]
            rx_rows = tables["prescription"]
            item_rows = tables["prescription_item"]
            ref_rows = tables["referral"]
            event_rows = tables["referral_event"]
            fu_rows = tables["follow_up"]
            mask = (1 << shift) - 1
            rand = rng.random

            def pick(options: list[str]) -> str:
                return options[int(rand() * len(options))]
            for key in visit_keys:
                p = key & mask
                minute = key >> shift
                d = minute // 1440
                when = midnight[d] + timedelta(minutes=minute % 1440)
                hub = home[p]
                r = rand()
                if covid_from <= d <= covid_to:
                    site = "telephone" if r < 0.6 else "video" if r < 0.8 else hub
                else:
                    site = ("telephone" if r < 0.08 else "video" if r < 0.10 else
                            "peripatetic" if r < 0.15 else
                            rng.choice(hubs) if r < 0.20 else hub)
                mode = {"telephone": "telephone", "video": "video",
                        "peripatetic": "outreach"}.get(site, "drop_in")
                pool = active_by["remote" if site not in active_by else site][d // 30]
                adv = pool[int(rand() * len(pool))]
                cid = new_id()
                escalated = rand() < 0.02
                reason = rng.choice(("distress", "safeguarding", "clinical")) if escalated else ""
                conv_rows.append({
                    "id": cid, "created_at": when, "updated_at": when, "deleted_at": None,
                    "person_id": person_ids[p], "occurred_at": when, "site_code": site,
                    "mode": mode, "advisor_id": adv,
                    "what_matters": pick(WHAT_MATTERS) if rand() < 0.8 else "",
                    "private_notes": pick(PRIVATE_NOTES) if rand() < 0.15 else "",
                    "escalated": escalated, "escalation_reason": reason,
                    "escalation_action": ESCALATION_ACTIONS[reason] if escalated else "",
                })
                needs: list[str] = []
                if rand() < 0.5:  # a prescription
                    rx = new_id()
                    rx_rows.append({"id": rx, "created_at": when, "updated_at": when,
                                    "deleted_at": None, "person_id": person_ids[p],
                                    "conversation_id": cid, "advisor_id": adv})
                    n_items = 1 if (r := rand()) < 0.35 else 2 if r < 0.7 else 3 if r < 0.9 else 4
                    for position in range(n_items):
                        cat = item_cats[bisect.bisect(item_cum, rand() * item_cum[-1])]
                        if cat not in needs:
                            needs.append(cat)
                        service_id = course_id = None
                        refer = False
                        if cat == "learning":
                            kind = "course"
                            course_id, title = course_list[int(rand() * len(course_list))]
                        elif cat == "other" or not service_by_cat.get(cat):
                            kind, title = "own_step", OWN_STEPS[int(rand() * len(OWN_STEPS))]
                        else:
                            options = service_by_cat[cat]
                            service_id, title = options[int(rand() * len(options))]
                            kind = {"volunteering": "volunteering",
                                    "mental_wellbeing": "peer_support"}.get(cat, "partner_service")
                            refer = rand() < 0.75
                        item_id = new_id()
                        item_rows.append({
                            "id": item_id, "created_at": when, "updated_at": when,
                            "deleted_at": None, "prescription_id": rx, "position": position,
                            "kind": kind, "service_id": service_id, "course_id": course_id,
                            "title": title,
                            "why": pick(WHY) if rand() < 0.7 else "",
                            "first_step": pick(FIRST_STEPS) if rand() < 0.7 else "",
                            "target_date": (days[d] + timedelta(days=28)) if rand() < 0.2 else None,
                        })
                        if refer:
                            ref_id = new_id()
                            opening = statuses_open[int(rand() * 3)]
                            status, status_at = opening, when
                            event_rows.append({
                                "id": new_id(), "created_at": when, "updated_at": when,
                                "deleted_at": None, "referral_id": ref_id, "status": opening,
                                "at": when, "advisor_id": adv, "reason": "", "note": ""})
                            steps = referral_steps(rng, opening, when, today)
                            ref_rows.append({
                                "id": ref_id, "created_at": when,
                                "updated_at": steps[-1][0] if steps else when,
                                "deleted_at": None, "person_id": person_ids[p],
                                "item_id": item_id, "service_id": service_id,
                                "status": steps[-1][1] if steps else status,
                                "status_at": steps[-1][0] if steps else status_at,
                            })
                            for s_when, s_status, s_reason, s_note in steps:
                                event_rows.append({
                                    "id": new_id(), "created_at": s_when, "updated_at": s_when,
                                    "deleted_at": None, "referral_id": ref_id,
                                    "status": s_status, "at": s_when, "advisor_id": adv,
                                    "reason": s_reason, "note": s_note})
                want = 1 if (r := rand()) < 0.45 else 2 if r < 0.8 else 3
                while len(needs) < want:
                    need = need_cats[bisect.bisect(need_cum, rand() * need_cum[-1])]
                    if need not in needs:
                        needs.append(need)
                for need in needs[:3]:
                    need_rows.append({"id": new_id(), "created_at": when, "updated_at": when,
                                      "deleted_at": None, "conversation_id": cid,
                                      "category": need})
                if rand() < 0.3:  # a follow-up
                    due = _weekday(days[d] + timedelta(days=(7, 14, 21, 28)[int(rand() * 4)]),
                                   forward=True)
                    age = (today - due).days
                    done = age > 0 and rand() < (0.995 if age > 60 else 0.75)
                    done_at = (datetime.combine(due, dtime(10 + int(rand() * 6), 15))
                               if done else None)
                    fu_rows.append({
                        "id": new_id(), "created_at": when, "updated_at": done_at or when,
                        "deleted_at": None, "person_id": person_ids[p], "conversation_id": cid,
                        "due_date": due, "due_time": "" if rand() < 0.6 else "10:30",
                        "way": ("call", "call", "drop_in", "video", "text")[int(rand() * 5)],
                        "site_code": site, "assigned_to": adv, "done_at": done_at,
                        "done_by": adv if done else None,
                        "outcome": pick(FOLLOW_UP_OUTCOMES) if done else "",
                    })
                if len(conv_rows) >= CHUNK:
                    flush()
                    if totals["conversation"] % 100_000 == 0:
                        say(f"conversations {totals['conversation']:,} of {len(visit_keys):,}")
            flush()
            say("rows: " + ", ".join(f"{k} {v:,}" for k, v in totals.items()))
            s.connection().exec_driver_sql("PRAGMA synchronous=NORMAL")
            s.connection().exec_driver_sql("PRAGMA cache_size=-2000")
            s.commit()
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.commit()
        elapsed = time.perf_counter() - started
        (folder / DATASET_MARKER).write_text(json.dumps({
            "_comment": "SYNTHETIC benchmark dataset made by lr_desk.demo.build_dataset.",
            "status": "complete", "people": people, "contacts": contacts, "seed": seed,
            "today": today.isoformat(),
            "rows": totals, "build_seconds": round(elapsed, 1),
        }, indent=1), encoding="utf-8")
        say("analysed; done")
    finally:
        store.close()
    return store.path
