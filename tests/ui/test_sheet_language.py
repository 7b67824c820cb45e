"""The take-home sheet's Language list in the preview: English only, or English with a
translation beside it; a translation not yet checked by a fluent speaker is marked so,
is never chosen by itself, and prints (saying it is unchecked) when the advisor picks it.
Driven by the keyboard, read back from the saved PDF."""

from __future__ import annotations

import io
import shutil
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from lr_desk.services import dropin, people
from lr_desk.services.directory import courses
from lr_desk.sheets import catalogues, words
from lr_desk.store.models import Person
from lr_desk.ui.sheet import SheetPreview
from tests.sheets.test_bilingual import every_word, squash
from tests.ui.previews import choose_in_history, job_club, save_in_dialog
from tests.ui.screen import assert_fits


def pdf_text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def _person(desk, language: str, **needs) -> str:
    with desk.store.session() as s:
        adv = desk.window.desk.advisor_id
        person = people.register(s, {"given_name": "Zahra", "family_name": "Hassan",
                                     "needs_interpreter": True,
                                     "interpreter_language": language, **needs},
                                 adv, "walton")
        dropin.record_drop_in(s, person.id, adv, {
            "conversation": {"site_code": "walton", "mode": "drop_in",
                             "what_matters": "Meeting people", "needs": ["employment"]},
            "items": [{"kind": "course", "course_id": courses(s)[0].id,
                       "why": "To feel calmer", "first_step": "Come on Monday"},
                      {"kind": "partner_service", "service_id": job_club(s).id,
                       "why": "A CV", "first_step": "Bring my old CV"}],
            "follow_up": {"due_date": (date.today() + timedelta(days=7)).strftime("%d/%m/%Y"),
                          "way": "drop_in"}})
        return person.id


def _open(desk, qtbot, person_id) -> SheetPreview:
    page = choose_in_history(desk, qtbot, person_id, "prescription")
    with qtbot.waitSignal(page.sheet_opened, timeout=10_000) as opened:
        page.sheet_button.click()
    preview: SheetPreview = opened.args[0]
    qtbot.waitUntil(lambda: preview.pdf is not None and preview.catalogues is not None,
                    timeout=30_000)
    return preview


def test_an_unchecked_translation_is_offered_not_chosen_then_printed_when_picked(
        qtbot, desks, profile, tmp_path):
    desk = desks.start(profile)
    preview = _open(desk, qtbot, _person(desk, "Arabic"))
    arabic = catalogues.find("ar")
    assert preview.language.currentText() == "English only"
    offered = [preview.language.itemText(i) for i in range(preview.language.count())]
    assert "Arabic (not yet checked)" in offered and "Polish (not yet checked)" in offered
    first = squash(pdf_text(preview.pdf))
    assert squash(words.YOUR_PLAN) in first and squash(arabic(words.YOUR_PLAN)) not in first
    assert_fits(preview)

    # The advisor picks Arabic: Alt+G to the list, then its first letters.
    preview.activateWindow()
    qtbot.waitUntil(preview.isActiveWindow, timeout=10_000)
    qtbot.keyClick(preview, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    assert preview.language.hasFocus()
    with qtbot.waitSignal(preview.rendered, timeout=30_000):
        qtbot.keyClicks(preview.language, "Ar")
    assert preview.language.currentData() == "ar"
    assert "English and Arabic (translation not yet checked)" in preview.status.text()

    target = tmp_path / "Zahra's plan"
    _warning, given = save_in_dialog(qtbot, preview, target)
    assert given == ["saved"]
    saved = pdf_text(target.with_name(target.name + ".pdf").read_bytes())
    for heading in (words.YOUR_PLAN, words.CATCH_UP, words.URGENT_TITLE):
        assert squash(heading) in squash(saved) and squash(arabic(heading)) in squash(saved)
    assert every_word(words.UNCHECKED, saved) and every_word(arabic(words.UNCHECKED), saved)

    # and back to English only
    with qtbot.waitSignal(preview.rendered, timeout=30_000):
        preview.language.setCurrentIndex(preview.language.findData(""))
    assert squash(arabic(words.YOUR_PLAN)) not in squash(pdf_text(preview.pdf))
    preview.close()


def test_a_checked_translation_starts_on_the_persons_language(qtbot, desks, profile,
                                                              tmp_path, monkeypatch):
    folder = tmp_path / "locale"
    shutil.copytree(catalogues.LOCALE_DIR, folder)
    po = folder / "fa" / "LC_MESSAGES" / "sheet.po"
    po.write_text(po.read_text(encoding="utf-8")
                  .replace('"X-Reviewed-By: \\n"', '"X-Reviewed-By: Maryam Rezaei\\n"')
                  .replace('"X-Reviewed-On: \\n"', '"X-Reviewed-On: 2026-11-30\\n"'),
                  encoding="utf-8")
    monkeypatch.setattr(catalogues, "LOCALE_DIR", folder)
    desk = desks.start(profile)
    preview = _open(desk, qtbot, _person(desk, "Farsi (Dari)"))
    farsi = catalogues.find("fa")
    assert preview.language.currentData() == "fa"
    assert preview.language.currentText() == "Farsi"  # checked: no mark
    text = pdf_text(preview.pdf)
    assert squash(farsi(words.CATCH_UP)) in squash(text)
    assert not every_word(words.UNCHECKED, text)
    preview.close()


@pytest.mark.parametrize("needs, easy", [({}, False), ({"needs_easy_read": True}, True)])
def test_easy_read_starts_from_the_persons_needs(qtbot, desks, profile, needs, easy):
    desk = desks.start(profile)
    preview = _open(desk, qtbot, _person(desk, "Polish", **needs))
    assert preview.easy_read.isChecked() is easy
    assert preview.easy_read.accessibleName() == "Easy read"
    with qtbot.waitSignal(preview.rendered, timeout=30_000):
        preview.easy_read.click()
    assert ("easy read" in preview.status.text()) is (not easy)
    preview.close()


def test_letters_no_font_has_are_said_before_printing_not_printed_as_boxes(
        qtbot, desks, profile):
    desk = desks.start(profile)
    person_id = _person(desk, "Arabic")
    with desk.store.session() as s:  # a preferred name in a script the sheet cannot print
        s.get(Person, person_id).preferred_name = "王芳"
    preview = _open(desk, qtbot, person_id)
    said = preview.status.text()
    assert "cannot be printed" in said and "王 芳" in said
    assert preview.status.property("role") == "warning"
    assert preview.print_button.isEnabled()  # said, not refused: the advisor decides

    with desk.store.session() as s:  # corrected in the record: nothing more to say
        s.get(Person, person_id).preferred_name = "Wang Fang"
    with qtbot.waitSignal(preview.rendered, timeout=30_000):
        preview.large_print.click()
    assert "cannot be printed" not in preview.status.text()


def test_a_language_the_service_added_outside_the_program_is_offered_and_prints(
        qtbot, desks, profile, tmp_path, monkeypatch):
    """On a managed PC the service puts a new language's sheet.po in the account's
    locale folder (paths.translation_dirs): the preview offers it, marked unchecked, and
    the advisor's pick prints it."""
    from lr_desk import paths
    from tests.sheets.test_catalogue_folders import SOMALI_PLAN, put, somali

    account = tmp_path / "account" / "locale"
    monkeypatch.setattr(paths, "translation_dirs", lambda: [account])
    put(account, "so", somali())
    desk = desks.start(profile)
    preview = _open(desk, qtbot, _person(desk, "Somali"))
    offered = [preview.language.itemText(i) for i in range(preview.language.count())]
    assert "Somali (not yet checked)" in offered
    assert preview.language.currentData() == ""  # unchecked: not chosen by itself
    assert SOMALI_PLAN not in pdf_text(preview.pdf)
    with qtbot.waitSignal(preview.rendered, timeout=30_000):
        preview.language.setCurrentIndex(preview.language.findData("so"))
    assert SOMALI_PLAN in pdf_text(preview.pdf)
    preview.close()
