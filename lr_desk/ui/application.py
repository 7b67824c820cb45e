"""Starting the Qt desk on a profile folder.

The window comes first, and with it the sign-in box: both are shown as soon as Qt is
up, before the database layer is loaded (SQLAlchemy and the models take about half a
second). The gate that checks passwords loads on a thread behind the box meanwhile, and
a Sign in pressed before it is ready waits for it. The profile is then opened on a
thread too (the demo profile's first fill takes several seconds), and the pages are
attached when it is ready.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QObject, Qt, QTimer, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from lr_desk import faults
from lr_desk.resources import load_json
from lr_desk.services.signin_start import looks_locked
from lr_desk.ui import style
from lr_desk.ui.background import Background
from lr_desk.ui.main_window import OPENING, MainWindow
from lr_desk.ui.preparing import PREPARING, PreparingPage
from lr_desk.ui.signin import SetUpDialog, SignInDialog

if TYPE_CHECKING:
    from lr_desk.services.context import Desk
    from lr_desk.services.signin import Gate
    from lr_desk.store.db import Store

log = logging.getLogger(__name__)

# fills a new demo profile with synthetic data: fill(store), or fill(store, progress=...)
# with progress(done, total, what) told how far it has got (lr_desk.app.fill_demo)
Fill = Callable[..., None]


class Opened(NamedTuple):  # (not a dataclass: that module is not loaded before the box)
    store: Store
    desk: Desk
    search_limit: int


def open_profile(store: Store, demo: bool = False, fill_demo: Fill | None = None) -> Opened:
    """Read what the desk needs from a store just opened (signed in), filling the demo
    profile the first time. No widgets: it runs on a thread at start-up."""
    from lr_desk import settings
    from lr_desk.services import memory
    from lr_desk.services.context import Desk

    warm_desk()
    memory.release()  # the source lines PySide6 read of each module loaded (25 MB)
    try:
        with store.session() as s:
            need_demo = demo and not settings.get(s, "demo_filled")
        if need_demo:
            _demo_filler(fill_demo)(store)
        with store.session() as s:
            return Opened(store, Desk.load(s), settings.get(s, "search_limit"))
    except BaseException:
        store.close()
        raise


class DeskApp:
    """One open profile: its store, workers and the window's pages. ``close()`` finishes
    pending writes before letting go of the database."""

    def __init__(self, window: MainWindow, opened: Opened, gate: Gate | None = None):
        from lr_desk.services.changes import Changed
        from lr_desk.ui.sync import SyncService
        from lr_desk.ui.tasks import SearchService, Tasks

        self.window = window
        self.store = opened.store
        self.gate = gate
        self.tasks = Tasks(self.store)
        desk = opened.desk
        self.search = SearchService(self.store, opened.search_limit, self.tasks.worker)
        self.tasks.changed.connect(self.search.on_changed)  # before the pages hear it
        window.attach(self.store, self.tasks, self.search, desk)
        self.sync = SyncService(self.store)
        # what a sync brings in from other desks is announced like a save's changes
        self.sync.pulled.connect(lambda touched: self.tasks.announce(
            Changed.of(touched, pulled=True)))
        self.tasks.changed.connect(self.sync.on_changed)  # a save: sync a moment later
        window.watch_sync(self.sync)
        if gate is not None:
            window.install_lock(gate, desk.lock_minutes)
        # Once the people are indexed (the in-memory index built; search answers from the
        # stored keys before: doing these meanwhile adds to the build's peak memory): get
        # the first take-home sheet ready to be quick (fonts loaded, the directory's QR
        # codes made, on the spare worker), and sync for the first time.
        addresses = [r.service.web or r.partner.web for r in desk.lists.services]
        self.search.built.connect(lambda *_: self.tasks.run_aside(lambda: _warm_sheets(
            addresses)), Qt.ConnectionType.SingleShotConnection)
        self.search.built.connect(self.sync.start)  # later calls do nothing

    @classmethod
    def open(cls, folder: Path, username: str, password: str, demo: bool = False,
             fill_demo: Fill | None = None) -> DeskApp:
        """Sign in and open a profile in one go, on this thread (scripts and tests)."""
        from lr_desk.services.signin import Gate

        gate = Gate(folder)
        if demo and gate.state() == "new":
            gate.set_up_demo(_demo_filler(fill_demo))
        unlocked = gate.sign_in(username, password)
        return cls(MainWindow(demo), open_profile(unlocked.store, demo, fill_demo), gate)

    def show(self) -> None:
        self.window.show()
        # Build the index once the window has painted: the build holds the GIL for a while
        QTimer.singleShot(0, self.search.start)

    def close(self) -> None:
        if self.window.idle is not None:
            self.window.idle.stop()
        self.window.close()
        self.sync.shutdown()  # stops a pull between pages; what is left comes next time
        self.tasks.shutdown()  # the desk's worker: saves finish, a search is dropped
        if self.gate is not None and self.window.desk.signed_in is not None:
            from lr_desk.services import audit

            try:
                with self.store.session() as s:
                    audit.record(s, "sign_out", entity="advisor",
                                 entity_id=self.window.desk.advisor_id)
            except Exception:  # closing must not fail for want of an audit line
                log.exception("could not record the sign-out")
        self.store.close()


def _demo_filler(fill_demo: Fill | None) -> Fill:
    """The demo profile's data is handed in by the entry point (lr_desk.app), never
    imported by the desk."""
    if fill_demo is None:
        raise ValueError("the demo profile needs its data handed in (fill_demo)")
    return fill_demo


def warm_desk() -> None:
    """Load the modules the open desk is made of (its pages, the search, sync): off the
    UI thread, behind the sign-in box while a password is typed (and the key derived,
    which runs without holding Python's lock), so the desk opens sooner after Sign in."""
    from lr_desk.ui import (  # noqa: F401
        directory,
        dropin,
        people,
        person,
        review,
        rights,
        set_aside,
        sync,
        tasks,
        today,
    )


def load_gate(folder: Path, before: Callable[[], None] | None = None) -> tuple[Gate, str]:
    """The gate of the profile in ``folder``, and its state: on a thread, since it loads
    the database layer (SQLAlchemy, the models, the key derivation). ``before`` is run
    first (lr_desk.app: where SQLCipher's log goes)."""
    from lr_desk.services.signin import Gate

    if before is not None:
        before()
    gate = Gate(folder)
    return gate, gate.state()


class Startup(QObject):
    """The window and the sign-in box at once (or, for a new desk, setting it up once the
    gate has loaded), then the profile: what ``lr-desk`` does when it starts."""

    opened = Signal(object)  # the DeskApp
    failed = Signal(str)
    asking = Signal(object)  # the sign-in or set-up dialog, shown over the window
    # how far the demo's first set-up has got (done, total, what): emitted on the worker,
    # heard on the UI thread (queued)
    progressed = Signal(int, int, str)

    def __init__(self, folder: Path, demo: bool = False, fill_demo: Fill | None = None,
                 before_gate: Callable[[], None] | None = None):
        super().__init__()
        self.folder, self.demo = folder, demo
        self.fill_demo = fill_demo  # the demo's data, handed in by lr_desk.app
        self.before_gate = before_gate  # run on the thread before the gate loads
        self.desk: DeskApp | None = None
        self.dialog = None
        self.preparing: PreparingPage | None = None  # while the demo is set up
        self.window = MainWindow(demo)
        self.gate: Gate | None = None  # loaded behind the box: it imports the database layer
        # loading the gate, preparing the demo, then opening the profile
        self.background = Background(self)
        if looks_locked(folder):  # a desk that is set up: its sign-in box now
            self._open_dialog(SignInDialog(None, self.window, demo=demo))
        self.window.show()
        if self.dialog is not None:
            self.dialog.open()
        QApplication.processEvents()  # painted
        self.shown_at = time.perf_counter()
        QTimer.singleShot(0, self._ask)

    def _ask(self) -> None:
        if self.dialog is not None:
            self.asking.emit(self.dialog)  # the box shown at once
        if self.gate is not None:  # after the demo's set-up
            self._ask_with(self.gate, self.gate.state())
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a file in its place, no rights...: said plainly
            self._opened(exc)
            return
        self.background.run(lambda: load_gate(self.folder, self.before_gate),
                            self._gate_loaded, self._opened)

    def _gate_loaded(self, loaded: tuple[Gate, str]) -> None:
        self.gate, state = loaded
        if state == "locked":  # while the password is typed
            self.background.worker.submit("warm", warm_desk, name="loading the desk's pages")
        quick = self.dialog
        if isinstance(quick, SignInDialog) and quick.gate is None:
            if state == "locked":
                quick.ready(self.gate)
                return
            # (the keys file changed in between, or was not what it looked: as it is)
            quick.rejected.disconnect(self.window.close)
            quick.close()
            self.dialog = None
        self._ask_with(self.gate, state)

    def _ask_with(self, gate: Gate, state: str) -> None:
        if state == "no_keys":
            self.failed.emit(gate.problem() or  # missing, or damaged with its copy
                             "This desk's data is encrypted, and the file that holds its "
                             f"keys ({self.folder / 'keys.json'}) is missing. Put it back "
                             "from a backup of this computer, or ask IT.")
            return
        if state == "new" and self.demo:
            self._prepare()
            return
        if state == "convert":
            try:
                gate.check_convertible()
            except Exception as exc:
                self._opened(exc)
                return
        if state in ("new", "convert"):
            sites = {r["code"]: r["name"] for r in load_json("reference.json")["sites"]}
            self._open_dialog(SetUpDialog(gate, sites, self.window))
        else:
            self._open_dialog(SignInDialog(gate, self.window, demo=self.demo))
        self.dialog.open()
        self.asking.emit(self.dialog)

    def _open_dialog(self, dialog) -> None:
        self.dialog = dialog
        self.window.status_label.setText("Please sign in.")
        dialog.accepted.connect(self._signed_in)
        dialog.rejected.connect(self.window.close)  # nobody signed in: close quietly

    def _prepare(self) -> None:
        """The demo's first start: set it up on the worker (some 16 s), the window
        saying what is being done and how far it has got."""
        fill = _demo_filler(self.fill_demo)
        self.preparing = PreparingPage()
        self.window.preparing(self.preparing)
        self.window.status_label.setText(f"{PREPARING}…")
        self.progressed.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self.background.run(lambda: self.gate.set_up_demo(fill, self.progressed.emit),
                            self._prepared, self._opened)

    def _progress(self, done: int, total: int, what: str) -> None:
        self.preparing.show_progress(done, total, what)
        self.window.status_label.setText(f"{PREPARING}: {what}")  # for screen readers too

    def _prepared(self, result) -> None:
        result.store.close()  # the demo is ready: now whoever is there signs in
        self.progressed.disconnect(self._progress)
        self.preparing.ready()
        self._ask()

    def _signed_in(self) -> None:
        store = self.dialog.unlocked.store
        self.window.status_label.setText(OPENING)
        self.background.run(lambda: open_profile(store, self.demo, self.fill_demo),
                            self._opened, self._opened)

    def _opened(self, result) -> None:
        if isinstance(result, BaseException):
            log.error("could not open the profile in %s", self.folder, exc_info=result)
            message = faults.opening_problem(result)
            self.window.status_label.setText("The desk could not open its data.")
            self.failed.emit(message)
            return
        self.desk = DeskApp(self.window, result, self.gate)
        self.desk.search.start()
        self.opened.emit(self.desk)

    def close(self) -> None:
        if self.desk is not None:
            self.desk.close()


def _warm_sheets(addresses: list[str]) -> None:
    from lr_desk.services.memory import release
    from lr_desk.sheets.render import prepare

    prepare(addresses)
    release()  # (and of reportlab's, loaded for it)


def _excepthook(exc_type, exc, tb) -> None:
    """A bug in UI code: log it and say so plainly, rather than vanish. A fault of the
    computer met on the UI thread (a full disk) is said as the worker would say it."""
    log.error("unhandled error", exc_info=(exc_type, exc, tb))
    said = faults.plain(exc) if isinstance(exc, BaseException) else None
    if QApplication.instance() is not None:
        QMessageBox.warning(None, "Something went wrong",
                            said or f"lr_desk hit a problem ({exc_type.__name__}) and has "
                            "logged it.\nUnsaved forms are kept as drafts.")


QT_LEVELS = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
             QtMsgType.QtFatalMsg: logging.CRITICAL}


def qt_to_log(kind: QtMsgType, _context, message: str) -> None:
    """Qt's messages go to the profile's log (lr_desk.paths.setup_logging), not to the
    terminal: a first start offscreen printed "This plugin does not support
    propagateSizeHints()" at every window shown."""
    logging.getLogger("qt").log(QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def run(folder: Path, demo: bool = False, started: float | None = None,
        exit_when_ready: bool = False, fill_demo: Fill | None = None,
        before_gate: Callable[[], None] | None = None) -> int:
    started = started if started is not None else time.perf_counter()
    qInstallMessageHandler(qt_to_log)  # Qt's own chatter: the log, not the terminal
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("lr_desk")
    app.setOrganizationName("Mersey Care NHS Foundation Trust")
    style.apply(app)
    sys.excepthook = _excepthook
    startup = Startup(folder, demo, fill_demo, before_gate)

    def cannot_open(message: str) -> None:
        QMessageBox.critical(startup.window, "lr_desk could not open its data",
                             f"{message}\n\nThe data folder is {folder}.")
        app.exit(1)

    startup.failed.connect(cannot_open)
    if exit_when_ready:
        from lr_desk.ui.when_ready import report_when_ready

        report_when_ready(app, startup, started)
    code = app.exec()
    startup.close()
    return code
