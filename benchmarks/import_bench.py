"""Importing a 1,000-service Open Referral UK feed into a fresh profile (budget: under 5 s).

    python benchmarks/import_bench.py [--services 1000] [--runs 3]

A feed of synthetic services (about four to an organisation, each with a phone, a
schedule, a place, an area and a contact, as a full HSDS 3.0 record is) is written to a
file; each run copies a freshly made profile and times reading the file, working out
the plan, and importing it in one transaction; then re-importing it (nothing to do).
Prints the medians, wall time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def service(n: int) -> dict:
    org = n // 4
    return {
        "id": f"svc-{n:05d}", "name": f"Service {n}",
        "description": f"Help number {n}: advice on debt and benefits, in plain words.",
        "url": f"https://example.org/services/{n}", "email": f"service{n}@example.org",
        "minimum_age": 16, "maximum_age": 99,
        "phones": [{"id": f"ph-{n}", "number": f"0151 000 {n % 10000:04d}"}],
        "schedules": [{"id": f"sch-{n}", "freq": "WEEKLY", "byday": "MO,WE",
                       "opens_at": "09:30:00", "closes_at": "12:00:00"}],
        "service_areas": [{"id": f"area-{n}", "name": "Liverpool"}],
        "service_at_locations": [{"id": f"sal-{n}", "location": {
            "id": f"loc-{n}", "name": f"Hall {n}", "addresses": [{
                "id": f"addr-{n}", "address_1": f"{n} High Street", "city": "Liverpool",
                "postal_code": "L9 2AF"}]}}],
        "contacts": [{"id": f"con-{n}", "name": f"Contact {n}", "title": "Manager",
                      "email": f"contact{n}@example.org"}],
        "organization": {"id": f"org-{org:05d}", "name": f"Organisation {org}",
                         "description": f"Organisation number {org}.",
                         "website": f"https://org{org}.example.org"},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from lr_desk.profile import open_store
    from lr_desk.services import oruk, oruk_feed

    work = Path(tempfile.mkdtemp(prefix="lr-desk-import-bench-"))
    try:
        feed_file = work / "feed.json"
        records = [service(n) for n in range(args.services)]
        feed_file.write_text(json.dumps({"total_items": len(records), "total_pages": 1,
                                         "page_number": 1, "contents": records}))
        template = work / "template"
        open_store(template).close()
        times: dict[str, list[float]] = {"read": [], "plan": [], "import": [], "whole": [],
                                         "again": []}
        for run in range(args.runs):
            folder = work / f"run{run}"
            folder.mkdir()
            for f in template.glob("lr_desk.sqlite*"):
                shutil.copy(f, folder / f.name)
            store = open_store(folder)
            try:
                began = time.perf_counter()
                feed = oruk_feed.read(str(feed_file))
                read = time.perf_counter()
                with store.session() as s:
                    oruk.plan(s, feed)
                planned = time.perf_counter()
                with store.session() as s:
                    done = oruk.apply(s, feed)
                ended = time.perf_counter()
                with store.session() as s:
                    again = oruk.apply(s, oruk_feed.read(str(feed_file)))
                assert not again.writes
                times["again"].append(time.perf_counter() - ended)
            finally:
                store.close()
            times["read"].append(read - began)
            times["plan"].append(planned - read)
            times["import"].append(ended - planned)
            times["whole"].append((read - began) + (ended - planned))  # read, then import
        print(f"{args.services} services ({done.counts('add')}), "
              f"{feed_file.stat().st_size / 1e6:.1f} MB feed, median of {args.runs} runs:")
        for name, label in (("read", "read the file"), ("plan", "the plan (shown first)"),
                            ("import", "plan again and import, one transaction"),
                            ("whole", "read and import (budget 5 s)"),
                            ("again", "re-import, nothing to do")):
            print(f"  {label}: {statistics.median(times[name]) * 1000:.0f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
