"""The desk's accessibility fixes, each proved on real widgets through Qt's accessibility
interfaces (what the AT-SPI bus is told): a combo box tied to its label, the Find box's
clear button named, the status bar named and its words no Tab stop, the sheet's words
readable beside its picture, and a focus ring on every kind of control in the normal and
the high-contrast palette."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lr_desk.ui import style
from lr_desk.ui.dropin_parts import FocusLabel, NeedToggles
from lr_desk.ui.fields import Fields, check, combo, line_edit
from lr_desk.ui.main_window import MainWindow
from lr_desk.ui.pages import Pages
from lr_desk.ui.person_summary import PersonSummary
from tests.ui.test_accessible_walk import focusable_labels, labelled_by, unnamed_focusable
from tests.ui.test_letter import _open_letter, _person_with_a_referral
from tests.ui.test_sheet import _open_preview, _person_with_a_prescription

NAME, VALUE = QAccessible.Text.Name, QAccessible.Text.Value
WHERE = {"walton": "The Life Rooms Walton", "bootle": "The Life Rooms Bootle"}


def _form(qtbot) -> tuple[QWidget, QFormLayout, Fields]:
    body = QWidget()
    form = QFormLayout(body)
    qtbot.addWidget(body)
    return body, form, Fields()


def test_a_combo_box_is_labelled_by_its_label_and_says_its_value(qtbot):
    body, form, f = _form(qtbot)
    f.add(form, "name", "&Name", line_edit("Name"))
    where = f.add(form, "site_code", "&Where", combo("Where", WHERE))
    body.show()
    qtbot.waitExposed(body)
    label = f.labels["site_code"]
    assert labelled_by(where) == [label]  # AT-SPI: labelled-by "Where"
    tied = QAccessible.queryAccessibleInterface(label).relations(
        QAccessible.RelationFlag.Labelled)
    assert [other.object() for other, _ in tied] == [where]  # and the label is for it
    assert QAccessible.queryAccessibleInterface(label).text(NAME) == "Where"
    iface = QAccessible.queryAccessibleInterface(where)
    assert iface.text(VALUE) == "The Life Rooms Walton"
    where.setFocus()
    qtbot.waitUntil(where.hasFocus, timeout=20_000)
    qtbot.keyClick(where, Qt.Key.Key_Down)  # the next hub, from the keyboard
    assert iface.text(VALUE) == "The Life Rooms Bootle"
    assert labelled_by(f.widgets["name"]) == [f.labels["name"]]


def test_a_hidden_row_hides_its_label_and_field_and_shows_its_message_only_with_words(
        qtbot):
    body, form, f = _form(qtbot)
    f.add(form, "reason", "&Reason", line_edit("Reason"))
    f.add(form, "agreed", "", check("I &agree"))
    body.show()
    qtbot.waitExposed(body)
    f.show_row("reason", False)
    assert not f.widgets["reason"].isVisible() and not f.labels["reason"].isVisible()
    f.show_errors({"reason": "Say why"}, only_touched=False)
    assert not f.errors["reason"].isVisible()  # (a message in a hidden row stays hidden)
    f.show_row("reason", True)
    assert f.widgets["reason"].isVisible() and f.labels["reason"].isVisible()
    assert f.errors["reason"].isVisible() and f.errors["reason"].text() == "Say why"
    f.show_errors({}, only_touched=False)
    f.show_row("reason", False)
    f.show_row("reason", True)
    assert not f.errors["reason"].isVisible()  # no words, no message
    f.show_row("agreed", False)
    assert not f.widgets["agreed"].isVisible()


def test_the_find_box_clear_button_is_named_and_clears(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.find()  # (Ctrl+F)
    qtbot.keyClicks(window.query, "kearney")
    clear = [b for b in window.query.findChildren(QToolButton) if b.isVisible()]
    assert [QAccessible.queryAccessibleInterface(b).text(NAME) for b in clear] == \
        ["Clear Find"]
    assert clear[0].toolTip() == "Clear Find"
    qtbot.mouseClick(clear[0], Qt.MouseButton.LeftButton)
    assert window.query.text() == ""
    assert QAccessible.queryAccessibleInterface(window.statusBar()).text(NAME) == "Status"
    assert unnamed_focusable(window) == []


def _sheet(desk, qtbot):
    _page, preview = _open_preview(desk, qtbot, _person_with_a_prescription(desk))
    return preview, "The sheet's words", ("Shiv", "Getting back to work", "Bring my old CV")


def _letter(desk, qtbot):
    _page, preview = _open_letter(desk, qtbot, _person_with_a_referral(desk)[0])
    qtbot.waitUntil(lambda: preview.pdf is not None, timeout=30_000)
    return preview, "The letter's words", ("Kearney", "A CV that gets me interviews")


@pytest.mark.parametrize("opened", [_sheet, _letter], ids=["sheet", "letter"])
def test_a_pdf_preview_gives_a_screen_reader_the_documents_words(qtbot, desks, profile,
                                                                  opened):
    desk = desks.start(profile)
    preview, name, words_in_it = opened(desk, qtbot)
    printed = "".join(page.extract_text() for page in PdfReader(io.BytesIO(preview.pdf)).pages)
    words = preview.words.toPlainText()
    for said in words_in_it:
        assert said in printed and said in words
    # Alt+W: the words in place of the picture, with the keyboard in them
    qtbot.keyClick(preview, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: preview.words.isVisible() and preview.words.hasFocus(),
                    timeout=20_000)
    assert not preview.view.isVisible() and preview.words_button.isChecked()
    iface = QAccessible.queryAccessibleInterface(preview.words)
    assert iface.text(NAME) == name
    text = iface.textInterface()
    assert words_in_it[-1] in text.text(0, text.characterCount())
    qtbot.keyClick(preview.words, Qt.Key.Key_Down)  # a screen reader's next line
    assert text.cursorPosition() > 0
    # and back to the picture
    qtbot.keyClick(preview, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(preview.view.isVisible, timeout=20_000)
    assert not preview.words.isVisible()
    assert unnamed_focusable(preview) == []
    preview.close()


def test_a_forms_pages_are_named_toggles_reached_by_alt_letters_and_ctrl_tab(qtbot):
    pages = Pages("Service, capacity and eligibility")
    qtbot.addWidget(pages)
    fields = [line_edit(name) for name in ("Name", "Status", "Youngest age")]
    for field, title in zip(fields, ("Ser&vice", "&Capacity", "Eli&gibility"), strict=True):
        pages.addTab(field, title)
    pages.show()
    qtbot.waitExposed(pages)
    pages.activateWindow()
    fields[0].setFocus()
    qtbot.waitUntil(fields[0].hasFocus, timeout=20_000)
    seen = []
    pages.currentChanged.connect(seen.append)
    qtbot.keyClick(fields[0], Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert pages.currentIndex() == 1 and seen == [1]  # at once, not a moment later
    assert pages.buttons[1].hasFocus()
    qtbot.keyClick(pages.buttons[1], Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert pages.currentIndex() == 2
    qtbot.keyClick(pages.buttons[2], Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert pages.currentIndex() == 0  # round to the first
    said = [(QAccessible.queryAccessibleInterface(b).text(NAME),
             QAccessible.queryAccessibleInterface(b).state().checked) for b in pages.buttons]
    assert said == [("Service", True), ("Capacity", False), ("Eligibility", False)]
    pages.setTabText(2, "Eli&gibility ⚠")
    assert QAccessible.queryAccessibleInterface(pages.buttons[2]).text(NAME) == \
        "Eligibility ⚠"
    qtbot.keyClick(pages.buttons[0], Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    assert pages.currentIndex() == 2  # its letter kept
    assert unnamed_focusable(pages) == [] and pages.row.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_alt_n_reaches_the_needs_stop_box_through_no_focusable_filler_and_ticks_nothing(
        qtbot):
    cats = [SimpleNamespace(code=c, name=n) for c, n in
            (("housing", "Housing"), ("money", "Money"), ("employment", "Employment"))]
    body, form, _f = _form(qtbot)
    first = line_edit("Name")
    needs = NeedToggles(cats)
    label = FocusLabel("&Needs raised")
    label.setBuddy(needs)
    form.addRow("Name", first)
    form.addRow(label, needs)
    body.show()
    qtbot.waitExposed(body)
    body.activateWindow()
    first.setFocus()
    qtbot.waitUntil(first.hasFocus, timeout=20_000)
    qtbot.keyClick(first, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert needs.boxes["housing"].hasFocus() and needs.values() == []
    qtbot.keyClick(needs.boxes["housing"], Qt.Key.Key_E)  # a letter moves the stop
    first.setFocus()
    qtbot.keyClick(first, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert needs.boxes["employment"].hasFocus() and needs.values() == []  # the last one
    assert needs.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert unnamed_focusable(body) == [] and focusable_labels(body) == []
    assert labelled_by(needs) == [label]


def test_words_to_read_take_no_focus_and_stay_selectable_with_the_mouse(qtbot):
    summary = PersonSummary()
    qtbot.addWidget(summary)
    summary.show()
    qtbot.waitExposed(summary)
    for label in summary.values.values():
        label.setText("NHS number: 943 476 5919")
        assert label.focusPolicy() == Qt.FocusPolicy.NoFocus
        assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert focusable_labels(summary) == []
    selectable = QLabel("Saved")
    selectable.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
    selectable.setParent(summary)
    selectable.show()
    assert len(focusable_labels(summary)) == 1  # (the check sees one that does)


# -- the focus ring ---------------------------------------------------------------------


def _controls() -> list[QWidget]:
    button = QPushButton("Save")
    tool = QToolButton()
    tool.setText("More")
    edit = QLineEdit("Walton")
    text = QPlainTextEdit("What matters to them")
    box = combo("Where", WHERE)
    tick = QCheckBox("Large print")
    listing = QListWidget()
    listing.addItems(["Today", "People", "Directory"])
    table = QTableWidget(3, 2)
    page = style.page_button(QPushButton("Capacity"))  # a form's page (ui.pages)
    page.setCheckable(True)
    page.setChecked(True)
    return [button, tool, edit, text, box, tick, listing, table, page]


def _edge_changed(before: QImage, after: QImage) -> int:
    """How many pixels of the outer three-pixel frame changed."""
    w, h = before.width(), before.height()
    changed = 0
    for x in range(w):
        for y in (*range(3), *range(h - 3, h)):
            changed += before.pixel(x, y) != after.pixel(x, y)
    for y in range(3, h - 3):
        for x in (*range(3), *range(w - 3, w)):
            changed += before.pixel(x, y) != after.pixel(x, y)
    return changed


def _high_contrast() -> QPalette:
    palette = QPalette(QColor("black"), QColor("black"))
    for role, colour in ((QPalette.ColorRole.WindowText, "white"),
                         (QPalette.ColorRole.Text, "white"),
                         (QPalette.ColorRole.ButtonText, "white"),
                         (QPalette.ColorRole.Base, "black"),
                         (QPalette.ColorRole.Button, "black"),
                         (QPalette.ColorRole.Highlight, "#FFFF00"),
                         (QPalette.ColorRole.HighlightedText, "black")):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.mark.parametrize("contrast", ["normal", "high contrast"])
def test_every_kind_of_control_shows_a_focus_ring(qtbot, qapp, contrast):
    plain = contrast == "high contrast"
    before_sheet, before_palette = qapp.styleSheet(), qapp.palette()
    if plain:
        qapp.setPalette(_high_contrast())
        qapp.setStyleSheet(style._sheet(True))
    try:
        window = QWidget()
        qtbot.addWidget(window)
        column = QVBoxLayout(window)
        controls = _controls()
        for w in controls:
            column.addWidget(w)
        column.addWidget(QPushButton("Somewhere else"))
        window.resize(500, 700)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=20_000)
        unseen = []
        for w in controls:
            w.clearFocus()
            QApplication.processEvents()
            before = w.grab().toImage()
            w.setFocus(Qt.FocusReason.TabFocusReason)
            qtbot.waitUntil(w.hasFocus, timeout=20_000)
            QApplication.processEvents()
            after = w.grab().toImage()
            if _edge_changed(before, after) < (w.width() + w.height()):
                unseen.append(type(w).__name__)
            w.clearFocus()
        assert unseen == [], f"no focus ring seen on {unseen} ({contrast})"
    finally:
        if plain:
            qapp.setStyleSheet(before_sheet)
            qapp.setPalette(before_palette)
