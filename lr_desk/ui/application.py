"""Starting the Qt desk on a profile folder."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from lr_desk import settings
from lr_desk.profile import open_store
from lr_desk.store.db import Store
from lr_desk.ui.advisor import AdvisorDialog
from lr_desk.ui.context import Desk
from lr_desk.ui.main_window import MainWindow
from lr_desk.ui.tasks import SearchService, Tasks

log = logging.getLogger(__name__)


class DeskApp:
    """One open profile: its store, workers and main window. ``close()`` finishes pending
    writes before letting go of the database."""

    def __init__(self, folder: Path, demo: bool = False, ask_advisor: bool = True):
        self.store: Store = open_store(folder)
        self.tasks = Tasks(self.store)
        with self.store.session() as s:
            desk = Desk.load(s)
            limit = settings.get(s, "search_limit")
            need_demo = demo and not settings.get(s, "demo_filled")
        if need_demo:
            from lr_desk.demo import fill_demo

            fill_demo(self.store)
            with self.store.session() as s:
                desk = Desk.load(s)
        if ask_advisor and not any(a.id == desk.advisor_id for a in desk.lists.advisors):
            dialog = AdvisorDialog(self.tasks, desk.lists.advisors, desk.lists.sites,
                                   desk.advisor_id, desk.site_code)
            if not dialog.exec() or dialog.chosen is None:
                raise SystemExit(0)
            with self.store.session() as s:
                desk = Desk.load(s)
        self.search = SearchService(self.store, limit)
        self.window = MainWindow(self.store, self.tasks, self.search, desk, demo)

    def show(self) -> None:
        self.window.show()
        # Build the index once the window has painted: the build holds the GIL for a while
        QTimer.singleShot(0, self.search.start)

    def close(self) -> None:
        self.window.close()
        self.tasks.shutdown()
        self.search.shutdown()
        self.store.close()


def _excepthook(exc_type, exc, tb) -> None:
    """A bug in UI code: log it and say so plainly, rather than vanish."""
    log.error("unhandled error", exc_info=(exc_type, exc, tb))
    if QApplication.instance() is not None:
        QMessageBox.warning(None, "Something went wrong",
                            f"lr_desk hit a problem and has logged it: {exc!r}.\n"
                            "Unsaved forms are kept as drafts.")


def run(folder: Path, demo: bool = False, started: float | None = None,
        exit_when_ready: bool = False) -> int:
    started = started if started is not None else time.perf_counter()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("lr_desk")
    app.setOrganizationName("Mersey Care NHS Foundation Trust")
    sys.excepthook = _excepthook
    desk = DeskApp(folder, demo=demo, ask_advisor=not exit_when_ready)
    if exit_when_ready:
        _report_when_ready(app, desk, started)
    desk.show()
    code = app.exec()
    desk.close()
    return code


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


def _report_when_ready(app: QApplication, desk: DeskApp, started: float) -> None:
    """For the benchmark: time to a usable window, then to a built index, and peak memory."""
    figures: dict[str, float] = {}

    def window_ready() -> None:
        figures["ready_ms"] = (time.perf_counter() - started) * 1000

    def index_ready(_count: int, _seconds: float) -> None:
        figures["index_ms"] = (time.perf_counter() - started) * 1000
        QTimer.singleShot(0, finish)

    def finish() -> None:
        figures["rss_mb"] = peak_memory_mb()
        print(json.dumps({k: round(v, 1) for k, v in figures.items()}), flush=True)
        app.quit()

    desk.search.ready.connect(index_ready)
    QTimer.singleShot(0, window_ready)
