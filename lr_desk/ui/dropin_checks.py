"""The drop-in's eligibility and capacity checks: the person's checker (services.eligibility)
is built off the UI thread when the form opens, and again whenever a service, a
referral, a partner's contacts or the person change; the picker marks each service with
it, and the item chosen shows what it says, with similar services to swap to."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt

from lr_desk.services import eligibility

WATCHED = ("partner_service", "partner", "partner_contact", "referral", "referral_event",
           "person")


class Checks(QObject):
    """The checks of one drop-in (``dialog``: a DropInDialog, with ``picker``, ``panel``
    and ``items``)."""

    def __init__(self, dialog):
        super().__init__(dialog)
        self.dialog = dialog
        self.checker: eligibility.Checker | None = None
        dialog.panel.swap.connect(self.swap)

    def load(self) -> None:
        person_id, today = self.dialog.person.id, self.dialog.today
        self.dialog.tasks.run(lambda s: eligibility.prepare(s, person_id, today),
                              self._loaded)

    def _loaded(self, checker: eligibility.Checker) -> None:
        self.checker = checker
        self.dialog.picker.set_checker(checker)
        self.show()

    def on_changed(self, changed) -> None:
        if changed.touches(*WATCHED):
            self.load()

    def _raw(self) -> dict:
        row = self.dialog._current()
        return row.data(Qt.ItemDataRole.UserRole) if row is not None else {}

    def show(self) -> None:
        """Say, at the item chosen, what the checks say of its service."""
        raw = self._raw()
        service_id = raw.get("service_id") if raw.get("kind") != "course" else None
        if self.checker is None or not service_id:
            self.dialog.panel.show_checks(None, [])
            return
        picker = self.dialog.picker
        similar = [(sid, picker.choice_of(sid).title)
                   for sid in self.checker.similar(service_id) if picker.choice_of(sid)]
        self.dialog.panel.show_checks(self.checker.check(service_id), similar)

    def swap(self, service_id: str) -> None:
        """Choose a similar service instead of the item's, keeping their words and the
        referral as they are."""
        row, choice = self.dialog._current(), self.dialog.picker.choice_of(service_id)
        if row is None or choice is None:
            return
        raw = {**row.data(Qt.ItemDataRole.UserRole), "kind": choice.kind,
               "title": choice.title, "service_id": choice.id, "course_id": "",
               "where_when": choice.line, "override_reason": "", "consent": False}
        row.setData(raw, Qt.ItemDataRole.UserRole)
        row.setText(self.dialog._label(raw))
        row.setToolTip(raw["where_when"])
        self.dialog._item_selected(self.dialog.items_view.currentIndex())
        self.dialog.mark_dirty()
        self.dialog.panel.f.widgets["referral"].setFocus(Qt.FocusReason.OtherFocusReason)
