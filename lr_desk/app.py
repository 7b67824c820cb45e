"""Entry point: ``lr-desk`` and ``python -m lr_desk``.

Resolves the data folder, sets up logging, opens (and migrates) the store, then starts
the Qt desk. PySide6 is imported only here and in ``lr_desk.ui``. The demo profile's
synthetic data (``lr_desk.demo``) is handed to the desk from here: the desk never
imports it.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before the heavy imports, for --exit-when-ready

import argparse  # noqa: E402
import sys  # noqa: E402

from lr_desk import ENV_DATA_DIR, __version__  # noqa: E402

# handled by lr_desk.cli, imported only for them
COMMANDS = ("central", "sync", "directory", "report")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
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
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    started = STARTED if argv is None else time.perf_counter()
    words = sys.argv[1:] if argv is None else argv
    if words and words[0] in COMMANDS:
        from lr_desk.cli import main as command

        return command(words)
    args = parse_args(argv)
    if args.self_test:
        from lr_desk.selftest import run as self_test

        return self_test()
    folder = _ready_folder(args)
    if folder is None:
        return 1
    from lr_desk.faults import cipher_log_to
    from lr_desk.ui.application import run

    # SQLCipher's own words go to the profile's log: set behind the sign-in box, before
    # the database layer is used (it loads SQLCipher, which the box does not need)
    return run(folder, demo=args.demo, started=started, exit_when_ready=args.exit_when_ready,
               fill_demo=fill_demo if args.demo else None,
               before_gate=lambda: cipher_log_to(folder))


def fill_demo(store, progress=None) -> None:
    """Fill a new demo profile with its synthetic desk (``lr_desk.demo.fill_demo``),
    imported only when a demo is made: it is not needed to show the window.
    ``progress(done, total, what)`` hears how far it has got."""
    from lr_desk.demo import fill_demo as fill

    fill(store, progress=progress)


def _ready_folder(args: argparse.Namespace):
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
            setup_logging(folder)
        except Exception as exc:  # before there is a log or a window: said on stderr
            fault = classify(exc)
            wrong = fault.message if fault else report_bug(exc, "setting up the data folder")
    if wrong is not None:
        print(f"lr_desk cannot start. {wrong}", file=sys.stderr)
        return None
    return folder


if __name__ == "__main__":
    sys.exit(main())
