"""Entry point: ``lr-desk`` and ``python -m lr_desk``.

Resolves the data folder, sets up logging, opens (and migrates) the store, then starts
the Qt desk. PySide6 is imported only here and in ``lr_desk.ui``. The demo profile's
synthetic data (``lr_desk.demo``) is handed to the desk from here: the desk never
imports it.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before the heavy imports, for --exit-when-ready

import sys  # noqa: E402
from types import SimpleNamespace  # noqa: E402

from lr_desk import ENV_DATA_DIR, __version__  # noqa: E402

# handled by lr_desk.cli, imported only for them
COMMANDS = ("central", "sync", "directory", "report")
# a plain start's flags: read by hand (``plain_start``), argparse is for the rest
FLAGS = {"--demo": "demo", "--exit-when-ready": "exit_when_ready"}


def parse_args(argv: list[str] | None) -> SimpleNamespace:
    """What the command line asks for. A plain start (``--data-dir DIR``, ``--demo``,
    ``--exit-when-ready``, or nothing) is read by hand: building argparse's parser reads
    the translations of its words (gettext, locale), all before the sign-in box. Anything
    else (``--help``, ``--version``, ``--self-test``, a mistake) goes to argparse."""
    words = sys.argv[1:] if argv is None else argv
    return plain_start(words) or full_parse(words)


def plain_start(words: list[str]) -> SimpleNamespace | None:
    """``words`` read as argparse would read them, if they are only a plain start's;
    None for anything else."""
    args = SimpleNamespace(data_dir=None, demo=False, exit_when_ready=False, self_test=False)
    rest = iter(words)
    for word in rest:
        if word in FLAGS:
            setattr(args, FLAGS[word], True)
        elif word == "--data-dir":
            value = next(rest, None)
            if value is None or value.startswith("-"):
                return None  # argparse says what is missing
            args.data_dir = value
        elif word.startswith("--data-dir="):
            args.data_dir = word.removeprefix("--data-dir=")
        else:
            return None
    return args


def full_parse(words: list[str]) -> SimpleNamespace:
    import argparse

    parser = argparse.ArgumentParser(
        prog="lr-desk", description="The Life Rooms pathways desk.",
        epilog="Also: lr-desk central init URL | lr-desk central add-device NAME --site SITE "
               "| lr-desk sync [--data-dir DIR] | lr-desk report NAME --from DAY --to DAY "
               "(each with --help).")
    parser.add_argument("--data-dir", metavar="DIR",
                        help=f"keep the data in DIR (default: ${ENV_DATA_DIR}, else the "
                             "platform's user data folder)")
    parser.add_argument("--demo", action="store_true",
                        help="open the separate demo profile, filled with synthetic people")
    parser.add_argument("--exit-when-ready", action="store_true",
                        help="print the milliseconds to a usable window, then quit "
                             "(for the benchmark)")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation (a throwaway profile, every shipped "
                             "file, a sheet, the window offscreen), one line per check; "
                             "exit 0 when all pass. Touches no one's data")
    parser.add_argument("--version", action="version", version=f"lr_desk {__version__}")
    return SimpleNamespace(**vars(parser.parse_args(words)))


def main(argv: list[str] | None = None) -> int:
    started = STARTED if argv is None else time.perf_counter()
    words = sys.argv[1:] if argv is None else argv
    if words and words[0] in COMMANDS:
        from lr_desk.cli import main as command

        return command(words)
    args = parse_args(words)
    if args.self_test:
        from lr_desk.selftest import run as self_test

        return self_test()
    folder = _ready_folder(args)
    if folder is None:
        return 1
    from lr_desk.ui.application import run

    return run(folder, demo=args.demo, started=started, exit_when_ready=args.exit_when_ready,
               fill_demo=fill_demo if args.demo else None,
               before_gate=lambda: behind_the_box(folder))


def behind_the_box(folder) -> None:
    """What the log needs that the sign-in box does not, done on the thread that loads
    the gate behind it: the log rolled over as it grows (paths.rotate_log), and
    SQLCipher's own words sent to the profile's log folder, before the database layer
    is used (it loads SQLCipher)."""
    from lr_desk.faults import cipher_log_to
    from lr_desk.paths import rotate_log

    rotate_log()
    cipher_log_to(folder)


def fill_demo(store, progress=None) -> None:
    """Fill a new demo profile with its synthetic desk (``lr_desk.demo.fill_demo``),
    imported only when a demo is made: it is not needed to show the window.
    ``progress(done, total, what)`` hears how far it has got."""
    from lr_desk.demo import fill_demo as fill

    fill(store, progress=progress)


def _ready_folder(args: SimpleNamespace):
    """The data folder, with its log set up; None when it cannot be used, having said why
    in plain words (a file where the folder should be, a disk that cannot be written)."""
    import logging

    from lr_desk.faults import classify, name_problem, report_bug
    from lr_desk.paths import data_dir, setup_logging

    logging.raiseExceptions = False  # a log that cannot be written (a full disk) is no news
    folder = data_dir(args.data_dir, demo=args.demo)
    wrong = name_problem(str(folder), "data folder (--data-dir, or $" + ENV_DATA_DIR + ")")
    if wrong is None:
        try:
            setup_logging(folder, rotate=False)  # rotating behind the box
        except Exception as exc:  # before there is a log or a window: said on stderr
            fault = classify(exc)
            wrong = fault.message if fault else report_bug(exc, "setting up the data folder")
    if wrong is not None:
        print(f"lr_desk cannot start. {wrong}", file=sys.stderr)
        return None
    return folder


if __name__ == "__main__":
    sys.exit(main())
