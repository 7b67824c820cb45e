"""Measure a sign-in, by role, on a fresh profile: what the password checks cost.

    python benchmarks/signin_bench.py [--runs 5] [--json FILE]

A new encrypted profile is set up (its first admin), an advisor and a manager are added
and sign in once from the open desk (Switch user: after that their passwords open it
cold), then each signs in cold ``--runs`` times (``Gate.sign_in``: the lockout check,
unwrapping the data key, opening the store, checking the account, the audit line; and,
where this lr_desk has them, unsealing the signing key of a manager or admin). Also timed:
the key derivation alone (argon2id at the real cost, ``keys.COST``) and a sign-in with an
unknown username. Medians, and each as a ratio to the key derivation in the same run.

Runs against whatever lr_desk is importable, so the same script measures an older
checkout (``PYTHONPATH=/path/to/checkout``) for a before/after comparison. It only
reports; nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lr_desk.services import accounts
from lr_desk.services.signin import Gate
from lr_desk.store import keys

PASSWORD = "benchmark pass phrase"
SITES = {"walton": "Walton", "bootle": "Bootle", "southport": "Southport",
         "peripatetic": "Peripatetic"}
PEOPLE = (("advisor", "Alex Advisor"), ("manager", "Mo Manager"))


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def make_profile(folder: Path) -> None:
    """The first admin, then an advisor and a manager added by them, each signed in
    once from the open desk."""
    unlocked = Gate(folder).set_up("Ada Admin", "walton", "ada", PASSWORD, PASSWORD, SITES)
    store = unlocked.store
    try:
        signer = getattr(store, "signer", None)
        takes_signer = "signer" in inspect.signature(accounts.create).parameters
        with store.session() as s:
            for role, name in PEOPLE:
                more = {"signer": signer} if takes_signer else {}
                accounts.create(s, name, "walton", role, role, PASSWORD, PASSWORD, **more)
        gate = Gate(folder)
        for role, _name in PEOPLE:
            gate.switch(store, role, PASSWORD)
    finally:
        store.close()


def sign_in_once(folder: Path, username: str, password: str = PASSWORD) -> None:
    unlocked = Gate(folder).sign_in(username, password)
    unlocked.store.close()


def unknown_once(folder: Path) -> None:
    with contextlib.suppress(Exception):  # told it is wrong, as for a wrong password
        Gate(folder).sign_in("nobody-here", PASSWORD)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lr-signin-bench-") as tmp:
        folder = Path(tmp) / "profile"
        make_profile(folder)
        salt = os.urandom(16)
        figures: dict[str, float] = {}
        derive = [_timed(lambda: keys.derive(PASSWORD, salt, keys.COST))
                  for _ in range(args.runs)]
        figures["key derivation (argon2id, real cost)"] = statistics.median(derive)
        for username in ("advisor", "manager", "ada"):
            times = [_timed(lambda u=username: sign_in_once(folder, u))
                     for _ in range(args.runs)]
            role = "admin" if username == "ada" else username
            figures[f"sign-in, {role}"] = statistics.median(times)
        # the lockout counts unknown names too: few enough tries to stay under its limit
        figures["sign-in, unknown username"] = statistics.median(
            [_timed(lambda: unknown_once(folder)) for _ in range(min(args.runs, 3))])
    base = figures["key derivation (argon2id, real cost)"]
    print(f"{'what':42}  {'median':>9}  {'x derivation':>12}")
    for what, ms in figures.items():
        print(f"{what:42}  {ms:7.0f} ms  {ms / base:11.2f}x")
    print(f"\n{args.runs} runs; {os.cpu_count()} CPUs; load average "
          f"{[round(x, 2) for x in os.getloadavg()]}; Python {sys.version.split()[0]}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
