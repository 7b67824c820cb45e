"""The referral letter in the app: a preview of the real PDF, then Print or Save as PDF.

Opened from the person's page for the referral chosen in their history. It opens at
once and says it is preparing the letter; what the letter says is read on the database
lane (``services.letter``) and the PDF drawn on the worker's lane for slow work, as the
take-home sheet's preview does (both are ``ui.pdf_preview.PdfPreview``). Without the
person's consent to share with the partner it says so, in words, and neither shows,
prints nor saves anything; consent is checked again just before a print or a save.
Giving the letter (printed or saved) is recorded on the referral, with who did it, and
in the audit log.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import Signal

from lr_desk.services import letter
from lr_desk.services.consent import ConsentNeeded
from lr_desk.services.validation import ValidationError
from lr_desk.sheets.letter import render_letter
from lr_desk.ui.pdf_preview import PdfPreview
from lr_desk.ui.tasks import Tasks

SIZE_KEY = "letter_preview/size"
LEAVES_THE_DESK = ("A saved letter leaves the desk's protected (encrypted) store: anyone "
                   "who can open the file can read it. Send it to the partner securely, "
                   "and delete it when it is no longer needed.")
NOTHING_MADE = "Nothing was printed or saved."


class LetterPreview(PdfPreview):
    """A preview of the real PDF, with Print and Save as PDF. The page scrolls inside;
    the buttons sit below it, always on screen, and the dialog opens no larger than the
    screen has room for, at the size it was last left at on this desk. Enter prints."""

    NOUN, THING, TITLE = "letter", "the referral letter", "Referral letter"
    SIZE_KEY, LEAVES_THE_DESK = SIZE_KEY, LEAVES_THE_DESK
    KEEP_SAFE = "Keep the saved letter safe"

    refused = Signal(str)  # no consent to share with the partner: why, in words

    def __init__(self, tasks: Tasks, referral_id: str, advisor_id: str, parent=None):
        super().__init__(tasks, advisor_id, parent)
        self.referral_id = referral_id
        self.data: letter.LetterData | None = None

    def render(self) -> None:
        """Read what the letter says (the database lane), then draw it aside."""
        ref_id = self.referral_id
        self._make(lambda s: letter.letter_data(s, ref_id), render_letter)

    def _ready_text(self, pages: int) -> str:
        return (f"Ready to print: {pages} page{'s' if pages != 1 else ''}, for "
                f"{self.data.partner}, with what {self.data.name} agreed to share.")

    def _plain(self, exc: BaseException) -> str:
        if isinstance(exc, ValidationError):  # no consent to share, an erased person
            return " ".join(exc.errors.values())
        if isinstance(exc, LookupError):  # removed, here or on another desk
            return "This referral is no longer here."
        return super()._plain(exc)

    def _failed(self, exc: BaseException) -> bool:
        """The letter could not be made (no consent to share, most likely): nothing to
        print or save. A refusal (no consent, an erased person, a referral gone) is this
        preview's to say; anything else the desk reports too."""
        if self._closed_already:
            return True
        expected = isinstance(exc, ValidationError | LookupError)
        self._busy(False, f"{self._plain(exc)} {NOTHING_MADE}" if expected else
                   f"The letter could not be made: {self._plain(exc)}", "error")
        self._off()
        if isinstance(exc, ConsentNeeded):
            self.refused.emit(self._plain(exc))
        return expected

    def _off(self) -> None:
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.print_button.setToolTip("Nothing to print: see the message above")
        self.save_button.setToolTip("Nothing to save: see the message above")
        self.print_button.setDefault(False)
        self.close_button.setDefault(True)  # Enter closes: there is nothing else to do
        self.close_button.setFocus()

    # -- giving it: consent is checked again first (it may have been withdrawn, here or
    # on another desk, since the preview opened) -----------------------------------
    def _check(self):
        ref_id = self.referral_id
        return lambda s: letter.require_consent(s, ref_id)

    def _record(self, how: str):
        ref_id, advisor = self.referral_id, self.advisor_id
        return lambda s: letter.record_letter_given(s, ref_id, advisor, how)

    def _refusal(self, exc: BaseException) -> bool:
        if isinstance(exc, ValidationError | LookupError):
            self._failed(exc)
            return True
        return False

    def suggested_name(self) -> str:
        data = self.data
        who = data.full_name if data else "referral"
        to = data.partner if data else ""
        safe = " - ".join(p for p in (re.sub(r"[^\w\- ]", "", w).strip() for w in (who, to))
                          if p) or "referral"
        return f"Referral letter - {safe} - {date.today():%d %b %Y}"
