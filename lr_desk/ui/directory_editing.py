"""The directory page's editors: one per record (asking again brings the open one
forward), and what the page shows once one is saved (the row chosen, a message). A part
of DirectoryPage (lr_desk.ui.directory), which has the lists and the selection."""

from __future__ import annotations

from collections.abc import Callable

from lr_desk.store.models import Partner
from lr_desk.ui.directory_editors import CourseDialog, PartnerDialog
from lr_desk.ui.directory_service_form import ServiceDialog
from lr_desk.ui.forms import EditorDialog


class DirectoryEditing:
    """Add partner, Add service, Add course, Edit, Edit partner: DirectoryPage's actions
    (it gives tasks, desk, partners, dialogs, the selection, _say, reload and changed)."""

    def add_partner(self) -> PartnerDialog:
        return self._open("partner:new", lambda: PartnerDialog(self.tasks, self.desk,
                                                              parent=self))

    def add_service(self) -> ServiceDialog:
        entry = self.selected_entry()  # a partner just saved is selected, so it is offered
        partner_id = entry.partner.id if entry else self._saved_partner_id
        return self._open("service:new", lambda: ServiceDialog(
            self.tasks, self.desk, self.partners, partner_id=partner_id, parent=self))

    def add_course(self) -> CourseDialog:
        return self._open("course:new", lambda: CourseDialog(self.tasks, self.desk,
                                                            parent=self))

    def edit(self) -> EditorDialog | None:
        """Edit the selected row of the list last used: a service (or a partner with no
        services yet), or a course."""
        if self._active is self.courses_table:
            course = self.selected_course()
            if course is not None:
                return self._open(f"course:{course.id}", lambda: CourseDialog(
                    self.tasks, self.desk, course, parent=self))
        else:
            entry = self.selected_entry()
            if entry is not None and entry.service is None:
                return self._edit_partner(entry.partner)
            if entry is not None:
                service = entry.service
                return self._open(f"service:{service.id}", lambda: ServiceDialog(
                    self.tasks, self.desk, self.partners, service, parent=self))
        self._say("Choose a service or a course in one of the lists first, then Edit.")
        return None

    def edit_partner(self) -> PartnerDialog | None:
        entry = self.selected_entry()
        if entry is None:
            self._say("Choose one of the partner's services in the list first, "
                      "then Edit partner.")
            return None
        return self._edit_partner(entry.partner)

    def _edit_partner(self, partner: Partner) -> PartnerDialog:
        return self._open(f"partner:{partner.id}", lambda: PartnerDialog(
            self.tasks, self.desk, partner, parent=self))

    def _open(self, key: str, make: Callable[[], EditorDialog]) -> EditorDialog:
        """One editor per record: asking again brings the open one forward."""
        dialog = self.dialogs.get(key)
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog = make()
        self.dialogs[key] = dialog
        dialog.saved.connect(lambda result, key=key: self._saved(key, result))
        dialog.finished.connect(lambda _code, key=key, d=dialog: self._closed(key, d))
        dialog.start()
        return dialog

    def _closed(self, key: str, dialog: EditorDialog) -> None:
        if self.dialogs.get(key) is dialog:
            del self.dialogs[key]
        dialog.deleteLater()

    def _saved(self, key: str, result) -> None:
        kind = key.split(":", 1)[0]
        if kind == "partner":
            pid = result.id
            self._select = ("services", lambda e: e.partner.id == pid)
            self._saved_partner_id = pid  # offered by Add service even if the filter hides it
            self._message = (f"Saved {result.name}." + (" Add its services with Add service."
                                                       if key.endswith(":new") else ""))
        elif kind == "service":
            sid = result.id
            self._select = ("services", lambda e: e.service is not None and e.service.id == sid)
            self._message = f"Saved {result.name}."
        else:
            cid = result.id
            self._select = ("courses", lambda c: c.id == cid)
            self._message = f"Saved {result.title}."
        self.reload()
        self.changed.emit()
