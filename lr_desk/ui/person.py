"""A person's page: their details, communication needs and timeline, and the actions
of a drop-in (record it, update a referral, close a follow-up)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import desk as desk_service
from lr_desk.services import dropin
from lr_desk.services.desk import PersonView, TimelineEntry
from lr_desk.store.models import REFERRAL_SOURCES, REFERRAL_STATUSES
from lr_desk.ui import erase as erase_ui
from lr_desk.ui.consent import ConsentSection, offer_consent
from lr_desk.ui.forms import EditorDialog, Fields, combo, set_combo, text_edit
from lr_desk.ui.models import RowsModel
from lr_desk.ui.people import age
from lr_desk.ui.review import ask_undo_merge, merges_for
from lr_desk.ui.tasks import Tasks


class TimelineModel(RowsModel):
    """The person's history, newest first; what is still open is in bold."""

    def __init__(self, parent=None):
        super().__init__([
            ("When", lambda e: e.when.strftime("%d %b %Y")),
            ("What", lambda e: e.title),
            ("Details", lambda e: e.detail),
        ], parent)

    @property
    def entries(self) -> list[TimelineEntry]:
        return self.rows

    def set_entries(self, entries: list[TimelineEntry]) -> None:
        self.set_rows(entries)

    def extra(self, row: TimelineEntry, column: int, role):
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.detail
        if role == Qt.ItemDataRole.FontRole and row.open:
            font = QFont()
            font.setBold(True)
            return font
        return None


class PersonPage(QWidget):
    """Opened in its own tab. ``reload()`` fetches the person on the database worker."""

    record_drop_in = Signal(object)  # the Person
    edit_details = Signal(object)
    changed = Signal()
    loaded = Signal()
    sheet_opened = Signal(object)  # the SheetPreview
    people_changed = Signal(object)  # list[Person]: a merge into this person was undone

    def __init__(self, tasks: Tasks, person_id: str, advisor_id: str, parent=None,
                 autosave_seconds: int | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.person_id = person_id
        self.advisor_id = advisor_id
        self.autosave_seconds = autosave_seconds  # for the step forms' drafts; see _step
        self.view: PersonView | None = None
        self.merges: list = []  # merges into this person that can be undone (review.MergeRow)
        self.setAccessibleName("Person")

        self.heading = QLabel("Loading…")
        font = self.heading.font()
        font.setPointSize(font.pointSize() + 6)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setAccessibleName("Person's name")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard |
                                             Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("Person's details")
        self.comms = QLabel()
        self.comms.setWordWrap(True)
        self.comms.setAccessibleName("Communication needs")

        self.dropin_button = QPushButton("Record a &drop-in")
        self.dropin_button.setAccessibleName("Record a drop-in")
        self.dropin_button.setToolTip("Conversation, prescription, referrals, follow-up (Ctrl+D)")
        self.edit_button = QPushButton("&Edit details")
        self.edit_button.setAccessibleName("Edit details")
        self.referral_button = QPushButton("Update &referral")
        self.referral_button.setAccessibleName("Update the selected referral")
        self.follow_up_button = QPushButton("Follow-up do&ne")
        self.follow_up_button.setAccessibleName("Mark the selected follow-up done")
        self.sheet_button = QPushButton("Print &sheet…")
        self.sheet_button.setAccessibleName("Print the take-home sheet")
        self.sheet_button.setToolTip("Preview, print or save the selected prescription's "
                                     "take-home sheet (Ctrl+P)")
        for b in (self.dropin_button, self.edit_button, self.referral_button,
                  self.follow_up_button, self.sheet_button):
            b.setEnabled(False)
        self.dropin_button.clicked.connect(lambda: self.view and
                                           self.record_drop_in.emit(self.view.person))
        self.edit_button.clicked.connect(lambda: self.view and
                                         self.edit_details.emit(self.view.person))
        self.referral_button.clicked.connect(self.update_referral)
        self.follow_up_button.clicked.connect(self.complete_follow_up)
        self.sheet_button.clicked.connect(self.open_sheet)
        self.undo_merge_button = QPushButton("Undo &merge…")
        self.undo_merge_button.setAccessibleName("Undo a merge into this person")
        self.undo_merge_button.setToolTip("Put back a record that was merged into this one")
        self.undo_merge_button.setVisible(False)
        self.undo_merge_button.clicked.connect(self.undo_merge)
        QShortcut(QKeySequence("Ctrl+D"), self, activated=self.dropin_button.click)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.sheet_button.click)

        self.timeline = TimelineModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Timeline")
        self.table.setModel(self.timeline)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 110)
        self.table.setColumnWidth(1, 320)  # "Referral to <partner> (<service>): <status>"
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._selection)
        timeline_label = QLabel("&Timeline (newest first; bold is still open)")
        timeline_label.setBuddy(self.table)

        actions = QHBoxLayout()
        for b in (self.dropin_button, self.edit_button, self.referral_button,
                  self.follow_up_button, self.sheet_button, self.undo_merge_button):
            actions.addWidget(b)
        actions.addStretch(1)
        self.action_row = actions  # more actions go in before the stretch (ui.rights)
        actions.addWidget(erase_ui.install(self))  # at the far end: it can't be undone
        grid = QGridLayout()
        grid.addWidget(self.details, 0, 0)
        grid.addWidget(self.comms, 0, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(grid)
        self.consent = ConsentSection(tasks, person_id, advisor_id, self)
        layout.addWidget(self.consent)
        layout.addLayout(actions)
        layout.addWidget(timeline_label)
        layout.addWidget(self.table, 1)

    def reload(self) -> None:
        pid = self.person_id
        self.tasks.run(lambda s: merges_for(s, pid), self._show_merges)  # before ``loaded``
        self.consent.reload()  # before ``loaded`` too
        self.tasks.run(lambda s: desk_service.person_view(s, pid), self._show)

    def _show(self, view: PersonView | None) -> None:
        if view is None:
            self.heading.setText("This person's record is no longer here.")
            return
        self.view = view
        p = view.person
        self.heading.setText(p.display_name)
        lines = []
        if p.preferred_name and p.preferred_name != p.given_name:
            lines.append(f"Full name: {p.given_name} {p.family_name}")
        if p.date_of_birth:
            lines.append(f"Born {p.date_of_birth:%d/%m/%Y} (age {age(p.date_of_birth)})")
        for label, value in (("Postcode", p.postcode), ("Phone", p.phone), ("Email", p.email)):
            if value:
                lines.append(f"{label}: {value}")
        source = REFERRAL_SOURCES.get(p.referral_source, p.referral_source)
        if p.referral_source_detail:
            source += f" ({p.referral_source_detail})"
        lines.append(f"Came to us: {source}")
        flags = [t for t, on in (("Mersey Care service user", p.service_user),
                                 ("Carer", p.carer)) if on]
        if flags:
            lines.append(", ".join(flags))
        self.details.setText("\n".join(lines))
        comms = [t for t, on in (("Large print", p.needs_large_print),
                                 ("Easy read", p.needs_easy_read),
                                 ("BSL", p.needs_bsl)) if on]
        if p.needs_interpreter:
            comms.append(f"Interpreter ({p.interpreter_language})")
        if p.communication_other:
            comms.append(p.communication_other)
        self.comms.setText("Communication needs: " + (", ".join(comms) if comms else "none noted"))
        self.timeline.set_entries(view.timeline)
        self.dropin_button.setEnabled(True)
        self.edit_button.setEnabled(True)
        self._selection(self.table.currentIndex(), None)
        erase_ui.show_erased(self)
        self.loaded.emit()

    def _show_merges(self, merges: list) -> None:
        self.merges = merges
        self.undo_merge_button.setVisible(bool(merges))

    def undo_merge(self):
        """Ask which merge into this person to undo, then undo it (see ui.review)."""
        return ask_undo_merge(self, self.merges)

    def _selected(self) -> TimelineEntry | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.timeline.entries[index.row()]

    def _selection(self, current, _previous) -> None:
        e = self.timeline.entries[current.row()] if current.isValid() else None
        self.referral_button.setEnabled(bool(e and e.referral_id))
        self.follow_up_button.setEnabled(bool(e and e.follow_up_id and e.open))
        self.sheet_button.setEnabled(bool(self._prescription_for(e)))

    def _prescription_for(self, entry: TimelineEntry | None) -> str | None:
        """The prescription a timeline row belongs to; for a row of no prescription (or
        none chosen), the newest, so Ctrl+P right after a drop-in prints its sheet."""
        if entry is not None and entry.prescription_id:
            return entry.prescription_id
        return next((e.prescription_id for e in self.timeline.entries if e.prescription_id),
                    None)

    def open_sheet(self):
        """Open the preview of the selected (or newest) prescription's take-home sheet."""
        from lr_desk.ui.sheet import SheetPreview

        rx_id = self._prescription_for(self._selected())
        if not rx_id:
            return None
        preview = SheetPreview(self.tasks, rx_id, self.advisor_id, self)
        preview.given.connect(lambda _how: self._changed())
        preview.show()
        preview.render()
        self.sheet_opened.emit(preview)
        return preview

    def update_referral(self) -> StepDialog | None:
        e = self._selected()
        if not (e and e.referral_id):
            return None
        return self._step("Update referral", "referral", e.referral_id, e.referral_status)

    def complete_follow_up(self) -> StepDialog | None:
        e = self._selected()
        if not (e and e.follow_up_id):
            return None
        return self._step("Follow-up done", "follow_up", e.follow_up_id)

    def _step(self, title: str, what: str, row_id: str, status: str = "") -> StepDialog:
        """Open the step's form; if it is open already, bring that one forward instead
        (two forms on one draft would overwrite each other's typing)."""
        for open_one in self.findChildren(StepDialog):
            if open_one.what == what and open_one.row_id == row_id and open_one.isVisible():
                open_one.raise_()
                open_one.activateWindow()
                return open_one
        seconds = self.autosave_seconds
        if seconds is None:  # the desk's setting, as its other forms have it
            seconds = getattr(getattr(self.window(), "desk", None), "autosave_seconds", None)
        dialog = StepDialog(self.tasks, title, what, row_id, self.advisor_id, self,
                            current_status=status, autosave_seconds=seconds or 5)
        dialog.saved.connect(lambda _result: self._changed())
        dialog.setWindowModality(Qt.WindowModality.WindowModal)  # as QDialog.open() does
        dialog.start()
        dialog.activateWindow()
        return dialog

    def _changed(self) -> None:
        self.reload()
        self.changed.emit()


class StepDialog(EditorDialog):
    """A small form for the next step of a referral (``what="referral"``), or the outcome
    of a follow-up (``what="follow_up"``). Like every form on the desk it keeps a draft,
    checks as you type, saves with Ctrl+S and asks before dropping unsaved work."""

    def __init__(self, tasks: Tasks, title: str, what: str, row_id: str, advisor_id: str,
                 parent=None, current_status: str = "", autosave_seconds: int = 5):
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
        else:
            self.f.add(form, "outcome", "&Outcome", text_edit("Outcome of the follow-up"))
        self.f.touched.clear()  # the starting values are not the advisor's typing
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.ready()
        self.f.widgets["status" if what == "referral" else "outcome"].setFocus()

    def validate(self, payload: dict) -> None:
        """The rules of dropin.set_referral_status / complete_follow_up, as you type."""
        if self.what == "referral":
            dropin.validate_referral_step(payload.get("status", ""), payload.get("reason", ""),
                                          payload.get("note", ""))
        else:
            dropin.validate_outcome(payload.get("outcome", ""))

    def submit(self, payload: dict) -> None:
        rid, adv = self.row_id, self.advisor_id
        if self.what == "referral":
            status, reason, note = payload["status"], payload["reason"], payload["note"]

            def fn(s):
                return dropin.set_referral_status(s, rid, status, adv, reason, note)
        else:
            outcome = payload["outcome"]

            def fn(s):
                return dropin.complete_follow_up(s, rid, adv, outcome)
        self.tasks.run(fn, self.saved_ok, self.save_failed)

    def save_failed(self, exc: BaseException) -> bool:
        offer_consent(self, exc, self.advisor_id)  # Sent held back: offer to record consent
        return super().save_failed(exc)
