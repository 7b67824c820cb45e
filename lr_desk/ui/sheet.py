"""The take-home sheet in the app: a preview of the real PDF, then Print or Save as PDF.

The preview opens at once and says it is preparing the sheet; what the sheet says is
read on the database lane and the PDF is drawn, printed or copied on the worker's lane
for slow work, so the desk never waits for reportlab or the printer. Giving the sheet
(printed or saved) is recorded on the prescription, with who did it, and in the audit
log. Saving says, in the save dialog itself, that the file is a copy outside the desk's
protection.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date
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
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from lr_desk.services import sheet
from lr_desk.sheets.render import render_bytes, write_atomically
from lr_desk.ui import style
from lr_desk.ui.tasks import Tasks, environment_problem

PRINT_DPI = 300  # pages go to the printer as images: sharp text, modest memory
FIRST_SIZE = QSize(780, 940)  # a page's width; as tall as the screen allows
MIN_VIEW = QSize(320, 200)  # the page scrolls inside; the buttons stay on screen
TITLE_BAR = 30
SIZE_KEY = "sheet_preview/size"
LEAVES_THE_DESK = ("A saved sheet leaves the desk's protected (encrypted) store: anyone "
                   "who can open the file can read it. Keep it somewhere safe, and delete "
                   "it when it is no longer needed.")


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Print every page of a PDF on ``printer``; returns the number of pages. Safe off the
    UI thread (QPainter may paint on a QPrinter in any thread)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
        raise OSError("The sheet could not be read back for printing.")
    printer.setResolution(PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("The printer could not be started. Is it switched on and connected?")
    try:
        for page in range(document.pageCount()):
            if page and not printer.newPage():
                raise OSError("The printer stopped part-way through the sheet.")
            area = QRectF(painter.viewport())
            points = document.pagePointSize(page)
            scale = min(area.width() / points.width(), area.height() / points.height())
            size = QSize(round(points.width() * scale), round(points.height() * scale))
            image = document.render(page, size)
            painter.drawImage(QPointF(area.x(), area.y()), image)
    finally:
        painter.end()
    return document.pageCount()


def save_dialog(parent, start: Path) -> QFileDialog:
    """Where to save the sheet, with a word in the dialog itself on what a saved copy
    means. (Qt's own file dialog: the system's has no room for one.)"""
    dialog = QFileDialog(parent, "Save the sheet as PDF", str(start.parent),
                         "PDF files (*.pdf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("pdf")
    dialog.selectFile(start.name)
    dialog.setAccessibleName("Save the sheet as PDF")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    warning = QLabel(LEAVES_THE_DESK)
    warning.setObjectName("leaves_the_desk")
    warning.setAccessibleName("Keep the saved sheet safe")
    warning.setWordWrap(True)
    grid = dialog.layout()
    grid.addWidget(warning, grid.rowCount(), 0, 1, -1)
    return dialog


def opening_size(saved, room: QSize | None) -> QSize:
    """The size the preview opens at: the size it was last closed at on this desk (at
    first a page's width and as tall as the screen allows), never larger than the
    screen's ``room`` less a title bar."""
    size = saved if isinstance(saved, QSize) and saved.isValid() else FIRST_SIZE
    if room is not None:
        size = size.boundedTo(room - QSize(0, TITLE_BAR))
    return size


def _plain(exc: BaseException) -> str:
    return environment_problem(exc) or str(exc)


class SheetPreview(QDialog):
    """A preview of the real PDF, with Print, Save as PDF and a large-print switch.

    The page scrolls inside the preview; the buttons sit below it, always on screen, and
    the dialog opens no larger than the screen has room for (1366x768 and 1280x720
    included), at the size it was last left at on this desk. Enter prints."""

    rendered = Signal()  # a (new) PDF is on show
    given = Signal(str)  # "printed" or "saved", once recorded on the prescription

    def __init__(self, tasks: Tasks, prescription_id: str, advisor_id: str, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.prescription_id = prescription_id
        self.advisor_id = advisor_id
        self.data: sheet.SheetData | None = None
        self.pdf: bytes | None = None  # kept in memory: no copy of the sheet left on disk
        self._buffer: QBuffer | None = None
        self._renders = 0
        self._closed_already = False
        self.setWindowTitle("Take-home sheet")
        self.setAccessibleName("Take-home sheet preview")

        self.status = style.note(QLabel("Preparing the sheet…"))
        self.status.setAccessibleName("Sheet status")
        self.document = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setAccessibleName("Sheet preview")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setMinimumSize(MIN_VIEW)
        self.large_print = QCheckBox("&Large print")
        self.large_print.setAccessibleName("Large print")
        self.large_print.setToolTip("Bigger text (16 point and up), for people who ask for it")
        self.large_print.toggled.connect(lambda on: self.render(large_print=on))
        self.print_button = style.primary(QPushButton("&Print…"))
        self.print_button.setAccessibleName("Print the sheet")
        self.print_button.setToolTip("Print (Enter or Ctrl+P)")
        self.print_button.setIcon(style.icon("printer", None if style.high_contrast()
                                             else style.WHITE))
        self.print_button.clicked.connect(self.print_sheet)
        self.save_button = QPushButton("&Save as PDF…")
        self.save_button.setAccessibleName("Save the sheet as PDF")
        self.save_button.setIcon(style.icon("file-down"))
        self.save_button.clicked.connect(self.save_sheet)
        close = QPushButton("&Close")
        close.setObjectName("close")
        close.setAccessibleName("Close the preview")
        close.setToolTip("Close (Esc)")
        close.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.print_button.click)
        # Enter prints, whatever button Tab last passed over.
        for b in (self.print_button, self.save_button, close):
            b.setAutoDefault(False)
        self.print_button.setDefault(True)

        buttons = QHBoxLayout()
        buttons.setSpacing(style.SPACE["s"])
        buttons.addWidget(self.large_print)
        buttons.addStretch(1)
        for b in (self.print_button, self.save_button, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*[style.SPACE["l"]] * 4)
        layout.setSpacing(style.SPACE["s"])
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.setTabOrder(self.view, self.large_print)
        self.setTabOrder(self.large_print, self.print_button)
        self.setTabOrder(self.print_button, self.save_button)
        self.setTabOrder(self.save_button, close)
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
        size = opening_size(self._sizes().value(SIZE_KEY), room)
        self.resize(size.expandedTo(self.minimumSizeHint()))

    def _closed(self) -> None:
        # A print or save still under way has its own copy of the PDF (bytes in memory).
        self._closed_already = True
        self.document.close()
        sizes = self._sizes()
        sizes.setValue(SIZE_KEY, self.size())
        sizes.sync()
        with contextlib.suppress(OSError):
            Path(sizes.fileName()).chmod(0o600)  # owner-only, as all the desk writes

    # -- making the PDF -----------------------------------------------------------
    def render(self, large_print: bool | None = None) -> None:
        """Make the sheet; ``None``: large print if the person's needs say so. What it
        says is read on the database lane; the PDF is drawn aside, so a save never
        waits for reportlab."""
        self._busy(True, "Preparing the sheet…")
        self._renders += 1
        rx_id = self.prescription_id

        def draw(data) -> None:
            if self._closed_already:
                return
            self.tasks.run_aside(lambda: (data, render_bytes(data, large_print=large_print)),
                                 self._show, self._failed)

        self.tasks.run(lambda s: sheet.sheet_data(s, rx_id), draw, self._failed)

    def _show(self, result) -> None:
        if self._closed_already:
            return  # closed while it was being made: nothing to show
        self.data, self.pdf = result
        if self._renders == 1:  # the first time, the switch shows the person's own needs
            self.large_print.blockSignals(True)
            self.large_print.setChecked(self.data.large_print)
            self.large_print.blockSignals(False)
        buffer = QBuffer(self)
        buffer.setData(QByteArray(self.pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer
        pages = self.document.pageCount()
        self._busy(False, f"Ready to print: {pages} page{'s' if pages != 1 else ''}"
                          f"{' in large print' if self.large_print.isChecked() else ''}.")
        self.rendered.emit()

    def _failed(self, exc: BaseException) -> bool:
        """Making the sheet failed: nothing to print or save until it is made again."""
        if self._closed_already:
            return True
        self._busy(False, f"The sheet could not be made: {_plain(exc)}", "error")
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        return False  # the desk reports it too

    def _not_given(self, exc: BaseException) -> bool:
        """Printing or saving failed: the sheet is still here, so they can try again."""
        self._busy(False, f"That didn't work: {_plain(exc)} Nothing was recorded; "
                          "you can try again.", "error")
        return False

    def _busy(self, busy: bool, text: str | None = None, kind: str = "") -> None:
        if text:
            self.status.setText(text)
            if kind:
                style.message(self.status, kind)
            else:
                style.note(self.status)
        for w in (self.print_button, self.save_button, self.large_print):
            w.setEnabled(not busy)

    # -- giving it ----------------------------------------------------------------
    def print_sheet(self) -> None:
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
        """Send the sheet to a printer already chosen (the dialog's, or a test's)."""
        self._busy(True, "Printing…")
        pdf, record = self.pdf, self._recorder("printed")
        self.tasks.run_aside(lambda: print_pdf(pdf, printer), lambda _pages: record(None),
                             self._not_given)

    def save_sheet(self) -> QFileDialog | None:
        """Ask where to save (the sheet is saved once a file is chosen)."""
        if self.pdf is None:
            return None
        dialog = save_dialog(self, Path.home() / f"{self.suggested_name()}.pdf")
        dialog.fileSelected.connect(lambda chosen: self.save_to(Path(chosen)))
        dialog.open()
        return dialog

    def save_to(self, target: Path) -> None:
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        self._busy(True, "Saving…")
        pdf, record = self.pdf, self._recorder("saved")
        self.tasks.run_aside(lambda: write_atomically(pdf, target), record, self._not_given)

    def _recorder(self, how: str):
        """What to do once the sheet is printed or saved: record it on the prescription.
        A plain function, not a method of this preview, so the record is made even if the
        person's tab (and with it this preview) has been closed meanwhile; the preview is
        only told if it is still there."""
        tasks, rx_id, advisor = self.tasks, self.prescription_id, self.advisor_id
        preview = self

        def record(where: Path | None) -> None:
            def recorded(_stamp) -> None:
                if shiboken6.isValid(preview):
                    preview._busy(False, "Printed." if how == "printed" else
                                  f"Saved to {where}.", "success")
                    preview.given.emit(how)

            tasks.run(lambda s: sheet.record_sheet_given(s, rx_id, advisor, how), recorded)

        return record

    def suggested_name(self) -> str:
        who = self.data.preferred_name if self.data else "visitor"
        safe = re.sub(r"[^\w\- ]", "", who).strip() or "visitor"
        return f"Your plan - {safe} - {date.today():%d %b %Y}"
