"""The take-home sheet in every script: what Arabic-script and Ethiopic words cost.

    python benchmarks/sheet_scripts_bench.py [--runs 30]

In one fresh process, in this order: the first English sheet (DejaVu Sans read and
registered then), the typical English sheet (bench.py's: 5 items from the example
directory; warm median), reading and registering Noto Naskh Arabic and Noto Sans
Ethiopic (once per process, when a sheet first needs them), the first sheet with both,
then warm medians of the typical sheet for a person whose name, words and plan are in
Urdu, in Tigrinya, and in both with Pashto and Sorani; and ``text.unprintable`` over the
mixed sheet's words (what the desk asks before printing). Medians and 95th percentiles;
the budget is 50 ms a sheet. It only reports.
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

from bench import sample_sheet

from lr_desk.services.sheet import SheetData
from lr_desk.sheets import fonts, render
from lr_desk.sheets.text import unprintable

URDU = ("عائشہ ٹوانہ", "میں ہر روز گھر سے باہر جاؤں گا، پہاڑ دیکھوں گا اور ڈاکٹر سے ملوں "
        "گا۔ مجھے اپنے بچوں کے اسکول کے بارے میں بات کرنی ہے۔", "بڑے ٹیچر سے ملنا")
TIGRINYA = ("ሳባ ተስፋይ", "ኣነ ትግርኛ እዛረብ። መዓልታዊ ክዛወር ደስ ይብለኒ። ምስ ጎረባብተይ ቡና ክሰቲ "
            "እደሊ።", "ምስ ጎረባብተይ ምዝራብ")
PASHTO = "زه هره ورځ ښوونځي ته ځم، ډوډۍ خورم، ړومبی ګام اخلم"
SORANI = "من دەمەوێت هەموو ڕۆژێک پیاسە بکەم و لەگەڵ هاوڕێکانم قسە بکەم"


def in_words(data: SheetData, name: str, words: str, title: str,
             second: tuple[str, str] | None = None) -> SheetData:
    """``data`` for a person whose name, what matters and first two steps are theirs."""
    items = list(data.items)
    items[0] = replace(items[0], title=title, why=words, first_step=title)
    if second is not None:
        items[1] = replace(items[1], title=second[0], why=second[1])
    return replace(data, preferred_name=name, what_matters=words, items=items)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def once(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm-up
    times = sorted(once(fn) for _ in range(runs))
    return ms(statistics.median(times)), ms(times[min(len(times) - 1, int(len(times) * 0.95))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs

    english = sample_sheet(5)
    urdu = in_words(english, *URDU)
    tigrinya = in_words(english, *TIGRINYA)
    mixed = in_words(english, f"{URDU[0]} / {TIGRINYA[0]}", f"{URDU[1]}\n{TIGRINYA[1]}",
                     TIGRINYA[2], second=(PASHTO, SORANI))
    words = [mixed.preferred_name, mixed.what_matters,
             *(v for it in mixed.items for v in (it.title, it.why, it.first_step))]

    rows = [("first English sheet (DejaVu Sans read)", ms(once(
        lambda: render.render_bytes(english))), None)]
    rows.append(("typical English sheet, 5 items", *timed(
        lambda: render.render_bytes(english), runs)))
    assert not fonts.registered(fonts.NASKH) and not fonts.registered(fonts.ETHIOPIC)
    rows.append(("read and register Noto Naskh Arabic (once)",
                 ms(once(lambda: fonts.cmap(fonts.NASKH))), None))
    rows.append(("read and register Noto Sans Ethiopic (once)",
                 ms(once(lambda: fonts.cmap(fonts.ETHIOPIC))), None))
    rows.append(("first sheet in Urdu, Tigrinya, Pashto and Sorani",
                 ms(once(lambda: render.render_bytes(mixed))), None))
    for name, data in (("Urdu", urdu), ("Tigrinya", tigrinya),
                       ("Urdu, Tigrinya, Pashto and Sorani", mixed)):
        rows.append((f"typical sheet in {name}", *timed(lambda d=data: render.render_bytes(d),
                                                        runs)))
    rows.append(("typical English sheet again (Noto registered)", *timed(
        lambda: render.render_bytes(english), runs)))
    rows.append(("unprintable() over the mixed sheet's words", *timed(
        lambda: unprintable(words), runs)))

    print(f"{'what':58} {'median':>9} {'p95':>9}   (runs: {runs}; budget 50 ms a sheet)")
    for name, median, p95 in rows:
        print(f"{name:58} {median:7.1f}ms {'' if p95 is None else f'{p95:7.1f}ms':>9}")


if __name__ == "__main__":
    main()
