"""No suitable service: a need raised at a drop-in that nothing in the directory could
meet, noted as a service gap (services.gaps: the need, where, and what was needed in
words), and counted in the reports.

``GapNotes`` sits under the drop-in's needs: its "No suitable service…" button (Ctrl+G;
on once a need is ticked) opens ``ServiceGapDialog``, which asks which of the needs ticked
and what was needed. The gaps noted wait with the drop-in and are recorded with its
conversation once the drop-in is saved (at the drop-in's Where, on the desk's worker,
right after the drop-in's own save): a drop-in cancelled notes no gap, and every gap
noted names its conversation, so erasing the person erases its words.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services import gaps
from lr_desk.services.validation import ValidationError
from lr_desk.ui import style
from lr_desk.ui.forms import Fields, combo, line_edit

TITLE = "No suitable service"
WHY_OFF = "Tick the need first: a service gap is noted for a need they raised."
SHORTCUT = "Ctrl+G"


class ServiceGapDialog(QDialog):
    """Which need (of those ticked) no service could meet, and what was needed, in words.
    Enter notes it; it is saved with the drop-in."""

    def __init__(self, needs: dict[str, str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        self.needs = needs
        intro = style.note(QLabel("Note a need that no service in the directory could "
                                  "meet. It is saved with this drop-in and counted in the "
                                  "reports."))
        intro.setWordWrap(True)
        intro.setAccessibleName("About service gaps")
        self.f = Fields(self._changed)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.f.add(form, "category", "&Need", combo("Need no service could meet", needs))
        self.f.add(form, "words", "&What was needed",
                   line_edit("What was needed, in words",
                             "e.g. evening English classes near Bootle"))
        self.buttons = QDialogButtonBox()
        self.note_button = self.buttons.addButton("No&te the gap",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.note_button.setAccessibleName("Note the gap")
        self.note_button.setDefault(True)
        style.primary(self.note_button)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.note_button.clicked.connect(self.note)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.f.widgets["words"].setFocus()

    def values(self) -> dict:
        v = self.f.values()
        return {"category": v["category"], "words": v["words"]}

    def _check(self) -> dict[str, str]:
        try:
            gaps.check_gap(self.values(), self.needs, ())
        except ValidationError as exc:
            return dict(exc.errors)
        return {}

    def _changed(self, _key: str) -> None:
        self.f.show_errors(self._check(), only_touched=True)

    def note(self) -> None:
        errors = self._check()
        if errors:
            self.f.show_errors(errors, only_touched=False)
            self.f.focus_first_error(errors)
            return
        self.accept()


class GapNotes(QWidget):
    """The drop-in's "No suitable service…" button and the gaps noted so far (said
    beside it, each in its tooltip). ``needs``: the drop-in's NeedToggles; ``names``:
    need code -> words; ``site``: the drop-in's Where (a combo of site codes)."""

    def __init__(self, needs, names: dict[str, str], site, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Service gaps")
        self.needs, self.names, self.site = needs, names, site
        self.pending: list[dict] = []
        self.dialog: ServiceGapDialog | None = None
        self._form = None  # the drop-in, once a gap is noted
        self.button = QPushButton("No suitable service…")
        self.button.setAccessibleName("No suitable service: note a service gap")
        self.button.setShortcut(QKeySequence(SHORTCUT))
        self.button.clicked.connect(self.ask)
        self.noted = style.note(QLabel())
        self.noted.setAccessibleName("Service gaps noted")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button)
        row.addWidget(self.noted, 1)
        needs.changed.connect(self._needs_changed)
        self._needs_changed()

    def ticked(self) -> dict[str, str]:
        return {code: self.names.get(code, code) for code in self.needs.values()}

    def _needs_changed(self) -> None:
        on = bool(self.needs.values())
        self.button.setEnabled(on)
        self.button.setToolTip(f"Note a need that no service in the directory could meet "
                               f"({SHORTCUT})" if on else WHY_OFF)

    def ask(self) -> None:
        if not self.ticked():
            return
        self.dialog = ServiceGapDialog(self.ticked(), self.window())
        self.dialog.accepted.connect(lambda d=self.dialog: self._noted(d.values()))
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.open()

    def _noted(self, gap: dict) -> None:
        self.pending.append(gap)
        count = len(self.pending)
        self.noted.setText(f"{count} gap{'s' if count > 1 else ''} noted")
        self.noted.setToolTip("\n".join(f"{self.names.get(g['category'], g['category'])}: "
                                        f"{g['words']}" for g in self.pending))
        form = self.window()
        if self._form is None and hasattr(form, "saved"):
            self._form = form  # (the drop-in: an EditorDialog with its tasks and desk)
            form.saved.connect(self._record)
        if hasattr(form, "mark_dirty"):
            form.mark_dirty()

    def _record(self, result) -> None:
        """The drop-in is saved: record the gaps noted with its conversation."""
        conversation_id = getattr(result, "conversation_id", None)
        form, noted = self._form, list(self.pending)
        if not noted or form is None or conversation_id is None:
            return
        site, advisor = self.site.currentData() or "", form.desk.advisor_id
        self.pending = []
        form.tasks.run(lambda s: gaps.record_gaps(s, noted, site, advisor, conversation_id))
