"""The take-home sheet in the app: a preview of the real PDF, then Print or Save as PDF.

The preview (``ui.pdf_preview``: the referral letter's too) opens at once and says it is
preparing the sheet; what the sheet says is read on the database lane and the PDF is
drawn, printed or copied on the worker's lane for slow work, so the desk never waits for
reportlab or the printer. Giving the sheet (printed or saved) is recorded on the
prescription, with who did it, and in the audit log. Saving says, in the save dialog
itself, that the file is a copy outside the desk's protection.

Beside the buttons: the sheet's Language (English only, or English with a translation
beside it: ``sheets.catalogues``), Large print and Easy read, each drawing it again. They
start from the person's record: large print and easy read from their communication
needs; the language from their recorded language, but only when its translation has been
checked by a fluent speaker. A translation not yet checked is marked so in the list and
prints only when the advisor chooses it (the sheet then says it is unchecked).
"""

from __future__ import annotations

import re
from datetime import date

import shiboken6
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel

from lr_desk.services import sheet
from lr_desk.sheets import catalogues
from lr_desk.sheets.render import missing_letters, render_bytes
from lr_desk.ui import style
from lr_desk.ui.pdf_preview import PdfPreview
from lr_desk.ui.tasks import Tasks

SIZE_KEY = "sheet_preview/size"
LEAVES_THE_DESK = ("A saved sheet leaves the desk's protected (encrypted) store: anyone "
                   "who can open the file can read it. Keep it somewhere safe, and delete "
                   "it when it is no longer needed.")
ENGLISH_ONLY = "English only"


class SheetPreview(PdfPreview):
    """A preview of the real PDF, with Print, Save as PDF, the sheet's language and the
    large-print and easy-read switches.

    The page scrolls inside the preview; the buttons sit below it, always on screen, and
    the dialog opens no larger than the screen has room for (1366x768 and 1280x720
    included), at the size it was last left at on this desk. Enter prints."""

    NOUN, THING, TITLE = "sheet", "the sheet", "Take-home sheet"
    SIZE_KEY, LEAVES_THE_DESK = SIZE_KEY, LEAVES_THE_DESK
    KEEP_SAFE = "Keep the saved sheet safe"

    def __init__(self, tasks: Tasks, prescription_id: str, advisor_id: str, parent=None):
        self.prescription_id = prescription_id
        self._renders = 0
        self._settled = False  # the switches show the person's record (after the first)
        self.catalogues: list[catalogues.Catalogue] | None = None
        self.language = QComboBox()
        self.language.setAccessibleName("Sheet language")
        self.language.setToolTip("The sheet in English, or in English with a translation "
                                 "beside it. One marked (not yet checked) has not been "
                                 "checked by a fluent speaker.")
        self.language.addItem(ENGLISH_ONLY, "")
        self.language.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.language_label = QLabel("Lan&guage:")
        self.language_label.setBuddy(self.language)
        self.large_print = QCheckBox("&Large print")
        self.large_print.setAccessibleName("Large print")
        self.large_print.setToolTip("Bigger text (16 point and up), for people who ask for it")
        self.easy_read = QCheckBox("&Easy read")
        self.easy_read.setAccessibleName("Easy read")
        self.easy_read.setToolTip("Short lines with pictures, in large print, for people "
                                  "who ask for easy read")
        super().__init__(tasks, advisor_id, parent,
                         extras=(self.language, self.large_print, self.easy_read))
        # The sheet's switches on a row of their own above the buttons: beside them, the
        # dialog could not be narrowed below ~830 px without cutting the language's name.
        switches = QHBoxLayout()
        switches.setSpacing(style.SPACE["s"])
        main = self.layout()
        for i in range(main.count()):
            row = main.itemAt(i).layout()
            if isinstance(row, QHBoxLayout) and row.indexOf(self.language) >= 0:
                for w in (self.language, self.large_print, self.easy_read):
                    row.removeWidget(w)
                main.insertLayout(i, switches)
                break
        for w in (self.language_label, self.language, self.large_print, self.easy_read):
            switches.addWidget(w)
        switches.addStretch(1)
        self.data: sheet.SheetData | None = None
        self.large_print.toggled.connect(self._again)
        self.easy_read.toggled.connect(self._again)
        self.language.currentIndexChanged.connect(self._again)
        preview = self

        def listed(found: list[catalogues.Catalogue]) -> None:
            if shiboken6.isValid(preview) and not preview._closed_already:
                preview._languages(found)

        tasks.run_aside(catalogues.available, listed)

    # -- the switches ---------------------------------------------------------------
    def _languages(self, found: list[catalogues.Catalogue]) -> None:
        """The catalogues that can be used, into the list (on the UI thread)."""
        self.catalogues = found
        self.language.blockSignals(True)
        for catalogue in found:
            self.language.addItem(catalogue.label, catalogue.code)
        self.language.blockSignals(False)
        # wide enough for its longest name ("Kurdish Sorani (not yet checked)"), never cut
        self.language.setMinimumWidth(self.language.sizeHint().width())
        self._person_language()

    def _person_language(self) -> None:
        """Once both the list and the sheet's data are here, the list shows the person's
        language if its translation has been checked, else English only (as the first
        sheet was drawn: ``catalogues.for_sheet``)."""
        if self.catalogues is None or self.data is None:
            return
        found = catalogues.match(self.data.language, self.catalogues)
        code = found.code if found is not None and found.reviewed else ""
        self.language.blockSignals(True)
        self.language.setCurrentIndex(max(0, self.language.findData(code)))
        self.language.blockSignals(False)

    def chosen_language(self) -> catalogues.Catalogue | None:
        code = self.language.currentData() or ""
        return next((c for c in self.catalogues or () if c.code == code), None)

    def _again(self, *_args) -> None:
        if self._settled:
            self.render()

    def render(self) -> None:
        """Make the sheet: the first time as the person's record says, then as the
        switches say."""
        self._renders += 1
        rx_id = self.prescription_id
        large = easy = language = None
        if self._settled:
            large, easy = self.large_print.isChecked(), self.easy_read.isChecked()
            if self.catalogues is not None:
                language = self.language.currentData() or ""

        def draw(data: sheet.SheetData) -> bytes:
            return render_bytes(data, large_print=large, easy_read=easy, language=language)

        self._make(lambda s: sheet.sheet_data(s, rx_id), draw)

    def _show(self, result) -> None:
        if not self._settled and not self._closed_already:
            # the first time, the switches show the person's own needs and language
            data = result[0]
            for box, on in ((self.large_print, data.large_print),
                            (self.easy_read, data.easy_read)):
                box.blockSignals(True)
                box.setChecked(on)
                box.blockSignals(False)
            self.data = data
            self._person_language()
            self._settled = True
        super()._show(result)
        missing = missing_letters(result[0]) if not self._closed_already else ""
        if missing:  # never printed as boxes without a word
            self._busy(False, f"{self.status.text()} Some letters in the sheet cannot be "
                       f"printed and would show as empty boxes: {' '.join(missing)}. "
                       "Check how they are written in the record before printing.",
                       "warning")

    def _ready_text(self, pages: int) -> str:
        easy = self.easy_read.isChecked()
        how = [k for k, on in (("in easy read", easy),
                               ("in large print", self.large_print.isChecked() and not easy))
               if on]
        chosen = self.chosen_language()
        if chosen is not None and easy:
            how.append("in English only (easy read has no translations yet)")
        elif chosen is not None:
            how.append(f"in English and {chosen.name}"
                       f"{'' if chosen.reviewed else ' (translation not yet checked)'}")
        return (f"Ready to print: {pages} page{'s' if pages != 1 else ''}"
                f"{' ' + ', '.join(how) if how else ''}.")

    def _record(self, how: str):
        rx_id, advisor = self.prescription_id, self.advisor_id
        return lambda s: sheet.record_sheet_given(s, rx_id, advisor, how)

    def suggested_name(self) -> str:
        who = self.data.preferred_name if self.data else "visitor"
        safe = re.sub(r"[^\w\- ]", "", who).strip() or "visitor"
        return f"Your plan - {safe} - {date.today():%d %b %Y}"
