"""Consent on the desk: the section of a person's page that shows what is in force (keep,
share with which partners, contact by which ways, each dated and attributed), the form
that records consent given or withdrawn, and the "Record consent…" button a form offers
when a referral in it is held back for want of consent to share."""

from __future__ import annotations

from datetime import date

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import consent, directory
from lr_desk.services.consent import GIVEN, ConsentNeeded, ConsentRow
from lr_desk.store.models import CONSENT_KINDS
from lr_desk.ui import style
from lr_desk.ui.forms import (
    EditorDialog,
    Fields,
    check,
    combo,
    line_edit,
    text_edit,
)
from lr_desk.ui.models import RowsModel, table
from lr_desk.ui.tasks import Tasks

# the ways to be contacted, each with its Alt+letter in the form
WAY_BOXES = {"phone": "P&hone call", "text": "Te&xt message", "email": "E&mail",
             "post": "&Letter"}


class _Events(QObject):
    recorded = Signal(str)  # the person's id: consent was recorded on this desk


_events: list[_Events] = []


def events() -> _Events:
    """One place that says when consent is recorded here, so every view of the person
    (their page, an open drop-in) shows it at once."""
    if not _events:
        _events.append(_Events())
    return _events[0]


def _autosave_seconds(widget: QWidget | None) -> int:
    """The desk's autosave setting, as its other forms have it (5 s with no desk)."""
    while widget is not None:
        desk = getattr(widget, "desk", None)
        if desk is not None:
            return desk.autosave_seconds or 5
        widget = widget.parentWidget()
    return 5


def open_consent(parent: QWidget, tasks: Tasks, person_id: str, advisor_id: str,
                 preset: dict | None = None) -> ConsentDialog:
    """Open the consent form (window-modal on ``parent``); if this person's is open
    already, bring that one forward instead (one draft, one form)."""
    key = f"consent:{person_id}"
    top = parent
    while top.parentWidget() is not None:  # the desk's window: any form for them on it
        top = top.parentWidget()
    for open_one in top.findChildren(ConsentDialog):
        if open_one.draft_key == key and open_one.isVisible():
            open_one.raise_()
            open_one.activateWindow()
            return open_one
    dialog = ConsentDialog(tasks, person_id, advisor_id, preset, parent,
                           autosave_seconds=_autosave_seconds(parent))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.start()
    dialog.activateWindow()
    return dialog


# --- the section on the person's page ---------------------------------------------------


class ConsentModel(RowsModel):
    """What is in force, withdrawn in red, with the earlier records of each."""

    def __init__(self, parent=None):
        super().__init__([
            ("Consent to", lambda r: r.what),
            ("Status", lambda r: r.status),
            ("Since", lambda r: f"{r.day:%d %b %Y}"),
            ("Recorded by", lambda r: r.recorded_by),
            ("Note", lambda r: r.note),
            ("Before", lambda r: "; ".join(h.line() for h in r.history)),
        ], parent, key=lambda r: r.id)
        self.highlight = lambda r: not r.given

    def extra(self, row: ConsentRow, column: int, role):
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join([row.line(), *("Before: " + h.line() for h in row.history)])
        return super().extra(row, column, role)


class ConsentSection(QWidget):
    """The person's consent: what is in force, and buttons to record or withdraw it."""

    loaded = Signal()

    def __init__(self, tasks: Tasks, person_id: str, advisor_id: str, parent=None):
        super().__init__(parent)
        self.tasks, self.person_id, self.advisor_id = tasks, person_id, advisor_id
        self.setAccessibleName("Consent")
        self.model = ConsentModel(self)
        self.table = table("Consent in force", self.model)
        self.table.verticalHeader().setVisible(False)
        # a narrow side panel: what, its status and since when, wrapped to fit; who
        # recorded it, its note and what came before are in each row's tooltip
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (3, 4, 5):
            self.table.setColumnHidden(column, True)
        self.table.setWordWrap(True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMaximumHeight(120)
        self.table.selectionModel().currentRowChanged.connect(self._selection)
        label = QLabel("C&onsent")
        label.setBuddy(self.table)
        self.empty = QLabel("No consent recorded yet.")
        self.empty.setAccessibleName("No consent recorded yet")
        self.record_button = QPushButton("Record &consent…")
        self.record_button.setAccessibleName("Record consent")
        self.record_button.setToolTip("Consent to keep their information, to share it with a "
                                      "partner, or to be contacted; given or withdrawn")
        self.withdraw_button = QPushButton("&Withdraw…")
        self.withdraw_button.setAccessibleName("Withdraw the selected consent")
        self.withdraw_button.setEnabled(False)
        self.record_button.clicked.connect(lambda: self.record())
        self.withdraw_button.clicked.connect(self.withdraw)
        events().recorded.connect(self._recorded)

        buttons = QHBoxLayout()
        buttons.addWidget(label)
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.withdraw_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)

    def reload(self) -> None:
        pid = self.person_id
        self.tasks.run(lambda s: consent.in_force(s, pid), self._show)

    def _show(self, rows: list[ConsentRow]) -> None:
        self.model.set_rows(rows)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self._selection(self.table.currentIndex(), None)
        self.loaded.emit()

    def _recorded(self, _person_id: str) -> None:
        self.reload()  # a merged person's consent may be recorded under either id

    def _selected(self) -> ConsentRow | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def _selection(self, current, _previous) -> None:
        row = self.model.rows[current.row()] if current.isValid() else None
        self.withdraw_button.setEnabled(bool(row and row.given))

    def record(self, preset: dict | None = None) -> ConsentDialog:
        return open_consent(self, self.tasks, self.person_id, self.advisor_id, preset)

    def withdraw(self) -> ConsentDialog | None:
        """The form, ready to record the selected consent withdrawn (add a note, Save)."""
        row = self._selected()
        if row is None or not row.given:
            return None
        return self.record({"kind": row.kind, "partner_id": row.partner_id or "",
                            "given": "withdrawn"})


# --- the form ------------------------------------------------------------------------------


class ConsentDialog(EditorDialog):
    """Record consent given, or withdrawn (or refused): what for, the partner (to share),
    the ways (to be contacted), the date and a note. Saves on the database worker."""

    def __init__(self, tasks: Tasks, person_id: str, advisor_id: str,
                 preset: dict | None = None, parent=None, autosave_seconds: int = 5):
        super().__init__(tasks, f"consent:{person_id}", "Record consent", autosave_seconds,
                         parent)
        self.person_id, self.advisor_id = person_id, advisor_id
        self.today = date.today()
        self.partner_ids: list[str] | None = None  # until the directory is read
        self._want_partner = ""
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.f = Fields(self.mark_dirty)
        form = QFormLayout()
        self.f.add(form, "kind", "&What for", combo("Consent to what", CONSENT_KINDS))
        self.f.add(form, "partner_id", "&Partner",
                   combo("Partner to share with", {}, blank="Choose the partner…"))
        self.ways = {code: check(text, f"Contact by {text.replace('&', '').lower()}")
                     for code, text in WAY_BOXES.items()}
        ways_box = QWidget()
        row = QHBoxLayout(ways_box)
        row.setContentsMargins(0, 0, 0, 0)
        for box in self.ways.values():
            row.addWidget(box)
            box.toggled.connect(self._ways_changed)
        row.addStretch(1)
        self.ways_error = style.message(QLabel(), "error")
        self.ways_error.setVisible(False)
        self.ways_error.setAccessibleName("Message for ways to contact them")
        ways_column = QVBoxLayout()
        ways_column.addWidget(ways_box)
        ways_column.addWidget(self.ways_error)
        form.addRow(QLabel("Ways to contact them"), ways_column)
        self.f.add(form, "given", "&Given or withdrawn", combo("Given or withdrawn", GIVEN))
        self.f.add(form, "date", "&Date", line_edit("Date of consent", "day/month/year"))
        self.f.widgets["date"].setText(self.today.strftime("%d/%m/%Y"))
        self.f.add(form, "note", "&Note", text_edit("Note", "How they gave it, what they said"))
        for key in ("kind", "given"):
            self.f.widgets[key].currentIndexChanged.connect(self._enable)
        if preset:
            self.restore(preset)
        self.f.touched.clear()  # the starting values are not the advisor's typing
        self._enable()
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.tasks.run(lambda s: [(p.id, p.name) for p in directory.partners(s)],
                       self._partners_loaded)  # before any draft: the worker keeps order
        self.ready()
        self.f.widgets["note" if preset else "kind"].setFocus()

    def _partners_loaded(self, partners: list[tuple[str, str]]) -> None:
        box = self.f.widgets["partner_id"]
        box.blockSignals(True)
        for partner_id, name in partners:
            box.addItem(name, partner_id)
        box.blockSignals(False)
        self.partner_ids = [p for p, _ in partners]
        if self._want_partner:
            self.load_payload({"partner_id": self._want_partner})
            self.f.touched.discard("partner_id")

    def _enable(self, *_args) -> None:
        kind = self.f.widgets["kind"].currentData()
        given = self.f.widgets["given"].currentData() == "given"
        self.f.widgets["partner_id"].setEnabled(kind == "share")
        for box in self.ways.values():
            box.setEnabled(kind == "contact" and given)

    def _ways_changed(self, *_args) -> None:
        if not self._loading:
            self.f.touched.add("ways")
        self.mark_dirty()

    def collect(self) -> dict:
        return {**self.f.values(),
                "ways": [code for code, box in self.ways.items() if box.isChecked()]}

    def restore(self, payload: dict) -> None:
        self.f.load(payload)
        if payload.get("partner_id"):
            self._want_partner = payload["partner_id"]  # the list may still be loading
        if "ways" in payload:
            for code, box in self.ways.items():
                box.setChecked(code in payload["ways"])

    def validate(self, payload: dict) -> None:
        consent.validate_consent(payload, self.today, self.partner_ids)

    def show_errors(self, errors: dict[str, str], only_touched: bool) -> None:
        self.f.show_errors(errors, only_touched)
        message = errors.get("ways", "")
        if only_touched and "ways" not in self.f.touched:
            message = ""
        self.ways_error.setText(message)
        self.ways_error.setVisible(bool(message))

    def focus_error(self, errors: dict[str, str]) -> None:
        if "ways" in errors and not set(errors) & set(self.f.widgets):
            next(iter(self.ways.values())).setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.f.focus_first_error(errors)

    def submit(self, payload: dict) -> None:
        pid, adv, today = self.person_id, self.advisor_id, self.today
        self.tasks.run(lambda s: consent.record(s, pid, adv, payload, today),
                       self.saved_ok, self.save_failed)

    def saved_ok(self, result) -> None:
        super().saved_ok(result)
        events().recorded.emit(self.person_id)


# --- offered where a referral is held back -----------------------------------------------


class ConsentOffer(QObject):
    """A "Record consent…" button among a form's buttons, shown while a referral in it
    waits for the person's consent to share with a partner; it opens the consent form
    ready for that partner."""

    recorded = Signal()

    def __init__(self, dialog: EditorDialog, tasks: Tasks, person_id: str, advisor_id: str):
        super().__init__(dialog)
        self.dialog, self.tasks = dialog, tasks
        self.person_id, self.advisor_id = person_id, advisor_id
        self.partners: dict[str, str] = {}
        self.button = QPushButton("Record &consent…")
        self.button.setAccessibleName("Record consent to share")
        dialog.buttons.addButton(self.button, QDialogButtonBox.ButtonRole.ActionRole)
        self.button.setVisible(False)
        self.button.clicked.connect(self.open)

    def offer(self, partners: dict[str, str]) -> None:
        self.partners = dict(partners)
        self.button.setVisible(bool(partners))
        if partners:
            self.button.setToolTip("Record their consent to share with " +
                                   ", ".join(partners.values()))

    def open(self) -> ConsentDialog | None:
        if not self.partners:
            return None
        partner_id = next(iter(self.partners))
        form = open_consent(self.dialog, self.tasks, self.person_id, self.advisor_id,
                            {"kind": "share", "partner_id": partner_id, "given": "given"})
        form.saved.connect(self._recorded)
        return form

    def _recorded(self, _row) -> None:
        if not shiboken6.isValid(self.dialog):
            return
        self.offer({})
        self.dialog.show_errors(self.dialog.check(self.dialog.collect()), only_touched=True)
        self.dialog.show_notice("Consent recorded. Save again to send the referral.")
        self.recorded.emit()


def offer_consent(dialog: EditorDialog, exc: BaseException, advisor_id: str) -> None:
    """After a failed save: if a referral was held back for want of consent to share,
    offer to record it (the reason is at the field already)."""
    if not isinstance(exc, ConsentNeeded):
        return
    offer = getattr(dialog, "consent_offer", None)
    if offer is None:
        offer = dialog.consent_offer = ConsentOffer(dialog, dialog.tasks, exc.person_id,
                                                    advisor_id)
    offer.person_id = exc.person_id
    offer.offer(exc.partners)
