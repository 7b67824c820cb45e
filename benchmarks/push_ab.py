"""Issue 15: a push (push_outbox of 10,000 changes) as committed against as edited.

    python benchmarks/push_ab.py [--rev HEAD] [--changes 10000] [--rounds 10]

On a throwaway PostgreSQL (sync_bench's), fills a device as sync_bench.py does (fill_demo,
audit records included, the outbox cut to ``--changes``), then pushes its outbox round
after round into a new central store each time, alternating (which goes first alternates
too): A, lr_desk.sync.central and lr_desk.sync.push as they are at ``--rev`` (loaded from
git into modules of their own, as pull_ab.py does), and B, the same modules as they are in
the working tree. Before each push the outbox is made unsent for either (its old marks
cleared and the watermark put back: neither is timed). Prints each round, the medians of
the push and of its time inside CentralStore.push (the rest is the desk's own work), the
median of the per-round differences, and whether A's and B's logs hold the same changes.
One push swings by 10 ms and more on a busy machine: trust the per-round median over ten
rounds and more, not a single figure.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pull_ab
from sync_bench import CHANGES_PER_DEMO_PERSON, FILL_MARGIN, cut_outbox
from sync_bench_common import Postgres, Timer, say

from lr_desk.profile import open_store
from lr_desk.sync import push
from lr_desk.sync.central import init_central

MODULES = ["lr_desk.sync.central", "lr_desk.sync.push"]  # (push imports central's)


def unsent(device) -> None:
    """The whole outbox waiting again, as either version reads it."""
    with device.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE outbox SET sent_at = NULL WHERE sent_at IS NOT NULL")
    push.send_again(device)


def logged(pg: Postgres, db: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(pg.dsn(db)) as conn:
        return conn.execute("SELECT change_id, device_id, entity, entity_id, op, fields, hlc, "
                            "schema_version, seen FROM change_log ORDER BY seq").fetchall()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="HEAD", help="A: the modules at this revision")
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    pull_ab.MODULES = MODULES  # (its loader, for these modules)
    variants = {"A": pull_ab.modules_at(args.rev),
                "B": {name: sys.modules[name] for name in MODULES}}
    pg = Postgres()
    pg.start()
    try:
        with tempfile.TemporaryDirectory(prefix="lr-desk-push-ab-") as tmp:
            from lr_desk.demo import fill_demo

            device = open_store(Path(tmp) / "device")
            people = max(10, math.ceil(args.changes * FILL_MARGIN / CHANGES_PER_DEMO_PERSON))
            fill_demo(device, people=people, seed=2016)
            cut_outbox(device, args.changes)
            times: dict[str, list[float]] = {"A": [], "B": []}
            inside: dict[str, list[float]] = {"A": [], "B": []}
            logs: dict[str, list[tuple]] = {}
            for r in range(-1, args.rounds):  # round -1 warms up
                for name in ("A", "B") if r % 2 == 0 else ("B", "A"):
                    modules = variants[name]
                    db = pg.create_db(f"push_{r + 1}_{name.lower()}")
                    init_central(pg.url(db))
                    writer = modules["lr_desk.sync.central"].CentralStore(
                        pg.device_url(db, device))
                    writer.head()  # a pooled connection open, as in sync_bench
                    unsent(device)
                    timer = Timer(writer, "push")
                    started = time.perf_counter()
                    pushed = modules["lr_desk.sync.push"].push_outbox(device, writer)
                    seconds = time.perf_counter() - started
                    assert pushed.changes == args.changes, (name, pushed.changes)
                    writer.close()
                    if r == -1:
                        logs[name] = [row[:1] + row[2:] for row in logged(pg, db)]
                    else:
                        times[name].append(seconds)
                        inside[name].append(timer.seconds)
                    pg.drop_db(db)
                if r >= 0:
                    say(f"round {r + 1}: A {times['A'][-1] * 1000:.1f} ms "
                        f"(in CentralStore.push {inside['A'][-1] * 1000:.1f}), "
                        f"B {times['B'][-1] * 1000:.1f} ms "
                        f"(in CentralStore.push {inside['B'][-1] * 1000:.1f})")
            device.close()
    finally:
        pg.stop()

    def median_ms(values) -> float:
        return statistics.median(values) * 1000

    a, b = times["A"], times["B"]
    own = {k: [t - i for t, i in zip(times[k], inside[k], strict=True)] for k in times}
    print(f"push of {args.changes:,} changes, median of {args.rounds} rounds: "
          f"A ({args.rev}) {median_ms(a):.1f} ms, B (working tree) {median_ms(b):.1f} ms; "
          f"per-round A - B (median) {median_ms(x - y for x, y in zip(a, b, strict=True)):.1f} ms")
    print(f"  in CentralStore.push: A {median_ms(inside['A']):.1f} ms, "
          f"B {median_ms(inside['B']):.1f} ms; the desk's own: A {median_ms(own['A']):.1f} ms, "
          f"B {median_ms(own['B']):.1f} ms")
    print("same changes in A's and B's logs (device login aside):", logs["A"] == logs["B"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
