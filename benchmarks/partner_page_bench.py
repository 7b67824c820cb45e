"""The partner page's figures for the busiest partner of the ten-year dataset.

    python benchmarks/partner_page_bench.py [--data-dir /work/g_bench-data]
        [--work-dir /tmp/lr_desk-partner-bench] [--runs 21] [--encrypted] [--json out.json]

The dataset (made by benchmarks/bench.py: 100,000 people, 1,000,000 contacts, its
referrals and their steps) is only read: a copy of it is made in ``--work-dir`` once and
brought to the current schema there (kept for later runs; delete it to start again).
``--encrypted`` times the encrypted copy too (``encrypted/`` beside it, made by
benchmarks/security_bench.py), as a desk holds its data.

The partner with the most referrals is chosen; ``services.partners.figures`` is timed as
the page asks for it (the last 12 months, and all time), each run in a fresh session,
reported as the median and the 95th percentile of ``--runs`` (and the median CPU time,
which other work on a shared machine inflates less); the budget is 100 ms for
the page as it opens (the last 12 months). ``services.catchups.overdue`` (a manager's
Today) is timed the same way. The figures are printed, so the numbers can be read too.
It only reports: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import DB_NAME, ms, pct
from sqlalchemy import func, select

from lr_desk.services import catchups, partners
from lr_desk.store.db import Store
from lr_desk.store.models import PartnerService, Referral

BUDGET_MS = 100
USERNAME, PASSWORD = "bench", "benchmark pass phrase"  # benchmarks/security_bench.py's


def working_copy(source: Path, work: Path, key: bytes | None = None) -> Store:
    """``source``'s database copied into ``work`` (once) and opened, migrated there."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / DB_NAME
    if not db.exists():
        print(f"copying {source / DB_NAME} to {work} (once) ...")
        shutil.copyfile(source / DB_NAME, work / (DB_NAME + ".part"))
        (work / (DB_NAME + ".part")).rename(db)
    started = time.perf_counter()
    store = Store(db, backup_dir=work / "backups", key=key)
    if (work / "backups").exists():  # a migration ran: its safety copy is not needed here
        shutil.rmtree(work / "backups")
        print(f"  brought to the current schema in {time.perf_counter() - started:.0f} s")
    return store


def busiest(store: Store) -> tuple[str, int]:
    with store.Session() as s:
        return s.execute(
            select(PartnerService.partner_id, func.count(Referral.id))
            .join(Referral, Referral.service_id == PartnerService.id)
            .group_by(PartnerService.partner_id)
            .order_by(func.count(Referral.id).desc()).limit(1)).one()


def timed(store: Store, fn, runs: int) -> tuple[dict, object]:
    """Wall time, and this process's CPU time (which a busy machine inflates less)."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        with store.Session() as s:
            t0, c0 = time.perf_counter(), time.process_time()
            result = fn(s)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return {"median_ms": ms(statistics.median(times)), "p95_ms": ms(pct(times, 95)),
            "cpu_median_ms": ms(statistics.median(cpu)), "runs": runs}, result


def show(f: partners.PartnerFigures) -> None:
    print(f"  {f.name}: {len(f.services)} services, {f.made} referrals made "
          f"{partners.since_words(f.since, f.today)}")
    print(f"  sent per month {f.months[0]:%b %Y}.."
          f"{f.months[-1]:%b %Y}: {f.sent_all} (can take {f.capacity_all})")
    print(f"  by status: {f.by_status}")
    rate = f"{f.acceptance_rate:.0%}" if f.acceptance_rate is not None else "-"
    print(f"  accepted {f.accepted} of {f.answered} answered ({rate}); median days to reply "
          f"{f.median_reply_days} (of {f.replies}); completed {f.completed}, not taken up "
          f"{f.not_taken_up}; overrides {f.overrides}; views {f.views}")
    print(f"  contacts {len(f.contacts)}; catch-ups {len(f.catchups)}")


def measure(store: Store, today: date, runs: int) -> dict:
    partner_id, referrals = busiest(store)
    out: dict = {"partner_referrals": referrals}
    for label, all_time in (("last_12_months", False), ("all_time", True)):
        out[label], f = timed(store, lambda s, a=all_time: partners.figures(
            s, partner_id, today, all_time=a), runs)
        print(f"figures, {label.replace('_', ' ')}: median {out[label]['median_ms']} ms, "
              f"p95 {out[label]['p95_ms']} ms (CPU {out[label]['cpu_median_ms']} ms)")
        show(f)
    out["overdue_catchups"], late = timed(store, lambda s: catchups.overdue(s, today), runs)
    print(f"overdue catch-ups ({len(late)} partners): median "
          f"{out['overdue_catchups']['median_ms']} ms")
    opened = out["last_12_months"]["median_ms"]
    print(f"the page as it opens: {opened} ms against a budget of {BUDGET_MS} ms "
          f"({'within' if opened < BUDGET_MS else 'OVER'}; a busy machine: see CPU)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="/work/g_bench-data")
    parser.add_argument("--work-dir", default="/tmp/lr_desk-partner-bench")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--encrypted", action="store_true")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    source, work = Path(args.data_dir), Path(args.work_dir)
    info = json.loads((source / "dataset.json").read_text(encoding="utf-8"))
    today = date.fromisoformat(info.get("today") or date.today().isoformat())
    results: dict = {"dataset": info.get("rows"), "today": today.isoformat()}
    store = working_copy(source, work / "plain")
    try:
        print("plain database:")
        results["plain"] = measure(store, today, args.runs)
    finally:
        store.close()
    if args.encrypted:
        from lr_desk.services.signin import Gate

        enc = work / "encrypted"
        if not enc.exists():
            shutil.copytree(source / "encrypted", enc,
                            ignore=shutil.ignore_patterns(DB_NAME, "backups"))
        key = Gate(enc).keyfile.unlock(USERNAME, PASSWORD)[1]
        store = working_copy(source / "encrypted", enc, key)
        try:
            print("encrypted database (SQLCipher):")
            results["encrypted"] = measure(store, today, args.runs)
        finally:
            store.close()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
