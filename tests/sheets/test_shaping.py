"""HarfBuzz's shaping as the sheet uses it (``lr_desk.sheets.shaping``): glyphs no
character maps to read back as the letters they stand for, and the self-test notices a
build without uharfbuzz."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lr_desk.sheets import fonts, look, shaping

ROOT = Path(__file__).resolve().parents[2]


def test_a_joined_form_gets_a_private_code_standing_for_its_letter():
    fonts.cmap(fonts.NASKH)
    font = shaping.pdfmetrics.getFont(look.ARABIC_FONT)
    glyphs, width = shaping.shaped("ګډه", look.ARABIC_FONT)
    assert width == sum(g.advance for g in glyphs) > 0
    # drawn left to right: the last letter first; ګ joins onwards, so it is not drawn
    # as the character itself
    first = glyphs[-1].char
    assert ord(first) >= shaping.PRIVATE and font._texts[ord(first)] == "ګ"
    # the same glyph, advance and letter: the same code, once per process
    assert shaping.shaped("ګډ", look.ARABIC_FONT)[0][-1].char == first


def test_the_tounicode_map_spells_out_each_code():
    cmap = shaping._to_unicode("AAAAAA+Font", [0, 0x627, shaping.PRIVATE],
                               {shaping.PRIVATE: "لله"})
    assert "<01> <0627>" in cmap and "<02> <064406440647>" in cmap
    assert "3 beginbfchar" in cmap


def test_the_self_test_notices_a_build_without_uharfbuzz():
    program = ("import sys; sys.modules['uharfbuzz'] = None\n"
               "from pathlib import Path\n"
               "from lr_desk import selftest\n"
               "try:\n"
               "    selftest.check_shaping(selftest.Context(Path('.')))\n"
               "except ImportError as exc:\n"
               "    print('noticed:', exc)\n")
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert "noticed:" in done.stdout and "uharfbuzz" in done.stdout, done.stderr[-2000:]
    assert "shaping" in [name for name, _ in __import__("lr_desk.selftest").selftest.CHECKS]


def test_brackets_read_right_to_left_are_mirrored():
    """python-bidi puts a line in display order but leaves mirroring (rule L4) to the
    renderer: a bracket that reads right to left is drawn mirrored, so "(تتمة)" (the
    Arabic "(continued)") shows its brackets round the word, not back to front."""
    from bidi import get_display

    from lr_desk.sheets import text as sheet_text

    assert sheet_text._display("(تتمة)", "R") == "(ةمتت)"
    assert sheet_text._display("Service 1 (تتمة)", "L") == "Service 1 (ةمتت)"
    assert sheet_text._display("ځم (۱۲:۳۰) لا", "R") == "ال (۱۲:۳۰) مځ"
    for line, base in (("נועה (כהן) [x] ", "R"), ("أريد أن (Python) كل يوم  ", "R"),
                       ("Zoë (ټولنه) ok", "L")):  # the same order as python-bidi's
        levels = sheet_text._levels(line, base)
        order = sheet_text._order(line, levels, base)
        assert "".join(line[i] for i in order) == get_display(line, base_dir=base)
    # drawn so: the opening bracket at the left (both in DejaVu Sans: Noto Naskh has none)
    [line], _ = sheet_text._bidi_lines("(تتمة)", look.LOOKS[False].body, 400)
    assert [p.text for p in line] == ["(", "ةمتت", ")"]
