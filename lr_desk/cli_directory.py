"""``lr-desk directory import SOURCE [--dry-run]`` and ``lr-desk directory export
--format hsds --output FILE``: the directory in from an Open Referral UK feed, and out
as HSDS 3.0, without the window (lr_desk.cli hands these over).

Import reads the feed (a JSON file, or an http(s) address whose pages it follows,
saying each page on stderr), prints the plan (what is added, changed field by field,
left alone, and each problem) and, unless --dry-run, imports it in one transaction.
Exits 0 when done, 1 on a problem (the feed is unreadable, every record is bad, the
export does not validate), 3 when the feed's address could not be reached (try later),
as ``lr-desk sync`` does.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from lr_desk.faults import plain
from lr_desk.services import hsds, oruk, oruk_feed
from lr_desk.services.signin import SignInError
from lr_desk.store.db import MigrationError

log = logging.getLogger(__name__)

FAILED, OFFLINE = 1, 3  # as lr_desk.cli's


def add_commands(commands, profile_args: Callable[[argparse.ArgumentParser], None]) -> None:
    """The ``directory`` command and its actions, on lr_desk.cli's parser."""
    directory = commands.add_parser(
        "directory", help="import the directory from an Open Referral UK feed, or export it",
        description="The partners' directory in from an Open Referral UK (HSDS) feed, and "
                    "out as HSDS 3.0 JSON.")
    actions = directory.add_subparsers(dest="action", required=True, metavar="ACTION")
    imports = actions.add_parser(
        "import", help="add and update partners and services from a feed",
        description="Read an Open Referral UK or HSDS 3.0 feed (a JSON file, or an "
                    "http(s) address whose pages are followed), show what will be added, "
                    "changed and left alone, then import it in one go. Importing again is "
                    "safe: rows are found by the feed's ids, and what this desk changed "
                    "itself is kept. Nothing is ever removed. Exits "
                    f"{FAILED} on a problem, {OFFLINE} when the address cannot be reached.")
    imports.add_argument("source", metavar="SOURCE",
                         help="the feed: a JSON file, or an address starting https://")
    imports.add_argument("--dry-run", action="store_true",
                         help="show what would be imported, and write nothing")
    profile_args(imports)
    export = actions.add_parser(
        "export", help="write the directory as HSDS 3.0 JSON",
        description="Write the directory's partners and services as HSDS 3.0 JSON, "
                    "checked against the official schemas before it is written.")
    export.add_argument("--format", choices=("hsds",), default="hsds",
                        help="hsds: Human Services Data Specification 3.0 (the default)")
    export.add_argument("--output", required=True, metavar="FILE",
                        help="the file to write (replaced if it is there)")
    profile_args(export)


def run(args, folder: Callable, open_profile: Callable, say: Callable[[str], None]) -> int:
    """Run ``lr-desk directory ...``, signed in as ``lr-desk sync`` is:
    ``folder(args)`` readies the profile's folder and log, ``open_profile(args)`` opens
    its store (lr_desk.cli's ``_folder`` and ``_open``). The exit status."""
    where = folder(args)
    try:
        if args.action == "import":
            return _import(args, open_profile, say)
        return _export(args, open_profile, say)
    except SignInError as exc:
        say(str(exc))
        return FAILED
    except MigrationError as exc:  # a full disk behind it says more than its own words
        say(plain(exc, folder=where) or str(exc))
        return FAILED


def _progress(pages: int, total: int | None, records: int) -> None:
    of = f" of {total}" if total else ""
    print(f"Read page {pages}{of} ({records} records so far).", file=sys.stderr)


def _import(args, open_profile, say) -> int:
    store = open_profile(args)
    try:
        try:
            feed = oruk_feed.read(args.source, progress=_progress if oruk_feed.is_address(
                args.source) else None)
        except oruk_feed.FeedError as exc:
            say(str(exc))
            return OFFLINE if exc.offline else FAILED
        with store.session() as session:
            plan = oruk.plan(session, feed)
        for line in plan.summary() + plan.details():
            print(line)
        if not plan.items:
            say("Nothing could be imported: " + ("every record has a problem (above)."
                                                if plan.left_out else "the feed is empty."))
            return FAILED if plan.left_out else 0
        if args.dry_run:
            print("Dry run: nothing was written.")
            return 0
        if not plan.writes:
            print("Nothing to import: the directory already has the feed as it is.")
            return 0
        with store.session() as session:
            done = oruk.apply(session, feed)
        print(done.done_words())
        return 0
    finally:
        store.close()


def _export(args, open_profile, say) -> int:
    output = Path(args.output).expanduser()
    if output.is_dir():
        say(f"{output} is a folder: give the file to write, e.g. {output / 'directory.json'}.")
        return FAILED
    if not output.parent.is_dir():
        say(f"There is no folder {output.parent} to write {output.name} in.")
        return FAILED
    store = open_profile(args)
    try:
        with store.session() as session:
            doc = hsds.export_directory(session)
    finally:
        store.close()
    wrong = hsds.problems(doc)
    if wrong:
        say("The export does not match the HSDS 3.0 schemas, so it was not written:")
        for line in wrong[:20]:
            say(f"  {line}")
        return FAILED
    _write_json(output, doc)
    services = len(doc.get("contents", []))
    print(f"Wrote the directory as HSDS 3.0 to {output} ({services} service"
          f"{'' if services == 1 else 's'}).")
    return 0


def _write_json(path: Path, doc) -> None:
    """Write atomically: a half-written file never replaces a good one."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(doc, out, ensure_ascii=False, indent=2)
            out.write("\n")
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
