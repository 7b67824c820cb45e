"""First sync from a snapshot, on the ten-year dataset: the store's build, then a brand-new
device's first sync, each in a child process of its own (time, peak RSS).

    python benchmarks/snapshot_bench.py [--limit N] [--data-dir DIR] [--json FILE]

1. Every row of the dataset's synced tables becomes an insert change in a throwaway
   PostgreSQL store (sync_bench_first.copy_dataset: the same log sync_bench's first sync
   replays).
2. The store builds its snapshot (lr_desk.sync.snapshot_build.refresh, as ``lr-desk central
   snapshot`` does): the first build replays the whole log; that is the store's work, on a
   timer, reported apart. Then a refresh with nothing new (what an hourly timer mostly does).
3. A brand-new encrypted device, registered with its own login, syncs for the first time
   (lr_desk.sync.engine.pull: it loads the snapshot, sync.snapshot_load, then pulls what
   came after). The goal: the ten-year dataset in under 60 s, peak RSS under 300 MB.
4. With ``--replay``, the same device's first sync by replaying the log, for comparison
   (sync_bench.py's first sync measures that too).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sync_bench_common import ROOT, Postgres, peak_rss_mb, rss_mb, say
from sync_bench_first import copy_dataset, seeded_ids

from lr_desk.profile import open_store
from lr_desk.sync import engine
from lr_desk.sync.central import CentralStore, init_central
from lr_desk.sync.snapshot_build import refresh

HERE = Path(__file__).resolve()


def build_child(url: str, work: str) -> None:
    """In a child process: build the snapshot, then refresh it with nothing new."""
    central = CentralStore(url)
    stages: dict[str, float] = {}
    last = {"stage": None, "at": time.perf_counter()}
    peaks: dict[str, float] = {}

    def progress(p) -> None:
        now = time.perf_counter()
        if p.stage != last["stage"]:
            if last["stage"]:
                stages[last["stage"]] = round(now - last["at"], 1)
            last.update(stage=p.stage, at=now)
            say(f"   build: {p.stage} ...")
        peaks[p.stage] = max(peaks.get(p.stage, 0), rss_mb())
        if p.stage == "pull" and p.total and p.done % 500_000 < 5000:
            say(f"   pulled {p.done:>10,}/{p.total:,}  rss {rss_mb():6.0f} MB")

    started = time.perf_counter()
    built = refresh(central, Path(work), progress=progress)
    build_s = time.perf_counter() - started
    stages[last["stage"]] = round(time.perf_counter() - last["at"], 1)
    peak = peak_rss_mb()
    again = time.perf_counter()
    same = refresh(central, Path(work))
    refresh_s = time.perf_counter() - again
    central.close()
    info = built.info
    print(json.dumps({
        "made": built.made, "at_seq": info.at_seq, "size_mb": round(info.size / 2**20, 1),
        "parts": info.parts, "build_s": round(build_s, 1), "stages_s": stages,
        "peak_rss_mb": round(peak), "rss_by_stage_mb": {k: round(v) for k, v in peaks.items()},
        "refresh_nothing_new_s": round(refresh_s, 2), "refresh_made": same.made}))


def first_child(url: str, folder: str, key_hex: str) -> None:
    """In a child process: a brand-new device's first sync (engine.pull)."""
    started = time.perf_counter()
    store = open_store(Path(folder), key=bytes.fromhex(key_hex))
    open_s = time.perf_counter() - started
    central = CentralStore(url)
    stages: dict[str, float] = {}
    last = {"stage": None, "at": 0.0}

    def progress(p) -> None:
        stage = getattr(p, "stage", "changes")
        now = time.perf_counter()
        if stage != last["stage"]:
            if last["stage"]:
                stages[last["stage"]] = round(now - last["at"], 1)
            last.update(stage=stage, at=now)
            say(f"   device: {stage} ... (rss {rss_mb():.0f} MB)")

    t0 = time.perf_counter()
    last["at"] = t0
    done = engine.pull(store, central, progress=progress)
    sync_s = time.perf_counter() - t0
    if last["stage"]:
        stages[last["stage"]] = round(time.perf_counter() - last["at"], 1)
    peak = peak_rss_mb()
    with store.engine.connect() as conn:
        people = conn.exec_driver_sql("SELECT count(*) FROM person").scalar()
    at = engine.cursor(store, central.store_id())
    store.close()
    central.close()
    size = sum(p.stat().st_size for p in Path(folder).glob("lr_desk.sqlite*"))
    print(json.dumps({
        "first_sync_s": round(sync_s, 1), "open_store_s": round(open_s, 2),
        "stages_s": stages, "from_snapshot": "download" in stages or "load" in stages,
        "pulled": done.pulled, "cursor": at, "people": people,
        "peak_rss_mb": round(peak), "device_db_mb": round(size / 2**20)}))


def child(args: list[str]) -> dict:
    """Run this script as a child with ``args``; its last line of JSON."""
    proc = subprocess.Popen([sys.executable, str(HERE), *args], stdout=subprocess.PIPE,
                            text=True)
    try:
        out, _ = proc.communicate()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
    if proc.returncode != 0:
        return {"failed": f"exited with {proc.returncode}"}
    return json.loads(out.strip().splitlines()[-1])


def new_device(pg: Postgres, db: str, folder: Path) -> tuple[str, str]:
    """A brand-new encrypted device, registered with its own login: (url, key hex)."""
    key = secrets.token_bytes(32)
    store = open_store(folder, key=key)
    url = pg.device_url(db, store, "southport")
    store.close()
    return url, key.hex()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, metavar="N",
                        help="only the dataset's first N changes (a quick run)")
    parser.add_argument("--data-dir", default=str(ROOT / "bench-data"),
                        help="the dataset's folder (lr_desk.sqlite; bench.py builds it)")
    parser.add_argument("--replay", action="store_true",
                        help="also time a new device replaying the whole log")
    parser.add_argument("--json", metavar="FILE", help="write the figures here too")
    parser.add_argument("--_build-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--_first-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--_replay", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._build_child:
        build_child(*args._build_child)
        return 0
    if args._first_child:
        if args._replay:  # no snapshot for this one: the log replayed, as before
            import lr_desk.sync.snapshot_load as snapshot_load

            snapshot_load.first_sync_from_snapshot = lambda *a, **k: None
        first_child(*args._first_child)
        return 0
    src = Path(args.data_dir).resolve() / "lr_desk.sqlite"
    if not src.exists():
        sys.exit(f"no dataset at {src} (run benchmarks/bench.py once to build it)")
    results: dict = {"limit": args.limit, "cpus": os.cpu_count(),
                     "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}
    work = Path(tempfile.mkdtemp(prefix="lr-desk-snapbench-"))
    pg = Postgres()

    def on_signal(signum, _frame):  # (stopped: the server and folders still go)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    started = time.perf_counter()
    try:
        say(f"starting a throwaway PostgreSQL from {pg.bindir} ...")
        pg.start()
        db = pg.create_db("snapshot")
        init_central(pg.url(db))
        say("1. the dataset into the log " + (f"(first {args.limit:,} changes)"
                                                if args.limit else "(all of it)") + " ...")
        loaded = copy_dataset(src, pg.dsn(db), args.limit, seeded_ids(work))
        results["log"] = {k: loaded[k] for k in ("loaded", "load_s")}
        say(f"2. the store builds its snapshot of {loaded['loaded']:,} changes ...")
        (work / "build").mkdir()
        results["build"] = child(["--_build-child", pg.url(db), str(work / "build")])
        say(f"   {results['build']}")
        if "failed" in results["build"]:
            raise SystemExit("the build failed: no snapshot for a device to load")
        say("3. a brand-new device's first sync ...")
        url, key = new_device(pg, db, work / "device")
        results["first_sync"] = child(["--_first-child", url, str(work / "device"), key])
        say(f"   {results['first_sync']}")
        if args.replay:
            say("4. a brand-new device's first sync by replaying the log ...")
            url, key = new_device(pg, db, work / "device-replay")
            results["replay"] = child(["--_first-child", url, str(work / "device-replay"),
                                       key, "--_replay"])
            say(f"   {results['replay']}")
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    results["bench_s"] = round(time.perf_counter() - started, 1)
    results["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(results, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
