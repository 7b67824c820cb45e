"""The forms the desk opens over its pages: one per record, brought forward if open
already, and asked about (keep or discard) before the desk closes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt

if TYPE_CHECKING:
    from lr_desk.ui.dropin import DropInDialog
    from lr_desk.ui.forms import EditorDialog
    from lr_desk.ui.people import PersonDialog


class FormsMixin:
    """Mixed into MainWindow: needs its ``tasks``, ``desk``, ``editors`` and pages."""

    def _editor(self, dialog: EditorDialog) -> EditorDialog:
        open_already = next((d for d in self.editors if d.draft_key == dialog.draft_key
                             and d.isVisible()), None)
        if open_already is not None:  # one form per record: bring it forward
            dialog.deleteLater()
            open_already.raise_()
            open_already.activateWindow()
            return open_already
        self.editors.append(dialog)
        dialog.finished.connect(lambda _r, d=dialog: self.editors.remove(d)
                                if d in self.editors else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.start()
        return dialog

    def new_person(self, initial: dict, draft_key: str | None = None) -> PersonDialog | None:
        from lr_desk.ui.people import PersonDialog

        if self.store is None:
            return None  # still opening: Ctrl+N is not available yet
        dialog = PersonDialog(self.tasks, self.desk.advisor_id, self.desk.site_code,
                              initial=initial, autosave_seconds=self.desk.autosave_seconds,
                              parent=self, draft_key=draft_key)
        dialog.saved.connect(self._person_saved)
        dialog.open_existing.connect(self.open_person)
        return self._editor(dialog)

    def edit_person(self, person) -> PersonDialog:
        from lr_desk.ui.people import PersonDialog

        dialog = PersonDialog(self.tasks, self.desk.advisor_id, self.desk.site_code,
                              person=person, autosave_seconds=self.desk.autosave_seconds,
                              parent=self)
        dialog.saved.connect(self._person_saved)
        return self._editor(dialog)

    def _person_saved(self, person) -> None:
        """The saved person's page comes forward (the pages showing them hear of the
        save from the desk's announcement, as search does)."""
        self.open_person(person.id)

    def record_drop_in(self, person) -> DropInDialog:
        from lr_desk.ui.dropin import DropInDialog

        dialog = DropInDialog(self.tasks, self.desk, person, parent=self)
        return self._editor(dialog)

    def open_editors(self) -> list[EditorDialog]:
        """Every form open on the desk: people and drop-ins, the directory's editors, and
        the referral and follow-up steps on person pages."""
        from lr_desk.ui.forms import EditorDialog

        directory = getattr(self, "directory", None)
        steps = [d for i in range(self.tabs.count())
                 for d in self.tabs.widget(i).findChildren(EditorDialog)
                 if getattr(self.tabs.widget(i), "person_id", None)]
        return [*self.editors, *(directory.dialogs.values() if directory else ()), *steps]

    def closeEvent(self, event) -> None:
        waiting = [*self.hidden_forms, *(d for forms in self.parked.values() for d in forms)]
        for dialog in waiting:  # hidden while locked, or kept for someone who moved over
            if shiboken6.isValid(dialog) and hasattr(dialog, "put_away"):
                dialog.put_away()
        for dialog in self.open_editors():
            if dialog.isVisible() and dialog.dirty:
                dialog.raise_()
                if not dialog.confirm_discard():
                    event.ignore()
                    return
                dialog.dirty = False
                dialog.reject()
        self.save_state()  # its size and place, for next time
        event.accept()


