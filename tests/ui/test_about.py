"""Help > About from the keyboard: the version, every part the desk carries with its
licence, and the chosen part's licence text below; arrows (or typing a name) choose, Tab
goes to the text, Escape closes; it fits the hub screens with Close on show."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from lr_desk import __version__, licences
from lr_desk.ui.help import AboutDialog
from tests.ui.screen import assert_fits


def open_about_from_the_keyboard(qtbot, window) -> AboutDialog:
    """Alt+H opens the Help menu, A (its underlined letter) chooses About."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=20_000)
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=20_000)
    menu = QApplication.activePopupWidget()
    assert "About" in " ".join(a.text() for a in menu.actions()), "not the Help menu"
    qtbot.keyClick(menu, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: any(isinstance(w, AboutDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=20_000)
    return next(w for w in QApplication.topLevelWidgets()
                if isinstance(w, AboutDialog) and w.isVisible())


def row_named(dialog: AboutDialog, name: str) -> int:
    return next(r for r in range(dialog.table.rowCount())
                if dialog.table.item(r, 0).text() == name)


def test_about_lists_every_part_and_shows_the_licence_of_the_one_chosen(qtbot, desks,
                                                                       profile):
    desk = desks.start(profile)
    dialog = open_about_from_the_keyboard(qtbot, desk.window)
    assert_fits(dialog)
    assert __version__ in " ".join(label.text() for label in dialog.findChildren(
        type(dialog.note)))
    # every part in the list, the desk first; the list has the focus
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert names == [p.name for p in licences.parts()]
    assert len(names) > 50
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.table, timeout=20_000)
    assert "Mersey Care" in dialog.text.toPlainText()  # the first row's: the desk's own

    # the arrows choose: the next row's licence shows below
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    second = licences.parts()[1]
    assert dialog.table.currentRow() == 1
    assert dialog.text.toPlainText() == second.text()

    # typing a name goes to it (the list's own search as you type)
    qtbot.keyClicks(dialog.table, "reportlab")
    assert dialog.table.currentRow() == row_named(dialog, "reportlab")
    assert "ReportLab Inc." in dialog.text.toPlainText()
    assert dialog.text.accessibleName() == "Licence text of reportlab"
    assert "BSD" in dialog.table.item(dialog.table.currentRow(), 2).text()
    dialog.grab().save(str(profile.parent / "about-reportlab.png"))

    # a data row: the fonts, their licence and where they come from
    fonts = row_named(dialog, "DejaVu fonts")
    while dialog.table.currentRow() < fonts:
        qtbot.keyClick(dialog.table, Qt.Key.Key_PageDown)
    while dialog.table.currentRow() > fonts:
        qtbot.keyClick(dialog.table, Qt.Key.Key_Up)
    assert "Bitstream" in dialog.text.toPlainText()
    assert "DejaVu" in dialog.note.text()
    assert dialog.table.item(fonts, 3).text() == "Data"
    image = dialog.grab()
    assert not image.isNull()
    image.save(str(profile.parent / "about-fonts.png"))

    # Tab goes to the text (read-only), Tab again to Close, Escape closes
    qtbot.keyClick(dialog.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.text
    assert dialog.text.isReadOnly()
    qtbot.keyClick(dialog.text, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.close_button
    qtbot.keyClick(dialog.close_button, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(),
                    timeout=20_000)


def test_every_row_of_about_has_a_licence_and_a_text(qtbot):
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    for row in range(dialog.table.rowCount()):
        dialog.table.setCurrentCell(row, 0)
        part = dialog.parts[row]
        assert dialog.table.item(row, 2).text() == part.licence != ""
        assert dialog.text.toPlainText().strip(), part.name
