"""``lr-desk central snapshot [--url URL] [--work DIR]``: make or refresh the central
store's first-sync snapshot (lr_desk.sync.snapshot_build), with the store owner's login,
from a timer (hourly or nightly): a new desk then loads it in bulk and pulls only what
came after, instead of replaying the whole log (lr_desk.cli hands this over).

Prints where the snapshot is in the log, its size and how long it took (or that the one
there is up to date); how far it has got goes to stderr, a line a stage. Exits 0 when
done, 1 on a problem, 3 when the central store could not be reached (as lr-desk sync).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from lr_desk.sync.central import CentralStore, public_url
from lr_desk.sync.connect import parse
from lr_desk.sync.snapshot_build import BuildProgress, SnapshotError, refresh

FAILED = 1  # as lr_desk.cli's
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's: a device's login may only read it

STAGES = {"pull": "Reading the log", "download": "Fetching the last snapshot",
          "load": "Loading the last snapshot", "export": "Writing the snapshot",
          "store": "Storing it in the central store"}


def add_command(actions, profile_args: Callable[[argparse.ArgumentParser], None]) -> None:
    """``central snapshot``, on lr_desk.cli's ``central`` actions."""
    snap = actions.add_parser(
        "snapshot", help="make or refresh the snapshot a new desk's first sync loads",
        description="Make the central store's snapshot of its records as they are now (or "
                    "bring the last one up to date), for new desks to load in one go and "
                    "then pull only what came after. Needs the administrator's login; run "
                    "it from a timer, e.g. hourly or nightly.")
    snap.add_argument("--url", help="the central store, with the administrator's login "
                      "(default: this profile's central store)")
    snap.add_argument("--work", metavar="DIR", help="a folder with room for two copies of "
                      "a desk's data while it is made (default: the system's temporary "
                      "folder); what is written there is encrypted, and removed after")
    profile_args(snap)


def run(args, failed: Callable, central_url: Callable) -> int:
    """Run it. ``failed(exc, url, what)`` says what went wrong and gives the exit status,
    ``central_url(args)`` the profile's own central store (lr_desk.cli's ``_failed`` and
    ``_profile_central_url``)."""
    url, central = args.url, None
    try:
        if url is None:
            url = central_url(args)
        parse(url)
        work = Path(args.work).expanduser() if args.work else Path(tempfile.gettempdir())
        if not work.is_dir():
            print(f"There is no folder {work} to make the snapshot in.", file=sys.stderr)
            return FAILED
        central = CentralStore(url)
        started = time.monotonic()
        done = refresh(central, work, progress=_Said())
        took = time.monotonic() - started
    except SnapshotError as exc:
        print(str(exc), file=sys.stderr)
        return FAILED
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            return failed(exc, url, "central snapshot")
        print(f"The login {make_url(url).username} may not make the snapshot: it is made "
              "with the administrator's login (the one central init uses).", file=sys.stderr)
        return FAILED
    except Exception as exc:
        return failed(exc, url, "central snapshot")
    finally:
        if central is not None:
            central.close()
    info = done.info
    where = f"at change {info.at_seq:,} of the log, {_size(info.size)} in {info.parts} " \
            f"part{'' if info.parts == 1 else 's'}"
    if done.made:
        print(f"The snapshot of {public_url(url)} is made: {where}, in {_time(took)}.")
    else:
        print(f"The snapshot of {public_url(url)} is up to date: {where}.")
    return 0


class _Said:
    """A line on stderr as each stage starts, and every tenth of the log read."""

    def __init__(self):
        self.stage, self.tenth = None, -1

    def __call__(self, p: BuildProgress) -> None:
        if p.stage != self.stage:
            self.stage, self.tenth = p.stage, -1
            print(f"{STAGES.get(p.stage, p.stage)}...", file=sys.stderr)
        if p.stage == "pull" and p.total:
            tenth = 10 * p.done // p.total
            if tenth > self.tenth:
                self.tenth = tenth
                print(f"  {p.done:,} of {p.total:,} changes", file=sys.stderr)


def _size(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} kB"


def _time(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"
