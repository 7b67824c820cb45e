"""Eligibility and load while picking a service, on the synthetic ten-year dataset with
1,000 partner services more.

    QT_QPA_PLATFORM=offscreen python benchmarks/picker_bench.py [--data-dir bench-data]
        [--services 1000] [--queries 40] [--seed 1] [--json out.json]

Opens the dataset (made by benchmarks/bench.py; ``lr_desk.demo.build_dataset``) and, in
one transaction that is rolled back at the end (nothing is written to it), adds
``--services`` services under 200 partners, with eligibility rules (age ranges,
catchments of council areas and postcode districts, benefits rules, once-only funding),
capacities and a share of this month's referrals. Then, for people with history:

- the checker's build (``services.eligibility.prepare``: every service's rules, this
  period's loads in one grouped query, key contacts, the person's facts): median and max;
  and the save's own check, of the busiest service only;
- per keystroke, typing realistic prefixes of service and partner names one character at
  a time: the search over every course and service (``services.choices.search``) and the
  checks of each match shown (``checker.check``), each query on a checker with nothing
  remembered; median and 95th percentile (budget: under 5 ms);
- the same keystrokes through the drop-in's real picker widget (``ui.picker.Picker``: the
  rows drawn with their marks), median and 95th percentile;
- ``checker.similar`` for each service chosen: median and 95th percentile.

It only reports; nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import DB_NAME, pct
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from lr_desk.services import choices, directory, eligibility
from lr_desk.services.districts import AUTHORITIES, DISTRICTS
from lr_desk.store.clock import utcnow
from lr_desk.store.db import Store
from lr_desk.store.models import (
    Category,
    Partner,
    PartnerContact,
    PartnerService,
    Person,
    Referral,
    ReferralEvent,
    Site,
)
from lr_desk.ui.picker import Picker

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("Community", "Wellbeing", "Advice", "Support", "Housing", "Debt", "Money",
         "Carers", "Walking", "Allotment", "Recovery", "Peer", "Family", "Youth", "Men's",
         "Women's", "Food", "Fuel", "Digital", "Skills", "Employment", "Volunteer",
         "Friendship", "Bereavement", "Counselling", "Arts", "Music", "Garden", "Swim",
         "Tenancy", "Benefits", "Welfare", "Legal", "Access", "Older people's")
KINDS = ("group", "drop-in", "service", "project", "hub", "club", "line", "clinic")


def add_services(s, count: int, rng: random.Random, today: date) -> list[str]:
    """``count`` services under 200 partners, with rules and capacities; flushed."""
    categories = list(s.scalars(select(Category.code)))
    sites = list(s.scalars(select(Site.code)))
    advisor = s.scalar(select(ReferralEvent.advisor_id).limit(1))
    partners = []
    for n in range(200):
        p = Partner(name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} Trust {n}")
        s.add(p)
        partners.append(p)
    s.flush()
    for p in partners[::2]:  # half with a named key contact
        s.add(PartnerContact(partner_id=p.id, name="Kim Example", is_key=True))
    districts = sorted(DISTRICTS)
    ids = []
    for n in range(count):
        p = partners[n % len(partners)]
        rules = {}
        roll = rng.random()
        if roll < 0.25:
            rules["catchment"] = rng.choice(AUTHORITIES)
        elif roll < 0.4:
            rules["catchment"] = ", ".join(rng.sample(districts, 4))
        if rng.random() < 0.2:
            rules["min_age"], rules["max_age"] = rng.choice(((18, 25), (16, 30), (50, None),
                                                             (None, 65)))
        if rng.random() < 0.15:
            rules["benefits_rule"] = rng.choice(("on", "not_on"))
        if rng.random() < 0.1:
            rules["once_only"], rules["once_lookback_months"] = True, rng.choice((None, 36))
        if rng.random() < 0.5:
            rules["takes"] = rng.choice((2, 5, 10, 20))
            rules["takes_per"] = rng.choice(("week", "month"))
            rules["capacity_confirmed_on"] = today - timedelta(days=rng.randint(0, 90))
        rules["capacity"] = rng.choices(("taking", "waiting", "paused", "closed"),
                                        (80, 10, 5, 5))[0]
        if rules["capacity"] == "paused":
            rules["paused_until"] = today + timedelta(days=rng.randint(-10, 60))
        if rules["capacity"] == "waiting":
            rules["wait_weeks"] = rng.randint(1, 12)
        service = PartnerService(
            partner_id=p.id, name=f"{rng.choice(WORDS)} {rng.choice(KINDS)} {n}",
            category=rng.choice(categories), site_code=rng.choice(sites),
            when_text=rng.choice(("", "Mondays 10:00", "Thursdays 13:00 to 15:00")),
            **rules)
        s.add(service)
        s.flush()
        ids.append(service.id)
    # this month's referrals to some of them: referrals never sent, moved to them (in
    # this transaction only) and each given a "sent" step now
    moved = list(s.scalars(select(Referral).where(Referral.status == "suggested")
                           .order_by(Referral.id).limit(count * 3)))
    now = utcnow()
    for ref in moved:
        ref.service_id = rng.choice(ids)
        s.add(ReferralEvent(referral_id=ref.id, status="sent", at=now, advisor_id=advisor))
    s.flush()
    return ids


def prefixes(names: list[str], rng: random.Random, count: int) -> list[str]:
    """Realistic things typed: a word of a service's or partner's name, or two."""
    found = []
    for name in rng.sample(names, count):
        words = [w for w in name.lower().split() if w.isalpha()]
        if not words:
            continue
        found.append(" ".join(words[:rng.choice((1, 1, 2))]))
    return found


def keystrokes(query: str) -> list[str]:
    return [query[:i] for i in range(1, len(query) + 1)]


def bench(store: Store, services: int, queries: int, seed: int) -> dict:
    rng = random.Random(seed)
    today = date.today()
    with store.Session() as s:
        s.begin()
        try:
            t = time.perf_counter()
            added = add_services(s, services, rng, today)
            setup = time.perf_counter() - t
            people = list(s.scalars(
                select(Referral.person_id).group_by(Referral.person_id)
                .order_by(func.count().desc()).limit(10)))
            builds = []
            for person_id in people:
                t = time.perf_counter()
                checker = eligibility.prepare(s, person_id, today)
                builds.append(time.perf_counter() - t)
            busiest = s.scalar(select(Referral.service_id).group_by(Referral.service_id)
                               .order_by(func.count().desc()).limit(1))
            saves = []
            for person_id in people:  # the save's own check: the services referred to
                t = time.perf_counter()
                eligibility.prepare(s, person_id, today, [busiest])
                saves.append(time.perf_counter() - t)
            rows = directory.services(s)
            entries = choices.build(directory.courses(s), rows, s.scalars(select(Site)),
                                    today)
            names = [r.service.name for r in rows] + [r.partner.name for r in rows]
            typed = prefixes(names, rng, queries)
            pure, widget, similar = [], [], []
            app = QApplication.instance() or QApplication([])
            picker = Picker()
            picker.set_choices(entries)
            picker.set_checker(checker)
            picker.show()
            for query in typed:
                checker._verdicts.clear()  # nothing remembered from the last query
                for text in keystrokes(query):
                    t = time.perf_counter()
                    for c in choices.search(entries, text):
                        if c.kind != "course":
                            _ = checker.check(c.id).mark
                    pure.append(time.perf_counter() - t)
                checker._verdicts.clear()
                for text in keystrokes(query):
                    t = time.perf_counter()
                    picker.box.setText(text)
                    widget.append(time.perf_counter() - t)
                app.processEvents()
                picker.box.clear()
            for service_id in rng.sample(added, min(200, len(added))):
                checker._verdicts.clear()
                t = time.perf_counter()
                checker.similar(service_id)
                similar.append(time.perf_counter() - t)
            marks = {}
            for service_id in checker.services:
                mark = checker.check(service_id).mark or "(nothing)"
                marks[mark] = marks.get(mark, 0) + 1
            total = s.scalar(select(func.count()).select_from(PartnerService))
            return {
                "services": total, "services_added": len(added),
                "setup_s": round(setup, 1),
                "people": len(people), "referrals_of_busiest": s.scalar(
                    select(func.count()).select_from(Referral)
                    .where(Referral.person_id == people[0])),
                "persons": s.scalar(select(func.count()).select_from(Person)),
                "prepare_ms": {"median": ms(statistics.median(builds)),
                               "max": ms(max(builds))},
                "prepare_for_a_save_ms": {"median": ms(statistics.median(saves)),
                                          "max": ms(max(saves)),
                                          "referrals_to_the_service": s.scalar(
                                              select(func.count()).select_from(Referral)
                                              .where(Referral.service_id == busiest))},
                "keystrokes": len(pure), "queries": typed[:10],
                "search_and_check_ms": {"median": ms(statistics.median(pure)),
                                        "p95": ms(pct(pure, 95))},
                "picker_widget_ms": {"median": ms(statistics.median(widget)),
                                     "p95": ms(pct(widget, 95))},
                "similar_ms": {"median": ms(statistics.median(similar)),
                               "p95": ms(pct(similar, 95))},
                "marks_for_the_busiest": marks,
            }
        finally:
            s.rollback()  # nothing of this is kept


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench-data")
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    db = args.data_dir / DB_NAME
    if not db.exists():
        sys.exit(f"no dataset in {args.data_dir}: make one with benchmarks/bench.py first")
    store = Store(db, backup_dir=args.data_dir / "backups")
    try:
        results = bench(store, args.services, args.queries, args.seed)
    finally:
        store.close()
    print(json.dumps(results, indent=1))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
