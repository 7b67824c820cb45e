"""Form building blocks: labelled fields with their message underneath, live checking,
autosaved drafts and a guard against closing with unsaved work."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import drafts
from lr_desk.services.validation import ValidationError
from lr_desk.ui import style
from lr_desk.ui.tasks import Tasks


def scrolled(body: QWidget, name: str) -> QScrollArea:
    """A long form in a scroll area (small screens, large fonts)."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(body)
    scroll.setAccessibleName(name)
    return scroll


def line_edit(name: str, placeholder: str = "") -> QLineEdit:
    w = QLineEdit()
    w.setAccessibleName(name)
    w.setPlaceholderText(placeholder)
    return w


def text_edit(name: str, placeholder: str = "") -> QPlainTextEdit:
    w = QPlainTextEdit()
    w.setAccessibleName(name)
    w.setPlaceholderText(placeholder)
    w.setTabChangesFocus(True)  # Tab moves on, so the form works from the keyboard
    w.setMinimumHeight(60)
    return w


def combo(name: str, choices: dict[str, str], blank: str | None = None) -> QComboBox:
    w = QComboBox()
    w.setAccessibleName(name)
    if blank is not None:
        w.addItem(blank, "")
    for code, label in choices.items():
        w.addItem(label, code)
    return w


def check(text: str, name: str | None = None) -> QCheckBox:
    w = QCheckBox(text)
    w.setAccessibleName(name or text.replace("&", ""))
    return w


def set_combo(w: QComboBox, code: str) -> None:
    i = w.findData(code)
    if i >= 0:
        w.setCurrentIndex(i)


def value_of(w: QWidget):
    if isinstance(w, QLineEdit):
        return w.text()
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText()
    if isinstance(w, QCheckBox):
        return w.isChecked()
    if isinstance(w, QComboBox):
        return w.currentData() or ""
    raise TypeError(w)


def set_value(w: QWidget, value) -> None:
    if isinstance(w, QLineEdit):
        w.setText(value or "")
    elif isinstance(w, QPlainTextEdit):
        w.setPlainText(value or "")
    elif isinstance(w, QCheckBox):
        w.setChecked(bool(value))
    elif isinstance(w, QComboBox):
        set_combo(w, value or "")


def changed_signal(w: QWidget):
    if isinstance(w, QLineEdit):
        return w.textChanged
    if isinstance(w, QPlainTextEdit):
        return w.textChanged
    if isinstance(w, QCheckBox):
        return w.toggled
    if isinstance(w, QComboBox):
        return w.currentIndexChanged
    raise TypeError(w)


class Fields:
    """Named widgets, each with a message label under it, in a QFormLayout."""

    def __init__(self, on_change=None):
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.touched: set[str] = set()
        self._on_change = on_change

    def add(self, layout: QFormLayout, key: str, label: str, widget: QWidget) -> QWidget:
        self.widgets[key] = widget
        err = style.message(QLabel(), "error")
        err.setVisible(False)
        err.setAccessibleName(f"Message for {label.replace('&', '')}")
        self.errors[key] = err
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(widget)
        v.addWidget(err)
        if isinstance(widget, QCheckBox):
            layout.addRow("", box)
        else:
            lab = QLabel(label)
            lab.setBuddy(widget)
            layout.addRow(lab, box)
        changed_signal(widget).connect(lambda *_: self._changed(key))
        return widget

    def _changed(self, key: str) -> None:
        self.touched.add(key)
        if self._on_change:
            self._on_change(key)

    def values(self) -> dict:
        return {k: value_of(w) for k, w in self.widgets.items()}

    def load(self, values: dict) -> None:
        for k, v in values.items():
            if k in self.widgets:
                set_value(self.widgets[k], v)

    def show_errors(self, errors: dict[str, str], only_touched: bool) -> None:
        for key, label in self.errors.items():
            msg = errors.get(key, "")
            if only_touched and key not in self.touched:
                msg = ""
            label.setText(msg)
            label.setVisible(bool(msg))
            style.mark_error(self.widgets[key], bool(msg))  # seen, not only heard
            self.widgets[key].setAccessibleDescription(msg)

    def focus_first_error(self, errors: dict[str, str]) -> None:
        for key, widget in self.widgets.items():
            if key in errors:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return


OPENED_WITH = "~opened_with"  # in a draft: the record's values when the form opened


class EditorDialog(QDialog):
    """A form that autosaves a draft, checks as you type, and never drops unsaved work.

    Subclasses build their fields in ``self.f`` (a ``Fields``), provide ``validate(payload)``
    (pure and fast: raises ValidationError) and ``submit(payload)`` (which calls
    ``self.tasks.run`` and then ``self.saved_ok`` or ``self.save_failed``), and call
    ``ready()`` at the end of ``__init__``. A form with more than ``self.f`` overrides
    ``collect``/``restore``/``show_errors`` too.
    """

    saved = Signal(object)

    def __init__(self, tasks: Tasks, draft_key: str, title: str, autosave_seconds: int = 5,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.draft_key = draft_key
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.dirty = False
        # An editor of a stored record sets this to the record's values as it opened on
        # it, so that only what is changed here is saved (see services.edits); a draft
        # keeps it, since its typing was done against that record.
        self.opened_with: dict | None = None
        self._loading = True  # subclasses call ready() once their widgets exist
        self._saving = False
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.banner.setAccessibleName("Notice")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save")
        self.save_button.setToolTip("Save (Ctrl+S)")
        style.primary(self.save_button)  # what every form is for
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        self._autosave = QTimer(self)
        self._autosave.setInterval(max(1, autosave_seconds) * 1000)
        self._autosave.timeout.connect(self.save_draft)

    # -- the form's values: defaults for a form that is all ``self.f`` ---------------
    def collect(self) -> dict:
        """The form as a JSON-able dict (what a draft keeps)."""
        return self.f.values()

    def restore(self, payload: dict) -> None:
        self.f.load(payload)

    def validate(self, payload: dict) -> None:
        """Raise ValidationError for wrong values; nothing to check by default."""

    def check(self, payload: dict) -> dict[str, str]:
        try:
            self.validate(payload)
        except ValidationError as exc:
            return dict(exc.errors)
        return {}

    def show_errors(self, errors: dict[str, str], only_touched: bool) -> None:
        self.f.show_errors(errors, only_touched)

    def focus_error(self, errors: dict[str, str]) -> None:
        self.f.focus_first_error(errors)

    # -- behaviour ----------------------------------------------------------------
    def ready(self) -> None:
        """Called at the end of a subclass's __init__: from now on, changes are the user's.
        Enter saves, whatever button Tab last passed (no other button takes it over)."""
        self._loading = False
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        self.save_button.setDefault(True)

    def remember_size(self, name: str, default: QSize) -> None:
        """Open at the size this form was last left at on this desk (``default`` at first,
        within the screen), and keep its size when it closes (a file in the profile)."""
        self._size_key = f"{name}/size"
        size = self._sizes().value(self._size_key, default)
        size = size if isinstance(size, QSize) and size.isValid() else default
        self.resize(size.boundedTo(self.screen().availableGeometry().size() - QSize(0, 30)))

    def _sizes(self) -> QSettings:
        return QSettings(str(self.tasks.store.path.parent / "forms.ini"),
                         QSettings.Format.IniFormat)

    def done(self, result: int) -> None:
        if getattr(self, "_size_key", None):
            sizes = self._sizes()
            sizes.setValue(self._size_key, self.size())
            sizes.sync()
            os.chmod(sizes.fileName(), 0o600)  # the profile's files are its owner's only
        super().done(result)

    def start(self) -> None:
        """Show the dialog, then offer any draft left by a crash or an earlier close."""
        self.show()
        key = self.draft_key
        self.tasks.run(lambda s: (d := drafts.load(s, key)) and (d.payload, d.updated_at),
                       self._draft_found)
        self._autosave.start()

    def _draft_found(self, found) -> None:
        if not found:
            return
        payload, when = found
        payload = dict(payload)
        if OPENED_WITH in payload:  # the record as it was when this was typed
            self.opened_with = payload.pop(OPENED_WITH)
        self.load_payload(payload)
        self.dirty = True
        self.show_notice(f"Your unsaved work from {when:%d %b %Y %H:%M} (UTC) has been "
                         "restored. Save it, or Cancel to discard it.")

    def load_payload(self, payload: dict) -> None:
        self._loading = True
        try:
            self.restore(payload)
        finally:
            self._loading = False

    def show_notice(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def mark_dirty(self, *_args) -> None:
        if self._loading:
            return
        self.dirty = True
        self.show_errors(self.check(self.collect()), only_touched=True)

    def save_draft(self) -> None:
        if not self.dirty or self._saving:
            return
        key, payload = self.draft_key, self.collect()
        if self.opened_with is not None:
            payload[OPENED_WITH] = self.opened_with
        self.tasks.run(lambda s: drafts.save(s, key, payload))

    def save(self) -> None:
        if self._saving:
            return
        payload = self.collect()
        errors = self.check(payload)
        self.show_errors(errors, only_touched=False)
        if errors:
            self.show_notice("Please check the highlighted fields.")
            self.focus_error(errors)
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.show_notice("Saving…")
        self.submit(payload)

    def saved_ok(self, result) -> None:
        self._saving = False
        self.dirty = False
        self._autosave.stop()
        key = self.draft_key
        self.tasks.run(lambda s: drafts.discard(s, key))
        self.saved.emit(result)
        self.accept()

    def save_failed(self, exc: BaseException) -> bool:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_errors(exc.errors, only_touched=False)
            self.focus_error(exc.errors)
            # a message with no field of its own ("no longer here") goes in the notice
            fields = getattr(getattr(self, "f", None), "widgets", {})
            stray = [m for k, m in exc.errors.items()
                     if k not in fields and not k.startswith("items.")]
            self.show_notice(" ".join(stray) or "Please check the highlighted fields.")
            return True
        if isinstance(exc, LookupError):  # the record went (merged or deleted elsewhere)
            self.save_draft_now()
            self.show_notice(f"{exc.args[0] if exc.args else exc} Your typing is kept as a "
                             "draft.")
            return True
        from lr_desk.ui.tasks import environment_problem

        self.save_draft_now()
        self.show_notice("Not saved yet; your typing is kept as a draft. " +
                         (environment_problem(exc) or ""))
        return False  # let the desk report it in plain words too

    def put_away(self) -> None:
        """Close, keeping what was typed as a draft, offered again when the form is opened
        again (the app closing while its owner is away from a shared desk)."""
        self.save_draft()
        self._autosave.stop()
        self.dirty = False
        QDialog.reject(self)

    def save_draft_now(self) -> None:
        self.dirty = True
        self.save_draft()

    def reject(self) -> None:
        if self._saving:  # closing now would hide whether the save worked
            self.show_notice("Saving… one moment.")
            return
        if self.dirty and not self.confirm_discard():
            return
        self._autosave.stop()
        key = self.draft_key
        self.tasks.run(lambda s: drafts.discard(s, key))
        self.dirty = False
        super().reject()

    def confirm_discard(self) -> bool:
        """Ask what to do with unsaved work; True when it is fine to close."""
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved work",
                          "You have unsaved changes here. Save them before closing?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard |
                          QMessageBox.StandardButton.Cancel, self)
        box.setAccessibleName("Unsaved work")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            self.save()
            return False  # closes itself once saved
        return answer == QMessageBox.StandardButton.Discard
