"""Measure lr_desk's sync against the budgets in DESIGN.md, on a throwaway PostgreSQL.

    python benchmarks/sync_bench.py [--quick] [--json [FILE]] [--runs N]
                                    [--first-sync-limit N | --no-first-sync]
                                    [--big-log N] [--profile] [--data-dir bench-data]

Starts its own PostgreSQL cluster (initdb + pg_ctl, as the postgres user when run as
root, on a free port, in a temporary folder that is removed at the end), then measures:

1. Push and pull of exactly 10,000 changes (``--changes``) made through lr_desk's
   services on a device profile (``fill_demo``: people registered, drop-ins with needs,
   prescriptions, referrals and follow-ups, referral steps, and the audit records these
   write), with ``push_outbox`` into a fresh central store and ``engine.pull`` into a
   second, brand-new device. The device is filled with somewhat more, then its outbox is
   cut to its first 10,000 changes (in the order they were written, so every change's
   parents are in the batch). Audit records are INCLUDED, as they come (about half the
   batch): they are synced changes like any other - pushed, checked by the same erasure
   trigger and security checks, pulled and merged - and a desk's real outbox carries
   them in that proportion; leaving them out would measure a mix no desk sends. (Before,
   "10,000" was the number of non-audit changes aimed at, and 20,840 were measured.) The
   count measured and its mix are printed. Against a raw bulk insert
   (one psycopg ``executemany`` of the same rows, one transaction, into a plain table
   with the same columns) and a raw ``SELECT`` of the same rows, on the same server.
   Medians of ``--runs`` runs, each on a new database.
2. A sync with nothing to do (``sync_once`` on an up-to-date device), with the 10,000
   changes of (1) in the log and with ``--big-log`` (default 1,000,000) synthetic changes
   bulk-loaded with COPY (seq 1..N; the device's cursor is put at the head, as if it had
   pulled them). Median of ``--idle-runs``.
3. The first sync of the full ten-year dataset (bench-data/, made by bench.py) to a new
   device: every row of its synced tables becomes an insert change (as the outbox would
   write it), loaded in the order of SYNCED_MODELS then created_at, and ``engine.pull``
   runs in a child process (``open_store`` on a new folder), which reports its time, its
   peak memory (ru_maxrss) and then an idle sync against the full log. With
   ``--first-sync-limit N`` only the first N changes are loaded and the full time is
   extrapolated (and labelled so).

Its parts: sync_bench_common.py (helpers, the throwaway cluster, idle syncs),
sync_bench_first.py (3.) and sync_bench_report.py (the table, the hot spots).

It only reports; nothing here fails on a slow machine. ``--profile`` also runs each pull
once under cProfile and prints the hot spots.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import math
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import delete, select

from lr_desk.profile import open_store
from lr_desk.store.clock import HybridClock, new_id
from lr_desk.store.models import Outbox
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync import central as central_module
from lr_desk.sync import engine as sync_engine
from lr_desk.sync.central import CentralStore, init_central
from lr_desk.sync.push import push_outbox, send_again

ROOT = Path(__file__).resolve().parent.parent
from sync_bench_baselines import Peer, raw_insert, raw_select  # noqa: E402
from sync_bench_common import FAKE_DEVICE, LOG_COLUMNS, Cpu, Postgres, Timer, idle_syncs, ms, say  # noqa: E402
from sync_bench_first import bench_first_sync, pull_child  # noqa: E402
from sync_bench_report import hot_spots, machine, print_table  # noqa: E402

CHANGES_PER_DEMO_PERSON = 12_746 / 290  # fill_demo's changes per person, audit included
FILL_MARGIN = 1.15  # fill this much more than wanted, then cut the outbox to the count

# --- 1. push and pull 10,000 changes ------------------------------------------------


def outbox_rows(store) -> list[dict]:
    """The device's outbox as the rows push_outbox sends (in its order)."""
    with store.session() as s:
        rows = s.scalars(select(Outbox).order_by(Outbox.seq)).all()
        return [{"change_id": r.change_id, "device_id": store.device_id, "entity": r.entity,
                 "entity_id": r.entity_id, "op": r.op, "fields": r.fields, "hlc": r.hlc,
                 "schema_version": r.schema_version, "seen": r.seen} for r in rows]


def cut_outbox(store, count: int) -> int:
    """Keep the first ``count`` changes of the outbox (in the order written: a change's
    parents come before it), drop the rest; the number there was before."""
    with store.session() as s:
        seqs = s.scalars(select(Outbox.seq).order_by(Outbox.seq)).all()
        if len(seqs) < count:
            sys.exit(f"fill_demo wrote {len(seqs):,} changes, fewer than the {count:,} "
                     "wanted: raise FILL_MARGIN")
        s.execute(delete(Outbox).where(Outbox.seq > seqs[count - 1]))
    return len(seqs)


def bench_push_pull(pg: Postgres, work: Path, runs: int, target: int, profile: bool,
                    peer: Peer | None = None) -> dict:
    from lr_desk.demo import fill_demo

    say(f"1. push and pull: filling a device's outbox through the services ({target:,}) ...")
    device_a = open_store(work / "device-a")
    people = max(10, math.ceil(target * FILL_MARGIN / CHANGES_PER_DEMO_PERSON))
    started = time.perf_counter()
    fill_demo(device_a, people=people, seed=2016)
    fill_s = time.perf_counter() - started
    written = cut_outbox(device_a, target)
    rows = outbox_rows(device_a)
    n = len(rows)
    assert n == target, (n, target)
    mix: dict[str, int] = {}
    for r in rows:
        key = f"{r['entity']} {r['op']}"
        mix[key] = mix.get(key, 0) + 1
    payload = sum(len(json.dumps(r["fields"])) for r in rows) / n
    audit = sum(v for k, v in mix.items() if k.startswith("audit_event "))
    say(f"   measuring {n:,} changes ({audit:,} of them audit records), the first of the "
        f"{written:,} written for {people} people in {fill_s:.1f} s "
        f"(fields ~{payload:.0f} bytes of JSON each)")

    result: dict = {"changes": n, "audit_changes": audit, "written": written,
                    "people": people, "mix": mix,
                    "connects_as": "device logins (add_device: least rights, row-level "
                                   "security)" if hasattr(central_module, "add_device")
                                   else "the superuser",
                    "avg_fields_json_bytes": round(payload), "runs": []}
    if profile:  # first: a device's login exists once on the server
        db = pg.create_db("pushpull_profile")
        url = pg.url(db)
        init_central(url)
        send_again(device_a)
        central = CentralStore(pg.device_url(db, device_a))
        prof = cProfile.Profile()
        prof.enable()
        push_outbox(device_a, central)
        prof.disable()
        result["profile_push"] = hot_spots(prof)
        device_c = open_store(work / "device-c-profile")
        central.close()
        central = CentralStore(pg.device_url(db, device_c))
        prof = cProfile.Profile()
        prof.enable()
        sync_engine.pull(device_c, central)
        prof.disable()
        result["profile_pull"] = hot_spots(prof)
        central.close()
        device_c.close()
        pg.drop_db(db)
    # Run -1 warms up, not counted: the first runs after the device is filled were the
    # slowest (in one benchmark the first push and pull took twice the last: 1,127 and
    # 721 ms, then 556 and 312 ms), and a median of five should not lean on them.
    for i in range(-1, runs):
        db = pg.create_db(f"pushpull_{i + 1}")
        url = pg.url(db)
        init_central(url)
        send_again(device_a)
        url_a = pg.device_url(db, device_a)
        writer = CentralStore(url_a)
        writer.head()  # a pooled connection open, as in an app that syncs every few minutes
        in_push = Timer(writer, "push")
        cpu = Cpu(pg.dsn(db)).start()
        started = time.perf_counter()
        pushed = push_outbox(device_a, writer)
        push_s = time.perf_counter() - started
        push_cpu = cpu.seconds()
        assert pushed.changes == n, (pushed.changes, n)

        device_b = open_store(work / f"device-b-{i}")
        url_b = pg.device_url(db, device_b, "bootle")
        reader = CentralStore(url_b)
        reader.head()
        in_pull = Timer(reader, "pull")
        cpu = Cpu(pg.dsn(db)).start()
        started = time.perf_counter()
        done = sync_engine.pull(device_b, reader)
        pull_s = time.perf_counter() - started
        pull_cpu = cpu.seconds()
        assert done.pulled == n, (done.pulled, n)

        raw_plain_s, raw_plain_cpu = raw_insert(pg.dsn(db), "raw_plain", rows,
                                                "INCLUDING DEFAULTS")
        raw_keyed_s, _ = raw_insert(pg.dsn(db), "raw_keyed", rows, "INCLUDING ALL")
        select_s, select_cpu, select_first_s = raw_select(pg.dsn(db), n)
        run = {"push_s": push_s, "push_central_s": in_push.seconds, "push_batches": pushed.batches,
               "pull_s": pull_s, "pull_fetch_s": in_pull.seconds, "pull_pages": in_pull.calls,
               "raw_insert_s": raw_plain_s, "raw_insert_keyed_s": raw_keyed_s,
               "raw_select_s": select_s, "raw_select_first_s": select_first_s}
        if None not in (push_cpu, pull_cpu, raw_plain_cpu, select_cpu):
            run |= {"push_cpu_s": push_cpu, "pull_cpu_s": pull_cpu,
                    "raw_insert_cpu_s": raw_plain_cpu, "raw_select_cpu_s": select_cpu}
        if i >= 0:
            result["runs"].append(run)
        else:
            result["warm_up_run"] = run
        label = f"{i + 1}/{runs}" if i >= 0 else "0 (warm-up, not counted)"
        say(f"   run {label}: push {ms(push_s)} ms (raw insert {ms(raw_plain_s)} ms), "
            f"pull {ms(pull_s)} ms (raw select {ms(select_s)} ms; same run: push "
            f"{push_s / raw_plain_s:.2f}x, pull {pull_s / select_s:.2f}x)")
        if peer is not None:  # the same work, the same moment
            pouch = peer.run(n)
            say(f"   PouchDB {n:,}: push {ms(pouch['push_s'])} ms, pull {ms(pouch['pull_s'])} ms")
        writer.close()
        if i < runs - 1:
            reader.close()
            device_b.close()
            pg.drop_db(db)
        else:
            result["_keep"] = (device_a, device_b, reader, url_a)

    med = {k: statistics.median(r[k] for r in result["runs"]) for k in result["runs"][0]
           if all(k in r for r in result["runs"])}
    result["median"] = {k: (ms(v) if k.endswith("_s") else v) for k, v in med.items()}
    result["ratio_push"] = round(med["push_s"] / med["raw_insert_s"], 2)
    result["ratio_pull"] = round(med["pull_s"] / med["raw_select_s"], 2)
    result["ratio_push_vs_keyed"] = round(med["push_s"] / med["raw_insert_keyed_s"], 2)
    result["ratio_combined"] = round((med["push_s"] + med["pull_s"])
                                     / (med["raw_insert_s"] + med["raw_select_s"]), 2)
    # the median of each run's own ratios: both sides of one ratio measured moments apart
    result["ratio_push_same_run"] = round(statistics.median(
        r["push_s"] / r["raw_insert_s"] for r in result["runs"]), 2)
    result["ratio_pull_same_run"] = round(statistics.median(
        r["pull_s"] / r["raw_select_s"] for r in result["runs"]), 2)
    result["ratio_pull_fetch_only"] = round(med["pull_fetch_s"] / med["raw_select_s"], 2)
    if "push_cpu_s" in med:  # the same in CPU time: the work, however busy the machine
        result["ratio_push_cpu"] = round(med["push_cpu_s"] / med["raw_insert_cpu_s"], 2)
        result["ratio_pull_cpu"] = round(med["pull_cpu_s"] / med["raw_select_cpu_s"], 2)
    if peer is not None:
        result["pouchdb"] = peer.summary(med["push_s"], med["pull_s"])

    return result

# --- 2. a sync with nothing to do ---------------------------------------------------

def copy_synthetic(dsn: str, n: int) -> float:
    """Bulk-load n made-up insert changes, seq 1..n, with COPY (the shapes of real rows)."""
    entities = [
        ("conversation", lambda i, at: {
            "person_id": new_id(), "occurred_at": at, "site_code": "walton", "mode": "drop_in",
            "advisor_id": FAKE_DEVICE, "what_matters": "Getting out of the house more",
            "private_notes": "", "escalated": False, "escalation_reason": "",
            "escalation_action": "", "created_at": at, "updated_at": at, "deleted_at": None}),
        ("conversation_need", lambda i, at: {
            "conversation_id": new_id(), "category": "housing", "created_at": at,
            "updated_at": at, "deleted_at": None}),
        ("referral_event", lambda i, at: {
            "referral_id": new_id(), "status": "sent", "at": at, "advisor_id": FAKE_DEVICE,
            "reason": "", "note": "", "created_at": at, "updated_at": at, "deleted_at": None}),
    ]
    start_ms = int(datetime(2016, 11, 22, tzinfo=UTC).timestamp() * 1000)
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        with conn.cursor() as cur, cur.copy(
                f"COPY change_log ({', '.join(LOG_COLUMNS)}) FROM STDIN") as copy:
            for i in range(1, n + 1):
                wall = start_ms + i * 300_000  # one change every five minutes
                at = datetime.fromtimestamp(wall / 1000, UTC).replace(tzinfo=None).isoformat(
                    timespec="microseconds")
                entity, make = entities[i % 3]
                copy.write_row((i, new_id(), FAKE_DEVICE, entity, new_id(), "insert",
                                json.dumps(make(i, at)), HybridClock.encode(wall, 0, FAKE_DEVICE),
                                SCHEMA_VERSION, None))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE change_log")
    return time.perf_counter() - started


def up_to_date(store, central) -> None:
    """Put a device's cursor at the head of the log, as if it had pulled everything."""
    with store.engine.begin() as conn:
        sync_engine.put_state(conn, "central_id", central.store_id())
        sync_engine.put_state(conn, "cursor", central.head())


def bench_idle(pg: Postgres, work: Path, kept, repeats: int, big: int) -> dict:
    device_a, device_b, reader, url_a = kept
    out = {}
    say(f"2. sync with nothing to do ({repeats} runs each) ...")
    out["log_10k_new_device"] = {"log": reader.head(), **idle_syncs(device_b, reader, repeats)}
    writer = CentralStore(url_a)
    out["log_10k_author_device"] = {"log": reader.head(), **idle_syncs(device_a, writer, repeats)}
    writer.close()
    say(f"   log {reader.head():,}: {out['log_10k_new_device']['median_ms']} ms")

    db = pg.create_db("idle_big")
    url = pg.url(db)
    init_central(url)
    say(f"   loading {big:,} synthetic changes with COPY ...")
    load_s = copy_synthetic(pg.dsn(db), big)
    device = open_store(work / "device-idle-big")
    central = CentralStore(pg.device_url(db, device))
    assert central.head() == big
    up_to_date(device, central)
    out["log_big"] = {"log": big, "load_s": round(load_s, 1),
                      **idle_syncs(device, central, repeats)}
    say(f"   log {big:,} (loaded in {load_s:.0f} s): {out['log_big']['median_ms']} ms")
    central.close()
    device.close()
    pg.drop_db(db)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a short run: 2 runs, 10 idle syncs, a 200,000-change big log, "
                             "first sync capped at 100,000 changes")
    parser.add_argument("--json", nargs="?", const="-", metavar="FILE",
                        help="also write the figures as JSON (to stdout without FILE)")
    parser.add_argument("--runs", type=int, help="push/pull runs (default 5; --quick 2)")
    parser.add_argument("--changes", type=int, default=10_000,
                        help="how many changes to push and pull, audit records "
                             "included (exactly; default 10,000)")
    parser.add_argument("--idle-runs", type=int, help="idle syncs per case (default 20)")
    parser.add_argument("--big-log", type=int,
                        help="changes in the big log for the idle sync (default 1,000,000)")
    parser.add_argument("--first-sync-limit", type=int, metavar="N",
                        help="load only the first N changes of the dataset and extrapolate")
    parser.add_argument("--no-first-sync", action="store_true", help="skip the first sync")
    parser.add_argument("--data-dir", default=str(ROOT / "bench-data"),
                        help="the ten-year dataset made by benchmarks/bench.py")
    parser.add_argument("--profile", action="store_true",
                        help="also run each pull under cProfile and print the hot spots "
                             "(the profiled first sync is slower: pair with --first-sync-limit)")
    parser.add_argument("--no-fsync", action="store_true",
                        help="run PostgreSQL with fsync and synchronous_commit off")
    parser.add_argument("--pouchdb", metavar="DIR",
                        help="also run PouchDB's bench.js (set up in DIR as "
                             "../shared/peers/pouchdb/README.md says) after each run")
    parser.add_argument("--_pull-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--_profile", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._pull_child:
        pull_child(*args._pull_child, args.idle_runs or 0, args._profile)
        return 0

    runs = args.runs or (2 if args.quick else 5)
    idle_runs = args.idle_runs or (10 if args.quick else 20)
    big = args.big_log or (200_000 if args.quick else 1_000_000)
    limit = args.first_sync_limit or (100_000 if args.quick else None)

    results: dict = {"machine": machine(), "args": vars(args) | {"runs": runs,
                                                                   "idle_runs": idle_runs,
                                                                   "big_log": big,
                                                                   "first_sync_limit": limit}}
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="lr-desk-syncbench-"))
    pg = Postgres(fsync=not args.no_fsync)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    try:
        say(f"starting a throwaway PostgreSQL from {pg.bindir} ...")
        pg.start()
        results["postgres"] = pg.describe()
        pp = bench_push_pull(pg, work, runs, args.changes, args.profile,
                             Peer(args.pouchdb) if args.pouchdb else None)
        kept = pp.pop("_keep")
        results["push_pull"] = pp
        results["idle"] = bench_idle(pg, work, kept, idle_runs, big)
        for thing in kept[:3]:
            thing.close()
        if not args.no_first_sync:
            results["first_sync"] = bench_first_sync(
                pg, work, Path(args.data_dir).resolve() / "lr_desk.sqlite", limit, idle_runs,
                args.profile)
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    results["bench_seconds"] = round(time.perf_counter() - started, 1)
    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print_table(results)
    m = results["machine"]
    print(f"\ncode {m['code']}; {m['cpus']} CPUs, {m['memory_gb']} GB, Python {m['python']}, "
          "PostgreSQL "
          f"{results['postgres']['version']} (fsync {results['postgres']['fsync']}, "
          f"shared_buffers {results['postgres']['shared_buffers']}); load average "
          f"{m['load_avg_at_start']} at start, {m['load_avg_at_end']} at end; "
          f"measured in {results['bench_seconds']} s")
    if args.json:
        text = json.dumps(results, indent=1, default=str)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text, encoding="utf-8")
            print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
