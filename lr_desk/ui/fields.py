"""The small pieces every form is made of: labelled fields with their message under
them, and reading and setting a field's value whatever its kind. Qt and the style
only (the sign-in box is built from these before the database layer is loaded)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from lr_desk.ui import style


def scrolled(body: QWidget, name: str, tab_stop: bool = False) -> QScrollArea:
    """A long form in a scroll area (small screens, large fonts). The area is no Tab stop
    of its own (``tab_stop`` for one whose contents take no focus, so the keyboard can
    still scroll it): Tab goes from field to field, and the area follows the field."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(body)
    scroll.setAccessibleName(name)
    if not tab_stop:
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return scroll


def clearable(edit: QLineEdit, name: str = "Clear") -> QLineEdit:
    """A box with Qt's clear button, the button named for a screen reader (Qt leaves it
    nameless) and its tooltip saying what it does."""
    edit.setClearButtonEnabled(True)
    action = edit.findChild(QAction, "_q_qlineeditclearaction")
    if action is not None:  # (words on the action would be drawn on the button)
        action.setToolTip(name)
    for button in edit.findChildren(QAbstractButton):
        button.setAccessibleName(name)
    return edit


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
    """Named widgets, each with a message label under it, in a QFormLayout.

    A field and its message sit in a layout, not a widget of their own, so the field's
    label is its sibling: Qt ties a label to its field for a screen reader (the field is
    "labelled by" it) only then, and a combo box on Linux is announced by that label and
    then its value. ``show_row`` shows or hides a field's row, ``labels`` are the rows'
    labels."""

    def __init__(self, on_change=None):
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self.rows: dict[str, tuple[QFormLayout, QVBoxLayout]] = {}
        self.touched: set[str] = set()
        self._on_change = on_change

    def add(self, layout: QFormLayout, key: str, label: str, widget: QWidget) -> QWidget:
        self.widgets[key] = widget
        err = style.message(QLabel(), "error")
        err.setVisible(False)
        err.setAccessibleName(f"Message for {label.replace('&', '')}")
        self.errors[key] = err
        v = QVBoxLayout()
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(widget)
        v.addWidget(err)
        if isinstance(widget, QCheckBox):
            layout.addRow("", v)
        else:
            lab = QLabel(label)
            lab.setBuddy(widget)
            self.labels[key] = lab
            layout.addRow(lab, v)
        self.rows[key] = (layout, v)
        changed_signal(widget).connect(lambda *_: self._changed(key))
        return widget

    def show_row(self, key: str, on: bool) -> None:
        """Show a field's row (its label, the field, and its message if it has one), or
        hide it."""
        form, row = self.rows[key]
        form.setRowVisible(row, on)
        err = self.errors[key]
        err.setVisible(on and bool(err.text()))

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
            form, row = self.rows[key]
            label.setVisible(bool(msg) and form.isRowVisible(row))
            style.mark_error(self.widgets[key], bool(msg))  # seen, not only heard
            self.widgets[key].setAccessibleDescription(msg)

    def focus_first_error(self, errors: dict[str, str]) -> None:
        for key, widget in self.widgets.items():
            if key in errors:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return
