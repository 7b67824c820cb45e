"""The take-home sheet from the desk: preview the real PDF, large print, save, print."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from PySide6 import QtCore
from PySide6.QtCore import QSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QPushButton

from lr_desk.services import dropin, people
from lr_desk.services.directory import courses
from lr_desk.ui.pdf_preview import FIRST_SIZE, TITLE_BAR, opening_size
from lr_desk.ui.sheet import SheetPreview
from tests.ui.previews import (
    choose_in_history,
    file_printer,
    job_club,
    print_on_cups,
    save_in_dialog,
    skip_without_cups,
)
from tests.ui.screen import SCREENS, TASKBAR, assert_fits


def _person_with_a_prescription(desk, large_print=False):
    with desk.store.session() as s:
        adv = desk.window.desk.advisor_id
        person = people.register(s, {"given_name": "Siobhan", "family_name": "Kearney",
                                     "preferred_name": "Shiv",
                                     "needs_large_print": large_print}, adv, "walton")
        service = job_club(s)
        dropin.record_drop_in(s, person.id, adv, {
            "conversation": {"site_code": "walton", "mode": "drop_in",
                             "what_matters": "Getting back to work", "needs": ["employment"],
                             "private_notes": "PRIVATE: worried about her son"},
            "items": [{"kind": "course", "course_id": courses(s)[0].id,
                       "why": "To feel calmer", "first_step": "Come on Monday"},
                      {"kind": "partner_service", "service_id": service.id, "refer": True,
                       "why": "A CV", "first_step": "Bring my old CV"}],
            "follow_up": {"due_date": (date.today() + timedelta(days=7)).strftime("%d/%m/%Y"),
                          "way": "call"}})
        return person.id


def _open_preview(desk, qtbot, person_id) -> tuple:
    page = choose_in_history(desk, qtbot, person_id, "prescription")
    assert page.sheet_button.isEnabled()
    with qtbot.waitSignal(page.sheet_opened, timeout=10_000) as opened:
        page.sheet_button.click()
    preview: SheetPreview = opened.args[0]
    # it opens at once, busy, before the PDF is there
    assert preview.isVisible() and not preview.print_button.isEnabled()
    qtbot.waitUntil(lambda: preview.pdf is not None, timeout=30_000)
    return page, preview


def _sizes(pdf: bytes) -> set[float]:
    sizes: set[float] = set()

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            sizes.add(round(font_size * tm[0], 1) if tm[0] else font_size)

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_preview_large_print_and_save_as_pdf(qtbot, desks, profile, tmp_path):
    desk = desks.start(profile)
    page, preview = _open_preview(desk, qtbot, _person_with_a_prescription(desk))
    assert preview.document.pageCount() >= 1
    assert not preview.large_print.isChecked()  # her needs don't ask for it
    from tests.ui.test_accessibility import unnamed_controls

    assert unnamed_controls(preview) == []
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(preview.pdf)).pages)
    assert "Shiv" in text and "Getting back to work" in text
    assert "PRIVATE" not in text

    normal = preview.pdf
    with qtbot.waitSignal(preview.rendered, timeout=30_000):
        preview.large_print.click()
    assert preview.pdf != normal and "large print" in preview.status.text()
    assert min(s for s in _sizes(preview.pdf) if s > 9) >= 16  # body text, not page numbers

    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "Shiv's plan"
    warning, given = save_in_dialog(qtbot, preview, target)
    # it says, in the dialog itself, that the file leaves the desk's protection
    assert "keep it somewhere safe" in warning.lower()
    assert given == ["saved"]
    saved = target.with_name(target.name + ".pdf")
    assert saved.read_bytes() == preview.pdf
    qtbot.waitUntil(lambda: any("Sheet saved" in e.detail and "Alex Advisor" in e.detail
                                for e in page.timeline.entries), timeout=10_000)
    preview.close()


def test_print_through_qprinter_to_a_pdf_file(qtbot, desks, profile, tmp_path):
    desk = desks.start(profile)
    page, preview = _open_preview(desk, qtbot, _person_with_a_prescription(desk,
                                                                          large_print=True))
    assert preview.large_print.isChecked()  # chosen by her communication needs
    out = tmp_path / "printed.pdf"
    printer = file_printer(out)
    with qtbot.waitSignal(preview.given, timeout=60_000) as given:
        preview.print_to(printer)
    assert given.args == ["printed"]
    assert len(PdfReader(out).pages) == preview.document.pageCount()
    qtbot.waitUntil(lambda: any("Sheet printed" in e.detail for e in page.timeline.entries),
                    timeout=10_000)
    preview.close()


def test_print_through_a_real_cups_queue(qtbot, desks, profile):
    out_dir, before = skip_without_cups()
    desk = desks.start(profile)
    _page, preview = _open_preview(desk, qtbot, _person_with_a_prescription(desk))
    print_on_cups(qtbot, preview, out_dir, before)
    preview.close()


def test_closing_the_preview_while_it_prints_still_prints_and_records(qtbot, desks, profile,
                                                                      tmp_path):
    desk = desks.start(profile)
    page, preview = _open_preview(desk, qtbot, _person_with_a_prescription(desk))
    out = tmp_path / "printed.pdf"
    printer = file_printer(out)
    preview.print_to(printer)
    preview.close()  # the preview's document goes with it; the print has its own copy
    qtbot.waitUntil(lambda: any("Sheet printed" in e.detail for e in page.timeline.entries),
                    timeout=60_000)
    assert len(PdfReader(out).pages) >= 1


def test_print_goes_through_the_system_print_dialog(qtbot, desks, profile, tmp_path,
                                                    monkeypatch):
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialog

    desk = desks.start(profile)
    _page, preview = _open_preview(desk, qtbot, _person_with_a_prescription(desk))
    out = tmp_path / "chosen-in-the-dialog.pdf"
    shown = []

    def the_advisor_picks_a_printer(dialog):
        shown.append(dialog.accessibleName())
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", the_advisor_picks_a_printer)
    with qtbot.waitSignal(preview.given, timeout=60_000):
        qtbot.keyClick(preview, "p", QtCore.Qt.KeyboardModifier.ControlModifier)
    assert shown == ["Print"]
    assert out.exists() and len(PdfReader(out).pages) == preview.document.pageCount()
    preview.close()

    # and Cancel in the dialog prints nothing and records nothing
    _page, again = _open_preview(desk, qtbot, _person_with_a_prescription(desk))
    monkeypatch.setattr(QPrintDialog, "exec", lambda _d: QDialog.DialogCode.Rejected)
    again.print_button.click()
    qtbot.wait(200)
    assert again.print_button.isEnabled() and "Printed" not in again.status.text()
    again.close()


def test_a_save_that_fails_says_so_and_can_be_tried_again(qtbot, desks, profile, tmp_path):
    desk = desks.start(profile)
    page, preview = _open_preview(desk, qtbot, _person_with_a_prescription(desk))
    with qtbot.waitSignal(desk.tasks.failed, timeout=30_000) as failed:
        preview.save_to(tmp_path / "no such folder" / "plan.pdf")
    assert failed.args[1] is False  # the environment, not a bug
    assert "didn't work" in preview.status.text()
    assert preview.save_button.isEnabled() and preview.print_button.isEnabled()
    assert not any("Sheet saved" in e.detail for e in page.timeline.entries)
    with qtbot.waitSignal(preview.given, timeout=30_000):
        preview.save_to(tmp_path / "plan.pdf")
    assert (tmp_path / "plan.pdf").exists()
    preview.close()


def test_closing_the_preview_while_the_sheet_is_made_is_quiet(qtbot, desks, profile):
    desk = desks.start(profile)
    person_id = _person_with_a_prescription(desk)
    page = desk.window.open_person(person_id)
    qtbot.waitUntil(lambda: page.view is not None, timeout=10_000)
    preview = page.open_sheet()
    preview.close()  # before the PDF arrives
    with qtbot.assertNotEmitted(desk.tasks.failed, wait=500):
        qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
    assert preview.pdf is None


def test_closing_the_persons_tab_while_printing_still_records_it(qtbot, desks, profile,
                                                                 tmp_path):
    from sqlalchemy import select

    from lr_desk.store.models import Prescription

    desk = desks.start(profile)
    page, preview = _open_preview(desk, qtbot, _person_with_a_prescription(desk))
    rx_id = preview.prescription_id
    printer = file_printer(tmp_path / "printed.pdf")
    with qtbot.assertNotEmitted(desk.tasks.failed, wait=0):
        preview.print_to(printer)
        desk.window._close_tab(desk.window.tabs.indexOf(page))  # Ctrl+W meanwhile
        qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=60_000)
        qtbot.wait(100)
    with desk.store.session() as s:
        assert s.scalar(select(Prescription.sheet_how).where(Prescription.id == rx_id)) == (
            "printed")


def test_the_preview_fits_the_screen_prints_on_enter_and_keeps_its_size(qtbot, desks,
                                                                        profile, monkeypatch):
    """The sheet preview was 900 px tall: Print and Save as PDF were off the bottom of a
    1366x768 screen. Now the page scrolls inside it and the buttons are always on screen;
    it opens at the size it was left at; Print is the primary action and Enter does it."""
    desk = desks.start(profile)
    person_id = _person_with_a_prescription(desk)
    _page, preview = _open_preview(desk, qtbot, person_id)
    room = preview.screen().availableGeometry()
    assert preview.height() <= room.height() - TITLE_BAR and preview.width() <= room.width()
    assert_fits(preview)
    assert preview.print_button.property("role") == "primary"
    assert preview.print_button.isDefault()

    # Enter prints, even with Tab last on Save as PDF or Close
    asked = []
    monkeypatch.setattr(QPrintDialog, "exec",
                        lambda dialog: asked.append(dialog) or QDialog.DialogCode.Rejected)
    for button in (preview.save_button, preview.findChild(QPushButton, "close")):
        button.setFocus()
        qtbot.keyClick(button, QtCore.Qt.Key.Key_Return)
    assert len(asked) == 2 and preview.findChild(QFileDialog) is None and preview.isVisible()

    # it opens again at the size it was left at
    preview.resize(700, 520)
    preview.close()
    _page, again = _open_preview(desk, qtbot, person_id)
    assert again.size() == QSize(700, 520)
    again.close()


@pytest.mark.parametrize("screen", SCREENS, ids=["1366x768", "1280x720"])
def test_the_preview_opens_no_larger_than_the_screen(screen):
    width, height = screen
    room = QSize(width, height - TASKBAR)  # the screen less the taskbar

    def fits(size: QSize) -> bool:
        return size.width() <= width and size.height() + TITLE_BAR <= room.height()

    first = opening_size(None, room)
    assert fits(first) and first.height() >= 600  # as tall as it may be: more of the page
    assert first.width() == FIRST_SIZE.width()
    assert opening_size(QSize(700, 520), room) == QSize(700, 520)  # as it was left
    assert fits(opening_size(QSize(3000, 2000), room))  # left on a bigger screen
    assert opening_size("not a size", room) == first
