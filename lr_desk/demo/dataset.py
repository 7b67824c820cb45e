"""The benchmark dataset of DESIGN.md's budgets: 100,000 people and a million
conversations over ten years, written fast with SQLAlchemy Core bulk inserts and no
outbox (it stands for data already synced). Each step of the build is a function here;
the conversations, and all made in them, are written by ``dataset_visits``."""

from __future__ import annotations

import itertools
import json
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from lr_desk.demo.dataset_visits import CHUNK, chunks, write_conversations
from lr_desk.demo.directory import dataset_terms
from lr_desk.demo.outcomes_store import add_outcomes
from lr_desk.demo.synth import Synth
from lr_desk.demo.words import (
    COURSE_TITLES,
    HUB_WEIGHTS,
    ITEM_CATEGORY_WEIGHTS,
    PARTNER_KINDS,
    PARTNER_PLACES,
)
from lr_desk.profile import open_store
from lr_desk.store.clock import new_id
from lr_desk.store.models import Advisor, Course, Partner, PartnerService, Person

DATASET_MARKER = "dataset.json"  # written last: the dataset in this folder is complete
__all__ = ["CHUNK", "DATASET_MARKER", "Build", "build_dataset"]


@dataclass
class Build:
    """What every step of a build shares: the session, the seeded generators, and the
    ten years' days (``snap``: a weekend day's index moved to a working day's)."""

    s: Session
    rng: random.Random
    synth: Synth
    today: date
    people: int
    contacts: int
    say: Callable[[str], None]
    ndays: int = 3653  # ten years, today included

    def __post_init__(self) -> None:
        self.day0 = self.today - timedelta(days=self.ndays - 1)
        self.days = [self.day0 + timedelta(days=i) for i in range(self.ndays)]
        # a weekend day's visit moves to the Friday before (or the Monday after, at the start)
        self.snap = []
        for i, day in enumerate(self.days):
            back = day.weekday() - 4
            self.snap.append(i if back <= 0 else i - back if i - back >= 0 else i + 3 - back)
        self.midnight = [datetime.combine(d, dtime()) for d in self.days]
        self.hubs = list(HUB_WEIGHTS)


def build_dataset(folder: Path, people: int = 100_000, contacts: int = 1_000_000, seed: int = 1,
                  progress: Callable[[str], object] = print, today: date | None = None) -> Path:
    """Write DESIGN.md's synthetic ten-year dataset into a new profile folder; return the
    database's path.

    ``contacts`` conversations over ten years ending ``today``, between ``people`` people,
    skewed like a real service (most people come one to three times, a few every week;
    the first person has been coming for ten years), with their needs, prescriptions for
    about half, onward referrals with their histories for about one item in four, and
    follow-ups, and outcome measures and NHS numbers (``demo.outcomes``). Written with
    SQLAlchemy Core bulk inserts on a session with no clock, so no outbox entries: the
    dataset stands for data that has already been synced.
    Deterministic for a seed and a ``today`` (except the UUIDv7 ids).
    """
    started = time.perf_counter()
    folder = Path(folder)
    today = today or date.today()
    rng = random.Random(seed)

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
            b = Build(s, rng, Synth(rng), today, people, contacts, say)
            active_by, n_advisors = _advisors(b)
            service_by_cat, course_list = _directory(b, n_advisors)
            visit_keys, shift = _visits(b, _counts(b))
            person_ids, home = _people(b, visit_keys, shift, active_by)
            totals = write_conversations(b, visit_keys, shift, person_ids, home, active_by,
                                         service_by_cat, course_list)
            totals.update(add_outcomes(s, seed, say))
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


def _advisors(b: Build) -> tuple[dict[str, list[list[str]]], int]:
    """Twelve advisors per hub over ten years, about four at a time; who was working
    where, by month (``active_by[site][day // 30]``)."""
    s, synth, today, midnight, ndays, hubs = b.s, b.synth, b.today, b.midnight, b.ndays, b.hubs
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
    return active_by, len(advisors)


def _directory(b: Build, n_advisors: int) -> tuple[dict[str, list[tuple[str, str]]], list]:
    """The examples plus a hundred made-up partners, their services and the courses."""
    s, rng, synth, today, midnight, hubs = b.s, b.rng, b.synth, b.today, b.midnight, b.hubs
    say = b.say
    partners, services = [], []
    created = midnight[0] + timedelta(hours=9)
    base = {"created_at": created, "updated_at": created, "deleted_at": None}
    cats = [c for c in ITEM_CATEGORY_WEIGHTS if c != "learning"]
    cat_w = list(itertools.accumulate(ITEM_CATEGORY_WEIGHTS[c] for c in cats))
    names_seen = set()
    terms_rng = random.Random(12)  # its own: the rest of the dataset stays as it was
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
                **dataset_terms(terms_rng, today),
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
    course_list = [tuple(row) for row in s.execute(select(Course.id, Course.title))]
    s.commit()
    say(f"advisors {n_advisors}, partners {len(partners)}, services "
        f"{len(services)}, courses {len(course_list)}")
    return service_by_cat, course_list


def _counts(b: Build) -> list[int]:
    """How often each person comes: most one to three times, a few weekly."""
    rng, people, contacts = b.rng, b.people, b.contacts
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
    return counts


def _visits(b: Build, counts: list[int]) -> tuple[list[int], int]:
    """When: each person's visits over their own stretch of the ten years, as keys
    (minute << shift | person) in time order."""
    rng, people, ndays, snap, say = b.rng, b.people, b.ndays, b.snap, b.say
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
    return visit_keys, shift


def _people(b: Build, visit_keys: list[int], shift: int,
            active_by: dict[str, list[list[str]]]) -> tuple[list[str], list[str]]:
    """People, in the order they first came; their ids and home hubs."""
    s, rng, synth, people, midnight, say = b.s, b.rng, b.synth, b.people, b.midnight, b.say
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
    for chunk in chunks(rows):
        s.execute(insert(Person.__table__), chunk)
    s.commit()
    del rows
    say(f"people {people:,}")
    return person_ids, home
