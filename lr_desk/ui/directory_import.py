"""Directory > Import…: the directory in from an Open Referral UK feed.

The advisor types a feed's web address or chooses a JSON file, and presses Read feed:
the feed is read on a lane of the desk's worker of its own ("feed", dropped at closing),
page by page with a progress bar, and can be stopped at once (Stop reading). Then what
the import will do is shown (services.oruk's plan: added, changed field by field, left
alone, each problem) before anything is written; Import writes it all on the database
lane in one transaction, and every page hears what changed through ``tasks.changed``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from lr_desk.services import oruk, oruk_feed
from lr_desk.ui import style
from lr_desk.ui.forms import clearable, line_edit
from lr_desk.ui.tasks import Tasks, environment_problem

LANE = "feed"


def _button(text: str, name: str, tip: str) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(name)
    b.setToolTip(tip)
    b.setAutoDefault(False)
    return b


class DirectoryImportDialog(QDialog):
    """Feed, Browse…, Read feed and Stop reading; what the import will do; Import, Close."""

    def __init__(self, tasks: Tasks, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.tasks.worker.disposable.add(LANE)
        self.feed: oruk_feed.Feed | None = None
        self.plan: oruk.Plan | None = None
        self.cancel: oruk_feed.Cancel | None = None
        self._reading = 0  # which reading's answers are wanted (0: none)
        self._importing = False
        self.setWindowTitle("Import the directory from a feed")
        self.setAccessibleName("Import the directory from a feed")

        intro = style.note(QLabel(
            "Partners and services from an Open Referral UK feed, as councils and family "
            "hubs publish them: a web address (https://…) or a JSON file. You see what "
            "will be added and changed before anything is written; what this desk "
            "changed itself is kept, and nothing is removed."))
        intro.setWordWrap(True)
        self.source = line_edit("Feed: a web address or a JSON file",
                                "https://… or a file's name")
        clearable(self.source, "Clear the feed")
        source_label = QLabel("&Feed")
        source_label.setBuddy(self.source)
        self.browse_button = _button("&Browse…", "Browse", "Choose a JSON file on this "
                                     "computer")
        self.read_button = _button("&Read feed", "Read feed",
                                   "Read the feed and show what importing it would do")
        self.stop_button = _button("&Stop reading", "Stop reading",
                                   "Stop reading the feed (nothing is imported)")
        self.stop_button.setEnabled(False)
        source_row = QHBoxLayout()
        source_row.addWidget(source_label)
        source_row.addWidget(self.source, 1)
        source_row.addWidget(self.browse_button)
        source_row.addWidget(self.read_button)

        self.progress = QProgressBar()
        self.progress.setAccessibleName("Reading the feed")
        self.progress.setTextVisible(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = style.note(QLabel("Nothing read yet."))
        self.status.setAccessibleName("What is happening")
        self.status.setWordWrap(True)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.stop_button)

        self.plan_view = QPlainTextEdit()
        self.plan_view.setReadOnly(True)
        self.plan_view.setAccessibleName("What the import will do")
        self.plan_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.plan_view.setPlaceholderText("What the import will add, change and leave "
                                          "alone is shown here before anything is written.")
        plan_label = QLabel("&What the import will do")
        plan_label.setBuddy(self.plan_view)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Import message")
        self.import_button = style.primary(_button(
            "&Import", "Import", "Read a feed first: Import writes what it shows"))
        self.import_button.setEnabled(False)
        self.close_button = _button("Close", "Close", "Close (Esc); nothing is imported "
                                    "unless Import was pressed")
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setSpacing(style.SPACE["s"])
        layout.addWidget(intro)
        layout.addLayout(source_row)
        layout.addLayout(progress_row)
        layout.addWidget(self.status)
        layout.addWidget(plan_label)
        layout.addWidget(self.plan_view, 1)
        layout.addLayout(buttons)

        self.browse_button.clicked.connect(self.browse)
        self.read_button.clicked.connect(self.read)
        self.stop_button.clicked.connect(self.stop)
        self.import_button.clicked.connect(self.import_)
        self.close_button.clicked.connect(self.reject)
        self.source.returnPressed.connect(self.read)
        self.source.textEdited.connect(self._source_edited)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.import_)
        self.read_button.setDefault(True)
        self.resize(820, 600)
        self.source.setFocus()
        if parent is not None:
            parent.installEventFilter(self)

    # -- choosing and reading the feed ------------------------------------------------
    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a feed file", "",
                                              "JSON feeds (*.json);;All files (*)")
        if path:
            self.source.setText(path)
            self.read()

    def _source_edited(self, _text: str) -> None:
        if self.plan is not None and not self._importing:
            self._forget_plan("Read the feed again: the feed has changed.")

    def _forget_plan(self, why: str) -> None:
        self.feed = self.plan = None
        self.import_button.setEnabled(False)
        self.import_button.setToolTip(why)
        self.read_button.setDefault(True)

    def read(self) -> None:
        if self._reading or self._importing:
            return
        source = self.source.text().strip()
        if not source:
            self._say("Type the feed's web address, or choose its file with Browse.", "error")
            self.source.setFocus()
            return
        self._forget_plan("Wait for the feed to be read.")
        self.plan_view.clear()
        self._say("")
        self._reading += 1
        reading = self._reading
        cancel = self.cancel = oruk_feed.Cancel()
        worker = self.tasks.worker

        def heard(pages: int, total: int | None, records: int) -> None:
            worker.post(self._progress, reading, pages, total, records)

        self._busy(True)
        self.status.setText(f"Reading {oruk_feed.source_words(source)}…")
        worker.submit(LANE, lambda: oruk_feed.read(source, heard, cancel),
                      lambda feed: self._read(reading, feed),
                      lambda exc: self._not_read(reading, exc), "read a directory feed")

    def _progress(self, reading: int, pages: int, total: int | None, records: int) -> None:
        if reading != self._reading:
            return
        if total and total > 1:
            self.progress.setRange(0, total)
            self.progress.setValue(min(pages, total))
            self.status.setText(f"Read page {pages} of {total} ({records} records so far)…")
        else:
            self.status.setText(f"Read page {pages} ({records} records so far)…")

    def _read(self, reading: int, feed: oruk_feed.Feed) -> None:
        if reading != self._reading:
            return  # stopped meanwhile
        self.feed = feed
        self.status.setText("Working out what the import will do…")
        self.tasks.run(lambda s: oruk.plan(s, feed), lambda plan: self._planned(reading, plan),
                       lambda exc: self._not_read(reading, exc))

    def _planned(self, reading: int, plan: oruk.Plan) -> None:
        if reading != self._reading:
            return
        self._reading = 0
        self._busy(False)
        self.plan = plan
        self.status.setText(plan.summary()[0])
        self.plan_view.setPlainText("\n".join([*plan.summary()[1:], "", *plan.details()]))
        if plan.writes:
            self.import_button.setEnabled(True)
            self.import_button.setToolTip("Write what is shown above, all of it in one go")
            self.import_button.setDefault(True)
            self.import_button.setFocus()
            self._say("Nothing is written until you press Import.", "note")
        else:
            self.import_button.setToolTip("There is nothing to import")
            self._say("Nothing to import: the directory already has this feed as it is."
                      if plan.items else "Nothing can be imported from this feed.",
                      "note" if plan.items else "error")

    def _not_read(self, reading: int, exc: BaseException) -> bool:
        if reading != self._reading:
            return True
        self._reading = 0
        self._busy(False)
        self._forget_plan("Read a feed first: Import writes what it shows")
        if isinstance(exc, oruk_feed.Cancelled):
            self.status.setText("Stopped reading. Nothing was imported.")
        else:
            self.status.setText("The feed could not be read.")
            self._say(_words(exc), "error")
        return True

    def stop(self) -> None:
        """Stop reading at once: the reading's answers are no longer wanted."""
        if not self._reading:
            return
        if self.cancel is not None:
            self.cancel.cancel()
        self._reading = 0
        self._busy(False)
        self.status.setText("Stopped reading. Nothing was imported.")
        self.read_button.setFocus()

    def _busy(self, reading: bool) -> None:
        self.read_button.setEnabled(not reading)
        self.browse_button.setEnabled(not reading)
        self.stop_button.setEnabled(reading)
        if reading:
            self.progress.setRange(0, 0)  # moving until the pages are known
            self.stop_button.setFocus()
        else:
            self.progress.setRange(0, 1)
            self.progress.setValue(1 if self.feed is not None else 0)

    # -- importing ---------------------------------------------------------------------
    def import_(self) -> None:
        if self.feed is None or self.plan is None or not self.plan.writes or self._importing:
            return
        feed = self.feed
        self._importing = True
        self.import_button.setEnabled(False)
        self.read_button.setEnabled(False)
        self._say("Importing…", "note")
        self.tasks.run(lambda s: oruk.apply(s, feed), self._imported, self._not_imported)

    def _imported(self, done: oruk.Plan) -> None:
        self._importing = False
        self.read_button.setEnabled(True)
        self._forget_plan("Imported: read the feed again to import it again")
        self.read_button.setDefault(False)
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self._say(done.done_words(), "success")

    def _not_imported(self, exc: BaseException) -> bool:
        self._importing = False
        self.read_button.setEnabled(True)
        self.import_button.setEnabled(True)
        self._say("Nothing was imported: " + _words(exc), "error")
        return True

    def _say(self, text: str, kind: str = "note") -> None:
        self.message.setText(text)
        if kind == "note":
            style.note(self.message)
        else:
            style.message(self.message, kind)

    def done(self, result: int) -> None:
        self._stop_reading()
        super().done(result)

    def eventFilter(self, watched, event) -> bool:
        """The desk's window closing: a reading still under way stops at once (the
        worker waits for its lanes at closing, and a silent server for its timeout)."""
        if watched is self.parent() and event.type() in (QEvent.Type.Close,
                                                         QEvent.Type.Hide):
            self._stop_reading()
        return False

    def _stop_reading(self) -> None:
        if self._reading and self.cancel is not None:
            self.cancel.cancel()
        self._reading = 0


def _words(exc: BaseException) -> str:
    if isinstance(exc, oruk_feed.FeedError):
        return str(exc)
    return environment_problem(exc) or (f"Something went wrong ({type(exc).__name__}) "
                                        "and has been logged.")
