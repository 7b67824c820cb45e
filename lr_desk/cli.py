"""The command line beside the app: ``lr-desk central ...`` and ``lr-desk sync``.

    lr-desk central init URL
    lr-desk central redact URL
    lr-desk central add-device NAME --site SITE [--url URL] [--new-password]
    lr-desk central snapshot [--url URL] [--work DIR]           (lr_desk.cli_snapshot)
    lr-desk sync [--data-dir DIR] [--demo]
    lr-desk directory import SOURCE [--dry-run] | export ...    (lr_desk.cli_directory)
    lr-desk report NAME --from DAY --to DAY [--site CODE ...] ...  (lr_desk.cli_report)

Each prints a line or a few and exits 0, or prints what went wrong in plain words to
stderr and exits non-zero: 1 for a problem, 3 when the central store could not be
reached (a scheduled sync can tell "offline, try later" from "needs looking at").
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path

from lr_desk import ENV_DATA_DIR, cli_directory, cli_report, cli_snapshot

log = logging.getLogger(__name__)
# Without a profile (central init) there is no log file: the details are then dropped,
# not printed on the terminal as a traceback (the plain message is printed all the same).
log.addHandler(logging.NullHandler())

FAILED, OFFLINE = 1, 3


def _profile_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR",
                        help=f"the profile's data folder (default: ${ENV_DATA_DIR}, else the "
                             "platform's user data folder)")
    parser.add_argument("--demo", action="store_true", help="the demo profile")
    parser.add_argument("--username", default=os.environ.get("LR_DESK_USERNAME", ""),
                        help="whose account opens the desk's encrypted data (default: "
                             "$LR_DESK_USERNAME); the password is asked for, or read from "
                             "$LR_DESK_PASSWORD")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="lr-desk", description="The Life Rooms pathways desk: "
                                  "the central store and headless sync.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    central = commands.add_parser("central", help="set up the central store, register devices")
    actions = central.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = actions.add_parser(
        "init", help="create or upgrade the central store's schema",
        description="Create the central store's schema at URL, or upgrade it to this "
                    "version's. Safe to run again.")
    init.add_argument("url", metavar="URL", help="postgresql://admin@server/database "
                      "(?sslmode=... as needed), or sqlite:////path/to/central.sqlite")
    redact = actions.add_parser(
        "redact", help="check the erasures sent in, and blank the proven ones in the log",
        description="Check the proof of each erasure the desks have sent to the central "
                    "store: for those a manager approved, blank the person's information in "
                    "the log; refuse the others (the log keeps the person). Needs the "
                    "administrator's login; central init does it too.")
    redact.add_argument("url", metavar="URL", help="the central store, with the "
                        "administrator's login (as for central init)")
    add = actions.add_parser(
        "add-device", help="register a device; on PostgreSQL make its own login",
        description="Register a device with the central store. On PostgreSQL this makes "
                    "the device's own login, which may only read the log and append to it "
                    "as this device, and prints the settings to enter on the device.")
    add.add_argument("name", metavar="NAME", help="the device's name (up to 36 letters, "
                     "digits, spaces, dots, dashes or underscores)")
    add.add_argument("--site", required=True, help="where the device is: a hub code")
    add.add_argument("--url", help="the central store, with an administrator's login "
                     "(default: this profile's central store)")
    add.add_argument("--pull-from", metavar="URL",  # a PostgreSQL streaming replica
                     help="a replica of the store to pull from, printed with the login")
    add.add_argument("--new-password", action="store_true",
                     help="give an already registered device a new password")
    _profile_args(add)
    cli_snapshot.add_command(actions, _profile_args)  # central snapshot

    sync = commands.add_parser(
        "sync", help="sync this profile with its central store once, then exit",
        description="Push what is waiting and pull what is new, once, without the window "
                    f"(for a scheduled task). Exits {FAILED} on a problem, {OFFLINE} when the "
                    "central store cannot be reached.")
    _profile_args(sync)
    cli_directory.add_commands(commands, _profile_args)
    cli_report.add_commands(commands, _profile_args)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    logging.raiseExceptions = False  # a log that cannot be written (a full disk) is no news
    try:
        wrong = _unusable(args)
        if wrong:
            _say(wrong)
            return FAILED
        if args.command == "central" and args.action == "init":
            return _init(args.url)
        if args.command == "central" and args.action == "redact":
            return _redact(args.url, said_nothing="No erasures are waiting to be checked.")
        if args.command == "central" and args.action == "snapshot":
            return cli_snapshot.run(args, _failed, _profile_central_url)
        if args.command == "central":
            return _add_device(args)
        if args.command == "directory":
            return cli_directory.run(args, _folder, _open, _say)
        if args.command == "report":
            return cli_report.run(args, _folder, _open, _say)
        return _sync(args)
    except KeyboardInterrupt:
        _say("Stopped. Nothing is lost: the rest is done next time.")
        return 130
    except Exception as exc:  # the one place nothing gets past as a traceback
        return _stopped(exc, f"lr-desk {args.command}", _desk_file(args), _data(args))


def _unusable(args) -> str | None:
    """What is wrong with a name given on the command line (or in the environment), said
    where it arrived, before anything is opened with it."""
    from lr_desk.faults import name_problem

    for flag, what in (("data_dir", f"--data-dir folder (or ${ENV_DATA_DIR})"),
                       ("url", "address (URL)"), ("name", "device name"), ("site", "--site"),
                       ("source", "feed (SOURCE)"), ("output", "--output file"),
                       ("username", "--username (or $LR_DESK_USERNAME)")):
        value = getattr(args, flag, None)
        if flag == "data_dir" and hasattr(args, flag):
            value = value or os.environ.get(ENV_DATA_DIR)
        problem = name_problem(value, what) if isinstance(value, str) else None
        if problem:
            return problem
    password = os.environ.get("LR_DESK_PASSWORD")
    if password is not None and (name_problem(password, "password") or
                                 not _encodable(password)):
        return ("The password in $LR_DESK_PASSWORD has characters in it that are not text "
                "(broken text, perhaps from a copy and paste): set it again.")
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeError:
        return False
    return True


def _desk_file(args) -> str | None:
    """This profile's database, in words for a message (None for central init)."""
    from lr_desk.faults import short

    folder = _data(args)
    return None if folder is None else f"this desk's data file {short(folder / 'lr_desk.sqlite')}"


def _data(args) -> Path | None:
    """This profile's folder, if the command has one."""
    if not hasattr(args, "data_dir"):
        return None
    from lr_desk.paths import data_dir

    return data_dir(args.data_dir, args.demo)


def _stopped(exc: Exception, what: str, place: str | None, folder: Path | None) -> int:
    """Anything no command caught: an environment fault in plain words, else a bug, whose
    details are kept (never printed as a traceback). The exit status."""
    from lr_desk.faults import classify, report_bug

    fault = classify(exc, place, folder=folder if folder and folder.is_dir() else None)
    if fault is not None:
        log.info("%s stopped: %s", what, fault.kind, exc_info=exc)
        _say(fault.message)
        return OFFLINE if fault.offline else FAILED
    _say(report_bug(exc, what))
    return FAILED


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _folder(args) -> Path:
    from lr_desk.faults import cipher_log_to
    from lr_desk.paths import data_dir, setup_logging

    folder = data_dir(args.data_dir, demo=args.demo)
    setup_logging(folder)
    cipher_log_to(folder)
    return folder


def _failed(exc: Exception, url, what: str, local: Path | None = None) -> int:
    """Say what went wrong, in plain words (the log keeps the details); the exit status.
    A fault of this computer (its disk, a file) first, then the central store's own.
    ``local``: this desk's folder, whose files were in use too (a fault may be theirs)."""
    from sqlalchemy.exc import DBAPIError

    from lr_desk.faults import classify, report_bug
    from lr_desk.services.signin import SignInError
    from lr_desk.store.db import MigrationError
    from lr_desk.sync.central import CentralSchemaError
    from lr_desk.sync.connect import explain, is_offline
    from lr_desk.sync.engine import SyncError

    said = (CentralSchemaError, SyncError, SignInError, MigrationError)
    if isinstance(exc, said) or (isinstance(exc, ValueError) and
                                 not isinstance(exc, UnicodeError)):
        log.warning("%s failed", what, exc_info=True)
        _say(str(exc))
    elif fault := classify(exc, None if local else _central_file(url), url, local):
        log.warning("%s failed", what, exc_info=True)
        _say(fault.message)
    elif isinstance(exc, DBAPIError) or type(exc).__module__.startswith("psycopg"):
        log.warning("%s failed", what, exc_info=True)
        _say(explain(exc, url))  # the central store's server said no, in its words
    else:
        _say(report_bug(exc, what))
    return OFFLINE if is_offline(exc) else FAILED


def _central_file(url) -> str | None:
    """The central store in words, when it is a SQLite file (its errors do not say)."""
    from sqlalchemy.engine import make_url

    try:
        u = make_url(url) if url is not None else None
    except Exception:  # an address already refused elsewhere
        return None
    if u is None or u.get_backend_name() != "sqlite":
        return None
    from lr_desk.faults import short

    return f"the central store file {short(u.database or '')}"


def _init(url: str) -> int:
    from lr_desk.sync.central import init_central, public_url
    from lr_desk.sync.connect import parse

    notes: list[str] = []
    try:
        parse(url)
        at = init_central(url, notes=notes)
    except Exception as exc:
        return _failed(exc, url, "central init")
    print(f"The central store at {public_url(url)} is ready (schema {at}).")
    if parse(url).get_backend_name() == "postgresql":
        from lr_desk.sync.harden import CONNECTION_LIMIT

        print(f"Device logins: at most {CONNECTION_LIMIT} connections each, with time limits "
              "on what they run and on sitting idle, and no device can hold up the others' "
              "changes for long. Unless a note below says otherwise, they may not create "
              "large objects, connect to the server's other databases, or use a password "
              "they changed themselves. (Run init again after adding a database.)")
    _notes(notes)
    return _redact(url, what="central init")


def _redact(url: str, what: str = "central redact", said_nothing: str | None = None) -> int:
    """Check the erasures sent in: the log is blanked only for those a manager approved
    (lr_desk.sync.verify)."""
    from lr_desk.sync.connect import parse
    from lr_desk.sync.verify import redact_store

    try:
        parse(url)
        done = redact_store(url)
    except Exception as exc:
        return _failed(exc, url, what)
    said = done.summary()
    for line in said or ([said_nothing] if said_nothing else []):
        print(f"Erasures: {line}" if said else line)
    return 0


def _notes(notes) -> None:
    """What the administrator's login had no right to do, and what to do instead."""
    for note in notes:
        print(f"Note: {note}")


def _add_device(args) -> int:
    from lr_desk.sync.central import add_device, public_url
    from lr_desk.sync.connect import parse, pull_from

    url = args.url
    try:
        if url is None:
            url = _profile_central_url(args)
        parse(url)
        # the replica's address, for the device's login (given below): checked first
        replica = args.pull_from and parse(args.pull_from)._replace(username=None, password=None)
        if replica:
            pull_from(url, replica)
        new = add_device(url, args.name, args.site, new_password=args.new_password)
    except Exception as exc:
        return _failed(exc, url, "central add-device")
    done = "has a new password" if args.new_password else f"is registered (site {new.site})"
    print(f"The device {new.name!r} {done}. Enter these in its Settings, under Central store:")
    print(f"  Address:      {new.url}")
    if replica:
        print(f"  Pull from:    {public_url(pull_from(new.url, replica))}")
    print(f"  Device name:  {new.name}")
    print(f"  Password:     {new.password or '(none: a SQLite central store has no logins)'}")
    if new.password is not None:
        print("The password is shown only this once and kept nowhere: note it now.")
    _notes(new.notes)
    return 0


def _open(args):
    """The profile's store, signed in as --username (its data is encrypted); a profile
    from before encryption opens as it is (the app encrypts it at its next start)."""
    from lr_desk.profile import open_store
    from lr_desk.services.signin import Gate, SignInError

    folder = _folder(args)
    gate = Gate(folder)
    state = gate.state()
    if state == "convert":
        return open_store(folder)
    if state != "locked":
        raise SignInError(gate.problem() or  # keys missing or damaged: never "no desk"
                          f"There is no desk set up in {folder} (start lr-desk there first).")
    if not args.username:
        raise SignInError("Say whose account to sign in with: --username NAME.")
    password = os.environ.get("LR_DESK_PASSWORD")
    if password is None:
        import getpass

        try:
            password = getpass.getpass(f"Password for {args.username}: ")
        except EOFError:  # nothing to read it from (a scheduled task)
            raise SignInError("No password was given: type it when asked, or set "
                              "$LR_DESK_PASSWORD.") from None
    unlocked = gate.sign_in(args.username, password)
    args.signed_in = unlocked.signed_in  # (whose role lr-desk report checks)
    if unlocked.password_changed_elsewhere:
        unlocked.store.close()
        raise SignInError("This password was changed on another desk: sign in once in the "
                          "app with the new one.")
    return unlocked.store


def _profile_central_url(args):
    """The URL (with the stored password) of the profile's own central store."""
    from lr_desk.sync import credentials
    from lr_desk.sync.connect import configured, embedded_url, parse

    folder = _folder(args)
    store = _open(args)
    data_key = store.key
    with contextlib.closing(store), store.session() as s:
        conn = configured(s, folder)
    if conn.embedded:
        return embedded_url(folder)
    u = parse(conn.url)
    password = credentials.get_password(folder, data_key)
    return u.set(password=password) if password else u


def _sync(args) -> int:
    from lr_desk.faults import plain
    from lr_desk.services.signin import SignInError
    from lr_desk.store.db import MigrationError
    from lr_desk.sync.connect import open_central
    from lr_desk.sync.engine import sync_once

    folder = _folder(args)
    try:
        store = _open(args)
    except SignInError as exc:
        _say(str(exc))
        return FAILED
    except MigrationError as exc:  # a full disk behind it says more than its own words
        _say(plain(exc, folder=folder) or str(exc))
        return FAILED
    central = None
    try:
        central = open_central(store, folder)
        done = sync_once(store, central)
    except Exception as exc:  # the connection dropped mid-way, or a bug: the log has it
        return _failed(exc, central.url if central else None, "sync", local=folder)
    finally:
        if central is not None:
            central.close()
        store.close()
    line = f"Synced: {done.summary()}."
    if done.waiting:
        line += f" {done.waiting} still waiting to be sent."
    print(line)
    return 0

