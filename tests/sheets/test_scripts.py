"""Names and words in any script: Arabic and Farsi come out joined and right to left,
Hebrew right to left, Latin untouched.

How the check works: a PDF holds glyphs in the order they are drawn, left to right.
Right-to-left text drawn correctly is therefore stored in visual order, and pypdf's text
extraction turns right-to-left runs back round into logical (typed) order. So a name
drawn correctly reads back as typed (after NFKC, which maps the Arabic presentation forms
that joining produces back to the base letters), and a name drawn unreordered reads back
reversed: ``test_the_check_can_fail`` shows both, so the check cannot pass by accident.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import pytest

from lr_desk.services.sheet import SheetItem
from lr_desk.sheets import look, render
from lr_desk.sheets import text as sheet_text

ARABIC = "زهرة حسن"
FARSI = "مریم رضایی"
HEBREW = "נועה כהן"
PRESENTATION_FORMS = re.compile("[\ufb50-\ufeff]")
# About forty different words, so that it wraps and the order of its lines shows.
ARABIC_WORDS = ("في الصباح أحب أن أمشي إلى الحديقة القريبة من بيتي وأجلس على المقعد "
                "الأخضر وأستمع إلى العصافير ثم أعود لأطبخ الغداء لأولادي وفي المساء أتصل "
                "بأختي التي تعيش في مدينة بعيدة ونتحدث طويلا عن ذكريات الطفولة والمدرسة "
                "القديمة والجيران الطيبين")


def logical(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def name_line(pdf) -> str:
    [line] = [line for line in pdf.pages[0].splitlines() if line.strip().startswith("For ")]
    return line


@pytest.mark.parametrize("name", [ARABIC, FARSI, HEBREW])
@pytest.mark.parametrize("large", [False, True])
def test_a_right_to_left_name_reads_back_in_logical_order(make_sheet, read_pdf, name, large):
    pdf = read_pdf(render.render_bytes(make_sheet(preferred_name=name), large_print=large))
    assert logical(name_line(pdf)).strip() == f"For {name}"


@pytest.mark.parametrize("name", [ARABIC, FARSI])
def test_arabic_and_farsi_letters_are_joined(make_sheet, read_pdf, name):
    """Joined letters are drawn as their initial, medial and final forms."""
    pdf = read_pdf(render.render_bytes(make_sheet(preferred_name=name)))
    line = name_line(pdf)
    assert PRESENTATION_FORMS.search(line)
    assert not re.search("[\u0600-\u06ff]", line)  # no unjoined letter left


def test_the_check_can_fail(make_sheet, read_pdf, monkeypatch):
    """Without reordering the name reads back reversed; without shaping, unjoined."""
    monkeypatch.setattr(sheet_text, "get_display", lambda text, base_dir=None: text)
    monkeypatch.setattr(sheet_text, "_laid_out",  # laid out afresh, not as remembered
                        functools.lru_cache(maxsize=64)(sheet_text._laid_out.__wrapped__))
    pdf = read_pdf(render.render_bytes(make_sheet(preferred_name=ARABIC)))
    assert logical(name_line(pdf)).strip() != f"For {ARABIC}"
    assert logical(name_line(pdf)).strip() == f"For {ARABIC[::-1]}"
    monkeypatch.undo()

    monkeypatch.setattr(sheet_text._reshaper, "reshape", lambda text: text)
    monkeypatch.setattr(sheet_text, "_laid_out",
                        functools.lru_cache(maxsize=64)(sheet_text._laid_out.__wrapped__))
    pdf = read_pdf(render.render_bytes(make_sheet(preferred_name=ARABIC)))
    assert not PRESENTATION_FORMS.search(name_line(pdf))


def test_a_long_right_to_left_paragraph_keeps_its_line_order(make_sheet, read_pdf):
    """Broken into lines in logical order, then each line reordered: read top to bottom
    the words come in the order they were typed."""
    pdf = read_pdf(render.render_bytes(make_sheet(what_matters=ARABIC_WORDS)))
    lines = [logical(line) for line in pdf.pages[0].splitlines()
             if re.search("[\u0600-\u06ff]", logical(line))]
    assert len(lines) >= 2  # it did wrap
    assert squash(ARABIC_WORDS) in squash("".join(lines))


def test_right_to_left_words_after_a_label(make_sheet, read_pdf):
    data = make_sheet()
    data.items[0] = SheetItem("A step I will take myself", "المشي كل يوم",
                                     why=f"{ARABIC} {FARSI}", first_step=HEBREW)
    pdf = read_pdf(render.render_bytes(data, large_print=True))
    text = logical(pdf.text)
    assert "1. المشي كل يوم" in text
    assert f"Why this matters to me: {ARABIC} {FARSI}" in text
    assert f"My first step: {HEBREW}" in text


def test_mixed_words_keep_both_scripts_in_order(make_sheet, read_pdf):
    words = f"I want to meet {ARABIC} again and walk together"
    pdf = read_pdf(render.render_bytes(make_sheet(what_matters=words)))
    # (pypdf moves the space at the edge of a right-to-left run when it turns it round)
    assert squash(words) in squash(logical(pdf.text))


def test_latin_text_is_left_as_it_is():
    style = look.LOOKS[False].body
    assert type(sheet_text.text("Zoë O'Brien-Łukasiewicz", style)).__name__ == "Paragraph"
    assert type(sheet_text.text(f"For {ARABIC}", style)).__name__ == "BidiText"


def test_shaped_text_uses_only_letters_the_font_has():
    """Where Noto Naskh Arabic (the font Arabic-script runs are drawn in) lacks a joined
    form but has the plain letter, the plain letter is drawn rather than an empty box."""
    from reportlab.pdfbase import pdfmetrics

    sheet_text.cmap(sheet_text.NASKH)
    have = set(pdfmetrics.getFont(look.ARABIC_FONT).face.charToGlyph)
    for text in (ARABIC, FARSI, ARABIC_WORDS, "ٹھیک ہے پاکستان", "الله", "لا إله"):
        shaped = sheet_text.shape(text)
        missing = {c for c in shaped if not c.isspace() and ord(c) not in have}
        plain_there = {c for c in missing
                       if all(ord(b) in have for b in unicodedata.normalize("NFKC", c))}
        assert plain_there == set(), text
    assert sheet_text.shape(ARABIC_WORDS) == sheet_text._reshaper.reshape(ARABIC_WORDS)
    assert "\ufdf2" not in sheet_text.shape("الله")  # spelt out, not the ligature


def test_mixed_arabic_and_english_after_a_label_reads_right_to_left():
    from lr_desk.sheets.text import _bidi_markup

    normal = look.LOOKS[False]
    text = "أريد أن أتعلم Python كل يوم"
    with_label, rtl = _bidi_markup(text, normal.body, 400, "Why this matters to me:")
    without_label, _ = _bidi_markup(text, normal.body, 400)
    assert rtl
    # the words are laid out exactly as when the text stands alone (right to left)
    assert with_label.endswith(without_label)
    assert with_label.startswith("<b>Why this matters to me:</b><br/>")
