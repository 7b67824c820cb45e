"""Staff accounts in the app: changing one's own password, an admin's list of accounts
(new, password reset, role, disabled), and where this desk is."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import accounts, proofs
from lr_desk.services.accounts import SignedIn
from lr_desk.services.signin import Gate
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import ROLES
from lr_desk.ui import style
from lr_desk.ui.forms import combo, line_edit
from lr_desk.ui.signin import SmallForm, password_edit
from lr_desk.ui.tasks import Tasks


class _TaskForm(SmallForm):
    """A small form saved on the desk's spare worker (``work``, in each kind of form),
    with messages at the fields."""

    saved = Signal(object)

    def __init__(self, tasks: Tasks, title: str, button: str, parent: QWidget | None):
        super().__init__(title, parent)
        self.tasks = tasks
        self.ok = self.main_button(button, self.save)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        cancel.clicked.connect(self.reject)
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.buttons)

    def work(self, values: dict):  # on the database lane; each form says what it saves
        raise NotImplementedError

    def save(self) -> None:
        if not self.ok.isEnabled():
            return  # already on its way
        values = self.f.values()
        self.busy("Saving…")
        # on the database lane (the one writer), though slow: a password is hashed
        self.tasks.run_store(lambda _store: self.work(values), self._saved, self._failed)

    def _saved(self, result) -> None:
        self.idle()
        self.saved.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> bool:
        """At the fields if it is about them; else the desk reports it (status bar)."""
        if isinstance(exc, ValidationError) and exc.errors.keys() & self.f.widgets.keys():
            self.failed(exc, next(iter(self.f.widgets)))
            return True
        self.idle()
        return False


class ChangePasswordDialog(_TaskForm):
    """Someone changes their own password (offline too: the new hash syncs)."""

    def __init__(self, tasks: Tasks, gate: Gate, who: SignedIn, parent: QWidget | None = None):
        super().__init__(tasks, "Change my password", "&Change password", parent)
        self.gate, self.who = gate, who
        self.f.add(self.form, "old_password", "C&urrent password",
                   password_edit("Current password"))
        self.f.add(self.form, "password", "&New password", password_edit("New password"))
        self.f.add(self.form, "password_again", "New password a&gain",
                   password_edit("New password again"))
        note = QLabel(f"At least {accounts.MIN_PASSWORD} characters: a few words together "
                      "is easiest to remember. Other desks take the new password once they "
                      "have synced.")
        note.setWordWrap(True)
        self.layout_.insertWidget(0, note)

    def work(self, v: dict):
        self.gate.change_password(self.tasks.store, self.who, v["old_password"],
                                  v["password"], v["password_again"])


class NewAccountDialog(_TaskForm):
    """An admin adds a member of staff; their password opens this desk at once."""

    def __init__(self, tasks: Tasks, gate: Gate, sites: dict[str, str],
                 parent: QWidget | None = None):
        super().__init__(tasks, "New account", "&Add account", parent)
        self.gate = gate
        self.f.add(self.form, "name", "&Name", line_edit("Name"))
        self.f.add(self.form, "home_site", "&Home hub", combo("Home hub", sites))
        self.f.add(self.form, "username", "&Username", line_edit("Username"))
        self.f.add(self.form, "role", "&Role", combo("Role", ROLES))
        self.f.add(self.form, "password", "&Password", password_edit("Password"))
        self.f.add(self.form, "password_again", "Password a&gain",
                   password_edit("Password again"))

    def work(self, v: dict):
        with self.tasks.store.session() as s:
            advisor = accounts.create(s, v["name"], v["home_site"], v["username"], v["role"],
                                      v["password"], v["password_again"],
                                      signer=proofs.signer_of(self.tasks.store))
            advisor_id, password_hash = advisor.id, advisor.password_hash
        self.gate.keyfile.add(self.tasks.store.key, advisor_id, v["username"], v["password"],
                              password_hash)
        self.gate.keyfile.save()
        return advisor_id


class ResetPasswordDialog(_TaskForm):
    """An admin gives an account a new password (forgotten, or never set)."""

    def __init__(self, tasks: Tasks, gate: Gate, advisor_id: str, name: str,
                 parent: QWidget | None = None):
        super().__init__(tasks, f"New password for {name}", "&Set password", parent)
        self.gate, self.advisor_id = gate, advisor_id
        self.f.add(self.form, "password", "&New password", password_edit("New password"))
        self.f.add(self.form, "password_again", "New password a&gain",
                   password_edit("New password again"))

    def work(self, v: dict):
        self.gate.reset_password(self.tasks.store, self.advisor_id, v["password"],
                                 v["password_again"])


class AccountsDialog(QDialog):
    """Every account: an admin adds staff, resets passwords, changes roles, and stops an
    account signing in (its records stay)."""

    COLUMNS = ("Name", "Username", "Role", "Can sign in")

    def __init__(self, tasks: Tasks, gate: Gate, sites: dict[str, str], me: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks, self.gate, self.sites, self.me = tasks, gate, sites, me
        self.setWindowTitle("Accounts")
        self.setAccessibleName("Accounts")
        self.resize(760, 480)
        self.rows: list = []
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab goes on to the buttons; arrows move in it
        self.table.setAccessibleName("Accounts")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for column in range(len(self.COLUMNS) - 1):  # whole names; the last takes the rest
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.role = combo("Role of the chosen account", ROLES)
        role_label = QLabel("R&ole:")
        role_label.setBuddy(self.role)
        self.status = QLabel()
        self.status.setAccessibleName("What is happening")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        self.buttons = {}
        for key, text, slot in (("new", "&New account…", self.new_account),
                                ("password", "Set &password…", self.reset_password),
                                ("active", "&Stop signing in", self.toggle_active)):
            b = QPushButton(text)
            b.setAccessibleName(text.replace("&", "").replace("…", ""))
            b.clicked.connect(slot)
            buttons.addWidget(b)
            self.buttons[key] = b
        buttons.addSpacing(style.SPACE["l"])
        buttons.addWidget(role_label)
        buttons.addWidget(self.role)
        buttons.addStretch(1)
        close = QPushButton("&Close")
        close.setAccessibleName("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.table.itemSelectionChanged.connect(self._selected)
        self.role.activated.connect(self._role_chosen)
        self.reload()

    def reload(self) -> None:
        def read(s):
            return [(a.id, a.name, a.username, a.role, a.active, a.password_hash != "")
                    for a in accounts.all_accounts(s)]

        self.tasks.run(read, self._show)

    def _show(self, rows: list) -> None:
        chosen = self.chosen()
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, (advisor_id, name, username, role, active, has_password) in enumerate(rows):
            cells = (name, username or "(none yet)", ROLES.get(role, role),
                     ("Yes" if active and has_password and username else
                      "No: needs a username and password" if active else "No"))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, advisor_id)
                self.table.setItem(r, c, item)
            if advisor_id == chosen:
                self.table.selectRow(r)
        self._selected()

    def chosen(self) -> str | None:
        row = self.table.currentRow()
        return self.rows[row][0] if 0 <= row < len(self.rows) else None

    def _row(self):
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _selected(self) -> None:
        row = self._row()
        for key in ("password", "active"):
            self.buttons[key].setEnabled(row is not None)
        self.role.setEnabled(row is not None and row[0] != self.me)
        if row is not None:
            self.role.setCurrentIndex(max(0, self.role.findData(row[3])))
            self.buttons["active"].setText("&Stop signing in" if row[4] else "&Let sign in")
            self.buttons["active"].setEnabled(row[0] != self.me)

    def new_account(self) -> None:
        dialog = NewAccountDialog(self.tasks, self.gate, self.sites, self)
        dialog.saved.connect(lambda _id: self.reload())
        dialog.open()

    def reset_password(self) -> None:
        row = self._row()
        if row is None:
            return
        advisor_id, name, username = row[0], row[1], row[2]
        if not username:
            self.status.setText(f"{name} has no username yet: give them a new account "
                                "instead, or ask them to be added again.")
            return
        dialog = ResetPasswordDialog(self.tasks, self.gate, advisor_id, name, self)
        dialog.saved.connect(lambda _r: self.reload())
        dialog.open()

    def _role_chosen(self, _index: int) -> None:
        advisor_id = self.chosen()
        role = self.role.currentData()
        if advisor_id is None or advisor_id == self.me:
            return
        signer = proofs.signer_of(self.tasks.store)
        self.tasks.run(lambda s: accounts.update(s, advisor_id, role=role, signer=signer),
                       lambda _a: self.reload())

    def toggle_active(self) -> None:
        row = self._row()
        if row is None or row[0] == self.me:
            return
        advisor_id, active = row[0], not row[4]
        signer = proofs.signer_of(self.tasks.store)
        self.tasks.run(lambda s: accounts.update(s, advisor_id, active=active, signer=signer),
                       lambda _a: self._active_set(advisor_id, active))

    def _active_set(self, advisor_id: str, active: bool) -> None:
        if not active:  # their password no longer unwraps this desk's data key either
            self.gate.keyfile.remove(advisor_id)
            self.gate.keyfile.save()
        self.reload()


class SiteDialog(_TaskForm):
    """Where this desk is today: a hub, or a way of working (outreach, telephone...)."""

    def __init__(self, tasks: Tasks, sites: dict[str, str], current: str,
                 parent: QWidget | None = None):
        super().__init__(tasks, "Where this desk is", "&Save", parent)
        self.f.add(self.form, "site_code", "This desk is &at", combo("This desk is at", sites))
        self.f.load({"site_code": current})

    def work(self, v: dict):
        from lr_desk import settings

        with self.tasks.store.session() as s:
            settings.put(s, "site_code", v["site_code"])
        return v["site_code"]
