"""Measure the directory's HSDS 3.0 export: a directory of 1,000 services, every field
filled (250 partners, two named contacts each, four services each at a hub and a place,
with phones, web addresses, times, ages, a three-area catchment, benefits and once-only
rules and other criteria), on a real desk database in a temporary folder.

    python benchmarks/hsds_bench.py [--partners 250] [--per 4] [--runs 5] [--json out.json]

Reports medians of ``--runs``: services.hsds.export_directory (read and build), json to
text, services.hsds_check.problems (both official schemas, formats checked), their sum
(wall clock, and the CPU time it took: on a shared machine the first waits on others),
and once: importing jsonschema and building the validator (the bundled schemas read).
It only reports; nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

t0 = time.perf_counter()
from lr_desk.services import hsds, hsds_check  # noqa: E402

IMPORTED = time.perf_counter() - t0

from lr_desk.profile import open_store  # noqa: E402
from lr_desk.store.models import Partner, PartnerContact, PartnerService  # noqa: E402

HUBS = ("walton", "bootle", "southport", "telephone", "peripatetic")
CATEGORIES = ("debt_benefits", "housing", "social_isolation", "physical_health",
              "employment", "food_fuel")


def fill(store, partners: int, per: int) -> int:
    with store.session() as s:
        for i in range(partners):
            p = Partner(name=f"Partner {i:04d}", phone=f"0151 000 {i:04d}",
                        web=f"partner{i}.example.org", notes="Not for export.")
            s.add(p)
            s.flush()
            for k, (name, is_key) in enumerate((("Pat Jones", True), ("Sam Lee", False))):
                s.add(PartnerContact(partner_id=p.id, name=f"{name} {i}", role="Referrals",
                                     phone=f"07700 90{k} {i:03d}", is_key=is_key,
                                     email=f"contact{k}@partner{i}.example.org"))
            for j in range(per):
                s.add(PartnerService(
                    partner_id=p.id, name=f"Service {j} of partner {i}",
                    category=CATEGORIES[(i + j) % len(CATEGORIES)],
                    description="Help with what matters, one to one and in groups.",
                    delivery="hub", site_code=HUBS[(i + j) % len(HUBS)],
                    location=f"Community Centre {i % 40}, Liverpool",
                    when_text="Tuesdays 10:00 to 12:30", phone=f"0151 111 {i:04d}",
                    web=f"https://partner{i}.example.org/service{j}",
                    capacity=("taking", "waiting", "paused", "closed")[j % 4],
                    wait_weeks=3, paused_until=date(2030, 3, 3), takes=10,
                    min_age=18, max_age=64, catchment="Liverpool, Sefton, L20 3",
                    benefits_rule="on", once_only=True, once_lookback_months=24,
                    criteria="Bring proof of address."))
    return partners * per


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--partners", type=int, default=250)
    ap.add_argument("--per", type=int, default=4)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "profile")
        n = fill(store, args.partners, args.per)
        t = time.perf_counter()
        hsds_check.validator()
        built = time.perf_counter() - t
        times: dict[str, list[float]] = {"export": [], "to_text": [], "validate": [],
                                         "total": [], "total_cpu": []}
        for _ in range(args.runs):
            t, cpu = time.perf_counter(), time.process_time()
            with store.session() as s:
                doc = hsds.export_directory(s)
            t1 = time.perf_counter()
            text = json.dumps(doc, ensure_ascii=False)
            t2 = time.perf_counter()
            found = hsds_check.problems(doc)
            t3, cpu = time.perf_counter(), time.process_time() - cpu
            assert found == [], found[:5]
            assert doc["total_items"] == n
            for key, value in (("export", t1 - t), ("to_text", t2 - t1),
                               ("validate", t3 - t2), ("total", t3 - t),
                               ("total_cpu", cpu)):
                times[key].append(value)
        store.close()
    result = {"services": n, "bytes": len(text.encode()), "runs": args.runs,
              "import_s": round(IMPORTED, 3), "validator_build_s": round(built, 3),
              **{f"{k}_s": round(statistics.median(v), 3) for k, v in times.items()}}
    for key, value in result.items():
        print(f"{key:>20}: {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    sys.exit(main())
