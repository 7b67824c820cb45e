"""Needs review on a big desk: how long finding people who may be registered twice takes,
as a whole and step by step (the longest step is the most a save waits behind it on the
desk's worker), and how long checking the few people a save changed takes.

    python benchmarks/review_bench.py --data-dir DIR [--people 100000] [--runs 5]

Builds a people-only synthetic desk (``lr_desk.demo.build_dataset``, one visit each) in
DIR if there is none. Reports medians of wall time and of this process's CPU time (the
second says less about a busy machine). Run it on an older checkout (PYTHONPATH) for
before and after: there only the whole read is measured.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path


def timed(fn, runs: int) -> tuple[float, float, object]:
    walls, cpus, result = [], [], None
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = args.data_dir / "lr_desk.sqlite"
    if not db.exists():
        from lr_desk.demo import build_dataset
        build_dataset(args.data_dir, people=args.people, contacts=args.people)

    from lr_desk.services import duplicates
    from lr_desk.store.db import Store

    store = Store(db)
    with store.Session() as s:
        wall, cpu, pairs = timed(lambda: duplicates.possible_duplicates(s), args.runs)
        print(f"whole read: {len(pairs)} pairs, median {wall:.0f} ms wall, {cpu:.0f} ms CPU")
        try:
            from lr_desk.services import review, twice
        except ImportError:
            return  # an older checkout: one read, no steps
        steps = twice.scan_steps(s)
        per = []
        for step in steps:
            w, c, _ = timed(lambda step=step: twice.run_step(s, step), args.runs)
            per.append((w, c, step[0]))
        print(f"{len(steps)} steps: longest {max(p[0] for p in per):.0f} ms wall "
              f"({max(p[1] for p in per):.0f} ms CPU); by kind: " + ", ".join(
                  f"{kind} {max(p[0] for p in per if p[2] == kind):.0f} ms"
                  for kind in dict.fromkeys(p[2] for p in per)))
        ids = [i for (i,) in s.execute(twice.select(twice.Person.id).limit(5000))]
        rng = random.Random(1)
        for n in (1, 50, 500):
            wall, cpu, _ = timed(lambda n=n: twice.around(s, set(rng.sample(ids, n))),
                                 args.runs)
            print(f"the pairs of {n} people changed: {wall:.0f} ms wall, {cpu:.0f} ms CPU")
        wall, cpu, items = timed(lambda: review.open_items(s, store.device_id), args.runs)
        print(f"changes to check ({len(items)}): {wall:.0f} ms wall, {cpu:.0f} ms CPU")


if __name__ == "__main__":
    main()
