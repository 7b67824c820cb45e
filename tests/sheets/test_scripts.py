"""Names and words in any script: Arabic, Farsi, Urdu and Pashto come out joined (their
short vowel marks kept) and right to left, Hebrew right to left, Latin untouched.

How the check works: a PDF holds glyphs in the order they are drawn, left to right.
Right-to-left text drawn correctly is therefore stored in visual order, and pypdf's text
extraction turns right-to-left runs back round into logical (typed) order. So a name
drawn correctly reads back as typed (after NFKC, which maps the Arabic presentation forms
that joining produces back to the base letters), and a name drawn unreordered reads back
reversed: ``test_the_check_can_fail`` shows both, so the check cannot pass by accident.

Joining is proved by what is embedded: the glyph drawn for a letter inside a word is
not the font's glyph for that letter standing alone (``fontcheck.isolated``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date

import pytest

from lr_desk.services.sheet import SheetData, SheetItem
from lr_desk.sheets import look, render, shaping
from lr_desk.sheets import text as sheet_text
from lr_desk.sheets.fonts import FONT_DIR
from tests.sheets.conftest import WALTON, item
from tests.sheets.fontcheck import coverage, isolated

ARABIC = "زهرة حسن"
FARSI = "مریم رضایی"
HEBREW = "נועה כהן"
PASHTO = "ګلالۍ ښکلې"  # ګ and ښ begin a word, ۍ and ې end one: none has a joined form
URDU = "عائشہ ٹوانہ"  # in Unicode (presentation forms): HarfBuzz joins them all
NASKH_BOLD = "NotoNaskhArabic-Bold"  # the name's font (the sheet's name line is bold)
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


def drawn_alone(name: str) -> set[str]:
    """The letters of ``name`` that a sheet (in English, the name its only Arabic-script
    words, in bold) draws only with the glyph the font draws them with standing alone."""
    data = SheetData("rx-1", WALTON, date(2025, 6, 11), "Alex", name, items=[item(1)])
    found = coverage(render.render_bytes(data))
    assert found.missing == set()
    return {ch for ch in name if not ch.isspace()
            if found.outlines[(NASKH_BOLD, ch)] == {isolated(FONT_DIR / f"{NASKH_BOLD}.ttf", ch)}}


# name, and its letters that join neither neighbour (after a letter that joins nothing
# onwards, and joining nothing onwards themselves or ending the word)
@pytest.mark.parametrize("name, alone", [(ARABIC, "زة"), (FARSI, ""), (URDU, ""),
                                         (PASHTO, "")])
def test_arabic_script_letters_are_joined(name, alone):
    """Each letter is drawn joined to its neighbours (initial, medial and final forms),
    Pashto's and Urdu's own letters too."""
    assert drawn_alone(name) == set(alone)


def test_the_check_can_fail(make_sheet, read_pdf, monkeypatch):
    """Without reordering the name reads back reversed; without shaping, unjoined."""
    monkeypatch.setattr(sheet_text, "get_display", lambda text, base_dir=None: text)
    monkeypatch.setattr(sheet_text, "_laid_out",  # laid out afresh, not as remembered
                        functools.lru_cache(maxsize=64)(sheet_text._laid_out.__wrapped__))
    pdf = read_pdf(render.render_bytes(make_sheet(preferred_name=ARABIC)))
    assert logical(name_line(pdf)).strip() != f"For {ARABIC}"
    assert logical(name_line(pdf)).strip() == f"For {ARABIC[::-1]}"
    monkeypatch.undo()

    # shaped letter by letter (as arabic-reshaper left Pashto's): found unjoined
    whole = shaping.shaped

    def letter_by_letter(text, font):
        parts = [whole(ch, font) for ch in text][::-1]
        return tuple(g for glyphs, _ in parts for g in glyphs), sum(w for _, w in parts)

    monkeypatch.setattr(shaping, "shaped", letter_by_letter)
    monkeypatch.setattr(sheet_text, "_laid_out",
                        functools.lru_cache(maxsize=64)(sheet_text._laid_out.__wrapped__))
    assert drawn_alone(PASHTO) == set(PASHTO) - {" "}


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


def test_short_vowel_marks_are_kept_over_their_letters(make_sheet, read_pdf):
    """Harakat are drawn (arabic-reshaper dropped them), each placed over or under its
    letter by the font's own positioning, and read back where they were typed; the
    ligatures the font makes (lam-alef, Allah) read back as their letters."""
    from lr_desk.sheets import fonts

    words = "بِسْمِ اللَّهِ لا إله زَه هَره وَرځ"
    fonts.cmap(fonts.NASKH)
    glyphs, _ = shaping.shaped("بِسْمِ", look.ARABIC_FONT)
    marks = [g for g in glyphs if unicodedata.category(g.char) == "Mn"]
    assert len(marks) == 3 and all(g.advance == 0 and g.dy for g in marks)
    assert not any(g.char == "\0" for g in glyphs)  # no empty box
    pdf = read_pdf(render.render_bytes(make_sheet(what_matters=words)))
    assert words in pdf.text.replace("\u200d", "")  # (a ligature's extra glyph: a joiner)


def test_mixed_arabic_and_english_after_a_label_reads_right_to_left():
    from lr_desk.sheets.text import _bidi_lines

    normal = look.LOOKS[False]
    text = "أريد أن أتعلم Python كل يوم"
    with_label, rtl = _bidi_lines(text, normal.body, 400, "Why this matters to me:")
    without_label, _ = _bidi_lines(text, normal.body, 400)
    assert rtl
    # the words are laid out exactly as when the text stands alone (right to left)
    assert with_label[1:] == without_label
    # the label on a line of its own, in bold
    assert [(p.font, p.text) for p in with_label[0]] == \
        [(look.BOLD, "Why this matters to me:")]
