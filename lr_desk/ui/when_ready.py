"""``lr-desk --exit-when-ready``: the start-up's figures for the benchmarks and the
bundle's tests, driving the sign-in (or a new desk's set-up) with the username and
password in $LR_DESK_USERNAME and $LR_DESK_PASSWORD, then quitting."""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from lr_desk.ui.signin import RecoveryKeyDialog, SetUpDialog

if TYPE_CHECKING:
    from lr_desk.ui.application import DeskApp, Startup


def peak_memory_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM is this process's own, where
    ru_maxrss also counts the parent's peak before exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource  # POSIX only
    except ImportError:
        return float("nan")  # Windows: the benchmark reads memory from outside instead
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report_when_ready(app: QApplication, startup: Startup, started: float) -> None:
    """For the benchmark: milliseconds to the window, to the sign-in box, for signing in
    (the username and password in $LR_DESK_USERNAME and $LR_DESK_PASSWORD are typed into
    it; or into a new desk's set-up), to the pages attached, to the search index built;
    and peak memory. Then quit."""
    figures: dict[str, float] = {}

    def elapsed() -> float:
        return (time.perf_counter() - started) * 1000

    def sign_in(dialog) -> None:
        if isinstance(dialog, SetUpDialog):
            set_up(dialog)
            return
        figures["sign_in_box_ms"] = elapsed()
        dialog.f.load({"username": os.environ.get("LR_DESK_USERNAME", ""),
                       "password": os.environ.get("LR_DESK_PASSWORD", "")})
        clicked = time.perf_counter()
        dialog.accepted.connect(lambda: figures.__setitem__(
            "sign_in_ms", (time.perf_counter() - clicked) * 1000))
        dialog.rejected.connect(lambda: app.exit(2))
        dialog.sign_in()
        dialog.background.done.connect(
            lambda _r, exc: exc is not None and (print(exc, flush=True), app.exit(2)))

    def set_up(dialog: SetUpDialog) -> None:
        """A new desk, or one from before encryption (converted and upgraded): the first
        account is the one in the environment, and its recovery key is "kept"."""
        figures["set_up_box_ms"] = elapsed()
        username = os.environ.get("LR_DESK_USERNAME", "")
        dialog.f.load({"name": "First Admin", "home_site": next(iter(dialog.sites)),
                       "username": username, "password": os.environ.get("LR_DESK_PASSWORD", ""),
                       "password_again": os.environ.get("LR_DESK_PASSWORD", "")})
        clicked = time.perf_counter()

        def keep_the_key() -> None:
            for shown in QApplication.topLevelWidgets():
                if isinstance(shown, RecoveryKeyDialog) and shown.isVisible():
                    shown.kept.setChecked(True)
                    shown.done_button.click()

        watch = QTimer(dialog, interval=100, timeout=keep_the_key)
        watch.start()
        dialog.accepted.connect(lambda: figures.__setitem__(
            "set_up_ms", (time.perf_counter() - clicked) * 1000))
        dialog.rejected.connect(lambda: app.exit(2))
        dialog.set_up()
        dialog.background.done.connect(
            lambda _r, exc: exc is not None and (print(exc, flush=True), app.exit(2)))

    def attached(desk: DeskApp) -> None:
        figures["attached_ms"] = elapsed()
        desk.search.ready.connect(index_ready)

    def index_ready(_count: int, _seconds: float) -> None:
        figures["index_ms"] = elapsed()
        QTimer.singleShot(0, finish)

    def finish() -> None:
        figures["rss_mb"] = peak_memory_mb()
        print(json.dumps({k: round(v, 1) for k, v in figures.items()}), flush=True)
        app.quit()

    figures["ready_ms"] = (startup.shown_at - started) * 1000
    startup.asking.connect(sign_in)
    startup.opened.connect(attached)
