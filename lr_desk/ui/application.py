"""Starting the Qt desk on a profile folder.

The window comes first: the frame with a live search box is shown as soon as Qt is up.
The profile is opened on a thread meanwhile (SQLAlchemy's import alone takes about
0.3 s; the demo profile's first fill several seconds), and the pages are attached when
it is ready. Whatever is typed into the search box in between is kept and searched.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from lr_desk.ui.main_window import MainWindow

if TYPE_CHECKING:
    from lr_desk.store.db import Store
    from lr_desk.ui.context import Desk

log = logging.getLogger(__name__)


@dataclass
class Opened:
    store: Store
    desk: Desk
    search_limit: int


def open_profile(folder: Path, demo: bool = False) -> Opened:
    """Open (creating or migrating) the profile's store, fill the demo profile the first
    time, and read what the desk needs. No widgets: it runs on a thread at start-up."""
    from lr_desk import settings
    from lr_desk.profile import open_store
    from lr_desk.ui import directory, dropin, people, person, today  # noqa: F401 (warm up)
    from lr_desk.ui.context import Desk

    store = open_store(folder)
    try:
        with store.session() as s:
            need_demo = demo and not settings.get(s, "demo_filled")
        if need_demo:
            from lr_desk.demo import fill_demo

            fill_demo(store)
        with store.session() as s:
            return Opened(store, Desk.load(s), settings.get(s, "search_limit"))
    except BaseException:
        store.close()
        raise


class Opener(QObject):
    """Runs ``open_profile`` on a thread; ``done`` carries an Opened, or the exception."""

    done = Signal(object)

    def start(self, folder: Path, demo: bool) -> None:
        def work() -> None:
            try:
                result: object = open_profile(folder, demo)
            except BaseException as exc:  # reported on the UI thread
                log.exception("could not open the profile in %s", folder)
                result = exc
            self.done.emit(result)

        threading.Thread(target=work, name="lr-open", daemon=True).start()


class DeskApp:
    """One open profile: its store, workers and the window's pages. ``close()`` finishes
    pending writes before letting go of the database."""

    def __init__(self, window: MainWindow, opened: Opened, ask_advisor: bool = True):
        from lr_desk.ui.context import Desk
        from lr_desk.ui.sync import SyncService
        from lr_desk.ui.tasks import SearchService, Tasks

        self.window = window
        self.store = opened.store
        self.tasks = Tasks(self.store)
        desk = opened.desk
        if ask_advisor:  # a shared desk: whoever sits down says who they are, every start
            from lr_desk.ui.advisor import AdvisorDialog

            dialog = AdvisorDialog(self.tasks, desk.lists.advisors, desk.lists.sites,
                                   desk.advisor_id, desk.site_code, window)
            if not dialog.exec() or dialog.chosen is None:
                self.tasks.shutdown()
                self.store.close()
                raise SystemExit(0)
            with self.store.session() as s:
                desk = Desk.load(s)
        self.search = SearchService(self.store, opened.search_limit)
        window.attach(self.store, self.tasks, self.search, desk)
        self.sync = SyncService(self.store)
        window.watch_sync(self.sync)
        # Once the people are indexed: get the first take-home sheet ready to be quick
        # (fonts loaded, the directory's QR codes made, on the spare worker), and sync for
        # the first time (so whoever it brings in is indexed too).
        addresses = [r.service.web or r.partner.web for r in desk.lists.services]
        self.search.ready.connect(lambda *_: self.tasks.run_aside(lambda: _warm_sheets(
            addresses)), Qt.ConnectionType.SingleShotConnection)
        self.search.ready.connect(self.sync.start)  # later calls do nothing

    @classmethod
    def open(cls, folder: Path, demo: bool = False, ask_advisor: bool = True) -> DeskApp:
        """Open a profile in one go, on this thread (scripts and tests)."""
        return cls(MainWindow(demo), open_profile(folder, demo), ask_advisor)

    def show(self) -> None:
        self.window.show()
        # Build the index once the window has painted: the build holds the GIL for a while
        QTimer.singleShot(0, self.search.start)

    def close(self) -> None:
        self.window.close()
        self.sync.shutdown()  # stops a pull between pages; what is left comes next time
        review = getattr(self.window, "review", None)
        if review is not None:
            review.reader.shutdown(wait=True)  # a read under way ends before the store does
        self.tasks.shutdown()
        self.search.shutdown()
        self.store.close()


class Startup(QObject):
    """The window at once, then the profile: what ``lr-desk`` does when it starts."""

    opened = Signal(object)  # the DeskApp
    failed = Signal(str)

    def __init__(self, folder: Path, demo: bool = False, ask_advisor: bool = True):
        super().__init__()
        self.folder, self.ask_advisor = folder, ask_advisor
        self.desk: DeskApp | None = None
        self.window = MainWindow(demo)
        self.opener = Opener()
        self.opener.done.connect(self._opened)
        self.window.show()
        QApplication.processEvents()  # painted: the search box takes typing from now on
        self.shown_at = time.perf_counter()
        self.opener.start(folder, demo)

    def _opened(self, result) -> None:
        if isinstance(result, BaseException):
            from lr_desk.store.db import MigrationError
            from lr_desk.ui.tasks import environment_problem

            message = (environment_problem(result) or
                       (str(result) if isinstance(result, MigrationError) else None) or
                       f"{type(result).__name__} (the details are in the log)")
            self.window.status_label.setText("The desk could not open its data.")
            self.failed.emit(message)
            return
        try:
            self.desk = DeskApp(self.window, result, self.ask_advisor)
        except SystemExit:  # nobody chose an advisor: close quietly
            self.window.close()
            return
        self.desk.search.start()
        self.opened.emit(self.desk)

    def close(self) -> None:
        if self.desk is not None:
            self.desk.close()


def _warm_sheets(addresses: list[str]) -> None:
    from lr_desk.sheets.render import prepare

    prepare(addresses)


def _excepthook(exc_type, exc, tb) -> None:
    """A bug in UI code: log it and say so plainly, rather than vanish."""
    log.error("unhandled error", exc_info=(exc_type, exc, tb))
    if QApplication.instance() is not None:
        QMessageBox.warning(None, "Something went wrong",
                            f"lr_desk hit a problem ({exc_type.__name__}) and has logged "
                            "it.\nUnsaved forms are kept as drafts.")


def run(folder: Path, demo: bool = False, started: float | None = None,
        exit_when_ready: bool = False) -> int:
    started = started if started is not None else time.perf_counter()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("lr_desk")
    app.setOrganizationName("Mersey Care NHS Foundation Trust")
    sys.excepthook = _excepthook
    startup = Startup(folder, demo, ask_advisor=not exit_when_ready)

    def cannot_open(message: str) -> None:
        QMessageBox.critical(startup.window, "lr_desk could not open its data",
                             f"{message}\n\nThe data folder is {folder}.")
        app.exit(1)

    startup.failed.connect(cannot_open)
    if exit_when_ready:
        _report_when_ready(app, startup, started)
    code = app.exec()
    startup.close()
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


def _report_when_ready(app: QApplication, startup: Startup, started: float) -> None:
    """For the benchmark: milliseconds to the window (search box live), to the pages
    attached, to the search index built; and peak memory. Then quit."""
    figures: dict[str, float] = {}

    def elapsed() -> float:
        return (time.perf_counter() - started) * 1000

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
    startup.opened.connect(attached)
