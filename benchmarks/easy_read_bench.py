"""The take-home sheet in easy read: time to draw a 5-item sheet (the budget is the
ordinary sheet's, 50 ms), beside the ordinary sheet and large print for the same plan.

    python benchmarks/easy_read_bench.py [--runs 20] [--items 5]

The plan is bench.py's typical sheet (the shipped example directory's courses and
services and a step of the person's own). Prints medians (wall clock and CPU) and the
slowest run, the pages and the PDF's size, and the first easy-read sheet after start
(fonts and pictures loaded). No Qt, no store.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import pdf_pages, sample_sheet

from lr_desk.sheets.render import render_bytes


def _timed(fn, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run, each sorted (on a busy machine the
    CPU time is the steadier figure)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return sorted(wall), sorted(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--items", type=int, default=5)
    args = parser.parse_args()
    data = replace(sample_sheet(args.items), easy_read=True)
    start = time.perf_counter()
    pdf = render_bytes(data)
    first = (time.perf_counter() - start) * 1000
    cases = (("easy read", lambda: render_bytes(data)),
             ("ordinary sheet", lambda: render_bytes(data, easy_read=False, large_print=False)),
             ("large print", lambda: render_bytes(data, easy_read=False, large_print=True)))
    render_bytes(data, easy_read=False)  # the QR codes made once, as in the desk
    print(f"{args.items}-item sheet, {args.runs} runs each")
    for name, fn in cases:
        times, cpu = _timed(fn, args.runs)
        out = fn()
        print(f"  {name:15} median {statistics.median(times):6.1f} ms   slowest "
              f"{times[-1]:6.1f} ms   CPU median {statistics.median(cpu):6.1f} ms   "
              f"{pdf_pages(out)} pages, {len(out) // 1024} KB")
    print(f"  first easy-read sheet after start {first:6.1f} ms (fonts and pictures loaded; "
          f"{pdf_pages(pdf)} pages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
