"""At a follow-up: the person's own view of each of their referrals that started (it
helped a lot, a bit, not really, did not go) and their words, one row a referral, in the
follow-up's form (saved with its outcome)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from lr_desk.services.referral_views import ToAsk
from lr_desk.services.validation import MAX_TEXT
from lr_desk.store.models import REFERRAL_VIEWS
from lr_desk.ui import style
from lr_desk.ui.forms import combo, line_edit

NOT_ASKED = "Not asked"
ROWS_SHOWN = 3  # more scroll inside the box, the form's buttons staying on screen


class ViewsBox(QGroupBox):
    """One row per referral: what it is, their view (a choice) and their words. Hidden
    while there is nothing to ask about."""

    def __init__(self, on_change: Callable[..., None], parent: QWidget | None = None):
        super().__init__("Did it help? Their view of each referral", parent)
        self.setAccessibleName("Their view of each referral")
        self.on_change = on_change
        self.rows: dict[str, tuple[QComboBox, QLineEdit, QLabel]] = {}
        self.touched: set[str] = set()
        self._pending: dict = {}
        self.body = QWidget()
        self.grid = QGridLayout(self.body)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setColumnStretch(1, 1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.body)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setAccessibleName("Their referrals")
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to its rows
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll)
        self.setVisible(False)

    def set_referrals(self, asked: list[ToAsk]) -> None:
        for i, a in enumerate(asked):
            what = QLabel(f"{a.what}: {a.status.lower()}")
            what.setToolTip(f"{a.what}: {a.status}")
            what.setWordWrap(True)
            view = combo(f"Their view of {a.what}", REFERRAL_VIEWS, blank=NOT_ASKED)
            words = line_edit(f"Their words about {a.what}", "In their words")
            words.setMaxLength(MAX_TEXT)
            what.setBuddy(view)
            error = style.message(QLabel(), "error")
            error.setVisible(False)
            error.setAccessibleName(f"Message for their view of {a.what}")
            view.setCurrentIndex(max(0, view.findData(a.view)))
            words.setText(a.words)
            self.grid.addWidget(what, 3 * i, 0, 1, 2)
            self.grid.addWidget(view, 3 * i + 1, 0)
            self.grid.addWidget(words, 3 * i + 1, 1)
            self.grid.addWidget(error, 3 * i + 2, 0, 1, 2)
            self.rows[a.id] = (view, words, error)
            for signal in (view.currentIndexChanged, words.textChanged):
                signal.connect(lambda *_, rid=a.id: self._changed(rid))
        self.setVisible(bool(asked))
        if asked:
            first = self.rows[asked[0].id][0]
            one = first.sizeHint().height() + self.fontMetrics().lineSpacing() + \
                2 * self.grid.verticalSpacing()
            self.scroll.setFixedHeight(min(len(asked), ROWS_SHOWN) * one + 4)
        if self._pending:  # a draft restored before the rows were there
            self.load(self._pending)

    def chain(self, after: QWidget, before: QWidget) -> None:
        """Tab from ``after`` through each row (their view, their words) to ``before``."""
        order = [after] + [w for view, words, _error in self.rows.values()
                           for w in (view, words)] + [before]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)

    def _changed(self, rid: str) -> None:
        self.touched.add(rid)
        self.on_change()

    def values(self) -> dict:
        out = dict(self._pending)  # (kept until the rows are there)
        out.update({rid: {"view": view.currentData() or "", "words": words.text()}
                    for rid, (view, words, _error) in self.rows.items()})
        return out

    def load(self, views: dict) -> None:
        if not isinstance(views, dict):
            return
        self._pending = {} if self.rows else dict(views)
        for rid, given in views.items():
            if rid in self.rows and isinstance(given, dict):
                view, words, _error = self.rows[rid]
                view.setCurrentIndex(max(0, view.findData(given.get("view") or "")))
                words.setText(str(given.get("words") or ""))

    def show_errors(self, errors: dict[str, str], only_touched: bool) -> None:
        for rid, (view, _words, error) in self.rows.items():
            msg = errors.get(f"views.{rid}", "")
            if only_touched and rid not in self.touched:
                msg = ""
            error.setText(msg)
            error.setVisible(bool(msg))
            style.mark_error(view, bool(msg))
            view.setAccessibleDescription(msg)

    def focus_error(self, errors: dict[str, str]) -> None:
        for rid, (view, _words, _error) in self.rows.items():
            if f"views.{rid}" in errors:
                self.scroll.ensureWidgetVisible(view)
                view.setFocus(Qt.FocusReason.OtherFocusReason)
                return
