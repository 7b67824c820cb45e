"""Fifty desks against one central store: a load test on a throwaway PostgreSQL.

    python benchmarks/fifty_desks.py [--devices 50] [--rounds 5] [--workers 4]
                                     [--seed 15] [--json [FILE]]

Starts its own PostgreSQL cluster on 127.0.0.1 (tests/sync/pgcluster.py, removed at the
end), ``init_central``, and N devices: real local stores made as the sync tests make them
(tests/sync/devices.py ``new_device``: a copy of a migrated store, a device id of its
own), each registered with ``add_device`` (its own login: least rights, row-level
security). The first desk writes the directory; every desk gets an advisor of its own and
syncs once (it joins). Then, in R rounds (each a working day), every desk does a day's
work offline through lr_desk.services, as an advisor would (registers people, records
drop-ins with prescription items, referrals and follow-ups, moves a referral on, closes a
follow-up, sees people other desks registered), then syncs (``sync_once``). Desks run in
a bounded pool of worker processes, in a new random order every round: as many syncs at
once as there are workers. A last round of syncs (no work) brings everyone level.

Reports sync latency per device-sync (median, p95, max), the store's throughput (changes
appended and pulled per second of the rounds), the server's CPU (the postmaster and its
children, from /proc) and the desks' (the worker processes), and the correctness checks:
every device holds exactly the same records; no device's pulls skipped a sequence number
(cursor gaps: 0) or had one twice; every change from another desk applied once (what each
sync applied adds up to the log's changes from others); nothing set aside; the central
log holds exactly what the devices pushed. Bounded: ``--timeout`` per round.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import resource
import signal
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg

from lr_desk.demo.directory import add_demo_directory
from lr_desk.demo.synth import working_day
from lr_desk.profile import open_store
from lr_desk.services import advisors
from lr_desk.store.models import SYNCED_MODELS
from lr_desk.sync.central import CentralStore, add_device, init_central
from lr_desk.sync.engine import cursor, sync_once

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "sync"))  # the sync tests' cluster and devices
sys.path.insert(0, str(ROOT / "benchmarks"))
import devices as test_devices  # noqa: E402
import pgcluster  # noqa: E402
from desk_day import day_of_work  # noqa: E402

HUBS = ("walton", "bootle", "southport")


# --- the tasks the worker processes run --------------------------------------------------


def _sync(store, url: str) -> dict:
    """One sync, timed; with every page the device was handed (for the gap checks)."""
    central = CentralStore(url)
    pages: list[tuple[int, int, int, int]] = []  # (after, first, last, count)
    in_store = {"push": 0.0, "pull": 0.0}  # seconds in the store's append and read
    original_pull, original_push = central.pull, central.push

    def pull(after, limit=1000, max_bytes=None):
        started = time.perf_counter()
        page = original_pull(after, limit, max_bytes)
        in_store["pull"] += time.perf_counter() - started
        if page:
            pages.append((after, page[0].seq, page[-1].seq, len(page)))
        return page

    def push(device_id, changes):
        started = time.perf_counter()
        try:
            return original_push(device_id, changes)
        finally:
            in_store["push"] += time.perf_counter() - started
    central.pull, central.push = pull, push
    try:
        started = time.perf_counter()
        done = sync_once(store, central)
        seconds = time.perf_counter() - started
        at = cursor(store, central.store_id())
    finally:
        central.close()
    return {"seconds": seconds, "pushed": done.pushed, "pulled": done.pulled,
            "conflicts": done.conflicts, "set_aside": done.set_aside, "pages": pages,
            "cursor": at, "push_s": in_store["push"], "pull_s": in_store["pull"]}


def digest(store) -> dict[str, str]:
    """A digest of every synced table's rows (devices.records), to compare devices."""
    out = {}
    for name, rows in test_devices.records(store).items():
        text = json.dumps(rows, sort_keys=True, default=str)
        out[name] = hashlib.sha256(text.encode()).hexdigest()
    return out


def desk_task(task: dict) -> dict:
    """A desk's turn: open its store, do the work (if any), sync, close."""
    cpu = time.process_time()
    store = open_store(Path(task["folder"]))
    try:
        saves = 0
        started = time.perf_counter()
        if task.get("advisor"):
            with store.session() as s:
                advisors.create(s, f"Advisor {task['index']}", task["hub"])
        if task.get("directory"):
            with store.session() as s:
                add_demo_directory(s, date.fromisoformat(task["day"]))
        if task.get("work"):
            rng = random.Random(f"{task['seed']}-{task['index']}-{task['round']}")
            saves = day_of_work(store, rng, date.fromisoformat(task["day"]), task["hub"],
                                f"Advisor {task['index']}")
        work_s = time.perf_counter() - started
        work_cpu = time.process_time() - cpu
        synced = _sync(store, task["url"])
        if task.get("check"):
            synced["digest"] = digest(store)
            synced["conflicts_held"] = len(test_devices.conflict_history(store))
    finally:
        store.close()
    return {"index": task["index"], "saves": saves, "work_s": work_s, "work_cpu": work_cpu,
            "cpu": time.process_time() - cpu, **synced}


# --- measuring --------------------------------------------------------------------------


def server_cpu(cluster) -> float:
    """CPU seconds of the postmaster, its live children and its reaped ones (/proc)."""
    pid = int((cluster.base / "data" / "postmaster.pid").read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")

    def stat(p):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            return 0, 0
        return int(fields[1]), sum(int(x) for x in fields[11:15])  # ppid; u+s+cu+cs time
    total = stat(pid)[1]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(pid):
            ppid, ticks = stat(entry.name)
            if ppid == pid:
                total += ticks
    return total / tick


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(work: Path, devices: int = 50, rounds: int = 5, workers: int = 4, seed: int = 15,
        timeout: float = 600.0, say=print, keep: bool = False) -> dict:
    """The whole load test on a cluster of its own; returns figures and checks."""
    reason = pgcluster.why_not()
    if reason:
        raise RuntimeError(reason)
    cluster = pgcluster.Cluster("lr-desk-fifty-pg-", f"-c max_connections={workers + 20}")
    cluster.start()
    try:
        return _run(cluster, work, devices, rounds, workers, seed, timeout, say, keep)
    finally:
        cluster.stop("immediate")


def _run(cluster, work, devices, rounds, workers, seed, timeout, say, keep) -> dict:
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres",
                         autocommit=True) as conn:
        conn.execute("CREATE DATABASE lr_desk_central")
    admin = f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/lr_desk_central"
    init_central(admin)
    desks = []
    for i in range(devices):
        store = test_devices.new_device(work / f"desk-{i:02d}")
        hub = HUBS[i % len(HUBS)]
        new = add_device(admin, store.device_id, hub)
        desks.append({"index": i, "folder": str(work / f"desk-{i:02d}"),
                      "url": new.url, "hub": hub, "seed": seed, "device_id": store.device_id})
        store.close()
    today = working_day(date.today() - timedelta(days=1))
    days = []
    for _ in range(rounds):
        days.insert(0, today)
        today = working_day(today - timedelta(days=1))
    joined = working_day(today - timedelta(days=1)).isoformat()
    rng = random.Random(seed)
    result = {"devices": devices, "rounds": rounds, "workers": workers, "rounds_detail": [],
              "server": f"PostgreSQL on 127.0.0.1:{cluster.port} (throwaway, trust auth)"}
    per_device: dict[int, list[dict]] = {d["index"]: [] for d in desks}
    server0, client0 = server_cpu(cluster), children_cpu()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        def go(name, tasks):
            order = rng.sample(tasks, len(tasks))
            s0, started = server_cpu(cluster), time.perf_counter()
            done = pool.map_async(desk_task, order, chunksize=1).get(timeout)
            wall = time.perf_counter() - started
            for d in done:
                per_device[d["index"]].append(d)
            figures = {"round": name, "wall_s": round(wall, 2),
                       "syncs": len(done), "saves": sum(d["saves"] for d in done),
                       "pushed": sum(d["pushed"] for d in done),
                       "pulled_rows": sum(p[3] for d in done for p in d["pages"]),
                       "push_s": sum(d["push_s"] for d in done),
                       "pull_s": sum(d["pull_s"] for d in done),
                       "sync_ms": [round(d["seconds"] * 1000, 1) for d in done],
                       "server_cpu_s": round(server_cpu(cluster) - s0, 2),
                       "worker_cpu_s": round(sum(d["cpu"] for d in done), 2)}
            figures["sync_median_ms"] = round(statistics.median(figures["sync_ms"]), 1)
            figures["sync_p95_ms"] = pct(figures["sync_ms"], 95)
            say(f"  {name}: {len(done)} syncs in {wall:.1f} s, pushed {figures['pushed']}, "
                f"sync median {figures['sync_median_ms']} ms, p95 {figures['sync_p95_ms']} ms")
            result["rounds_detail"].append(figures)
            return done

        say(f"{devices} desks, {rounds} rounds, {workers} workers")
        go("directory", [dict(desks[0], advisor=True, directory=True, day=joined)])
        go("join", [dict(d, advisor=True) for d in desks[1:]])
        for r, day in enumerate(days, 1):
            go(f"day {r}", [dict(d, work=True, round=r, day=day.isoformat()) for d in desks])
        final = go("final", [dict(d, check=True) for d in desks])
    client_cpu = children_cpu() - client0
    result["server_cpu_s"] = round(server_cpu(cluster) - server0, 2)
    result["client_cpu_s"] = round(client_cpu, 2)
    _figures(result)
    result["log"] = log_facts(admin)
    result["checks"] = checks(result["log"], desks, per_device, final)
    if keep:  # what the checks read, for a test to alter
        result["kept"] = {"desks": desks, "per_device": per_device, "final": final}
    return result


def _figures(result: dict) -> None:
    days = [r for r in result["rounds_detail"] if r["round"].startswith("day")]
    ms = [m for r in days for m in r["sync_ms"]]
    wall = sum(r["wall_s"] for r in days)
    result["day_rounds"] = {
        "device_syncs": len(ms), "sync_median_ms": round(statistics.median(ms), 1),
        "sync_p95_ms": pct(ms, 95), "sync_max_ms": max(ms), "wall_s": round(wall, 1),
        "saves": sum(r["saves"] for r in days),
        "changes_appended": sum(r["pushed"] for r in days),
        "appended_per_s": round(sum(r["pushed"] for r in days) / wall, 1),
        "changes_pulled": sum(r["pulled_rows"] for r in days),
        "pulled_per_s": round(sum(r["pulled_rows"] for r in days) / wall, 1),
        # per second a desk spent in the store's append (its ordering lock waits
        # included) and in its reads: what one connection gets while others sync too
        "appended_per_push_s": round(sum(r["pushed"] for r in days)
                                     / max(sum(r["push_s"] for r in days), 1e-9), 1),
        "pulled_per_read_s": round(sum(r["pulled_rows"] for r in days)
                                   / max(sum(r["pull_s"] for r in days), 1e-9), 1),
        "server_cpu_s": round(sum(r["server_cpu_s"] for r in days), 2),
        "desks_cpu_s": round(sum(r["worker_cpu_s"] for r in days), 2)}


def log_facts(admin: str) -> dict:
    """What the central log holds: its head, its count, and each device's changes to
    synced records."""
    with psycopg.connect(admin.replace("+psycopg", "")) as conn:
        head, logged = conn.execute("SELECT max(seq), count(*) FROM change_log").fetchone()
        by_device = dict(conn.execute(
            "SELECT device_id, count(*) FROM change_log WHERE entity = ANY(%s) "
            "GROUP BY device_id", (list(SYNCED_MODELS),)).fetchall())
    return {"head": head, "changes": logged, "synced_by_device": by_device}


def checks(log: dict, desks: list[dict], per_device: dict, final: list[dict]) -> dict:
    """The correctness checks, from the log's facts and what each sync reported."""
    head, logged, by_device = log["head"], log["changes"], log["synced_by_device"]
    synced_total = sum(by_device.values())
    gaps = back = dups = short = wrong_applied = 0
    for d in desks:
        syncs = per_device[d["index"]]
        seqs: list[int] = []
        at = 0  # where the device's cursor is, page after page, sync after sync
        for s in syncs:
            for after, first, last, count in s["pages"]:
                gaps += (first > at + 1 or after != at or last - first + 1 != count)
                back += first <= at
                seqs.extend(range(first, last + 1))
                at = max(at, last)
        dups += len(seqs) - len(set(seqs))
        short += set(seqs) != set(range(1, head + 1)) or syncs[-1]["cursor"] != head
        # applied once: all changes from other desks, as many as the log holds
        mine = by_device.get(d["device_id"], 0)
        wrong_applied += sum(s["pulled"] for s in syncs) != synced_total - mine
    digests = {json.dumps(d["digest"], sort_keys=True) for d in final}
    differ = [] if len(digests) == 1 else sorted({
        t for t in final[0]["digest"] if len({d["digest"][t] for d in final}) > 1})
    pushed = sum(s["pushed"] for syncs in per_device.values() for s in syncs)
    found = {"log_head": head, "log_changes": logged, "pushed_total": pushed,
            "log_equals_pushed": logged == pushed == head,
            "cursor_gaps": gaps, "cursor_went_back": back, "pulled_twice": dups,
            "devices_not_at_head": short,
            "devices_applied_wrong_count": wrong_applied,
            "set_aside": sum(s["set_aside"] for syncs in per_device.values() for s in syncs),
            "devices_identical": len(digests) == 1, "tables_differing": differ,
            "conflicts_seen": sum(s["conflicts"] for syncs in per_device.values()
                                  for s in syncs),
            "conflicts_held_per_device": sorted({d["conflicts_held"] for d in final})}
    found["all_correct"] = (found["log_equals_pushed"] and found["devices_identical"] and not any(
        found[k] for k in ("cursor_gaps", "cursor_went_back", "pulled_twice", "devices_not_at_head",
                           "devices_applied_wrong_count", "set_aside")))
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--devices", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per round, at most")
    ap.add_argument("--json", nargs="?", const="-", default=None)
    args = ap.parse_args()
    if not (1 <= args.devices <= 200 and 1 <= args.rounds <= 20 and 1 <= args.workers <= 16):
        ap.error("keep it bounded: 1-200 devices, 1-20 rounds, 1-16 workers")
    # killed: the cluster is still stopped and its folder removed (run's finally)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    with tempfile.TemporaryDirectory(prefix="lr-desk-fifty-") as work:
        result = run(Path(work), args.devices, args.rounds, args.workers, args.seed,
                     args.timeout, say=lambda m: print(m, file=sys.stderr, flush=True))
    result.pop("log")
    for r in result["rounds_detail"]:
        r.pop("sync_ms")
        r["push_s"], r["pull_s"] = round(r["push_s"], 2), round(r["pull_s"], 2)
    result["measured_at"] = datetime.now().isoformat(timespec="seconds")
    text = json.dumps(result, indent=2)
    if args.json and args.json != "-":
        Path(args.json).write_text(text)
    print(text)
    if not result["checks"]["all_correct"]:
        sys.exit("correctness checks failed")


if __name__ == "__main__":
    main()
