"""Every control has an accessible name, and the main tasks have keyboard paths."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)

from lr_desk.ui.dropin import DropInDialog
from lr_desk.ui.person import StepDialog

INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QAbstractItemView,
               QTabWidget)


def _inside_qt_part(w: QWidget) -> bool:
    """Qt's own sub-parts are named by their owner: a combo box's pop-up list, a line
    edit's clear button, a tab's close button (Ctrl+W does the same), a table's corner."""
    if w.objectName().startswith("qt_") or type(w.parent()).__name__ in ("QTabBar", "QLineEdit"):
        return True
    parent = w.parent()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parent()
    return False


def unnamed_controls(root: QWidget) -> list[str]:
    missing = []
    for w in [root, *root.findChildren(QWidget)]:
        if not isinstance(w, INTERACTIVE) or isinstance(w, QHeaderView):
            continue
        if _inside_qt_part(w):
            continue
        if not w.accessibleName().strip():
            text = getattr(w, "text", lambda: "")()
            missing.append(f"{type(w).__name__} {w.objectName()!r} {text!r}")
    return missing


def test_every_control_on_the_desk_and_its_forms_is_named(qtbot, desks, profile):
    desk = desks.start(profile)
    window = desk.window
    assert unnamed_controls(window) == []

    person_form = window.new_person({})
    assert unnamed_controls(person_form) == []
    qtbot.keyClicks(person_form.f.widgets["given_name"], "Nia")
    qtbot.keyClicks(person_form.f.widgets["family_name"], "Jones")
    with qtbot.waitSignal(window.person_opened, timeout=10_000) as opened:
        person_form.save()
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None)
    assert unnamed_controls(page) == []

    dialog = window.record_drop_in(page.view.person)
    assert isinstance(dialog, DropInDialog)
    assert unnamed_controls(dialog) == []
    for what in ("referral", "follow_up"):
        step = StepDialog(desk.tasks, "Step", what, "x", "y")
        qtbot.addWidget(step)
        assert unnamed_controls(step) == []


def test_shortcuts_reach_find_new_and_record(qtbot, desks, profile):
    desk = desks.start(profile)
    window = desk.window
    shortcuts = {a.shortcut().toString() for a in window.findChildren(type(window.find_action))}
    assert {"Ctrl+F", "Ctrl+N"} <= shortcuts
    window.tabs.setCurrentWidget(window.today)
    window.find_action.trigger()
    assert window.tabs.currentWidget() is window.people


def mnemonic_clashes(root: QWidget) -> dict[str, list[str]]:
    """Alt+letter keys used by more than one label or button in one window."""
    import re

    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel

    seen: dict[str, list[str]] = {}
    for w in [root, *root.findChildren(QWidget)]:
        if w.window() is not root.window() and w is not root:
            continue
        if isinstance(w, QLabel) and w.buddy() is None:
            continue
        if not isinstance(w, QLabel | QAbstractButton | QGroupBox):
            continue
        text = w.title() if isinstance(w, QGroupBox) else w.text()
        m = re.search(r"&([^&])", text.replace("&&", ""))
        if m:
            seen.setdefault(m.group(1).lower(), []).append(text)
    return {k: v for k, v in seen.items() if len(v) > 1}


def test_alt_letters_are_unique_in_each_form(qtbot, desks, profile):
    desk = desks.start(profile)
    window = desk.window
    person_form = window.new_person({})
    assert mnemonic_clashes(person_form) == {}
    qtbot.keyClicks(person_form.f.widgets["given_name"], "Nia")
    qtbot.keyClicks(person_form.f.widgets["family_name"], "Jones")
    with qtbot.waitSignal(window.person_opened, timeout=10_000) as opened:
        person_form.save()
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None)
    assert mnemonic_clashes(page) == {}
    dialog = window.record_drop_in(page.view.person)
    assert mnemonic_clashes(dialog) == {}
