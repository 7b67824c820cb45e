"""Choosing who is at the desk (a local profile), or adding a new advisor.
Password sign-in will replace the choosing part; the rest of the app only needs the id."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
)

from lr_desk import settings
from lr_desk.services import advisors
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import Advisor, Site
from lr_desk.ui.forms import Fields, combo, line_edit
from lr_desk.ui.tasks import Tasks

NEW = "__new__"


class AdvisorDialog(QDialog):
    """Pick an advisor profile and where this desk is; or add a profile.

    It can appear while someone is already typing into the search box behind it, so for a
    moment it takes no keys: a half-typed name must not pick another advisor, or press
    Start, by accident."""

    SETTLE_MS = 600

    def __init__(self, tasks: Tasks, existing: list[Advisor], sites: list[Site],
                 current_id: str = "", current_site: str = "", parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.chosen: tuple[str, str] | None = None
        self.setWindowTitle("Who is at the desk?")
        self.setAccessibleName("Who is at the desk?")
        self.f = Fields(self._changed)
        form = QFormLayout()
        choices = {a.id: a.name for a in existing}
        choices[NEW] = "Someone new…"
        self.f.add(form, "advisor", "&Advisor", combo("Advisor", choices))
        self.f.add(form, "name", "&Name", line_edit("New advisor's name"))
        self.f.add(form, "home_site", "&Home hub",
                   combo("Home hub", {s.code: s.name for s in sites}))
        self.f.add(form, "site_code", "This desk is &at",
                   combo("This desk is at", {s.code: s.name for s in sites}))
        if current_id:
            self.f.load({"advisor": current_id})
        if current_site:
            self.f.load({"site_code": current_site, "home_site": current_site})
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        ok = self.start_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Start")
        ok.setAccessibleName("Start")
        ok.setDefault(True)  # Enter starts, once the dialog takes keys
        buttons.accepted.connect(self.save)
        note = QLabel("Choose your profile. Everything you record is attributed to you.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._changed("advisor")
        self.body = [*self.f.widgets.values(), ok]
        if self.SETTLE_MS:
            for w in self.body:
                w.setEnabled(False)
            QTimer.singleShot(self.SETTLE_MS, self._settled)

    def _settled(self) -> None:
        for w in self.body:
            w.setEnabled(True)
        self._changed("advisor")
        self.f.widgets["advisor"].setFocus()

    def _changed(self, key: str) -> None:
        new = self.f.widgets["advisor"].currentData() == NEW
        self.f.widgets["name"].setEnabled(new)
        self.f.widgets["home_site"].setEnabled(new)

    def save(self) -> None:
        if not self.start_button.isEnabled():
            return  # already on its way: a second press must not add the advisor twice
        self.start_button.setEnabled(False)
        v = self.f.values()
        site = v["site_code"]

        def fn(s):
            advisor_id = v["advisor"]
            if advisor_id == NEW:
                advisor_id = advisors.create(s, v["name"], v["home_site"]).id
            settings.put(s, "advisor_id", advisor_id)
            settings.put(s, "site_code", site)
            return advisor_id

        self.tasks.run(fn, self._done, self._failed)

    def _done(self, advisor_id: str) -> None:
        self.chosen = (advisor_id, self.f.values()["site_code"])
        self.accept()

    def _failed(self, exc) -> bool:
        from lr_desk.ui.tasks import environment_problem

        self.start_button.setEnabled(True)
        plain = environment_problem(exc)
        if plain:  # the desk's own error reporting isn't connected yet at start
            self.f.show_errors({"advisor": plain}, only_touched=False)
            return True
        if isinstance(exc, ValidationError):
            errors = {("name" if k == "name" else k): v for k, v in exc.errors.items()}
            self.f.show_errors(errors, only_touched=False)
            self.f.focus_first_error(errors)
            return True
        return False
