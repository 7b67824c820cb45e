"""A partner's named contacts on its form: a small list (name, role, phone, email, which
one is the key contact) with Add, Edit, Remove and Make key contact, and the small form
that adds or edits one contact.

Nothing is written here: the list is part of the partner's form, saved with it
(services.directory.save_partner, which checks it again with services.contacts). The
first contact added is the key contact; Make key contact moves it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import contacts
from lr_desk.services.validation import ValidationError
from lr_desk.ui import style
from lr_desk.ui.forms import Fields, line_edit
from lr_desk.ui.models import RowsModel, table

KEY_MARK = "Key contact"
NO_KEY = ("No key contact: referrals without a named person tend to go nowhere. Add "
          "one, or choose one and Make key contact.")


class ContactDialog(QDialog):
    """One contact's name, role, phone and email, checked as typed; OK keeps it on the
    partner's form (Enter), Cancel leaves it as it was."""

    def __init__(self, contact: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        title = "Edit contact" if contact else "Add a contact"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.contact = dict(contact or {})
        self.f = Fields(self._changed)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        f = self.f
        f.add(form, "name", "&Name", line_edit("Contact's name", "e.g. Sam Jones"))
        f.add(form, "role", "&Role", line_edit("Role", "e.g. Referrals coordinator"))
        f.add(form, "phone", "&Phone", line_edit("Contact's phone", "e.g. 0151 000 0000"))
        f.add(form, "email", "&Email", line_edit("Contact's email",
                                                 "e.g. name@example.org"))
        f.load(self.contact)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setAccessibleName("OK")
        self.ok.setToolTip("Keep this contact on the partner's form (Enter)")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        style.primary(self.ok)
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(440, 240)  # room for a message under each field
        f.widgets["name"].setFocus()

    def _changed(self, _key: str) -> None:
        self.f.show_errors(self._errors(), only_touched=True)

    def _errors(self) -> dict[str, str]:
        try:
            contacts.validate_contact(self.f.values())
        except ValidationError as exc:
            return exc.errors
        return {}

    def accept(self) -> None:
        errors = self._errors()
        self.f.show_errors(errors, only_touched=False)
        if errors:
            self.f.focus_first_error(errors)
            return
        self.contact.update(contacts.validate_contact(self.f.values()))
        super().accept()


def _name(row: dict) -> str:
    """The name, and "(key contact)" after the key contact's."""
    return f"{row.get('name', '')} ({KEY_MARK.lower()})" if row.get("is_key") else \
        row.get("name", "")


class ContactsModel(RowsModel):
    """The contacts as the partner's form holds them (dicts), the key contact in bold."""

    def __init__(self, parent=None):
        super().__init__([("Name", _name),
                          ("Role", lambda r: r.get("role", "")),
                          ("Phone", lambda r: r.get("phone", "")),
                          ("Email", lambda r: r.get("email", ""))], parent)

    def extra(self, row, column: int, role):
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[column][1](row) or None
        if role == Qt.ItemDataRole.FontRole and row.get("is_key"):
            return style.font(bold=True)
        return super().extra(row, column, role)


class ContactsBox(QWidget):
    """The partner's contacts as a list with its buttons. ``rows()``/``set_rows()`` are
    the contacts as dicts (id, name, role, phone, email, is_key); ``changed`` is
    emitted when the user adds, edits, removes or moves the key contact."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Contacts")
        self.model = ContactsModel(self)
        self.table = table("Contacts", self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)  # phone
        header.setAccessibleName("Contacts columns")
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setAccessibleName("Contacts rows")
        self.table.setMinimumHeight(110)
        self.table.doubleClicked.connect(lambda _index: self.edit())
        self.table.installEventFilter(self)  # Enter on the list edits (not Save the form)
        self.add_button = _button("&Add contact…", "Add contact",
                                  "Add a named person at this partner")
        self.edit_button = _button("&Edit contact…", "Edit contact",
                                   "Edit the chosen contact (Enter on the list)")
        self.remove_button = _button("Re&move", "Remove contact",
                                     "Remove the chosen contact from this partner")
        self.key_button = _button("Make &key contact", "Make key contact",
                                  "Make the chosen contact the one referrals go to")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.remove_button.clicked.connect(self.remove)
        self.key_button.clicked.connect(self.make_key)
        self.warning = style.message(QLabel(NO_KEY), "warning")
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName("Key contact warning")
        self.error = style.message(QLabel(), "error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.error.setAccessibleName("Message for Contacts")
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button, self.key_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.warning)
        layout.addWidget(self.error)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update())
        self.dialog: ContactDialog | None = None
        self._update()

    def eventFilter(self, watched, event) -> bool:
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and self.chosen() is not None):
            self.edit()
            return True
        return super().eventFilter(watched, event)

    # -- the list -------------------------------------------------------------------------
    def rows(self) -> list[dict]:
        return [dict(r) for r in self.model.rows]

    def set_rows(self, rows: list[dict]) -> None:
        self.model.set_rows([{"id": r.get("id"), "name": r.get("name", ""),
                              "role": r.get("role", ""), "phone": r.get("phone", ""),
                              "email": r.get("email", ""), "is_key": bool(r.get("is_key"))}
                             for r in rows])
        self._update()

    def chosen(self) -> int | None:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else None

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _update(self) -> None:
        rows = self.model.rows
        chosen = self.chosen()
        for b in (self.edit_button, self.remove_button):
            b.setEnabled(chosen is not None)
        self.key_button.setEnabled(chosen is not None and not rows[chosen].get("is_key"))
        self.warning.setVisible(not any(r.get("is_key") and r.get("name") for r in rows))

    def _put(self, rows: list[dict], choose: int | None) -> None:
        self.model.set_rows(rows)
        if choose is not None and 0 <= choose < len(rows):
            self.table.selectRow(choose)
        self._update()
        self.changed.emit()

    # -- actions --------------------------------------------------------------------------
    def add(self) -> None:
        self._open(None)

    def edit(self) -> None:
        chosen = self.chosen()
        if chosen is not None:
            self._open(chosen)

    def _open(self, row: int | None) -> None:
        """The contact's small form, modal to the partner's (opened, not run: a test
        or the user fills it in and presses OK)."""
        dialog = ContactDialog(self.model.rows[row] if row is not None else None, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: self._kept(row, dialog.contact))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def _kept(self, row: int | None, contact: dict) -> None:
        rows = self.rows()
        if row is None:
            contact.setdefault("id", None)
            contact["is_key"] = not any(r.get("is_key") for r in rows)  # the first is key
            rows.append(contact)
            row = len(rows) - 1
        else:
            rows[row] = contact
        self._put(rows, row)
        self.table.setFocus()

    def remove(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            return
        rows = self.rows()
        gone = rows.pop(chosen)
        if gone.get("is_key") and rows:
            rows[0]["is_key"] = True  # someone is still the key contact; move it if not
        self._put(rows, min(chosen, len(rows) - 1) if rows else None)

    def make_key(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            return
        rows = self.rows()
        for n, r in enumerate(rows):
            r["is_key"] = n == chosen
        self._put(rows, chosen)


def _button(text: str, name: str, tip: str) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(name)
    b.setToolTip(tip)
    return b
