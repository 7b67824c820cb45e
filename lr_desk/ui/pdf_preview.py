"""A preview of a real PDF the desk hands out, then Print or Save as PDF: the one base of
the take-home sheet's preview (``ui.sheet``) and the referral letter's (``ui.letter``).

The preview opens at once and says it is preparing the document; what it says is read
on the database lane and the PDF drawn on the worker's lane for slow work, so the desk
never waits for reportlab or the printer. The page scrolls inside the preview; the
buttons sit below it, always on screen, and the dialog opens no larger than the screen
has room for (1366x768 and 1280x720 included), at the size it was last left at on this
desk (the profile's forms.ini). Enter prints (Ctrl+P too); Esc closes. Giving the
document (printed or saved) is recorded by the subclass's ``_record`` once it is done,
even if the preview has been closed meanwhile. Saving says, in the save dialog itself,
that the file is a copy outside the desk's protection.

A subclass names what it shows (``NOUN``, ``THING``, ``SIZE_KEY``, ``LEAVES_THE_DESK``...)
and gives ``render``, ``_ready_text``, ``_record`` and ``suggested_name``; it may check
before giving (``_check``) and say a refusal its own way (``_refusal``).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QPointF,
    QRectF,
    QSettings,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.sheets.render import write_atomically
from lr_desk.ui import style
from lr_desk.ui.pdf_words import PageOrWords
from lr_desk.ui.tasks import Tasks, environment_problem

PRINT_DPI = 300  # pages go to the printer as images: sharp text, modest memory
FIRST_SIZE = QSize(780, 940)  # a page's width; as tall as the screen allows
MIN_VIEW = QSize(320, 200)  # the page scrolls inside; the buttons stay on screen
TITLE_BAR = 30


def print_pdf(pdf: bytes, printer: QPrinter, noun: str = "sheet") -> int:
    """Print every page of a PDF on ``printer``; returns the number of pages. Safe off the
    UI thread (QPainter may paint on a QPrinter in any thread)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
        raise OSError(f"The {noun} could not be read back for printing.")
    printer.setResolution(PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("The printer could not be started. Is it switched on and connected?")
    try:
        for page in range(document.pageCount()):
            if page and not printer.newPage():
                raise OSError(f"The printer stopped part-way through the {noun}.")
            area = QRectF(painter.viewport())
            points = document.pagePointSize(page)
            scale = min(area.width() / points.width(), area.height() / points.height())
            size = QSize(round(points.width() * scale), round(points.height() * scale))
            image = document.render(page, size)
            painter.drawImage(QPointF(area.x(), area.y()), image)
    finally:
        painter.end()
    return document.pageCount()


def save_dialog(parent, start: Path, title: str, warning: str, warning_name: str
                ) -> QFileDialog:
    """Where to save, with a word in the dialog itself on what a saved copy means (Qt's
    own file dialog: the system's has no room for one)."""
    dialog = QFileDialog(parent, title, str(start.parent), "PDF files (*.pdf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("pdf")
    dialog.selectFile(start.name)
    dialog.setAccessibleName(title)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    label = QLabel(warning)
    label.setObjectName("leaves_the_desk")
    label.setAccessibleName(warning_name)
    label.setWordWrap(True)
    grid = dialog.layout()
    grid.addWidget(label, grid.rowCount(), 0, 1, -1)
    return dialog


def opening_size(saved, room: QSize | None) -> QSize:
    """The size the preview opens at: the size it was last closed at on this desk (at
    first a page's width and as tall as the screen allows), never larger than the
    screen's ``room`` less a title bar."""
    size = saved if isinstance(saved, QSize) and saved.isValid() else FIRST_SIZE
    if room is not None:
        size = size.boundedTo(room - QSize(0, TITLE_BAR))
    return size


class PdfPreview(QDialog):
    """A preview of the real PDF, with Print, Save as PDF and Close (and a subclass's
    ``extras`` at the left of the buttons)."""

    NOUN = "document"  # "The sheet could not be made", "Preparing the sheet…"
    THING = "the document"  # "Print the sheet", "Save the sheet as PDF"
    TITLE = "Document"
    SIZE_KEY = "pdf_preview/size"
    LEAVES_THE_DESK = ""
    KEEP_SAFE = "Keep the saved document safe"

    rendered = Signal()  # a (new) PDF is on show
    given = Signal(str)  # "printed" or "saved", once recorded

    def __init__(self, tasks: Tasks, advisor_id: str, parent=None,
                 extras: tuple[QWidget, ...] = ()):
        super().__init__(parent)
        self.tasks = tasks
        self.advisor_id = advisor_id
        self.data = None
        self.pdf: bytes | None = None  # kept in memory: no copy left on disk
        self._buffer: QBuffer | None = None
        self._closed_already = False
        noun = self.NOUN.capitalize()
        self.setWindowTitle(self.TITLE)
        self.setAccessibleName(f"{self.TITLE} preview")

        self.status = style.note(QLabel(f"Preparing the {self.NOUN}…"))
        self.status.setAccessibleName(f"{noun} status")
        self.status.setWordWrap(True)
        self.document = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setAccessibleName(f"{noun} preview")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setMinimumSize(MIN_VIEW)
        # a picture, no Tab stop (a screen reader has nothing in it to read): the keyboard
        # reads the words instead (Show the words), and the wheel scrolls the page
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # the page is a picture: its words, one key away, for a screen reader
        self.page = PageOrWords(self.view, self.NOUN)
        self.words, self.words_button = self.page.words, self.page.button
        self.print_button = style.primary(QPushButton("&Print…"))
        self.print_button.setAccessibleName(f"Print {self.THING}")
        self.print_button.setToolTip("Print (Enter or Ctrl+P)")
        self.print_button.setIcon(style.icon("printer", None if style.high_contrast()
                                             else style.WHITE))
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QPushButton("&Save as PDF…")
        self.save_button.setAccessibleName(f"Save {self.THING} as PDF")
        self.save_button.setIcon(style.icon("file-down"))
        self.save_button.clicked.connect(self.save_document)
        self.close_button = close = QPushButton("&Close")
        close.setObjectName("close")
        close.setAccessibleName("Close the preview")
        close.setToolTip("Close (Esc)")
        close.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.print_button.click)
        # Enter prints, whatever button Tab last passed over.
        for b in (self.print_button, self.save_button, close):
            b.setAutoDefault(False)
        self.print_button.setDefault(True)
        self._switches = (self.print_button, self.save_button, self.words_button, *extras)

        buttons = QHBoxLayout()
        buttons.setSpacing(style.SPACE["s"])
        for w in extras:
            buttons.addWidget(w)
        buttons.addStretch(1)
        for b in (self.print_button, self.save_button, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*[style.SPACE["l"]] * 4)
        layout.setSpacing(style.SPACE["s"])
        top = QHBoxLayout()  # (the switch first: the status is no caption of the words)
        top.addWidget(self.words_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.status, 1)
        layout.addLayout(top)
        layout.addWidget(self.page, 1)
        layout.addLayout(buttons)
        order = (self.words_button, self.words, *extras, self.print_button,
                 self.save_button, close)
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self._busy(True)
        self._first_size()
        self.finished.connect(self._closed)

    # -- size, remembered -----------------------------------------------------------
    def _sizes(self) -> QSettings:
        """Where the size is kept: the profile's forms.ini (the forms' sizes are there)."""
        return QSettings(str(self.tasks.store.path.parent / "forms.ini"),
                         QSettings.Format.IniFormat)

    def _first_size(self) -> None:
        screen = self.screen()
        room = screen.availableGeometry().size() if screen is not None else None
        size = opening_size(self._sizes().value(self.SIZE_KEY), room)
        self.resize(size.expandedTo(self.minimumSizeHint()))

    def _closed(self) -> None:
        # A print or save still under way has its own copy of the PDF (bytes in memory).
        self._closed_already = True
        self.document.close()
        sizes = self._sizes()
        sizes.setValue(self.SIZE_KEY, self.size())
        sizes.sync()
        with contextlib.suppress(OSError):
            Path(sizes.fileName()).chmod(0o600)  # owner-only, as all the desk writes

    # -- making the PDF -----------------------------------------------------------
    def _make(self, read: Callable, draw: Callable) -> None:
        """Read what the document says on the database lane (``read(session)``), then
        draw it aside (``draw(data) -> bytes``), so a save never waits for reportlab."""
        self._busy(True, f"Preparing the {self.NOUN}…")

        def drawn(data) -> None:
            if not self._closed_already:
                self.tasks.run_aside(lambda: (data, draw(data)), self._show, self._failed)

        self.tasks.run(read, drawn, self._failed)

    def _show(self, result) -> None:
        if self._closed_already:
            return  # closed while it was being made: nothing to show
        self.data, self.pdf = result
        buffer = QBuffer(self)
        buffer.setData(QByteArray(self.pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer
        self.page.read(self.document)
        self._busy(False, self._ready_text(self.document.pageCount()))
        self.rendered.emit()

    def _ready_text(self, pages: int) -> str:
        return f"Ready to print: {pages} page{'s' if pages != 1 else ''}."

    def _plain(self, exc: BaseException) -> str:
        return environment_problem(exc) or str(exc)

    def _failed(self, exc: BaseException) -> bool:
        """Making the document failed: nothing to print or save until it is made again."""
        if self._closed_already:
            return True
        self._busy(False, f"The {self.NOUN} could not be made: {self._plain(exc)}", "error")
        self.words.setPlainText(self.status.text())
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        return False  # the desk reports it too

    def _busy(self, busy: bool, text: str | None = None, kind: str = "") -> None:
        if text:
            self.status.setText(text)
            if kind:
                style.message(self.status, kind)
            else:
                style.note(self.status)
        for w in self._switches:
            w.setEnabled(not busy)

    # -- giving it ----------------------------------------------------------------
    def print_document(self) -> None:
        if self.pdf is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.suggested_name())
        dialog = QPrintDialog(printer, self)
        dialog.setAccessibleName("Print")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Send the PDF to a printer already chosen (the dialog's, or a test's)."""
        pdf, noun = self.pdf, self.NOUN
        self._give("printed", "Printing…", lambda: print_pdf(pdf, printer, noun))

    def save_document(self) -> QFileDialog | None:
        """Ask where to save (it is saved once a file is chosen)."""
        if self.pdf is None:
            return None
        dialog = save_dialog(self, Path.home() / f"{self.suggested_name()}.pdf",
                             f"Save {self.THING} as PDF", self.LEAVES_THE_DESK,
                             self.KEEP_SAFE)
        dialog.fileSelected.connect(lambda chosen: self.save_to(Path(chosen)))
        dialog.open()
        return dialog

    def save_to(self, target: Path) -> None:
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        pdf = self.pdf
        self._give("saved", "Saving…", lambda: write_atomically(pdf, target))

    def _check(self) -> Callable | None:
        """What to check on the database lane just before printing or saving (a function
        of the session that raises to refuse), or None."""
        return None

    def _record(self, how: str) -> Callable:
        """The record that it was given: a function of the session (a plain function,
        holding no reference to this preview)."""
        raise NotImplementedError

    def _refusal(self, exc: BaseException) -> bool:
        """Say a refusal (from ``_check`` or ``_record``) the subclass's own way; True
        when said (the desk need not report it)."""
        return False

    def _give(self, how: str, doing: str, work: Callable) -> None:
        """Check (if the subclass does), then print or save aside, then record it. Plain
        functions, not methods of this preview: the record is made even if the preview
        (or the person's tab) has been closed meanwhile; the preview is told only if
        still there."""
        self._busy(True, doing)
        tasks, preview = self.tasks, self
        check, record = self._check(), self._record(how)

        def tell(text: str, kind: str) -> None:
            if shiboken6.isValid(preview) and not preview._closed_already:
                preview._busy(False, text, kind)

        def not_given(exc: BaseException) -> bool:
            if shiboken6.isValid(preview) and preview._refusal(exc):
                return True
            plain = preview._plain(exc) if shiboken6.isValid(preview) else str(exc)
            tell(f"That didn't work: {plain} Nothing was recorded; you can try again.",
                 "error")
            return False  # the desk reports it too

        def recorded(where) -> None:
            tell("Printed." if how == "printed" else f"Saved to {where}.", "success")
            if shiboken6.isValid(preview):
                preview.given.emit(how)

        def done(where) -> None:
            tasks.run(record, lambda _stamp: recorded(where), not_given)

        if check is None:
            tasks.run_aside(work, done, not_given)
        else:
            tasks.run(check, lambda _row: tasks.run_aside(work, done, not_given), not_given)

    def suggested_name(self) -> str:
        raise NotImplementedError
