"""Finding people (search as you type) and registering or editing them."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import people, prefill
from lr_desk.services.search import Hit
from lr_desk.store.clock import new_id
from lr_desk.store.models import REFERRAL_SOURCES
from lr_desk.ui.forms import (
    EditorDialog,
    Fields,
    check,
    clearable,
    combo,
    line_edit,
    scrolled,
    text_edit,
)
from lr_desk.ui.models import RowsModel
from lr_desk.ui.tasks import SearchService, Tasks


class PeopleModel(RowsModel):
    """Search results: a read-only table over the hits of the latest query, each with
    what it was found by ("name, date of birth", "Stephen for “steven”")."""

    WHY = 4  # the "Found by" column

    def __init__(self, parent=None):
        super().__init__([
            ("Name", lambda h: h.entry.display_name),
            ("Date of birth", lambda h: h.entry.date_of_birth.strftime("%d/%m/%Y")
             if h.entry.date_of_birth else ""),
            ("Postcode", lambda h: h.entry.postcode),
            ("Phone", lambda h: h.entry.phone),
            ("Found by", lambda h: h.why_text),
        ], parent, key=lambda h: h.entry.person_id)

    def extra(self, row, column: int, role):
        if role == Qt.ItemDataRole.ToolTipRole and row.why:
            return f"Found by {row.why_text}"
        return super().extra(row, column, role)

    @property
    def hits(self) -> list[Hit]:
        return self.rows

    def set_hits(self, hits: list[Hit]) -> None:
        self.set_rows(hits)


class PeoplePage(QWidget):
    """Type anything: name, date of birth, postcode, phone. Enter opens the person."""

    open_person = Signal(str)
    new_person = Signal(dict)

    def __init__(self, search: SearchService, query: QLineEdit | None = None, parent=None):
        """``query``: the window's search box, which may already hold what was typed
        while the desk was opening."""
        super().__init__(parent)
        self.search_service = search
        self._generation = 0
        self._answered = 0  # the generation the table shows
        self._open_when_answered = False  # Enter came before the answer to the last key
        self.query = query or line_edit("Find a person",
                                        "Name, date of birth, postcode or phone, in any order")
        clearable(self.query, "Clear Find")
        find_label = QLabel("&Find:")
        find_label.setBuddy(self.query)
        self.status = QLabel("Getting the list of people ready…")
        self.status.setAccessibleName("Search status")
        self.model = PeopleModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("People found")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        header = self.table.horizontalHeader()  # widths that stay put while typing
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(PeopleModel.WHY, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(PeopleModel.WHY, self.fontMetrics().horizontalAdvance(
            "Stephen for “steven”, Halsall like “halsel”, date of birth"))
        self.table.activated.connect(self._activated)
        self.new_button = QPushButton("&New person")
        self.new_button.setAccessibleName("New person")
        self.new_button.setToolTip("Register someone new (Ctrl+N)")
        self.new_button.clicked.connect(lambda: self.new_person.emit(
            prefill.from_search(self.query.text())))

        top = QHBoxLayout()
        top.addWidget(find_label)
        top.addWidget(self.query, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)

        self.query.textChanged.connect(self._typed)
        self.query.returnPressed.connect(self._enter)
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.query, activated=self._to_results,
                  context=Qt.ShortcutContext.WidgetShortcut)
        search.results.connect(self._results)
        search.ready.connect(self._ready)

    def _ready(self, count: int, seconds: float) -> None:
        self.status.setText(f"{count:,} people. Type to find someone.")
        if self.query.text().strip():
            self._typed(self.query.text())

    def _typed(self, text: str) -> None:
        if not text.strip():
            self._generation = -1
            self.model.set_hits([])
            if self.search_service.index is not None:
                self.status.setText(f"{len(self.search_service.index):,} people. "
                                    "Type to find someone.")
            return
        self._generation = self.search_service.search(text)

    def _results(self, generation: int, hits: list[Hit], total: int) -> None:
        if generation != self._generation:
            return  # an answer to an older keystroke
        self._answered = generation
        self.model.set_hits(hits)
        if total == 0:
            self.status.setText("No one found. Check the spelling, or add a new person "
                                "(Ctrl+N).")
        elif total > len(hits):
            self.status.setText(f"Showing the best {len(hits)} of {total:,}. Type more to narrow.")
        else:
            self.status.setText(f"{total} found. Enter opens the first; Down arrow to choose.")
        if hits:
            self.table.selectRow(0)
        if self._open_when_answered:
            self._open_when_answered = False
            if hits:
                self.open_person.emit(hits[0].entry.person_id)

    def _to_results(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def _enter(self) -> None:
        if self._answered != self._generation and self._generation > 0:
            # the table still shows an older search: open the best match of what was typed
            # once its answer comes, never a stale row
            self._open_when_answered = True
            return
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else 0
        if self.model.rowCount():
            self.open_person.emit(self.model.hits[row].entry.person_id)

    def _activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        self.open_person.emit(self.model.hits[index.row()].entry.person_id)


NEW_PERSON_DRAFTS = "person:new:"


class PersonDialog(EditorDialog):
    """Register a new person or edit one's details. Warns about a likely existing record."""

    open_existing = Signal(str)

    def __init__(self, tasks: Tasks, advisor_id: str, site_code: str,
                 person=None, initial: dict | None = None, autosave_seconds: int = 5,
                 parent=None, draft_key: str | None = None):
        # Each new-person form keeps its own draft: two visitors at once never mix.
        key = (f"person:{person.id}" if person else
               draft_key or f"{NEW_PERSON_DRAFTS}{new_id()}")
        title = f"Edit {person.display_name}" if person else "New person"
        super().__init__(tasks, key, title, autosave_seconds, parent)
        self.person = person
        self.advisor_id = advisor_id
        self.site_code = site_code
        self._match_checked = False
        self.f = Fields(self.mark_dirty)
        f = self.f

        about = QGroupBox("About them")
        form = QFormLayout(about)
        f.add(form, "given_name", "&First name", line_edit("First name"))
        f.add(form, "family_name", "&Last name", line_edit("Last name"))
        f.add(form, "preferred_name", "Li&kes to be called", line_edit("Likes to be called"))
        f.add(form, "date_of_birth", "&Date of birth",
              line_edit("Date of birth", "day/month/year, e.g. 14/02/1985"))
        # (Alt+W: every letter of "NHS number" is another field's already)
        f.add(form, "nhs_number", "NHS number (if kno&wn)",
              line_edit("NHS number", "10 digits, e.g. 943 476 5919"))
        f.add(form, "postcode", "Post&code", line_edit("Postcode", "e.g. L9 2AF"))
        f.add(form, "phone", "P&hone", line_edit("Phone"))
        f.add(form, "email", "&Email", line_edit("Email"))
        f.add(form, "referral_source", "How they ca&me", combo("How they came", REFERRAL_SOURCES))
        f.add(form, "referral_source_detail", "Referrer's detail&s",
              line_edit("Referrer's details", "e.g. the GP practice or partner's name"))
        f.add(form, "service_user", "", check("Mersey Care service &user"))
        f.add(form, "carer", "", check("Ca&rer"))
        f.add(form, "on_benefits", "Receives benefi&ts",
              combo("Receives benefits", {"yes": "Yes", "no": "No"}, blank="Not asked"))

        comms = QGroupBox("Communication needs (Accessible Information Standard)")
        cform = QFormLayout(comms)
        f.add(cform, "needs_large_print", "", check("Lar&ge print"))
        f.add(cform, "needs_easy_read", "", check("Eas&y read"))
        f.add(cform, "needs_bsl", "", check("British Sign Language (&BSL)"))
        f.add(cform, "needs_interpreter", "", check("&Interpreter"))
        f.add(cform, "interpreter_language", "La&nguage", line_edit("Interpreter language"))
        f.add(cform, "communication_other", "&Other needs", text_edit("Other communication needs"))

        self.match_box = QLabel()
        self.match_box.setWordWrap(True)
        self.match_box.setVisible(False)
        self.match_box.setAccessibleName("Possible existing record")
        self.use_existing = QPushButton("O&pen that record instead")
        self.use_existing.setAccessibleName("Open the existing record instead")
        self.use_existing.setVisible(False)
        self.use_existing.clicked.connect(self._open_existing)
        self._matches: list = []

        body = QWidget()
        v = QVBoxLayout(body)
        v.addWidget(about)
        v.addWidget(comms)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(scrolled(body, "Person details form"), 1)
        layout.addWidget(self.match_box)
        layout.addWidget(self.use_existing)
        layout.addWidget(self.buttons)
        self.resize(560, 720)

        self.ready()
        # the record as the form opened on it: only what is changed here is saved
        self.opened_with = people.as_form(person) if person is not None else None
        if person is not None:
            self.load_payload(self.opened_with)
        elif initial:
            self.load_payload(initial)
            self.dirty = True
        f.widgets["given_name"].setFocus()

    def validate(self, payload: dict) -> None:
        people.validate_person(payload)

    def submit(self, payload: dict) -> None:
        advisor, site = self.advisor_id, self.site_code
        if self.person is not None:
            pid, loaded = self.person.id, self.opened_with
            self.tasks.run(lambda s: people.update(s, pid, payload, loaded=loaded),
                           self.saved_ok, self.save_failed)
            return
        check_matches = not self._match_checked

        def register(s):
            if check_matches:
                clean = people.validate_person(payload)
                found = people.likely_matches(s, clean["given_name"], clean["family_name"],
                                              clean["date_of_birth"], clean["phone"])
                if found:
                    return found
            return people.register(s, payload, advisor, site)

        self.tasks.run(register, self._registered, self.save_failed)

    def _registered(self, result) -> None:
        if isinstance(result, list):  # likely matches: warn, and let them choose
            self._saving = False
            self.save_button.setEnabled(True)
            self._match_checked = True
            self._matches = result
            lines = [f"• {m.person.display_name}, born "
                     f"{m.person.date_of_birth:%d/%m/%Y}" if m.person.date_of_birth else
                     f"• {m.person.display_name}" for m in result]
            self.match_box.setText(
                "This may be someone already registered:\n" + "\n".join(
                    f"{line} ({m.why})" for line, m in zip(lines, result, strict=True)) +
                "\nOpen their record, or press Save again to register a new person anyway.")
            self.match_box.setVisible(True)
            self.use_existing.setVisible(True)
            self.show_notice("")
            self.use_existing.setFocus()
            return
        self.saved_ok(result)

    def _open_existing(self) -> None:
        if self._matches:
            person_id = self._matches[0].person.id
            self.dirty = False
            self.reject()
            self.open_existing.emit(person_id)


def age(born: date | None, today: date | None = None) -> str:
    if not born:
        return ""
    today = today or date.today()
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return f"{years}"
