"""A brand-new device's first sync from a snapshot of the ten-year dataset, end to end on
the device's side (download from a real PostgreSQL store over loopback, then the load),
without the store's ten-minute build (snapshot_bench.py measures that, and this too, but
takes half an hour).

The snapshot file is the one snapshot_load_bench.py makes from the dataset (kept in
``--work``): it is stored in a throwaway PostgreSQL store as the store's builder stores
one (sync.snapshot_store: begin, parts, finish), the store's id set to the one the file
names. Then each run registers a new encrypted device with its own login and times its
first ``engine.pull`` in a child process (snapshot_bench.py's child: its stages and
peak RSS). The log holds nothing after the snapshot, so the pull after the load finds
nothing more: what is timed is the download (with its SHA-256) and the load.

    python benchmarks/snapshot_device_bench.py [--runs 3] [--work /tmp/lr-desk-snapshot-bench]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from snapshot_load_bench import make_snapshot  # noqa: E402
from sync_bench_common import Postgres, say  # noqa: E402

from lr_desk.profile import open_store  # noqa: E402
from lr_desk.store.schema import SCHEMA_VERSION  # noqa: E402
from lr_desk.sync import snapshot_store  # noqa: E402
from lr_desk.sync.central import CentralStore, init_central  # noqa: E402

PART = 8 << 20  # as the builder stores them (sync.snapshot_build)


def store_file(url: str, snap: Path, key: bytes, at_seq: int) -> snapshot_store.SnapshotInfo:
    """The snapshot file into the store, as the builder puts it there."""
    size, digest = snap.stat().st_size, hashlib.sha256()
    with open(snap, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    parts = -(-size // PART)
    info = snapshot_store.SnapshotInfo(str(uuid.uuid4()), at_seq, SCHEMA_VERSION, key, size,
                                       digest.hexdigest(), parts)
    central = CentralStore(url)
    try:
        snapshot_store.begin(central, info)
        with open(snap, "rb") as f:
            for n in range(parts):
                data = f.read(PART)
                if n < parts - 1:
                    snapshot_store.put_part(central, info.id, n, data)
                elif snapshot_store.finish(central, info, n, data) != "ready":
                    sys.exit("the snapshot could not be stored")
    finally:
        central.close()
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/g_bench-data/lr_desk.sqlite"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/lr-desk-snapshot-bench"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    snap, key, at_seq = make_snapshot(args.data, args.work)
    pg = Postgres()
    results: dict = {"snapshot_gb": round(snap.stat().st_size / 1e9, 2), "runs": []}
    try:
        pg.start()
        db = pg.create_db("snapshot")
        init_central(pg.url(db))
        with psycopg.connect(pg.dsn(db), autocommit=True) as conn:  # the file's store
            conn.execute("UPDATE central_meta SET value = 'bench-store' WHERE key = 'store_id'")
        t = time.perf_counter()
        info = store_file(pg.url(db), snap, key, at_seq)
        say(f"stored {info.parts} parts ({info.size / 1e9:.2f} GB) in "
            f"{time.perf_counter() - t:.0f} s")
        for run in range(args.runs):
            folder = args.work / f"new-device-{run}"
            shutil.rmtree(folder, ignore_errors=True)
            device_key = os.urandom(32)
            store = open_store(folder, key=device_key)
            url = pg.device_url(db, store, "southport")
            store.close()
            load = os.getloadavg()[0]
            child = subprocess.run(
                [sys.executable, str(HERE / "snapshot_bench.py"), "--_first-child", url,
                 str(folder), device_key.hex()], capture_output=True, text=True)
            if child.returncode:
                sys.exit(f"run {run + 1} failed:\n{child.stderr[-3000:]}")
            got = json.loads(child.stdout.strip().splitlines()[-1])
            got["load_avg_1min_before"] = round(load, 2)
            results["runs"].append(got)
            say(f"run {run + 1}: {json.dumps(got)}")
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        pg.stop()
    firsts = [r["first_sync_s"] for r in results["runs"]]
    results["median_first_sync_s"] = statistics.median(firsts)
    results["max_peak_rss_mb"] = max(r["peak_rss_mb"] for r in results["runs"])
    say(f"first sync from the snapshot: median {results['median_first_sync_s']:.1f} s "
        f"({', '.join(f'{s:.1f}' for s in firsts)}); peak RSS up to "
        f"{results['max_peak_rss_mb']} MB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
