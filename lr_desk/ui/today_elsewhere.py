"""Refer elsewhere, from Today's "Awaiting reply": find another service (the drop-in's
picker, services only, each checked against the person's eligibility and the service's
load), and save: the referral is closed as not taken up (referred elsewhere) and a new
one to the chosen service is sent, in the same plan, with the person's consent to share
with its partner (offered in place when it is missing). Where the checks say not, a
reason to refer all the same is asked for and recorded, as at the drop-in."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout

from lr_desk.services import (
    choices,
    directory,
    eligibility,
    eligibility_override,
    reference,
    referrals,
)
from lr_desk.services.choices import Choice
from lr_desk.services.referrals_due import AwaitingRow
from lr_desk.services.validation import MAX_TEXT, ValidationError
from lr_desk.ui import style
from lr_desk.ui.consent import offer_consent
from lr_desk.ui.forms import EditorDialog, Fields, line_edit
from lr_desk.ui.picker import Picker

NOTHING_CHOSEN = "Nothing chosen yet: find a service above"


class ReferElsewhereDialog(EditorDialog):
    """``row``: the referral awaiting a reply. Keeps a draft, checks as you type, Enter
    in the search box picks the highlighted service, Enter elsewhere (or Ctrl+S) saves."""

    def __init__(self, tasks, row: AwaitingRow, advisor_id: str, about: str,
                 parent=None, autosave_seconds: int = 5):
        super().__init__(tasks, f"refer-elsewhere:{row.id}", "Refer elsewhere",
                         autosave_seconds, parent)
        self.row, self.advisor_id = row, advisor_id
        self.service_id = ""
        self.checker: eligibility.Checker | None = None
        self.names: dict[str, str] = {}  # service id -> "Partner (Service)"
        self.f = Fields(self.mark_dirty)
        heading = style.heading(QLabel(about), "subheading")
        heading.setWordWrap(True)
        self.picker = Picker(rows=5)
        self.picker.box.setAccessibleName("Find another service")
        self.picker.box.setPlaceholderText("Type a service, a partner or a need…")
        self.picker.chosen.connect(self.choose)
        find = QLabel("&Find another service (Enter picks it)")
        find.setBuddy(self.picker.box)
        form = QFormLayout()
        chosen = line_edit("Service to refer to", NOTHING_CHOSEN)
        chosen.setReadOnly(True)
        chosen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.f.add(form, "service", "Refer &to", chosen)
        self.checks = style.message(QLabel(), "warning")
        self.checks.setWordWrap(True)
        self.checks.setAccessibleName("What the checks say")
        self.checks.setVisible(False)
        form.addRow("", self.checks)
        why = line_edit("Reason to refer all the same", "Why refer them there all the same")
        why.setMaxLength(MAX_TEXT)
        self.f.add(form, "override_reason", "&Reason", why)
        self.form = form
        self.f.show_row("override_reason", False)
        note = line_edit("Note", "Why, and what was said")
        note.setMaxLength(MAX_TEXT)
        self.f.add(form, "note", "&Note", note)
        what = style.note(QLabel(
            "Saving closes this referral as not taken up (referred elsewhere) and sends the "
            "new one: they need to have agreed to share their information with its partner."))
        what.setWordWrap(True)
        self.save_button.setText("Refer elsewhere")
        self.save_button.setAccessibleName("Refer elsewhere")
        self.save_button.setToolTip("Close this referral and send the new one (Ctrl+S)")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.banner)
        layout.addWidget(find)
        layout.addWidget(self.picker)
        layout.addLayout(form)
        layout.addWidget(what)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.ready()
        self.picker.box.setFocus()
        today, person = date.today(), row.person_id
        # the directory's services (no courses: a referral is to a partner), each checked
        # for this person, once the form is open
        tasks.run(lambda s: (choices.build([], directory.services(s), reference.sites(s),
                                           today), eligibility.prepare(s, person, today)),
                  self._loaded)

    def _loaded(self, found) -> None:
        services = [c for c in found[0] if c.id != self.row.service_id]
        self.checker = found[1]
        self.names = {c.id: f"{c.provider} ({c.title})" for c in services}
        self.picker.set_choices(services)
        self.picker.set_checker(self.checker)
        if self.service_id:  # a draft restored before the directory came
            self.f.widgets["service"].setText(self.names.get(self.service_id, ""))
            self._checked()

    def _checked(self) -> None:
        """What the checks say of the chosen service; a reason asked where they say not."""
        verdict = self.checker.check(self.service_id) \
            if self.checker is not None and self.service_id else None
        words = verdict.words() if verdict is not None else ""
        self.checks.setText(words)
        self.checks.setVisible(bool(words))
        self.f.show_row("override_reason", bool(verdict is not None and verdict.blocking))

    def choose(self, choice) -> None:
        if not isinstance(choice, Choice):  # their own step: not a service to refer to
            self.show_notice("Choose a partner's service from the list to refer them to.")
            return
        self.service_id = choice.id
        self.f.widgets["service"].setText(f"{choice.provider} ({choice.title})")
        self._checked()
        self.show_notice("")
        if getattr(self, "consent_offer", None) is not None:
            self.consent_offer.offer({})
        why = self.f.widgets["override_reason"]  # asked where the checks say not
        (why if why.isVisibleTo(self) else self.f.widgets["note"]).setFocus()

    def collect(self) -> dict:
        return {"service_id": self.service_id, "note": self.f.widgets["note"].text(),
                "override_reason": self.f.widgets["override_reason"].text()}

    def restore(self, payload: dict) -> None:
        self.service_id = payload.get("service_id") or ""
        self.f.widgets["service"].setText(self.names.get(self.service_id, ""))
        self.f.widgets["note"].setText(payload.get("note") or "")
        self.f.widgets["override_reason"].setText(payload.get("override_reason") or "")
        self._checked()

    def validate(self, payload: dict) -> None:
        try:
            referrals.validate_elsewhere(payload.get("service_id", ""),
                                         payload.get("note", ""))
            errors = {}
        except ValidationError as exc:
            errors = dict(exc.errors)
        item = {"refer": True, "service_id": payload.get("service_id"),
                "override_reason": payload.get("override_reason", "")}
        if self.checker is not None and item["service_id"] and \
                eligibility_override.missing_reasons(self.checker, [item]):
            errors["override_reason"] = eligibility_override.ASK
        if errors:
            raise ValidationError(errors)

    def submit(self, payload: dict) -> None:
        rid, adv = self.row.id, self.advisor_id
        service, note, why = payload["service_id"], payload["note"], payload["override_reason"]
        self.tasks.run(lambda s: referrals.refer_elsewhere(s, rid, service, adv, note, why),
                       self.saved_ok, self.save_failed)

    def save_failed(self, exc: BaseException) -> bool:
        offer_consent(self, exc, self.advisor_id)  # not agreed to share: offer to record it
        return super().save_failed(exc)
