"""The next step of something open on a person's record: a referral's next status (only
forward ones offered; "Correct a mistake" for any other, recorded as a correction; a
decline's reason from the list), a chase of a partner that has not replied, or a
follow-up done (what happened, from a short list, plus words, the person's view of
each referral that started, and the wellbeing questions if they answer them: saved with
it). Opened from the person's page and from Today."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from lr_desk.services import followups, referral_views, referrals
from lr_desk.services.validation import MAX_TEXT, check_all
from lr_desk.store.models import DECLINE_REASONS, REFERRAL_STATUSES
from lr_desk.ui import style
from lr_desk.ui.consent import offer_consent
from lr_desk.ui.forms import EditorDialog, Fields, check, combo, line_edit, text_edit
from lr_desk.ui.person_steps_views import ViewsBox
from lr_desk.ui.wellbeing_section import WellbeingSection

WHAT_HAPPENED = "Choose what happened…"
WHY_DECLINED = "Choose why…"
CHASE_TIP = (f"Records the chase in the referral's history; its reply is then due in "
             f"{referrals.CHASE_DAYS} days")
DRAFT_KEYS = {"referral": "referral-step", "follow_up": "follow-up-done", "chase": "chase"}


class StepDialog(EditorDialog):
    """A small form for the next step of a referral (``what="referral"``), a chase of its
    partner (``what="chase"``), or the outcome of a follow-up (``what="follow_up"``).
    Like every form on the desk it keeps a draft, checks as you type, saves with Ctrl+S
    (and Enter in a one-line field) and asks before dropping unsaved work."""

    def __init__(self, tasks, title: str, what: str, row_id: str, advisor_id: str,
                 parent=None, current_status: str = "", autosave_seconds: int = 5,
                 about: str = "", status: str = ""):
        super().__init__(tasks, f"{DRAFT_KEYS[what]}:{row_id}", title, autosave_seconds,
                         parent)
        self.what, self.row_id, self.advisor_id = what, row_id, advisor_id
        self.current_status = current_status
        self.f = Fields(self.mark_dirty)
        self.views: ViewsBox | None = None
        self.wellbeing: WellbeingSection | None = None
        self.form = form = QFormLayout()
        layout = QVBoxLayout(self)
        if about:
            heading = style.heading(QLabel(about), "subheading")
            heading.setWordWrap(True)
            layout.addWidget(heading)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        if what == "referral":
            first = self._referral_fields(form, status)
        elif what == "chase":
            note = line_edit("Note of the chase", "Who you spoke to or wrote to, and how")
            note.setMaxLength(MAX_TEXT)
            self.f.add(form, "note", "&Note (who, how)", note)
            self.save_button.setToolTip(f"Save (Ctrl+S). {CHASE_TIP}.")
            first = "note"
            self.setMinimumWidth(480)
        else:
            result = combo("What happened", followups.OUTCOMES, blank=WHAT_HAPPENED)
            result.setToolTip("No answer, try again: it stays open, due the next day")
            self.f.add(form, "result", "&What happened", result)
            words = line_edit("Outcome of the follow-up", "What was said, what happens next")
            words.setMaxLength(MAX_TEXT)
            self.f.add(form, "outcome", "&Outcome (their words, what next)", words)
            self.views = ViewsBox(self.mark_dirty)
            layout.addWidget(self.views)
            self.wellbeing = WellbeingSection()
            self.wellbeing.changed.connect(self.mark_dirty)
            layout.addWidget(self.wellbeing, 1)
            first = "result"
            self.setMinimumWidth(560)
            # which of their referrals to ask about (before any draft is looked for)
            tasks.run(lambda s: referral_views.to_ask(s, row_id), self._asked)
        self.f.touched.clear()  # the starting values are not the advisor's typing
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout.addWidget(self.buttons)
        self.ready()
        self.f.widgets[first].setFocus()

    # -- a referral's step or correction ------------------------------------------------
    def _referral_fields(self, form: QFormLayout, status: str) -> str:
        self.f.add(form, "status", "New &status", combo("New status", {}))
        self.status_label = self.f.labels["status"]
        correct = check("Correct a &mistake (any status, saying what was wrong)",
                        "Correct a mistake")
        correct.setToolTip("A step only moves forward. To put right a mistake, set the "
                           "right status here: it is kept in the referral's history as a "
                           "correction, with your words")
        self.f.add(form, "correct", "", correct)
        self.f.add(form, "reason_code", "&Why declined",
                   combo("Why declined", DECLINE_REASONS, blank=WHY_DECLINED))
        self.f.add(form, "reason", "&Reason", text_edit("Reason"))
        self.reason_label = self.f.labels["reason"]
        self.f.add(form, "note", "&Note (partner's feedback)", text_edit("Note"))
        correct.toggled.connect(self._mode)
        self.f.widgets["status"].currentIndexChanged.connect(self._shown_rows)
        self._mode(False)
        if status:  # opened for a given step (Today's Mark not taken up)
            self._choose_status(status)
        self.setMinimumWidth(480)
        return "status"

    def _mode(self, correcting: bool) -> None:
        """The statuses on offer: the next steps (and where it is now, to add a note), or
        for a correction every other one."""
        box = self.f.widgets["status"]
        chosen = box.currentData()
        current = self.current_status
        box.blockSignals(True)
        box.clear()
        if correcting:
            for code, label in REFERRAL_STATUSES.items():
                if code != current:
                    box.addItem(label, code)
        else:
            if current:
                box.addItem(f"{referrals.status_words(current)} (no change: add a note)",
                            current)
            for code in referrals.next_steps(current) if current else REFERRAL_STATUSES:
                box.addItem(REFERRAL_STATUSES[code], code)
        box.blockSignals(False)
        self._choose_status(chosen)
        self.status_label.setText("Right &status" if correcting else "New &status")
        box.setAccessibleName("Right status" if correcting else "New status")
        self._shown_rows()

    def _choose_status(self, code: str) -> None:
        box = self.f.widgets["status"]
        box.setCurrentIndex(max(0, box.findData(code)))

    def _shown_rows(self, *_args) -> None:
        """Why declined only for a decline; the reason's words for a decline or a
        correction (what was wrong)."""
        correcting = self.f.widgets["correct"].isChecked()
        declined = self.f.widgets["status"].currentData() == "declined"
        self.f.show_row("reason_code", declined)
        self.f.show_row("reason", declined or correcting)
        self.reason_label.setText("What was w&rong" if correcting else
                                  "&Reason in words")
        self.f.widgets["reason"].setAccessibleName(
            "What was wrong" if correcting else "Reason in words")
        self.f.widgets["reason"].setPlaceholderText(
            "What the mistake was" if correcting else "Needed when the reason is Other")

    # -- a follow-up's views ------------------------------------------------------------
    def _asked(self, asked: list) -> None:
        if self.views is not None:
            self.views.set_referrals(asked)
            self.views.chain(self.f.widgets["outcome"], self.wellbeing.button)

    # -- the form ------------------------------------------------------------------------
    def collect(self) -> dict:
        payload = self.f.values()
        if self.views is not None:
            payload["views"] = self.views.values()
            payload["wellbeing"] = self.wellbeing.values()
        return payload

    def restore(self, payload: dict) -> None:
        if "correct" in self.f.widgets:  # first: it says which statuses are on offer
            self.f.load({"correct": payload.get("correct", False)})
        self.f.load({k: v for k, v in payload.items() if k not in ("views", "correct")})
        if self.views is not None:
            self.views.load(payload.get("views") or {})
            self.wellbeing.set_values(payload.get("wellbeing"))

    def validate(self, payload: dict) -> None:
        """The rules of services.referrals / followups, as you type."""
        p = payload.get
        if self.what == "referral":
            if p("correct"):
                referrals.validate_correction(self.current_status, p("status", ""),
                                              p("reason", ""), p("reason_code", ""),
                                              p("note", ""))
            else:
                referrals.validate_step(self.current_status, p("status", ""),
                                        p("reason_code", ""), p("reason", ""), p("note", ""))
        elif self.what == "chase":
            referrals.validate_chase(p("note", ""))
        else:
            check_all(lambda: followups.validate(p("result", ""), p("outcome", "")),
                      lambda: referral_views.validate_views(p("views") or {}),
                      lambda: followups.check_measures(p("result", ""), p("wellbeing")))

    def show_errors(self, errors: dict[str, str], only_touched: bool) -> None:
        super().show_errors(errors, only_touched)
        if self.views is not None:
            self.views.show_errors(errors, only_touched)
            self.wellbeing.show_errors(errors)

    def focus_error(self, errors: dict[str, str]) -> None:
        if any(k in self.f.widgets for k in errors) or self.views is None:
            super().focus_error(errors)
        elif any(k.startswith("views.") for k in errors):
            self.views.focus_error(errors)
        else:
            self.wellbeing.focus_error(errors)

    def submit(self, payload: dict) -> None:
        rid, adv, p = self.row_id, self.advisor_id, payload.get
        if self.what == "referral":
            status, code, reason, note = p("status"), p("reason_code"), p("reason"), p("note")
            if p("correct"):
                def fn(s):
                    return referrals.correct(s, rid, status, adv, reason, code, note)
            else:
                def fn(s):
                    return referrals.set_status(s, rid, status, adv, code, reason, note)
        elif self.what == "chase":
            note = p("note", "")

            def fn(s):
                return referrals.chase(s, rid, adv, note)
        else:
            result, words, views = p("result", ""), p("outcome", ""), p("views") or {}
            measures = p("wellbeing")

            def fn(s):  # the outcome, their views and the wellbeing answers: one save
                fu = referral_views.record_follow_up(s, rid, adv, result, words, views)
                followups.record_measures(s, fu, adv, result, measures)
                return fu
        self.tasks.run(fn, self.saved_ok, self.save_failed)

    def save_failed(self, exc: BaseException) -> bool:
        offer_consent(self, exc, self.advisor_id)  # Sent held back: offer to record consent
        return super().save_failed(exc)


def open_step(owner: QWidget, tasks, title: str, what: str, row_id: str, advisor_id: str,
              status: str = "", autosave_seconds: int | None = None,
              about: str = "", step: str = "") -> StepDialog:
    """Open a step's form on ``owner`` (``status``: where the referral is now; ``step``:
    the step to start on); if it is open already, bring that one forward instead (two
    forms on one draft would overwrite each other's typing)."""
    for open_one in owner.findChildren(StepDialog):
        if open_one.what == what and open_one.row_id == row_id and open_one.isVisible():
            open_one.raise_()
            open_one.activateWindow()
            return open_one
    seconds = autosave_seconds
    if seconds is None:  # the desk's setting, as its other forms have it
        seconds = getattr(getattr(owner.window(), "desk", None), "autosave_seconds", None)
    dialog = StepDialog(tasks, title, what, row_id, advisor_id, owner,
                        current_status=status, autosave_seconds=seconds or 5, about=about,
                        status=step)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)  # as QDialog.open() does
    dialog.start()
    dialog.activateWindow()
    return dialog
