"""The referral letter in the app: a preview of the real PDF, then Print or Save as PDF.

Opened from the person's page for the referral chosen in their history. It opens at
once and says it is preparing the letter; what the letter says is read on the database
lane (``services.letter``) and the PDF drawn on the worker's lane for slow work, as the
take-home sheet's preview does (``ui.sheet``: its printing is reused). Without the
person's consent to share with the partner it says so, in words, and neither shows,
prints nor saves anything; consent is checked again just before a print or a save.
Giving the letter (printed or saved) is recorded on the referral, with who did it, and
in the audit log.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
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
)

from lr_desk.services import letter
from lr_desk.services.consent import ConsentNeeded
from lr_desk.services.validation import ValidationError
from lr_desk.sheets.letter import render_letter
from lr_desk.sheets.render import write_atomically
from lr_desk.ui import style
from lr_desk.ui.sheet import MIN_VIEW, opening_size, print_pdf
from lr_desk.ui.tasks import Tasks, environment_problem

SIZE_KEY = "letter_preview/size"
LEAVES_THE_DESK = ("A saved letter leaves the desk's protected (encrypted) store: anyone "
                   "who can open the file can read it. Send it to the partner securely, "
                   "and delete it when it is no longer needed.")
NOTHING_MADE = "Nothing was printed or saved."


def save_dialog(parent, start: Path) -> QFileDialog:
    """Where to save the letter, with a word in the dialog itself on what a saved copy
    means. (Qt's own file dialog: the system's has no room for one.)"""
    dialog = QFileDialog(parent, "Save the referral letter as PDF", str(start.parent),
                         "PDF files (*.pdf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("pdf")
    dialog.selectFile(start.name)
    dialog.setAccessibleName("Save the referral letter as PDF")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    warning = QLabel(LEAVES_THE_DESK)
    warning.setObjectName("leaves_the_desk")
    warning.setAccessibleName("Keep the saved letter safe")
    warning.setWordWrap(True)
    grid = dialog.layout()
    grid.addWidget(warning, grid.rowCount(), 0, 1, -1)
    return dialog


def _plain(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):  # no consent to share, an erased person
        return " ".join(exc.errors.values())
    if isinstance(exc, LookupError):  # removed, here or on another desk
        return "This referral is no longer here."
    return environment_problem(exc) or str(exc)


class LetterPreview(QDialog):
    """A preview of the real PDF, with Print and Save as PDF. The page scrolls inside;
    the buttons sit below it, always on screen, and the dialog opens no larger than the
    screen has room for, at the size it was last left at on this desk. Enter prints."""

    rendered = Signal()  # the PDF is on show
    refused = Signal(str)  # no consent to share with the partner: why, in words
    given = Signal(str)  # "printed" or "saved", once recorded on the referral

    def __init__(self, tasks: Tasks, referral_id: str, advisor_id: str, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.referral_id = referral_id
        self.advisor_id = advisor_id
        self.data: letter.LetterData | None = None
        self.pdf: bytes | None = None  # kept in memory: no copy left on disk
        self._buffer: QBuffer | None = None
        self._closed_already = False
        self.setWindowTitle("Referral letter")
        self.setAccessibleName("Referral letter preview")

        self.status = style.note(QLabel("Preparing the letter…"))
        self.status.setAccessibleName("Letter status")
        self.status.setWordWrap(True)
        self.document = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setAccessibleName("Letter preview")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setMinimumSize(MIN_VIEW)
        self.print_button = style.primary(QPushButton("&Print…"))
        self.print_button.setAccessibleName("Print the referral letter")
        self.print_button.setToolTip("Print (Enter or Ctrl+P)")
        self.print_button.setIcon(style.icon("printer", None if style.high_contrast()
                                             else style.WHITE))
        self.print_button.clicked.connect(self.print_letter)
        self.save_button = QPushButton("&Save as PDF…")
        self.save_button.setAccessibleName("Save the referral letter as PDF")
        self.save_button.setIcon(style.icon("file-down"))
        self.save_button.clicked.connect(self.save_letter)
        self.close_button = close = QPushButton("&Close")
        close.setObjectName("close")
        close.setAccessibleName("Close the preview")
        close.setToolTip("Close (Esc)")
        close.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.print_button.click)
        for b in (self.print_button, self.save_button, close):
            b.setAutoDefault(False)
        self.print_button.setDefault(True)  # Enter prints

        buttons = QHBoxLayout()
        buttons.setSpacing(style.SPACE["s"])
        buttons.addStretch(1)
        for b in (self.print_button, self.save_button, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*[style.SPACE["l"]] * 4)
        layout.setSpacing(style.SPACE["s"])
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.setTabOrder(self.view, self.print_button)
        self.setTabOrder(self.print_button, self.save_button)
        self.setTabOrder(self.save_button, close)
        self._busy(True)
        self._first_size()
        self.finished.connect(self._closed)

    # -- size, remembered (in the profile's forms.ini, as the sheet's) ---------------
    def _sizes(self) -> QSettings:
        return QSettings(str(self.tasks.store.path.parent / "forms.ini"),
                         QSettings.Format.IniFormat)

    def _first_size(self) -> None:
        screen = self.screen()
        room = screen.availableGeometry().size() if screen is not None else None
        size = opening_size(self._sizes().value(SIZE_KEY), room)
        self.resize(size.expandedTo(self.minimumSizeHint()))

    def _closed(self) -> None:
        self._closed_already = True
        self.document.close()
        sizes = self._sizes()
        sizes.setValue(SIZE_KEY, self.size())
        sizes.sync()
        with contextlib.suppress(OSError):
            Path(sizes.fileName()).chmod(0o600)  # owner-only, as all the desk writes

    # -- making the PDF -----------------------------------------------------------
    def render(self) -> None:
        """Read what the letter says (the database lane), then draw it aside."""
        self._busy(True, "Preparing the letter…")
        ref_id = self.referral_id

        def draw(data) -> None:
            if not self._closed_already:
                self.tasks.run_aside(lambda: (data, render_letter(data)), self._show,
                                     self._failed)

        self.tasks.run(lambda s: letter.letter_data(s, ref_id), draw, self._failed)

    def _show(self, result) -> None:
        if self._closed_already:
            return
        self.data, self.pdf = result
        buffer = QBuffer(self)
        buffer.setData(QByteArray(self.pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer
        pages = self.document.pageCount()
        self._busy(False, f"Ready to print: {pages} page{'s' if pages != 1 else ''}, for "
                          f"{self.data.partner}, with what {self.data.name} agreed to share.")
        self.rendered.emit()

    def _failed(self, exc: BaseException) -> bool:
        """The letter could not be made (no consent to share, most likely): nothing to
        print or save. A refusal (no consent, an erased person, a referral gone) is this
        preview's to say; anything else the desk reports too."""
        if self._closed_already:
            return True
        expected = isinstance(exc, ValidationError | LookupError)
        self._busy(False, f"{_plain(exc)} {NOTHING_MADE}" if expected else
                   f"The letter could not be made: {_plain(exc)}", "error")
        self._off()
        if isinstance(exc, ConsentNeeded):
            self.refused.emit(_plain(exc))
        return expected

    def _off(self) -> None:
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.print_button.setToolTip("Nothing to print: see the message above")
        self.save_button.setToolTip("Nothing to save: see the message above")
        self.print_button.setDefault(False)
        self.close_button.setDefault(True)  # Enter closes: there is nothing else to do
        self.close_button.setFocus()

    def _busy(self, busy: bool, text: str | None = None, kind: str = "") -> None:
        if text:
            self.status.setText(text)
            if kind:
                style.message(self.status, kind)
            else:
                style.note(self.status)
        for w in (self.print_button, self.save_button):
            w.setEnabled(not busy)

    # -- giving it ----------------------------------------------------------------
    def print_letter(self) -> None:
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
        """Send the letter to a printer already chosen (the dialog's, or a test's)."""
        pdf = self.pdf
        self._give("printed", "Printing…", lambda: print_pdf(pdf, printer))

    def save_letter(self) -> QFileDialog | None:
        """Ask where to save (the letter is saved once a file is chosen)."""
        if self.pdf is None:
            return None
        dialog = save_dialog(self, Path.home() / f"{self.suggested_name()}.pdf")
        dialog.fileSelected.connect(lambda chosen: self.save_to(Path(chosen)))
        dialog.open()
        return dialog

    def save_to(self, target: Path) -> None:
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        pdf = self.pdf
        self._give("saved", "Saving…", lambda: write_atomically(pdf, target))

    def _give(self, how: str, doing: str, work) -> None:
        """Check consent is still in force (it may have been withdrawn, here or on
        another desk, since the preview opened), then print or save aside, then record
        it. Plain functions, not methods of this preview: the record is made even if the
        preview has been closed meanwhile; the preview is told only if still there."""
        self._busy(True, doing)
        tasks, ref_id, advisor, preview = self.tasks, self.referral_id, self.advisor_id, self

        def tell(text: str, kind: str) -> None:
            if shiboken6.isValid(preview) and not preview._closed_already:
                preview._busy(False, text, kind)

        def refused(exc: BaseException) -> bool:
            if isinstance(exc, ValidationError | LookupError) and \
                    shiboken6.isValid(preview):
                preview._failed(exc)
                return True
            tell(f"That didn't work: {_plain(exc)} Nothing was recorded; you can try "
                 "again.", "error")
            return False

        def recorded(_stamp, where) -> None:
            tell("Printed." if how == "printed" else f"Saved to {where}.", "success")
            if shiboken6.isValid(preview):
                preview.given.emit(how)

        def done(where) -> None:
            tasks.run(lambda s: letter.record_letter_given(s, ref_id, advisor, how),
                      lambda stamp: recorded(stamp, where), refused)

        tasks.run(lambda s: letter.require_consent(s, ref_id),
                  lambda _row: tasks.run_aside(work, done, refused), refused)

    def suggested_name(self) -> str:
        data = self.data
        who = data.full_name if data else "referral"
        to = data.partner if data else ""
        safe = " - ".join(p for p in (re.sub(r"[^\w\- ]", "", w).strip() for w in (who, to))
                          if p) or "referral"
        return f"Referral letter - {safe} - {date.today():%d %b %Y}"
