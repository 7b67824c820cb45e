"""How long a new device takes to load the central store's snapshot of the ten-year
dataset, and its peak memory (lr_desk.sync.snapshot_load.load: the file becomes the
device's database page by page, with the device's own tables and changes written into it
first: sync.snapshot_put), and to check the file's SHA-256 as the download does.

The snapshot is made as the store's builder makes one (sqlcipher_export into a file with
a key of its own) from a copy of the dataset (a plain device database, migrated to this
desk's schema), given the row clocks a device that replayed the log holds (one per
record) and the sync state the builder leaves. The device is a new encrypted one with an
account of its own. The load runs in a child process, so its peak RSS is its own.

    python benchmarks/snapshot_load_bench.py [--data /work/g_bench-data/lr_desk.sqlite]
        [--work /tmp/lr-desk-snapshot-bench] [--runs 1]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLOCK = "0001764979200000-00000-0190f0e0-aaaa-7bbb-8ccc-0123456789ab"


def make_snapshot(data: Path, work: Path) -> tuple[Path, bytes, int]:
    """The snapshot file, its key and at_seq (made once; kept in ``work``)."""
    import sqlcipher3

    from lr_desk.profile import open_store
    from lr_desk.store.cipher import pragma_key
    from lr_desk.store.merge_rows import APPEND_ONLY
    from lr_desk.store.models import SYNCED_MODELS

    snap, meta = work / "snapshot.db", work / "snapshot.json"
    if snap.exists() and meta.exists():
        m = json.loads(meta.read_text())
        return snap, bytes.fromhex(m["key"]), m["at_seq"]
    plain = work / "builder"
    plain.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    shutil.copyfile(data, plain / "lr_desk.sqlite")
    store = open_store(plain)  # migrated to this desk's schema
    at_seq = 6_100_000
    with store.engine.begin() as conn:
        for table in set(SYNCED_MODELS) - APPEND_ONLY:  # (as a builder keeps them)
            conn.exec_driver_sql(f"INSERT OR IGNORE INTO row_clock (entity_id, base) "
                                 f"SELECT id, '{CLOCK}' FROM {table}")
        for key, value in (("cursor", at_seq), ("central_id", "bench-store"),
                           ("hlc_high", CLOCK)):
            conn.exec_driver_sql("INSERT OR REPLACE INTO sync_state (key, value) "
                                 "VALUES (?, ?)", (key, json.dumps(value)))
    store.close()
    key = secrets.token_bytes(32)
    conn = sqlcipher3.connect(str(plain / "lr_desk.sqlite"), isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute(f'ATTACH DATABASE ? AS snap KEY "{pragma_key(key)}"', (str(snap),))
    conn.execute("SELECT sqlcipher_export('snap')")
    conn.execute("DETACH DATABASE snap")
    conn.close()
    shutil.rmtree(plain)
    meta.write_text(json.dumps({"key": key.hex(), "at_seq": at_seq}))
    print(f"snapshot made in {time.perf_counter() - t:.0f} s: {snap.stat().st_size:,} bytes",
          flush=True)
    return snap, key, at_seq


def load_once(snap: Path, key_hex: str, at_seq: int, folder: Path) -> dict:
    """In this (child) process: a new encrypted device, then the load of a copy of the
    file (the load writes the device's own into the file it is given, as it does into
    the one a device downloaded), timed."""
    from lr_desk.profile import open_store
    from lr_desk.services import advisors
    from lr_desk.sync import snapshot_load

    device_key = secrets.token_bytes(32)
    store = open_store(folder, key=device_key)
    with store.session() as s:
        advisors.create(s, "Nell New", "southport")
    copy = folder / "snapshot-bench.part"
    shutil.copyfile(snap, copy)  # (a download's work: not timed here)
    t = time.perf_counter()
    cpu = time.process_time()
    digest = hashlib.sha256()
    with open(copy, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    hashed = time.perf_counter() - t
    t = time.perf_counter()
    snapshot_load.load(store, copy, bytes.fromhex(key_hex), "bench-store", at_seq)
    loaded = time.perf_counter() - t
    t = time.perf_counter()
    with store.engine.connect() as conn:  # (the load emptied the log already)
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint = time.perf_counter() - t
    with store.engine.connect() as conn:
        people = conn.exec_driver_sql("SELECT count(*) FROM person").scalar()
    store.close()
    return {"sha256_s": hashed, "load_s": loaded, "checkpoint_s": checkpoint,
            "cpu_s": time.process_time() - cpu, "people": people,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/g_bench-data/lr_desk.sqlite"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/lr-desk-snapshot-bench"))
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        snap, key_hex, at_seq, folder = args.child
        print(json.dumps(load_once(Path(snap), key_hex, int(at_seq), Path(folder))))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    snap, key, at_seq = make_snapshot(args.data, args.work)
    print(f"snapshot: {snap.stat().st_size / 10**9:.2f} GB at seq {at_seq:,}", flush=True)
    for run in range(args.runs):
        folder = args.work / f"device-{run}"
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(snap), key.hex(), str(at_seq),
             str(folder)],
            capture_output=True, text=True)
        if child.returncode:
            sys.exit(f"run {run + 1} failed:\n{child.stderr}")
        got = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"run {run + 1}: sha256 {got['sha256_s']:.1f} s, load {got['load_s']:.1f} s"
              f", checkpoint {got['checkpoint_s']:.1f} s; CPU {got['cpu_s']:.1f} s; "
              f"peak RSS {got['peak_rss_mb']:.0f} MB; {got['people']:,} people; "
              f"whole child {time.perf_counter() - t:.1f} s", flush=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
