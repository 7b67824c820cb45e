"""Search as you type at 100,000 people: this lr_desk's search against an older one, in one run.

    python benchmarks/search_bench.py [--data-dir bench-data-search] [--people N]
                                      [--before REV] [--wide 25000] [--json out.json]

Builds (or reuses) the synthetic dataset (``lr_desk.demo.build_dataset``, few contacts: the
search reads only people), then builds two indexes from it in this process: the current
``lr_desk.services.search`` and the one at ``--before`` (default: the commit before
lr_desk/services/names.py was added), loaded from git. Realistic queries taken from real
rows are typed one character at a time into both, alternating which goes first, and every
``search`` call is timed. Reported: median and 95th percentile per keystroke for each, their
ratio, and how many queries found their person (in the top 50, typed in full) by kind:
the old kinds of benchmarks/bench.py, plus a nickname or other spelling of the given name
("bill smith" for William Smith), a surname with two slips ("halsel" for Halsall) and
names in either order.

The synthetic people share a few hundred surnames; a real desk's 100,000 people have tens
of thousands. ``--wide N`` also times both on the same people given N distinct made-up
surnames, where typo look-ups cost most. It only reports: nothing here fails on a slow
machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
import types
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import DB_NAME, ensure_dataset, make_queries, ms, pct

from lr_desk.services import search as after
from lr_desk.services.names import variants
from lr_desk.services.search_keys import FIX_UP_BATCH, fix_up
from lr_desk.services.search_stored import StoredSearch
from lr_desk.store.db import Store

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 50


def load_before(rev: str | None) -> tuple[types.ModuleType, str]:
    """lr_desk/services/search.py as it was at ``rev``, as a module of its own."""
    if rev is None:
        added = subprocess.run(
            ["git", "log", "--diff-filter=A", "--format=%H", "--", "lr_desk/services/names.py"],
            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
        rev = f"{added[-1]}^" if added else "HEAD"
    source = subprocess.run(["git", "show", f"{rev}:lr_desk/services/search.py"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    module = types.ModuleType("search_before")
    module.__file__ = f"search.py@{rev}"
    sys.modules[module.__name__] = module  # (dataclasses look their module up)
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    label = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.strip()
    return module, label


def slip(name: str, rng: random.Random) -> str:
    """Two slips in a surname of six letters or more: a letter changed and one left out,
    past the first letter ("halsall" -> "halsel")."""
    letters = name.lower()
    i = rng.randint(1, len(letters) - 2)
    changed = rng.choice([c for c in "aeiou" if c != letters[i]])
    letters = letters[:i] + changed + letters[i + 1:]
    j = rng.choice([k for k in range(1, len(letters)) if k != i])
    return letters[:j] + letters[j + 1:]


def more_queries(entries: list, rng: random.Random) -> list[tuple[str, str, object]]:
    queries: list[tuple[str, str, object]] = []
    nicknamed = [e for e in entries if e.given_name.isascii()
                 and variants(e.given_name.lower()) and e.family_name.isalpha()]
    for e in rng.sample(nicknamed, 6):
        other = rng.choice(sorted(variants(e.given_name.lower())))
        queries.append(("nickname or other spelling + surname", f"{other} {e.family_name}",
                        e.person_id))
    long_plain = [e for e in entries if e.family_name.isascii() and e.family_name.isalpha()
                  and len(e.family_name) >= 6]
    for e in rng.sample(long_plain, 6):
        queries.append(("given + surname with two slips",
                        f"{e.given_name} {slip(e.family_name, rng)}", e.person_id))
    for e in rng.sample(long_plain, 4):
        queries.append(("surname given (either order)", f"{e.family_name} {e.given_name}",
                        e.person_id))
    return queries


def found(hits: list, kind: str, target: object) -> bool:
    if kind == "surname with a typo":  # the name may be someone's first name too
        return any(target in (h.entry.family_name, h.entry.given_name) for h in hits)
    return any(h.entry.person_id == target for h in hits)


def race(indexes: dict, queries: list) -> dict:
    """Type every query into every index, a keystroke at a time, alternating the order."""
    times: dict[str, list[float]] = {name: [] for name in indexes}
    kinds: dict[str, dict[str, list]] = {}
    names = list(indexes)
    n = 0
    for kind, text, target in queries:
        last: dict[str, list] = {}
        for i in range(1, len(text) + 1):
            n += 1
            for name in (names if n % 2 else names[::-1]):
                t0 = time.perf_counter()
                hits, _total = indexes[name].search(text[:i], LIMIT)
                times[name].append(time.perf_counter() - t0)
                last[name] = hits
        row = kinds.setdefault(kind, {name: [0, 0] for name in names})
        for name in names:
            row[name][0] += found(last[name], kind, target)
            row[name][1] += 1
    return {
        "keystrokes": n,
        "median_ms": {name: ms(statistics.median(t)) for name, t in times.items()},
        "p95_ms": {name: ms(pct(t, 95)) for name, t in times.items()},
        "max_ms": {name: ms(max(t)) for name, t in times.items()},
        "found_by_kind": {kind: {name: f"{a}/{b}" for name, (a, b) in row.items()}
                          for kind, row in kinds.items()},
    }


def stored_keys(store: Store, index, queries: list) -> dict:
    """The keys stored in the database, as the desk answers from them while its index is
    built after sign-in: keying everyone (once: after the upgrade, or a first sync), search
    ready (the people counted), every keystroke against the index's, and whether every
    answer is the index's (the same people, scores and order)."""
    t0 = time.perf_counter()
    keyed = 0
    while True:
        with store.session() as s:
            done = fix_up(s)
        keyed += done
        if done < FIX_UP_BATCH:
            break
    keying = time.perf_counter() - t0
    stored = StoredSearch(store.Session)
    t0 = time.perf_counter()
    count = stored.count()
    ready = time.perf_counter() - t0
    t0 = time.perf_counter()
    stored.search("j", LIMIT)  # (a first keystroke, the name words not yet read)
    first = time.perf_counter() - t0
    same = typed = 0
    for _kind, text, _target in queries:
        for i in range(1, len(text) + 1):
            a, b = stored.search(text[:i], LIMIT), index.search(text[:i], LIMIT)
            typed += 1
            same += a is not None and a[1] == b[1] and [
                (h.entry.person_id, h.score, h.why) for h in a[0]] == [
                (h.entry.person_id, h.score, h.why) for h in b[0]]
    return {"people_keyed": keyed, "keying_s": round(keying, 1), "people": count,
            "ready_ms": ms(ready), "first_key_ms": ms(first),
            "same_answers": f"{same}/{typed}",
            **race({"index": index, "stored keys": stored}, queries)}


def widened(entries: list, surnames: int, rng: random.Random) -> list:
    """The same people with ``surnames`` distinct made-up surnames, spread as real ones are
    (a few common, most rare)."""
    sounds = ["al", "an", "ar", "ber", "bo", "by", "ca", "ch", "da", "den", "er", "ey", "ford",
              "gan", "ham", "hal", "in", "jo", "ker", "lan", "ley", "li", "ma", "mo", "ner",
              "ney", "o", "ol", "pe", "ra", "ri", "ro", "sall", "sen", "son", "ster", "ta",
              "ton", "wood", "y", "th", "well", "worth", "mc", "kin", "dal", "ash"]
    made: set[str] = set()
    while len(made) < surnames:
        made.add("".join(rng.choice(sounds) for _ in range(rng.randint(2, 4))).capitalize())
    pool = sorted(made)
    weights = [1 / (i + 10) for i in range(len(pool))]
    chosen = rng.choices(pool, weights, k=len(entries))
    return [replace(e, family_name=name) for e, name in zip(entries, chosen, strict=True)]


def index_of(module: types.ModuleType, entries: list):
    index = module.SearchIndex()
    for e in entries:
        index._add(module.Entry(e.person_id, e.given_name, e.family_name, e.preferred_name,
                                e.date_of_birth, e.postcode, e.phone), sort=False)
    if hasattr(index, "_finish"):
        index._finish()
    else:
        index._vocab.sort()
        index._postcodes.sort()
    return index


def _rss() -> int:
    with open("/proc/self/statm") as fh:  # (Linux) resident pages
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(ROOT / "bench-data-search"))
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=100_000,
                        help="conversations in the dataset (search does not read them)")
    parser.add_argument("--before", default=None, help="git revision to compare with")
    parser.add_argument("--wide", type=int, default=25_000,
                        help="distinct surnames for the wide-vocabulary run (0: skip it)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--stored", action="store_true",
                        help="also the keys stored in the database (search at sign-in)")
    args = parser.parse_args(argv)

    before, label = load_before(args.before)
    folder = Path(args.data_dir).resolve()
    info, _built = ensure_dataset(folder, args.people, args.contacts, rebuild=False)
    store = Store(folder / DB_NAME, backup_dir=folder / "backups")
    builds: dict[str, float] = {}
    memory: dict[str, float] = {}  # growth of the process's RSS while each index is built
    indexes: dict = {}
    try:
        with store.Session() as s:
            for name, module in ((f"before ({label})", before), ("after", after)):
                gc.collect()
                rss = _rss()
                t0 = time.perf_counter()
                indexes[name] = module.SearchIndex.build(s)
                builds[name] = ms(time.perf_counter() - t0)
                memory[name] = round((_rss() - rss) / 2**20, 1)
        rng = random.Random(args.seed)
        entries = sorted(indexes["after"].entries.values(), key=lambda e: e.person_id)
        queries = make_queries(entries, rng, date.today()) + more_queries(entries, rng)
        print(f"{len(entries):,} people, {len(indexes['after']._vocab):,} name words; "
              f"{len(queries)} queries typed a key at a time into each index ...")
        results = {"people": len(entries), "dataset": info.get("people"),
                   "index_build_ms": builds, "index_memory_mb": memory,
                   "synthetic": race(indexes, queries),
                   "examples": [q[1] for q in queries]}
        if args.stored:
            print("the keys stored in the database (keying everyone first, if need be) ...")
            results["stored"] = stored_keys(store, indexes["after"], queries)
    finally:
        store.close()
    if args.wide:
        wide = widened(entries, args.wide, random.Random(args.seed))
        wide_indexes = {name: index_of(before if name.startswith("before") else after, wide)
                        for name in indexes}
        wide_queries = make_queries(wide, random.Random(args.seed), date.today()) + \
            more_queries(wide, random.Random(args.seed))
        print(f"the same people with {args.wide:,} surnames "
              f"({len(wide_indexes['after']._vocab):,} name words) ...")
        results["wide"] = race(wide_indexes, wide_queries)
        results["wide"]["name_words"] = len(wide_indexes["after"]._vocab)

    for part in ("synthetic", "wide"):
        r = results.get(part)
        if not r:
            continue
        print(f"\n{part}: {r['keystrokes']} keystrokes (budget: median < 16 ms, p95 < 50 ms)")
        for name in indexes:
            print(f"  {name:<22} median {r['median_ms'][name]:>7.2f} ms   "
                  f"p95 {r['p95_ms'][name]:>7.2f} ms   max {r['max_ms'][name]:>7.2f} ms")
        old, new = list(indexes)
        print(f"  after / before: median {r['median_ms'][new] / r['median_ms'][old]:.2f}x, "
              f"p95 {r['p95_ms'][new] / r['p95_ms'][old]:.2f}x")
        print("  found (in the top 50, typed in full):")
        for kind, row in r["found_by_kind"].items():
            print(f"    {kind:<40} " + "   ".join(f"{n.split()[0]} {v}" for n, v in row.items()))
    if st := results.get("stored"):
        print(f"\nstored keys: {st['people_keyed']:,} people keyed in {st['keying_s']} s; "
              f"search ready (counting {st['people']:,} people) in {st['ready_ms']} ms; "
              f"a first keystroke (\"j\") {st['first_key_ms']} ms")
        for name in ("index", "stored keys"):
            print(f"  {name:<22} median {st['median_ms'][name]:>7.2f} ms   "
                  f"p95 {st['p95_ms'][name]:>7.2f} ms   max {st['max_ms'][name]:>7.2f} ms")
        print(f"  the same answers as the index: {st['same_answers']} keystrokes")
    print("\nindex build: " + ", ".join(f"{n} {v:.0f} ms (+{memory[n]} MB RSS)"
                                       for n, v in builds.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
