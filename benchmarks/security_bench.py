"""Measure what sign-in and encryption at rest cost, on the synthetic ten-year dataset.

    python benchmarks/security_bench.py [--data-dir bench-data] [--json out.json]

- sign-in: the key derivation alone (argon2id at the real cost, ``keys.COST``), and a
  whole sign-in (``Gate.sign_in``: unwrap the data key, open the encrypted store, check
  the account, record the audit line), median of several;
- the cost of encryption on DESIGN.md's budgets: search as you type (the index build,
  which reads every person, and the keystrokes), saving a conversation, and opening the
  person with the most history, each measured on the unencrypted dataset and on an
  encrypted copy of it, and given as the ratio encrypted / unencrypted.

The encrypted copy (``<data-dir>/encrypted/``) is made once with SQLCipher's export and
reused while the dataset is unchanged; it has one account, ``bench``. It is also what
``bench.py`` starts the app on for its cold start, signed in as ``bench``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import bench
from sqlalchemy import select

from lr_desk.services import accounts, search_keys
from lr_desk.services.signin import Gate
from lr_desk.store import cipher, keys
from lr_desk.store.db import Store
from lr_desk.store.models import Advisor

USERNAME = "bench"
PASSWORD = "benchmark pass phrase"
RUNS = 7


def encrypted_copy(folder: Path) -> Path:
    """``folder``'s dataset, encrypted, with an account that opens it (made once)."""
    enc = folder / "encrypted"
    marker = (folder / bench.DATASET_MARKER).read_text(encoding="utf-8")
    done = enc / bench.DATASET_MARKER
    if done.exists() and done.read_text(encoding="utf-8") == marker and \
            (enc / "keys.json").exists():
        return settled(enc)
    if enc.exists():
        for p in sorted(enc.rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
    enc.mkdir(parents=True)
    started = time.perf_counter()
    data_key = os.urandom(32)
    keyfile = keys.KeyFile(enc)
    keyfile.create(data_key)
    keyfile.save()
    cipher.encrypt_copy(folder / bench.DB_NAME, enc / bench.DB_NAME, data_key)
    store = Store(enc / bench.DB_NAME, backup_dir=enc / "backups", key=data_key)
    try:
        with store.session() as s:
            advisor = s.scalars(select(Advisor).where(Advisor.active.is_(True))).first()
            advisor.username, advisor.role = USERNAME, "manager"
            advisor.password_hash = accounts.hash_password(PASSWORD)
            keyfile.add(data_key, advisor.id, USERNAME, PASSWORD, advisor.password_hash)
    finally:
        store.close()
    keyfile.save()
    done.write_text(marker, encoding="utf-8")
    print(f"  encrypted copy made in {time.perf_counter() - started:.0f} s")
    return settled(enc)


def settled(enc: Path) -> Path:
    """The encrypted copy as a desk in use has it: migrated to this checkout's schema
    (a backup first, as on any desk), and every person's stored search words made (a
    desk makes them in the background once, after the upgrade that brings them, or as
    people change), so a start measures a desk's everyday start, not that one."""
    key = Gate(enc).keyfile.unlock(USERNAME, PASSWORD)[1]
    started = time.perf_counter()
    store = Store(enc / bench.DB_NAME, backup_dir=enc / "backups", key=key)
    made = 0
    try:
        while True:
            with store.session() as s:
                done = search_keys.fix_up(s, batch=5000)
            if not done:
                break
            made += done
    finally:
        store.close()
    if made:
        print(f"  stored search words made for {made:,} people in "
              f"{time.perf_counter() - started:.0f} s (once, as a desk does in the background)")
    return enc


def bench_sign_in(enc: Path, runs: int = RUNS) -> dict:
    derive, whole, opened = [], [], []
    salt = os.urandom(16)
    for _ in range(runs):
        t0 = time.perf_counter()
        keys.derive(PASSWORD, salt, keys.COST)
        derive.append(time.perf_counter() - t0)
    for _ in range(runs):
        t0 = time.perf_counter()
        unlocked = Gate(enc).sign_in(USERNAME, PASSWORD)
        whole.append(time.perf_counter() - t0)
        unlocked.store.close()
    for _ in range(runs):  # the store opened with the key already unwrapped: the rest
        key = Gate(enc).keyfile.unlock(USERNAME, PASSWORD)[1]
        t0 = time.perf_counter()
        Store(enc / bench.DB_NAME, backup_dir=enc / "backups", key=key).close()
        opened.append(time.perf_counter() - t0)
    cost = keys.COST
    return {"argon2id": f"t={cost.time}, m={cost.memory // 1024} MiB, p={cost.lanes}",
            "derive_median_ms": bench.ms(statistics.median(derive)),
            "sign_in_median_ms": bench.ms(statistics.median(whole)),
            "sign_in_max_ms": bench.ms(max(whole)),
            "open_store_median_ms": bench.ms(statistics.median(opened)), "runs": runs}


def measure(store: Store, seed: int) -> dict:
    rng = random.Random(seed)
    search = bench.bench_search(store, rng, date.today())
    save = bench.bench_save(store, rng)
    person = bench.bench_person(store)
    return {"index_build_ms": search["index_build_ms"], "search_median_ms": search["median_ms"],
            "search_p95_ms": search["p95_ms"], "save_median_ms": save["median_ms"],
            "save_p95_ms": save["p95_ms"], "person_median_ms": person.get("median_ms"),
            "person_p95_ms": person.get("p95_ms")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(bench.ROOT / "bench-data"))
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    folder = Path(args.data_dir).resolve()
    if not (folder / bench.DATASET_MARKER).exists():
        print("no dataset: run benchmarks/bench.py first (it builds it)")
        return 1
    enc = encrypted_copy(folder)
    results: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    print("sign-in ...")
    results["sign_in"] = bench_sign_in(enc)
    key = Gate(enc).keyfile.unlock(USERNAME, PASSWORD)[1]
    rounds = []
    for label, path, data_key in (("plain", folder, None), ("encrypted", enc, key),
                                  ("plain", folder, None), ("encrypted", enc, key)):
        print(f"search, save, open a person: {label} ...")
        store = Store(path / bench.DB_NAME, backup_dir=path / "backups", key=data_key)
        try:
            rounds.append((label, measure(store, args.seed)))
        finally:
            store.close()
    # the better of two rounds each, interleaved, so a busy moment weighs on neither side
    best = {label: {k: min(r[k] for lab, r in rounds if lab == label)
                    for k in rounds[0][1]} for label in ("plain", "encrypted")}
    results["plain"], results["encrypted"] = best["plain"], best["encrypted"]
    results["ratio"] = {k: round(best["encrypted"][k] / best["plain"][k], 2)
                        for k in best["plain"] if best["plain"][k]}
    s = results["sign_in"]
    print(f"\nsign-in ({s['argon2id']}): key derivation {s['derive_median_ms']} ms, whole "
          f"sign-in {s['sign_in_median_ms']} ms (max {s['sign_in_max_ms']}), of which opening "
          f"the store {s['open_store_median_ms']} ms")
    print(f"{'':24}{'plain':>12}{'encrypted':>12}{'ratio':>8}")
    for k in best["plain"]:
        print(f"{k:24}{best['plain'][k]:>12}{best['encrypted'][k]:>12}"
              f"{results['ratio'].get(k, ''):>8}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
