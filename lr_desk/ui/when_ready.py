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


SETTLE_MS = 60_000  # the longest the sheets' warm-up and the first sync are waited for


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
    it; or into a new desk's set-up), to the pages attached, to search answering, to the
    in-memory index built, to the desk settled (the sheets warmed and the first sync
    done: DESIGN's memory budget is for the desk so); and peak memory. Then quit."""
    figures: dict[str, float] = {}
    opened: list[DeskApp] = []

    def elapsed() -> float:
        return (time.perf_counter() - started) * 1000

    def sign_in(dialog) -> None:
        """The sign-in box, or a new desk's set-up (a desk from before encryption too:
        converted and upgraded), filled from the environment and sent; its time kept."""
        username = os.environ.get("LR_DESK_USERNAME", "")
        password = os.environ.get("LR_DESK_PASSWORD", "")
        if isinstance(dialog, SetUpDialog):
            what, send = "set_up", dialog.set_up
            dialog.f.load({"name": "First Admin", "home_site": next(iter(dialog.sites)),
                           "username": username, "password": password,
                           "password_again": password})
            QTimer(dialog, interval=100, timeout=keep_the_key).start()
        else:
            what, send = "sign_in", dialog.sign_in
            dialog.f.load({"username": username, "password": password})
        figures[f"{what}_box_ms"] = elapsed()
        clicked = time.perf_counter()
        dialog.accepted.connect(lambda: figures.__setitem__(
            f"{what}_ms", (time.perf_counter() - clicked) * 1000))
        dialog.rejected.connect(lambda: app.exit(2))
        send()
        dialog.background.done.connect(
            lambda _r, exc: exc is not None and (print(exc, flush=True), app.exit(2)))

    def keep_the_key() -> None:
        """A new desk's recovery key, shown once: "printed", and on."""
        for shown in QApplication.topLevelWidgets():
            if isinstance(shown, RecoveryKeyDialog) and shown.isVisible():
                shown.kept.setChecked(True)
                shown.done_button.click()

    def attached(desk: DeskApp) -> None:
        figures["attached_ms"] = elapsed()
        opened.append(desk)
        desk.search.ready.connect(index_ready)
        desk.search.built.connect(index_built)

    def index_ready(_count: int, _seconds: float) -> None:
        """Search answers (from the stored keys, while the in-memory index is built)."""
        figures.setdefault("index_ms", elapsed())

    def index_built(_count: int, _seconds: float) -> None:
        """The in-memory index answers: the desk as it is from then on (its memory too)."""
        figures["index_built_ms"] = elapsed()
        figures.setdefault("index_ms", figures["index_built_ms"])  # (none answered before)
        QTimer.singleShot(0, settled)

    def settled() -> None:
        """Once the index is built, the sheets are warmed and the first sync is made (the
        worker's lanes idle, the sync finished: it was started as the index was built,
        before this was called): then the desk's memory is what it will be while
        advisors use it. At most a minute is waited."""
        desk = opened[0]
        quiet = desk.tasks.pending == 0 and not desk.sync.running
        if quiet or elapsed() - figures["index_built_ms"] > SETTLE_MS:
            if quiet:
                figures["settled_ms"] = elapsed()
            finish()
        else:
            QTimer.singleShot(100, settled)

    def finish() -> None:
        if "rss_mb" in figures:
            return
        figures["rss_mb"] = peak_memory_mb()
        print(json.dumps({k: round(v, 1) for k, v in figures.items()}), flush=True)
        app.quit()

    figures["ready_ms"] = (startup.shown_at - started) * 1000
    startup.asking.connect(sign_in)
    startup.opened.connect(attached)
