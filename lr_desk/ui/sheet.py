"""The take-home sheet in the app: a preview of the real PDF, then Print or Save as PDF.

The preview (``ui.pdf_preview``: the referral letter's too) opens at once and says it is
preparing the sheet; what the sheet says is read on the database lane and the PDF is
drawn, printed or copied on the worker's lane for slow work, so the desk never waits for
reportlab or the printer. A large-print switch draws it again. Giving the sheet (printed
or saved) is recorded on the prescription, with who did it, and in the audit log. Saving
says, in the save dialog itself, that the file is a copy outside the desk's protection.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtWidgets import QCheckBox

from lr_desk.services import sheet
from lr_desk.sheets.render import render_bytes
from lr_desk.ui.pdf_preview import PdfPreview
from lr_desk.ui.tasks import Tasks

SIZE_KEY = "sheet_preview/size"
LEAVES_THE_DESK = ("A saved sheet leaves the desk's protected (encrypted) store: anyone "
                   "who can open the file can read it. Keep it somewhere safe, and delete "
                   "it when it is no longer needed.")


class SheetPreview(PdfPreview):
    """A preview of the real PDF, with Print, Save as PDF and a large-print switch.

    The page scrolls inside the preview; the buttons sit below it, always on screen, and
    the dialog opens no larger than the screen has room for (1366x768 and 1280x720
    included), at the size it was last left at on this desk. Enter prints."""

    NOUN, THING, TITLE = "sheet", "the sheet", "Take-home sheet"
    SIZE_KEY, LEAVES_THE_DESK = SIZE_KEY, LEAVES_THE_DESK
    KEEP_SAFE = "Keep the saved sheet safe"

    def __init__(self, tasks: Tasks, prescription_id: str, advisor_id: str, parent=None):
        self.prescription_id = prescription_id
        self._renders = 0
        self.large_print = QCheckBox("&Large print")
        self.large_print.setAccessibleName("Large print")
        self.large_print.setToolTip("Bigger text (16 point and up), for people who ask for it")
        super().__init__(tasks, advisor_id, parent, extras=(self.large_print,))
        self.data: sheet.SheetData | None = None
        self.large_print.toggled.connect(lambda on: self.render(large_print=on))

    def render(self, large_print: bool | None = None) -> None:
        """Make the sheet; ``None``: large print if the person's needs say so."""
        self._renders += 1
        rx_id = self.prescription_id
        self._make(lambda s: sheet.sheet_data(s, rx_id),
                   lambda data: render_bytes(data, large_print=large_print))

    def _show(self, result) -> None:
        if self._renders == 1 and not self._closed_already:
            # the first time, the switch shows the person's own needs
            self.large_print.blockSignals(True)
            self.large_print.setChecked(result[0].large_print)
            self.large_print.blockSignals(False)
        super()._show(result)

    def _ready_text(self, pages: int) -> str:
        return (f"Ready to print: {pages} page{'s' if pages != 1 else ''}"
                f"{' in large print' if self.large_print.isChecked() else ''}.")

    def _record(self, how: str):
        rx_id, advisor = self.prescription_id, self.advisor_id
        return lambda s: sheet.record_sheet_given(s, rx_id, advisor, how)

    def suggested_name(self) -> str:
        who = self.data.preferred_name if self.data else "visitor"
        safe = re.sub(r"[^\w\- ]", "", who).strip() or "visitor"
        return f"Your plan - {safe} - {date.today():%d %b %Y}"
