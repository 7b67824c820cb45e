"""Refer elsewhere, from Today's "Awaiting reply": find another service (the drop-in's
picker, services only), and save: the referral is closed as not taken up (referred
elsewhere) and a new one to the chosen service is sent, in the same plan, with the
person's consent to share with its partner (offered in place when it is missing)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout

from lr_desk.services import choices, directory, reference, referrals
from lr_desk.services.choices import Choice
from lr_desk.services.referrals_due import AwaitingRow
from lr_desk.services.validation import MAX_TEXT
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
        today = date.today()
        # the directory's services (no courses: a referral is to a partner), once open
        tasks.run(lambda s: choices.build([], directory.services(s), reference.sites(s),
                                          today), self._loaded)

    def _loaded(self, found: list[Choice]) -> None:
        services = [c for c in found if c.id != self.row.service_id]
        self.names = {c.id: f"{c.provider} ({c.title})" for c in services}
        self.picker.set_choices(services)
        if self.service_id:  # a draft restored before the directory came
            self.f.widgets["service"].setText(self.names.get(self.service_id, ""))

    def choose(self, choice) -> None:
        if not isinstance(choice, Choice):  # their own step: not a service to refer to
            self.show_notice("Choose a partner's service from the list to refer them to.")
            return
        self.service_id = choice.id
        self.f.widgets["service"].setText(f"{choice.provider} ({choice.title})")
        self.show_notice("")
        if getattr(self, "consent_offer", None) is not None:
            self.consent_offer.offer({})
        self.f.widgets["note"].setFocus()

    def collect(self) -> dict:
        return {"service_id": self.service_id, "note": self.f.widgets["note"].text()}

    def restore(self, payload: dict) -> None:
        self.service_id = payload.get("service_id") or ""
        self.f.widgets["service"].setText(self.names.get(self.service_id, ""))
        self.f.widgets["note"].setText(payload.get("note") or "")

    def validate(self, payload: dict) -> None:
        referrals.validate_elsewhere(payload.get("service_id", ""), payload.get("note", ""))

    def submit(self, payload: dict) -> None:
        rid, adv = self.row.id, self.advisor_id
        service, note = payload["service_id"], payload["note"]
        self.tasks.run(lambda s: referrals.refer_elsewhere(s, rid, service, adv, note),
                       self.saved_ok, self.save_failed)

    def save_failed(self, exc: BaseException) -> bool:
        offer_consent(self, exc, self.advisor_id)  # not agreed to share: offer to record it
        return super().save_failed(exc)
