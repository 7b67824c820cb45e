"""The sheet in the visitor's language beside the English, read back with pypdf.

Right-to-left words are drawn in visual order and pypdf turns them back into logical
(typed) order, so a translated heading drawn right reads back as written (each glyph
shaping chose reads back as the letters it stands for); drawn unreordered it reads back
reversed (``test_the_order_check_can_fail``).
"""

from __future__ import annotations

import functools
import logging
import re
import shutil
import unicodedata
from dataclasses import replace

import pytest

from lr_desk.sheets import catalogues, page, render, words
from lr_desk.sheets import text as sheet_text
from lr_desk.sheets.fonts import FONT_DIR
from scripts.sheet_catalogues import updated
from tests.sheets.conftest import read_back
from tests.sheets.fontcheck import coverage, isolated
from tests.sheets.test_urgent_help import check_urgent_help_page

SHIPPED = ("ar", "ckb", "fa", "pl", "ps", "pt", "ti", "ur")
RIGHT_TO_LEFT = {"ar", "ckb", "fa", "ps", "ur"}
HEADINGS = (words.WHAT_MATTERS, words.YOUR_PLAN, words.CATCH_UP, words.URGENT_TITLE)


def plain(text: str) -> str:
    """Logical letters (NFKC-normalised), with no marks
    (vowel signs a reader may place differently) nor zero-width non-joiners."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text)
                   if ch != "\u200c" and unicodedata.category(ch) != "Mn")


def squash(text: str) -> str:
    """Plain letters with no spaces between them."""
    return re.sub(r"\s+", "", plain(text))


def every_word(words: str, text: str) -> bool:
    """Every word of ``words`` (punctuation aside) is in ``text``: words side by side
    with the English read back line by line across both, so a long translation's
    lines come between the English's."""
    found = squash(text)
    return all(w in found for w in re.findall(r"\w+", plain(words)))


@pytest.fixture
def locale_copy(tmp_path, monkeypatch):
    """A copy of the shipped catalogues the test may change (the real files, read the
    way the desk reads them)."""
    folder = tmp_path / "locale"
    shutil.copytree(catalogues.LOCALE_DIR, folder)
    monkeypatch.setattr(catalogues, "LOCALE_DIR", folder)
    return folder


def reviewed(folder, code: str, by: str = "Amal Haddad", on: str = "2026-12-01") -> None:
    po = folder / code / "LC_MESSAGES" / "sheet.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('"X-Reviewed-By: \\n"', f'"X-Reviewed-By: {by}\\n"')
    text = text.replace('"X-Reviewed-On: \\n"', f'"X-Reviewed-On: {on}\\n"')
    po.write_text(text, encoding="utf-8")


def test_every_language_is_shipped_with_every_word_and_its_review_fields():
    found = {c.code: c for c in catalogues.available()}
    assert set(found) == set(SHIPPED)
    template = words.template_words()
    for code, catalogue in found.items():
        assert set(catalogue.words) == set(template), code  # every word translated
        head = catalogues._headers(catalogue.path)
        assert {"x-reviewed-by", "x-reviewed-on", "x-language-names"} <= set(head), code
        assert catalogue.rtl == (code in RIGHT_TO_LEFT), code
    # Written by someone not fluent in them all: shipped as not yet checked.
    assert not any(c.reviewed for c in found.values())
    assert found["ar"].label == "Arabic (not yet checked)"


def test_the_template_and_catalogues_are_up_to_date():
    """lr_desk/locale/sheet.pot and every sheet.po hold exactly the sheet's words
    (scripts/sheet_catalogues.py writes them)."""
    stale = [str(p) for p, text in updated().items() if p.read_text(encoding="utf-8") != text]
    assert stale == []


@pytest.mark.parametrize("recorded, code", [
    ("Arabic", "ar"), ("arabic ", "ar"), ("farsi", "fa"), ("Persian", "fa"), ("Dari", "fa"),
    ("Farsi (Dari)", "fa"), ("Kurdish (Sorani)", "ckb"), ("KURDISH  sorani", "ckb"),
    ("Sorani", "ckb"), ("Polski", "pl"), ("polish", "pl"), ("Portuguese (Brazil)", "pt"),
    ("português", "pt"), ("Tigrigna", "ti"), ("Tigrinya", "ti"), ("Urdu", "ur"),
    ("Pashto", "ps"), ("Pushto", "ps"), ("ar", "ar"),
    ("Kurdish", None), ("Kurmanji", None), ("Somali", None), ("", None), ("  ", None),
])
def test_a_recorded_language_finds_its_catalogue(recorded, code):
    found = catalogues.match(recorded)
    assert (found.code if found else None) == code


@pytest.mark.parametrize("code", SHIPPED)
def test_each_language_prints_beside_the_english(make_sheet, read_pdf, code):
    lang = catalogues.find(code)
    pdf = read_pdf(render.render_bytes(make_sheet(items=2), language=code))
    text = squash(pdf.text)
    for heading in HEADINGS:
        assert squash(heading) in text, heading
        assert squash(lang(heading)) in text, (code, heading)
    for fixed in (words.INTRO, "When:", "Why this matters to me:", "Phone",
                  # the kinds of item and the ways of a catch-up are the sheet's words too
                  "Support from a local organisation", "Come and see us"):
        assert every_word(fixed, pdf.text), fixed
        assert every_word(lang(fixed), pdf.text), (code, fixed)
    # the person's own words stay as typed
    assert pdf.has("The letters keep coming and I can't sleep for worrying about them.")
    # not checked by a fluent speaker: the sheet says so, in both languages
    assert every_word(words.UNCHECKED, pdf.text)
    assert every_word(lang(words.UNCHECKED), pdf.text)


@pytest.mark.parametrize("code", sorted(RIGHT_TO_LEFT))
def test_arabic_script_is_shaped_and_in_reading_order(make_sheet, read_pdf, code):
    lang = catalogues.find(code)
    made = render.render_bytes(make_sheet(items=1), language=code)
    pdf = read_pdf(made)
    raw = pdf.text
    # letters joined: each letter of "Your plan" in the language that is drawn joined to
    # a neighbour somewhere is drawn, there, with a glyph other than its own alone
    found = coverage(made)
    joined = {ch for (font, ch), drawn in found.outlines.items()
              if ch in lang(words.YOUR_PLAN) and font.startswith("NotoNaskhArabic")
              and drawn - {isolated(FONT_DIR / f"{font}.ttf", ch)}}
    assert len(joined) >= len(set(lang(words.YOUR_PLAN).replace(" ", ""))) // 2, joined
    # every heading reads back word by word in the order it was written
    lines = [" ".join(plain(line).split()) for line in raw.splitlines()]
    for heading in (words.WHAT_MATTERS, words.YOUR_PLAN, words.CATCH_UP):  # a line each
        said = " ".join(plain(lang(heading)).split())
        assert any(said in line for line in lines), (code, heading, said)


def test_the_order_check_can_fail(make_sheet, read_pdf, monkeypatch):
    """Not reordered, a translated heading reads back reversed, and the check above
    would find it missing."""
    monkeypatch.setattr(sheet_text, "get_display", lambda text, base_dir=None: text)
    monkeypatch.setattr(page, "_PHRASES", {})  # laid out afresh, not as before
    monkeypatch.setattr(sheet_text, "_laid_out",
                        functools.lru_cache(maxsize=64)(sheet_text._laid_out.__wrapped__))
    lang = catalogues.find("ar")
    pdf = read_pdf(render.render_bytes(make_sheet(items=1), language="ar"))
    said = " ".join(plain(lang(words.CATCH_UP)).split())
    assert said not in plain(pdf.text)
    assert said[::-1] in plain(pdf.text)  # back to front


def test_an_unchecked_translation_prints_only_when_chosen(make_sheet, read_pdf):
    lang = catalogues.find("ar")
    data = make_sheet(items=1, language="Arabic")
    # from the person's record alone: English only (the translation is not checked)
    english = squash(read_pdf(render.render_bytes(data)).text)
    assert squash(lang(words.YOUR_PLAN)) not in english
    assert squash(words.UNCHECKED) not in english
    # chosen by the advisor: printed, and said to be unchecked
    chosen = squash(read_pdf(render.render_bytes(data, language="ar")).text)
    assert squash(lang(words.YOUR_PLAN)) in chosen and squash(words.UNCHECKED) in chosen
    # English only, whatever the record says
    assert squash(lang(words.YOUR_PLAN)) not in squash(
        read_pdf(render.render_bytes(data, language="")).text)


def test_a_checked_translation_is_chosen_from_the_record(make_sheet, read_pdf, locale_copy):
    reviewed(locale_copy, "fa")
    lang = catalogues.find("fa")
    assert lang.reviewed and lang.reviewed_by == "Amal Haddad"
    pdf = read_pdf(render.render_bytes(make_sheet(items=1, language="Farsi (Dari)")))
    text = squash(pdf.text)
    assert squash(lang(words.YOUR_PLAN)) in text
    assert squash(words.UNCHECKED) not in text and squash(lang(words.UNCHECKED)) not in text


def test_a_correction_in_a_text_editor_shows_on_the_next_sheet(make_sheet, read_pdf,
                                                               locale_copy):
    po = locale_copy / "pl" / "LC_MESSAGES" / "sheet.po"
    po.write_text(po.read_text(encoding="utf-8").replace(
        'msgstr "Twój plan"', 'msgstr "Twój plan działania"'), encoding="utf-8")
    pdf = read_pdf(render.render_bytes(make_sheet(items=1), language="pl"))
    assert pdf.has("Twój plan działania")


def test_a_broken_catalogue_is_left_out_and_the_sheet_still_prints(make_sheet, read_pdf,
                                                                   locale_copy, caplog):
    (locale_copy / "ar" / "LC_MESSAGES" / "sheet.po").write_text(
        'msgid "Your plan"\nmsgstr "خطتك\nmsgid broken', encoding="utf-8")
    (locale_copy / "fa" / "LC_MESSAGES" / "sheet.po").write_bytes(b"msgid \"x\"\xff\xfe")
    with caplog.at_level(logging.WARNING, logger="lr_desk.sheets.catalogues"):
        codes = {c.code for c in catalogues.available()}
    assert "ar" not in codes and "fa" not in codes and "pl" in codes
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "ar translation" in said and "fa translation" in said
    pdf = read_pdf(render.render_bytes(make_sheet(items=1), language="ar"))
    assert pdf.has(words.YOUR_PLAN) and pdf.has(words.URGENT_TITLE)


def test_a_translation_that_loses_its_placeholder_is_not_used(make_sheet, read_pdf,
                                                              locale_copy, caplog):
    po = locale_copy / "pt" / "LC_MESSAGES" / "sheet.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace("ligar-nos para o {phone}.", "ligar-nos."), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="lr_desk.sheets.catalogues"):
        lang = catalogues.find("pt")
    assert lang(words.NOT_BOOKED_CALL) == "" and lang(words.YOUR_PLAN) == "O seu plano"
    assert "{phone}" in caplog.text
    pdf = read_pdf(render.render_bytes(make_sheet(items=1, next_follow_up=None),
                                       language="pt"))
    assert pdf.has("Nothing is booked yet") and not pdf.has("ligar-nos.")


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("items", [0, 1, 2, 3, 5, 8, 12])
@pytest.mark.parametrize("code", ["pt", "ar", "ti"])
def test_urgent_help_still_shares_its_page_with_the_end_of_the_plan(make_sheet, locale_copy,
                                                                   code, items, large):
    """Chosen from the record (checked), every length of plan lays out, the urgent help
    with the end of the plan, as in English alone."""
    reviewed(locale_copy, code)
    data = make_sheet(items=items, language=catalogues.find(code).name)
    check_urgent_help_page(data, large)
    assert squash(catalogues.find(code)(words.URGENT_TITLE)) in squash(
        read_back(render.render_bytes(data, large_print=large)).text)


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_words_longer_than_a_page_flow_on_beside_their_translated_label(make_sheet,
                                                                        read_pdf, large):
    why = " ".join(f"Sentence {n} of why this matters to me, at some length." for n in
                   range(300))
    data = make_sheet(items=1)
    data.items[0] = replace(data.items[0], why=why)
    pdf = read_pdf(render.render_bytes(data, large_print=large, language="pl"))
    assert len(pdf.pages) >= 3
    assert pdf.has("Sentence 299 of why") and pdf.has("Dlaczego to jest dla mnie ważne:")


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("code", SHIPPED)
def test_every_letter_of_each_translation_has_a_glyph(make_sheet, code, large):
    """The embedded fonts draw every character the sheet shows (none an empty box), and
    the translation's own letters are among them: Tigrinya's Ethiopic, Urdu's and
    Pashto's own letters, Sorani's."""
    pdf = render.render_bytes(make_sheet(items=2), large_print=large, language=code)
    found = coverage(pdf)
    assert found.missing == set()
    lang = catalogues.find(code)
    shown = set(words.FIXED) - {words.NOTHING_YET, words.NOT_BOOKED, words.NOT_BOOKED_CALL}
    letters = {plain(ch) for english in shown for ch in lang(english) if ch.isalpha()}
    drawn = {plain(ch) for ch in found.drawn}
    assert letters <= drawn, sorted(letters - drawn)
