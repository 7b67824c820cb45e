"""Issue 15: a pull's own work (screen, references, merge) as committed against as edited.

    python benchmarks/pull_ab.py [--rev HEAD] [--changes 10000] [--rounds 12]

On a throwaway PostgreSQL (sync_bench's), pushes the same changes as sync_bench.py
(fill_demo, audit included), reads the log's pages once and keeps them, then pulls them
into a new device round after round, alternating (which goes first alternates too):
A, the pull's modules as they are at ``--rev`` (sync.checks, store.merge_rows,
sync.references, store.merge_apply, sync.screen: loaded from git into modules of their
own), and B, the same modules as they are in the working tree. The fetch is not timed
twice (the pages are kept), so what differs is the desk's own work. Prints each round,
the medians and the median of the per-round differences, and whether the first A and B
devices ended up holding the same synced records (the device's own rows, seeded ones
and sync state aside). One pull swings by 10 ms and more on a busy machine: trust the
per-round median over ten rounds and more, not a single figure.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sync_bench import CHANGES_PER_DEMO_PERSON, FILL_MARGIN, cut_outbox
from sync_bench_common import Postgres, say

from lr_desk.profile import open_store
from lr_desk.store import merge
from lr_desk.sync import engine as sync_engine
from lr_desk.sync.central import CentralStore, init_central
from lr_desk.sync.push import push_outbox

ROOT = Path(__file__).resolve().parent.parent
# in import order: each loaded from git sees the ones before it as loaded from git too
MODULES = ["lr_desk.sync.checks", "lr_desk.store.merge_rows", "lr_desk.sync.references",
           "lr_desk.store.merge_apply", "lr_desk.sync.screen"]
# not compared: the device's own (its id), the shipped seed rows (stamped at opening)
NOT_COMPARED = {"sync_state", "device", "course", "partner", "partner_service"}


def modules_at(rev: str) -> dict[str, types.ModuleType]:
    """MODULES as they are at ``rev``, in modules of their own (sys.modules as it was)."""
    live = {name: sys.modules[name] for name in MODULES}
    loaded = {}
    try:
        for name in MODULES:
            path = name.replace(".", "/") + ".py"
            source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"],
                                    capture_output=True, text=True, check=True).stdout
            module = types.ModuleType(name)
            module.__file__ = str(ROOT / path)
            package, _, leaf = name.rpartition(".")
            sys.modules[name] = module
            setattr(sys.modules[package], leaf, module)
            exec(compile(source, f"{path}@{rev}", "exec"), module.__dict__)
            loaded[name] = module
    finally:
        for name, module in live.items():
            package, _, leaf = name.rpartition(".")
            sys.modules[name] = module
            setattr(sys.modules[package], leaf, module)
    return loaded


def use(modules: dict[str, types.ModuleType]) -> None:
    sync_engine.screen = modules["lr_desk.sync.screen"]
    sync_engine.checks = modules["lr_desk.sync.checks"]
    merge.apply_changes = modules["lr_desk.store.merge_apply"].apply_changes


def synced_records(store) -> str:
    """A digest of what the device holds, table by table, rows in any order."""
    digest = hashlib.sha256()
    with store.engine.connect() as conn:
        tables = [t for (t,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            if table in NOT_COMPARED:
                continue
            rows = conn.exec_driver_sql(f"SELECT * FROM {table}").all()
            if table == "conflict":  # (when it was recorded: the device's own clock)
                rows = [row[:-1] for row in rows]
            digest.update(table.encode())
            digest.update("".join(sorted(map(repr, rows))).encode())
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="HEAD", help="A: the modules at this revision")
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()
    variants = {"A": modules_at(args.rev), "B": {name: sys.modules[name] for name in MODULES}}
    pg = Postgres()
    pg.start()
    try:
        with tempfile.TemporaryDirectory(prefix="lr-desk-pull-ab-") as tmp:
            work = Path(tmp)
            from lr_desk.demo import fill_demo

            source = open_store(work / "source")
            people = max(10, math.ceil(args.changes * FILL_MARGIN / CHANGES_PER_DEMO_PERSON))
            fill_demo(source, people=people, seed=2016)
            cut_outbox(source, args.changes)
            db = pg.create_db("pull_ab")
            init_central(pg.url(db))
            writer = CentralStore(pg.device_url(db, source))
            assert push_outbox(source, writer).changes == args.changes
            writer.close()
            source.close()
            pages: dict[tuple, list] = {}
            fetch = CentralStore.pull

            def kept_pull(self, *pull_args, **kwargs):  # each page read once, then kept
                key = (pull_args, tuple(sorted(kwargs.items())))
                if key not in pages:
                    pages[key] = fetch(self, *pull_args, **kwargs)
                return pages[key]

            CentralStore.pull = kept_pull
            times: dict[str, list[float]] = {"A": [], "B": []}
            held: dict[str, str] = {}
            for r in range(-1, args.rounds):  # round -1 warms up (and reads the pages)
                for name in ("A", "B") if r % 2 == 0 else ("B", "A"):
                    use(variants[name])
                    device = open_store(work / f"device-{r + 1}-{name}")
                    reader = CentralStore(pg.device_url(db, device))
                    reader.head()
                    started = time.perf_counter()
                    assert sync_engine.pull(device, reader).pulled == args.changes
                    seconds = time.perf_counter() - started
                    if r == -1:
                        held[name] = synced_records(device)
                    else:
                        times[name].append(seconds)
                    reader.close()
                    device.close()
                if r >= 0:
                    say(f"round {r + 1}: A {times['A'][-1] * 1000:.1f} ms, "
                        f"B {times['B'][-1] * 1000:.1f} ms")
            use(variants["B"])
            a, b = times["A"], times["B"]
            print(f"pull of {args.changes:,} changes (pages kept), median of {args.rounds} "
                  f"rounds: A ({args.rev}) {statistics.median(a) * 1000:.1f} ms, B (working "
                  f"tree) {statistics.median(b) * 1000:.1f} ms; per-round A - B (median) "
                  f"{statistics.median(x - y for x, y in zip(a, b, strict=True)) * 1000:.1f} ms")
            print("same synced records on A's and B's device:", held["A"] == held["B"])
    finally:
        pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
