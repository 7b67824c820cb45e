"""Every page and dialog of the desk as a screen reader meets it, walked in-process through
Qt's own accessibility interfaces (what Qt hands the AT-SPI bus): no unnamed object takes
the keyboard, no label and no frame (a tab widget, a form's scroll area) takes it, and
every label tied to a field (its buddy) is what the field is labelled by, combo boxes
included (on Linux a combo box is announced by that label and then its value: Qt gives
it its value as its name).

The in-process twin of the AT-SPI walk (tests/a11y/): the same pages and dialogs as the
fit tests (tests/ui/catalogue.py), opened the way the desk opens them.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QComboBox, QLabel, QTabWidget, QWidget

from tests.ui.catalogue import CATALOGUE, Stage

NAME, LABEL = QAccessible.Text.Name, QAccessible.RelationFlag.Label


def _what(w: QWidget) -> str:
    text = getattr(w, "text", None)
    words = text() if callable(text) and isinstance(text(), str) else ""
    return f"{type(w).__name__} {w.objectName()!r} {words[:30]!r} in " \
        f"{type(w.parentWidget()).__name__}"


# Qt's own inner parts it leaves out of what a screen reader is shown (a spin box's or a
# date box's text box is the box itself to a screen reader)
NOT_SHOWN = {"qt_spinbox_lineedit", "qt_rubberband"}
# roles that say nothing: AT-SPI's filler, panel or unknown
NO_ROLE = {QAccessible.Role.Client, QAccessible.Role.Pane, QAccessible.Role.NoRole,
           QAccessible.Role.Grouping}


def _on_show(root: QWidget) -> list[QWidget]:
    return [w for w in [root, *root.findChildren(QWidget)]
            if (w is root or not w.isWindow()) and w.isVisibleTo(root)
            and w.objectName() not in NOT_SHOWN]


def _focusable(root: QWidget):
    for w in _on_show(root):
        if w.focusPolicy() == Qt.FocusPolicy.NoFocus or not w.isEnabled():
            continue
        iface = QAccessible.queryAccessibleInterface(w)
        if iface is not None and iface.state().focusable:
            yield w, iface


def unnamed_focusable(root: QWidget) -> list[str]:
    """Objects on show that take the keyboard (a Tab stop, or a click's focus) and that a
    screen reader would announce with no name, or as a filler (a role that says
    nothing: a frame, a scrolling area)."""
    found = []
    for w, iface in _focusable(root):
        if not iface.text(NAME).strip():
            found.append(_what(w))
        elif iface.role() in NO_ROLE:
            found.append(f"{_what(w)}: {iface.role().name}")
    return found


def focusable_labels(root: QWidget) -> list[str]:
    """Words to read that take the keyboard (a screen reader meets "a focusable label"):
    selecting them with the mouse is fine, a Tab stop or a click's focus is not."""
    return [_what(w) for w, _iface in _focusable(root) if isinstance(w, QLabel)]


def focusable_frames(root: QWidget) -> list[str]:
    """Tab widgets that take the keyboard themselves: their tab list does (or nothing)."""
    return [_what(w) for w in _on_show(root)
            if isinstance(w, QTabWidget) and w.focusPolicy() != Qt.FocusPolicy.NoFocus]


def labelled_by(widget: QWidget) -> list[QWidget]:
    """What Qt says ``widget`` is labelled by (the AT-SPI "labelled-by" relation)."""
    iface = QAccessible.queryAccessibleInterface(widget)
    return [other.object() for other, _kind in iface.relations(LABEL)] if iface else []


def untied_labels(root: QWidget) -> list[str]:
    """Labels with a buddy that the buddy does not report being labelled by, and combo
    boxes on show labelled by nothing (named only by the value they hold)."""
    found = []
    shown = _on_show(root)
    for w in shown:
        if isinstance(w, QLabel) and w.buddy() is not None and w.buddy().isVisibleTo(root) \
                and w not in labelled_by(w.buddy()):
            found.append(f"label {w.text()!r} for {_what(w.buddy())}")
        elif isinstance(w, QComboBox) and not labelled_by(w):
            found.append(f"combo box {w.accessibleName()!r} (now {w.currentText()!r}) "
                         "labelled by nothing")
    return found


@pytest.fixture(scope="module")
def stage(qapp, tmp_path_factory):
    made = Stage(tmp_path_factory.mktemp("walk") / "demo", tmp_path_factory.mktemp("new"))
    yield made
    made.finish()


@pytest.fixture
def desk(stage):
    yield stage
    stage.tidy()


@pytest.mark.parametrize("opening", CATALOGUE, ids=[o.name for o in CATALOGUE])
def test_a_screen_reader_finds_everything_named_and_labelled(desk, opening):
    shown = opening.open(desk)
    window = desk.window if opening.page else shown
    if opening.page:
        window.tabs.list.setFocus()  # (the page as it is reached: from the navigation)
    assert unnamed_focusable(window) == []
    assert focusable_labels(window) == []
    assert focusable_frames(window) == []
    assert untied_labels(window) == []
    if opening.page:
        bar = QAccessible.queryAccessibleInterface(window.statusBar())
        assert bar.text(NAME) == "Status"
