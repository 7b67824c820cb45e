"""``lr-desk report NAME --from YYYY-MM-DD --to YYYY-MM-DD [--site CODE ...]
[--format text|csv|json|xlsx|pdf] [--output FILE]``: a manager's report without the
window (lr_desk.cli hands it over), signed in as ``lr-desk sync`` is.

The dates are local days, both inclusive; no --site means every site. What is printed
or written is the report as it may leave the desk: a count from 1 to 4 shows as "<5",
and the rule is stated in it (services.reports.files). text, csv and json are printed
unless --output is given; xlsx and pdf need --output (a file, or a folder to write the
file in under its usual name).

Exits 0 when done; 2 when what was asked cannot be (a bad date, a period ending before
it starts, an unknown site, a format that needs --output), with one line saying why, as
argparse's own errors do; 1 on any other problem (signing in, a role that may not see
reports, a folder that cannot be written).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import select

from lr_desk.faults import name_problem, plain
from lr_desk.services import reports
from lr_desk.services.accounts import NEEDS
from lr_desk.services.reports import files
from lr_desk.services.reports.core import Period
from lr_desk.services.reports.outgoing import period_words
from lr_desk.services.signin import SignInError
from lr_desk.store.db import MigrationError
from lr_desk.store.models import Site

FAILED, USAGE = 1, 2
PRINTABLE = ("text", "csv", "json")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Refused(Exception):
    """What was asked cannot be done as asked (exit 2): the message says why."""


def add_commands(commands, profile_args: Callable[[argparse.ArgumentParser], None]) -> None:
    """The ``report`` command, on lr_desk.cli's parser."""
    report = commands.add_parser(
        "report", help="a manager's report for a period and sites, as text or a file",
        description="Count a report for the days --from to --to (both included) at the "
                    "sites given (every site if none), and print it or write it to a file. "
                    "Small numbers are shown as \"<5\". Only managers (and admins) may run "
                    f"it. Exits {USAGE} when a date, a site or the format is wrong, "
                    f"{FAILED} on any other problem.")
    report.add_argument("name", metavar="NAME", choices=reports.NAMES,
                        help="the report: " + ", ".join(reports.NAMES))
    report.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD",
                        help="the first day counted")
    report.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD",
                        help="the last day counted")
    report.add_argument("--site", dest="sites", action="append", default=[], metavar="CODE",
                        help="a site's code (walton, ...); again for more sites; none: all")
    report.add_argument("--format", choices=files.FORMATS, default="text",
                        help="text (the default), csv or json are printed unless --output "
                             "is given; xlsx and pdf need --output")
    report.add_argument("--output", metavar="FILE",
                        help="the file to write (replaced if it is there), or a folder to "
                             "write it in under its usual name")
    profile_args(report)


def day(text: str, flag: str) -> date:
    """A YYYY-MM-DD day given for ``flag``; Refused in one line if it is not one."""
    try:
        if _DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise Refused(f"{flag} {text!r} is not a date: give the day as YYYY-MM-DD "
                  "(e.g. 2019-09-01).")


def period(args, known_sites: list[str] | None = None) -> Period:
    """The period asked for; Refused (one line) for a bad date, an end before the start,
    or a site not in ``known_sites`` (when given; codes, whatever their case)."""
    start, end = day(args.start, "--from"), day(args.end, "--to")
    if end < start:
        raise Refused(f"The period ends ({end.isoformat()}) before it starts "
                      f"({start.isoformat()}): give a --to on or after the --from.")
    sites = tuple(dict.fromkeys(s.strip() for s in args.sites))
    if known_sites is not None:
        codes = {code.casefold(): code for code in known_sites}
        unknown = [s for s in sites if s.casefold() not in codes]
        if unknown:
            raise Refused(f"There is no site {unknown[0]!r}: the sites are "
                          f"{', '.join(sorted(known_sites))}.")
        sites = tuple(dict.fromkeys(codes[s.casefold()] for s in sites))
    return Period(start, end, sites)


def _target(args) -> Path | None:
    """Where the file goes (None: printed); Refused when the format needs a file or the
    folder is not there."""
    if args.output is None:
        if args.format not in PRINTABLE:
            raise Refused(f"--format {args.format} writes a file: say where with --output "
                          "FILE.")
        return None
    output = Path(args.output).expanduser()
    if not output.is_dir() and not output.parent.is_dir():
        raise Refused(f"There is no folder {output.parent} to write {output.name} in.")
    return output


def _check_names(args) -> None:
    for site in args.sites:
        problem = name_problem(site, "--site")
        if problem:
            raise Refused(problem)


def run(args, folder: Callable, open_profile: Callable, say: Callable[[str], None]) -> int:
    """Run ``lr-desk report ...``: ``folder(args)`` readies the profile's folder and log,
    ``open_profile(args)`` opens its store signed in (lr_desk.cli's ``_folder`` and
    ``_open``, which leaves who signed in on ``args.signed_in``). The exit status."""
    try:  # what can be said wrong before a password is asked for
        _check_names(args)
        period(args)
        output = _target(args)
    except Refused as exc:
        say(str(exc))
        return USAGE
    where = folder(args)
    try:
        store = open_profile(args)
    except SignInError as exc:
        say(str(exc))
        return FAILED
    except MigrationError as exc:  # a full disk behind it says more than its own words
        say(plain(exc, folder=where) or str(exc))
        return FAILED
    try:
        who = getattr(args, "signed_in", None)
        if who is None:
            say("No one is signed in on this desk yet (its data is not yet encrypted): "
                "start lr-desk and sign in once, then run the report.")
            return FAILED
        if not who.can("reports"):
            say(f"Only a {NEEDS['reports']} or an admin may run reports: {who.username} "
                f"is {_a(who.role)}.")
            return FAILED
        with store.session() as session:
            known = list(session.scalars(select(Site.code)))
            try:
                asked = period(args, known)
            except Refused as exc:
                say(str(exc))
                return USAGE
            report = reports.make(session, args.name, asked)
    finally:
        store.close()
    return _out(report, args.format, output)


def _a(role: str) -> str:
    return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"


def _out(report, fmt: str, output: Path | None) -> int:
    if output is None:
        text = {"text": files.as_text, "csv": files.as_csv, "json": files.json_text}[fmt]
        words = text(report)
        try:
            sys.stdout.write(words)
        except UnicodeEncodeError:  # a terminal or file in an older encoding: '?' for
            encoding = sys.stdout.encoding or "ascii"  # what it cannot show
            sys.stdout.write(words.encode(encoding, "replace").decode(encoding))
        return 0
    if output.is_dir():
        output = output / files.default_name(report, fmt)
    files.write(report, output, fmt)
    print(f"Wrote the report ({report.title}, {period_words(report)}) to {output}.")
    return 0
