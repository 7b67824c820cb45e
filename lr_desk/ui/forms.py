"""Form building blocks: labelled fields with their message underneath, live checking,
autosaved drafts and a guard against closing with unsaved work."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings, QSize, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from lr_desk.services import drafts
from lr_desk.services.validation import ValidationError
from lr_desk.ui import style
from lr_desk.ui.fields import (  # noqa: F401 (where the forms have found them)
    Fields,
    changed_signal,
    check,
    clearable,
    combo,
    line_edit,
    scrolled,
    set_combo,
    set_value,
    text_edit,
    value_of,
)
from lr_desk.ui.tasks import Tasks

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
