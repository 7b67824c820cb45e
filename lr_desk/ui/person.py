"""A person's page: a summary a glance can take, the actions of a drop-in (record it,
update a referral, close a follow-up, print the sheet, the referral letter for a
partner), then their history. Private notes stay hidden until "Show private notes" (each
look is in the audit log); rare and destructive actions (export, erase) are in the More
menu."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import desk as desk_service
from lr_desk.services.changes import Changed
from lr_desk.services.desk import PRIVATE_NOTES_LABEL, PersonView, TimelineEntry
from lr_desk.ui import erase as erase_ui
from lr_desk.ui import style
from lr_desk.ui.consent import ConsentSection
from lr_desk.ui.models import RowsModel
from lr_desk.ui.person_steps import StepDialog, open_step
from lr_desk.ui.person_summary import PersonSummary
from lr_desk.ui.person_wellbeing import WellbeingScores
from lr_desk.ui.review import ask_undo_merge, merges_for
from lr_desk.ui.tasks import Tasks

__all__ = ["PersonPage", "StepDialog", "TimelineModel"]

HIDDEN_NOTES = "Private notes kept (hidden: Show private notes to read them)"


class TimelineModel(RowsModel):
    """The person's history, newest first; what is still open is in bold. A
    conversation's private notes show only once they have been asked for (``notes``)."""

    def __init__(self, parent=None):
        super().__init__([
            ("When", lambda e: e.when.strftime("%d %b %Y")),
            ("What", lambda e: e.title),
            ("Details", self.detail),
        ], parent)
        self.notes: dict[str, str] | None = None  # conversation id -> notes, once shown

    def detail(self, e: TimelineEntry) -> str:
        if not e.private_notes:
            return e.detail
        if self.notes is None:
            return f"{e.detail}\n{HIDDEN_NOTES}"
        notes = self.notes.get(e.conversation_id or "", "")
        return f"{e.detail}\n{PRIVATE_NOTES_LABEL}: {notes}" if notes else e.detail

    def show_notes(self, notes: dict[str, str] | None) -> None:
        self.beginResetModel()
        self.notes = notes
        self.endResetModel()

    @property
    def entries(self) -> list[TimelineEntry]:
        return self.rows

    def set_entries(self, entries: list[TimelineEntry]) -> None:
        self.set_rows(entries)

    def extra(self, row: TimelineEntry, column: int, role):
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.detail(row)
        if role == Qt.ItemDataRole.FontRole and row.open:
            font = QFont()
            font.setBold(True)
            return font
        return None


def _key(e: TimelineEntry | None) -> tuple | None:
    """What a timeline row is about, whatever its place or wording after a reload."""
    if e is None:
        return None
    return (e.kind, e.conversation_id, e.referral_id, e.follow_up_id, e.prescription_id,
            e.title if e.kind == "item" else "")


class PersonPage(QWidget):
    """Opened in its own tab. ``reload()`` fetches the person on the database worker;
    ``on_changed(changed)`` reloads when a save or a sync touched them."""

    record_drop_in = Signal(object)  # the Person
    edit_details = Signal(object)
    changed = Signal()
    loaded = Signal()
    sheet_opened = Signal(object)  # the SheetPreview
    letter_opened = Signal(object)  # the LetterPreview
    people_changed = Signal(object)  # list[Person]: a merge into this person was undone
    notes_shown = Signal(bool)  # the private notes are on screen (True) or hidden again

    def __init__(self, tasks: Tasks, person_id: str, advisor_id: str, parent=None,
                 autosave_seconds: int | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.person_id = person_id
        self.advisor_id = advisor_id
        self.autosave_seconds = autosave_seconds  # for the step forms' drafts; see _step
        self.today = date.today
        self.view: PersonView | None = None
        self.merges: list = []  # merges into this person that can be undone (review.MergeRow)
        self.setAccessibleName("Person")

        self.summary = PersonSummary(self)
        self.heading, self.details, self.comms = (self.summary.heading, self.summary.details,
                                                  self.summary.comms)

        self.dropin_button = style.primary(QPushButton("Record a &drop-in"))
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
        self.letter_button = QPushButton("Referral &letter…")
        self.letter_button.setAccessibleName("Referral letter for the partner")
        self.letter_button.setToolTip("Preview, print or save the letter for the selected "
                                      "referral's partner (Ctrl+Shift+P)")
        for b in (self.dropin_button, self.edit_button, self.referral_button,
                  self.follow_up_button, self.sheet_button, self.letter_button):
            b.setEnabled(False)
        self.dropin_button.clicked.connect(lambda: self.view and
                                           self.record_drop_in.emit(self.view.person))
        self.edit_button.clicked.connect(lambda: self.view and
                                         self.edit_details.emit(self.view.person))
        self.referral_button.clicked.connect(self.update_referral)
        self.follow_up_button.clicked.connect(self.complete_follow_up)
        self.sheet_button.clicked.connect(self.open_sheet)
        self.letter_button.clicked.connect(self.open_letter)
        self.undo_merge_button = QPushButton("Undo &merge…")
        self.undo_merge_button.setAccessibleName("Undo a merge into this person")
        self.undo_merge_button.setToolTip("Put back a record that was merged into this one")
        self.undo_merge_button.setVisible(False)
        self.undo_merge_button.clicked.connect(self.undo_merge)
        QShortcut(QKeySequence("Ctrl+D"), self, activated=self.dropin_button.click)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.sheet_button.click)
        QShortcut(QKeySequence("Ctrl+Shift+P"), self, activated=self.letter_button.click)

        self.notes_button = QPushButton("Show pr&ivate notes")
        self.notes_button.setCheckable(True)
        self.notes_button.setEnabled(False)
        self.notes_button.setAccessibleName("Show private notes")
        self.notes_button.setToolTip("Advisors' private notes, for your eyes only: check the "
                                     "screen is turned away. Each look is recorded.")
        self.notes_button.toggled.connect(self.show_private_notes)

        # rare or destructive actions: a menu, away from the everyday ones
        self.more_menu = QMenu("More", self)
        self.more_menu.setAccessibleName("More actions")
        self.more_button = QToolButton()
        self.more_button.setText("More &actions")
        self.more_button.setAccessibleName("More actions")
        self.more_button.setToolTip("Export everything held, erase their information…")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button.setMenu(self.more_menu)
        self.more_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.more_button.setMinimumHeight(style.TARGET)
        self.more_menu.addSeparator()  # what cannot be undone goes after it
        self.more_menu.addAction(erase_ui.install(self))

        self.timeline = TimelineModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("History")
        self.table.setModel(self.timeline)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 110)
        self.table.setColumnWidth(1, 260)  # "Referral to <partner> (<service>): <status>"
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._selection)
        timeline_label = style.heading(QLabel("History (newest first; bold is still open)"),
                                       "subheading")
        # (no Alt+letter: the history has the keyboard when the page opens)

        actions = QHBoxLayout()
        for b in (self.dropin_button, self.edit_button, self.referral_button,
                  self.follow_up_button, self.sheet_button, self.undo_merge_button):
            actions.addWidget(b)
        actions.addStretch(1)
        self.action_row = actions
        actions.addWidget(self.notes_button)
        actions.addWidget(self.more_button)

        self.consent = ConsentSection(tasks, person_id, advisor_id, self)
        self.wellbeing = WellbeingScores(tasks, self)  # their scores, under their consent
        history = QVBoxLayout()
        # the letter is for the referral chosen in the history: its button heads the
        # history (the action row has no room for it beside Undo merge at 1280x720)
        heading_row = QHBoxLayout()
        heading_row.addWidget(timeline_label)
        heading_row.addStretch(1)
        heading_row.addWidget(self.letter_button)
        history.addLayout(heading_row)
        history.addWidget(self.table, 1)
        below = QHBoxLayout()
        below.addLayout(history, 5)
        side = QVBoxLayout()
        side.addWidget(self.consent)
        side.addWidget(self.wellbeing, 1)
        below.addLayout(side, 3)
        layout = QVBoxLayout(self)
        layout.setSpacing(style.SPACE["s"])
        layout.addWidget(self.summary)
        layout.addLayout(actions)
        layout.addLayout(below, 1)
        self.setTabOrder(self.more_button, self.letter_button)  # as it reads: then the
        self.setTabOrder(self.letter_button, self.table)  # history it acts on

    # -- loading, and hearing of changes ---------------------------------------------
    def reload(self) -> None:
        pid, today = self.person_id, self.today()
        self.tasks.run(lambda s: merges_for(s, pid), self._show_merges)  # before ``loaded``
        self.consent.reload()  # before ``loaded`` too
        self.wellbeing.reload(pid)  # (and this)
        if self.timeline.notes is not None:  # still shown: bring them up to date too
            self.tasks.run(lambda s: desk_service.private_notes(s, pid, record=False),
                           self._notes)
        self.tasks.run(lambda s: desk_service.person_view(s, pid, today), self._show)

    def on_changed(self, changed: Changed) -> None:
        """A save or a sync changed something: reload if it was this person's (asked of
        the database when the change names records of theirs the page cannot tell)."""
        if not changed.touches(*desk_service.PERSON_ENTITIES):
            return
        ids = {self.person_id, self.view.person.id} if self.view else {self.person_id}
        if changed.ids("person") & ids:
            self.reload()
            return
        pid, entities = self.person_id, dict(changed.entities)
        self.tasks.run(lambda s: desk_service.concerns(s, pid, entities),
                       lambda concerned: concerned and self.reload())

    def _show(self, view: PersonView | None) -> None:
        if view is None:
            self.heading.setText("This person's record is no longer here.")
            return
        self.view = view
        self.summary.show_view(view)
        self.wellbeing.setVisible(view.person.erased_at is None)  # (nothing shown then)
        chosen = _key(self._selected())
        self.timeline.set_entries(view.timeline)
        if chosen is not None:  # the same row stays chosen after a reload (a save, a sync)
            row = next((i for i, e in enumerate(view.timeline) if _key(e) == chosen), None)
            if row is not None:
                self.table.setCurrentIndex(self.timeline.index(row, 0))
        self.dropin_button.setEnabled(True)
        self.edit_button.setEnabled(True)
        self.notes_button.setEnabled(any(e.private_notes for e in view.timeline))
        self._selection(self.table.currentIndex(), None)
        erase_ui.show_erased(self)
        self.loaded.emit()

    # -- private notes: hidden until asked for -------------------------------------------
    def show_private_notes(self, show: bool = True) -> None:
        """Show the private notes (fetched now, the look recorded in the audit log), or
        hide them again (and forget them)."""
        if self.notes_button.isChecked() != show:
            self.notes_button.setChecked(show)  # comes back here through ``toggled``
            return
        self.notes_button.setText("Hide pr&ivate notes" if show else "Show pr&ivate notes")
        self.notes_button.setAccessibleName("Hide private notes" if show else
                                            "Show private notes")
        if show:
            pid = self.person_id
            self.tasks.run(lambda s: desk_service.private_notes(s, pid), self._notes)
        else:
            self.timeline.show_notes(None)
            self.notes_shown.emit(False)

    def _notes(self, notes: dict[str, str]) -> None:
        if self.notes_button.isChecked():  # (not hidden again meanwhile)
            self.timeline.show_notes(notes)
            self.notes_shown.emit(True)

    def hideEvent(self, event) -> None:
        """Leaving the page hides the notes again: they are never left on screen."""
        if self.notes_button.isChecked():
            self.notes_button.setChecked(False)
        super().hideEvent(event)

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
        self.letter_button.setEnabled(bool(e and e.referral_id))
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
        from lr_desk.ui.sheet import SheetPreview  # (reportlab: loaded when first needed)

        rx_id = self._prescription_for(self._selected())
        if not rx_id:
            return None
        preview = SheetPreview(self.tasks, rx_id, self.advisor_id, self)
        preview.given.connect(lambda _how: self._changed())
        preview.show()
        preview.render()
        self.sheet_opened.emit(preview)
        return preview

    def open_letter(self):
        """Open the preview of the referral letter for the selected referral's partner."""
        from lr_desk.ui.letter import LetterPreview  # (reportlab: loaded when first needed)

        e = self._selected()
        if not (e and e.referral_id):
            return None
        preview = LetterPreview(self.tasks, e.referral_id, self.advisor_id, self)
        preview.given.connect(lambda _how: self._changed())
        preview.show()
        preview.render()
        self.letter_opened.emit(preview)
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
        """Open the step's form (or bring forward the one open on it already)."""
        name = self.view.person.display_name if self.view else ""
        dialog = open_step(self, self.tasks, title, what, row_id, self.advisor_id, status,
                           self.autosave_seconds, about=name)
        if not dialog.property("heard"):
            dialog.setProperty("heard", True)
            dialog.saved.connect(lambda _result: self._changed())
        return dialog

    def _changed(self) -> None:
        self.reload()
        self.changed.emit()
