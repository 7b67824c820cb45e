"""The next step of something open on a person's record: a referral's new status, or a
follow-up done (what happened, from a short list, plus words). Opened from the person's
page and from Today."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from lr_desk.services import followups, referrals
from lr_desk.services.validation import MAX_TEXT
from lr_desk.store.models import REFERRAL_STATUSES
from lr_desk.ui import style
from lr_desk.ui.consent import offer_consent
from lr_desk.ui.forms import EditorDialog, Fields, combo, line_edit, set_combo, text_edit

WHAT_HAPPENED = "Choose what happened…"


class StepDialog(EditorDialog):
    """A small form for the next step of a referral (``what="referral"``), or the outcome
    of a follow-up (``what="follow_up"``). Like every form on the desk it keeps a draft,
    checks as you type, saves with Ctrl+S (and, in a follow-up's one-line words, Enter)
    and asks before dropping unsaved work."""

    def __init__(self, tasks, title: str, what: str, row_id: str, advisor_id: str,
                 parent=None, current_status: str = "", autosave_seconds: int = 5,
                 about: str = ""):
        key = f"referral-step:{row_id}" if what == "referral" else f"follow-up-done:{row_id}"
        super().__init__(tasks, key, title, autosave_seconds, parent)
        self.what, self.row_id, self.advisor_id = what, row_id, advisor_id
        self.current_status = current_status
        self.f = Fields(self.mark_dirty)
        form = QFormLayout()
        if what == "referral":
            self.f.add(form, "status", "New &status", combo("New status", REFERRAL_STATUSES))
            self.f.add(form, "reason", "&Reason (if declined)", text_edit("Reason declined"))
            self.f.add(form, "note", "&Note (partner's feedback, their view)",
                       text_edit("Note"))
            # start from where the referral is now, so a careless Save never moves it back
            set_combo(self.f.widgets["status"], current_status)
            first = "status"
        else:
            result = combo("What happened", followups.OUTCOMES, blank=WHAT_HAPPENED)
            result.setToolTip("No answer, try again: it stays open, due the next day")
            self.f.add(form, "result", "&What happened", result)
            words = line_edit("Outcome of the follow-up", "What was said, what happens next")
            words.setMaxLength(MAX_TEXT)
            self.f.add(form, "outcome", "&Outcome (their words, what next)", words)
            first = "result"
            self.setMinimumWidth(460)
        self.f.touched.clear()  # the starting values are not the advisor's typing
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.save_button.setDefault(True)  # Enter saves (in a field; Tab to Cancel for it)
        layout = QVBoxLayout(self)
        if about:
            heading = style.heading(QLabel(about), "subheading")
            heading.setWordWrap(True)
            layout.addWidget(heading)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.ready()
        self.f.widgets[first].setFocus()

    def validate(self, payload: dict) -> None:
        """The rules of dropin.set_referral_status / followups.record_outcome, as you type."""
        if self.what == "referral":
            referrals.validate_step(self.current_status, payload.get("status", ""), "",
                                    payload.get("reason", ""), payload.get("note", ""))
        else:
            followups.validate(payload.get("result", ""), payload.get("outcome", ""))

    def submit(self, payload: dict) -> None:
        rid, adv = self.row_id, self.advisor_id
        if self.what == "referral":
            status, reason, note = payload["status"], payload["reason"], payload["note"]

            def fn(s):
                return referrals.set_status(s, rid, status, adv, "", reason, note)
        else:
            result, words = payload.get("result", ""), payload.get("outcome", "")

            def fn(s):
                return followups.record_outcome(s, rid, adv, result, words)
        self.tasks.run(fn, self.saved_ok, self.save_failed)

    def save_failed(self, exc: BaseException) -> bool:
        offer_consent(self, exc, self.advisor_id)  # Sent held back: offer to record consent
        return super().save_failed(exc)


def open_step(owner: QWidget, tasks, title: str, what: str, row_id: str, advisor_id: str,
              status: str = "", autosave_seconds: int | None = None,
              about: str = "") -> StepDialog:
    """Open a step's form on ``owner``; if it is open already, bring that one forward
    instead (two forms on one draft would overwrite each other's typing)."""
    for open_one in owner.findChildren(StepDialog):
        if open_one.what == what and open_one.row_id == row_id and open_one.isVisible():
            open_one.raise_()
            open_one.activateWindow()
            return open_one
    seconds = autosave_seconds
    if seconds is None:  # the desk's setting, as its other forms have it
        seconds = getattr(getattr(owner.window(), "desk", None), "autosave_seconds", None)
    dialog = StepDialog(tasks, title, what, row_id, advisor_id, owner,
                        current_status=status, autosave_seconds=seconds or 5, about=about)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)  # as QDialog.open() does
    dialog.start()
    dialog.activateWindow()
    return dialog
