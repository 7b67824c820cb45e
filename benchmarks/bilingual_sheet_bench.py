"""Time to render the 5-item take-home sheet in English and in English with each shipped
translation beside it (budget: under 50 ms, as the English sheet).

    python benchmarks/bilingual_sheet_bench.py [--runs 30] [--large] [--uncached]

Each sheet is drawn once first (fonts registered, QR codes made, the catalogue read), as
on a desk that has printed a sheet since it started; then ``--runs`` times. Prints the
median and the slowest run (wall clock), the median CPU time (steadier on a busy
machine), and the pages, for each language. ``--uncached``: before each run the
remembered layouts, measures and shaped runs (HarfBuzz's) are forgotten, as for a sheet
whose words the desk has not laid out before.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lr_desk.services.sheet import SheetData, SheetFollowUp, SheetHub, SheetItem
from lr_desk.sheets import catalogues, fonts, page, render, shaping, text

WALTON = SheetHub("The Life Rooms Walton", "Evered Avenue, Liverpool", "L9 2AF",
                  "0151 478 6556", "Monday to Friday, 9:30am to 4:30pm")


def five_items() -> SheetData:
    items = [SheetItem(kind="Support from a local organisation", title=f"Service {n}",
                       with_whom="Example Advice Centre (debt and benefits)",
                       where="The Life Rooms Walton, Evered Avenue, Liverpool L9 2AF",
                       when="Tuesdays 10:00 to 12:30", phone="0151 000 0101",
                       web=f"https://example.org/advice/{n}",
                       why="The letters keep coming and I can't sleep for worrying.",
                       first_step="Go along on Tuesday with the letters",
                       by_when=date(2025, 7, 1)) for n in range(1, 6)]
    return SheetData("rx-1", WALTON, date(2025, 6, 11), "Alex", "Annie",
                     what_matters="Getting out of the house, and sorting out the rent.",
                     items=items,
                     next_follow_up=SheetFollowUp(date(2025, 6, 18), "09:30",
                                                  "Come and see us", "The Life Rooms Walton"))


def forget() -> None:
    """Every layout, measure and shaped run remembered in this process."""
    text._laid_out.cache_clear()
    shaping.shaped.cache_clear()
    fonts.width.cache_clear()
    fonts.family_for.cache_clear()
    page._PHRASES.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--large", action="store_true", help="in large print")
    parser.add_argument("--uncached", action="store_true",
                        help="lay out, measure and shape afresh on every run")
    args = parser.parse_args()
    data = five_items()
    codes = ["", *(c.code for c in catalogues.available())]
    for code in codes:
        pdf = render.render_bytes(data, large_print=args.large, language=code)  # warm-up
        times, cpu = [], []
        for _ in range(args.runs):
            if args.uncached:
                forget()
            t0, c0 = time.perf_counter(), time.process_time()
            render.render_bytes(data, large_print=args.large, language=code)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        print(f"5-item sheet, {code or 'English only':<12} {pages} pages: median "
              f"{statistics.median(times):.1f} ms, slowest {max(times):.1f} ms; CPU median "
              f"{statistics.median(cpu):.1f} ms ({args.runs} runs"
              f"{', large print' if args.large else ''}"
              f"{', uncached' if args.uncached else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
