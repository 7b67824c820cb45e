"""Every script a name or a translation may use prints: Urdu, Pashto, Farsi, Kurdish
Sorani and Arabic in Noto Naskh Arabic, Tigrinya and Amharic in Noto Sans Ethiopic, the
rest in DejaVu Sans, chosen run by run; a character no bundled font has is reported by
``unprintable`` before printing; and an English sheet is drawn exactly as before.

The sheets are read back with pypdf (``fontcheck``): each character shown is looked up
in the embedded subset's own cmap, so a box (glyph 0) is found, not assumed away.
"""

from __future__ import annotations

import io
import pickle
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from lr_desk.services.sheet import SheetData, SheetItem
from lr_desk.sheets import catalogues, content, fonts, look, page, render, subject_access
from lr_desk.sheets.text import BidiText, _bidi_lines, line_width, text, unprintable
from tests.sheets.conftest import WALTON, item
from tests.sheets.fontcheck import NOTDEF, coverage

ROOT = Path(__file__).resolve().parents[2]

# name, what matters to them, a step of their plan (its title is bold)
SAMPLES = {
    "urdu": ("عائشہ ٹوانہ",
             "میں ہر روز گھر سے باہر جاؤں گا، پہاڑ دیکھوں گا اور ڈاکٹر سے ملوں گا",
             "بڑے ٹیچر سے ملنا"),
    "pashto": ("ګلالۍ ښکلې",
               "زه هره ورځ ښوونځي ته ځم، ډوډۍ خورم، ړومبی ګام اخلم او ږمنځ کوم",
               "ښې خبرې او ډېر ګامونه"),
    "farsi": ("مریم رضایی",
              "می\u200cخواهم هر روز پیاده\u200cروی کنم و با گروه ژیمناستیک چای بنوشم",
              "گفتگو با پزشک"),
    "sorani": ("ڕێزان گوڵ",
               "من دەمەوێت هەموو ڕۆژێک پیاسە بکەم و لەگەڵ هاوڕێکانم قسە بکەم",
               "کۆبوونەوەی هەفتانە"),
    "arabic": ("زهرة حسن", "أريد أن أمشي كل يوم في الحديقة مع جيراني",
               "لقاء مع الطبيب"),
    "tigrinya": ("ሳባ ተስፋይ", "ኣነ ትግርኛ እዛረብ። መዓልታዊ ክዛወር ደስ ይብለኒ።", "ምስ ጎረባብተይ ምዝራብ"),
    "amharic": ("አበበ በቀለ", "በየቀኑ በእግር መጓዝ እፈልጋለሁ። ቡና ከጓደኞቼ ጋር መጠጣት ደስ ይለኛል።",
                "ከሐኪም ጋር መገናኘት"),
}
LETTERS = {"urdu": "ٹڈڑںے", "pashto": "ښځډړږګۍې", "sorani": "ڕۆێڵ", "tigrinya": "ትግርኛ"}
ETHIOPIC = {"tigrinya", "amharic"}


def sheet_in(make_sheet, language: str):
    name, words, title = SAMPLES[language]
    data = make_sheet(preferred_name=name, what_matters=words)
    data.items[0] = SheetItem("A step I will take myself", title, why=words,
                              first_step=title)
    return data


def letters(chars: set[str]) -> set[str]:
    """What was typed, from what was drawn (joined forms back to their letters)."""
    return {c for ch in chars for c in unicodedata.normalize("NFKC", ch)}


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("language", list(SAMPLES))
def test_every_script_prints_with_no_missing_glyph(make_sheet, language, large):
    name, words, title = SAMPLES[language]
    found = coverage(render.render_bytes(sheet_in(make_sheet, language), large_print=large))
    assert found.missing == set()
    typed = {c for c in name + words + title if not c.isspace() and c != "\u200c"}
    assert typed <= letters(found.drawn)
    assert set(LETTERS.get(language, "")) <= letters(found.drawn)
    family = "NotoSansEthiopic" if language in ETHIOPIC else "NotoNaskhArabic"
    # the plan's step titles are bold: in the family's bold face, not a faked one
    assert {f"{family}-Regular", f"{family}-Bold"} <= found.fonts
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= found.fonts  # the English around them


def test_the_check_finds_a_box(make_sheet):
    """A character no font has is drawn as glyph 0, and the read-back says so."""
    found = coverage(render.render_bytes(make_sheet(preferred_name="王芳 Annie")))
    assert found.missing == {NOTDEF}
    assert coverage(render.render_bytes(make_sheet(preferred_name="Annie"))).missing == set()


@pytest.mark.parametrize("language", list(SAMPLES))
def test_unprintable_finds_nothing_in_the_scripts_we_print(language):
    assert unprintable(SAMPLES[language]) == set()


def test_unprintable_reports_what_no_font_has():
    assert unprintable(["王芳", "Annie 🙂", "ትግርኛ", "Zoë Łukasiewicz", ""]) == {"王", "芳", "🙂"}
    assert unprintable(["Ünal 👍🏽", "ok\u200d\ufe0f"]) == {"👍", "🏽"}
    assert unprintable(["Annie", "Saba ሳባ زهرة", "Олена", "נועה"]) == set()


def test_each_run_in_its_font():
    assert fonts.runs("Saba ሳባ, زهرة.") == [
        (fonts.DEJAVU, "Saba "), (fonts.ETHIOPIC, "ሳባ"),
        (fonts.DEJAVU, ", "),  # Noto Sans Ethiopic has no comma
        (fonts.NASKH, "زهرة.")]  # punctuation stays in the run when its font has it
    assert fonts.runs(" (ሳባ") == [(fonts.DEJAVU, " ("), (fonts.ETHIOPIC, "ሳባ")]
    assert fonts.runs(": زهرة") == [(fonts.NASKH, ": زهرة")]  # leading: with the first letter
    assert fonts.runs("Annie 王 ok") == [(fonts.DEJAVU, "Annie 王 ok")]  # a box, reported
    assert fonts.runs("a\u200b\u200cb") == [(fonts.DEJAVU, "a\u200b\u200cb")]
    assert fonts.markup("ሳባ <b>", bold=True) == \
        f'<font name="{look.ETHIOPIC_BOLD}">ሳባ </font>&lt;b&gt;'


def test_latin_words_are_marked_up_as_before():
    style = look.LOOKS[False].body
    for words in ("Zoë O'Brien-Łukasiewicz & <b>", "Олена\nΕλένη"):
        para = text(words, style, "With:")
        assert para.text == f"<b>With:</b> {escape(words)}".replace("\n", "<br/>")


def test_right_to_left_lines_are_broken_by_their_own_font():
    """Lines are broken as laid out, measured in the font each run is drawn in, shaped:
    each fits the width, and the paragraph is as tall as its lines."""
    style = look.LOOKS[False].body
    words = " ".join([SAMPLES["urdu"][1]] * 4)
    para = BidiText(words, style)
    _, height = para.wrap(look.WIDTH / 2, 1000)
    lines, rtl = para.layout(look.WIDTH / 2)
    assert rtl and len(lines) >= 3
    assert height == len(lines) * style.leading
    assert all(line_width(line) <= look.WIDTH / 2 for line in lines)


def shown(line) -> list[tuple[str, str]]:
    """A laid-out line as (font, text as displayed, left to right)."""
    return [(piece.font, piece.text) for piece in line]


def test_a_translated_label_leads_its_words_from_the_right():
    """A right-to-left label (a translation's) before right-to-left words: one line read
    right to left, the label bold at its right; before English words, a line of its own."""
    style = look.LOOKS[False].body
    lines, rtl = _bidi_lines("الثلاثاء", style, 400, "متى:")
    assert rtl and len(lines) == 1
    assert shown(lines[0]) == [(look.ARABIC_FONT, "ءاثالثلا "), (look.ARABIC_BOLD, ":ىتم")]
    lines, rtl = _bidi_lines("Tuesdays", style, 400, "متى:")
    assert rtl and shown(lines[-1]) == [(look.FONT, "Tuesdays")]


def test_each_line_typed_reads_in_its_own_direction():
    """A line break starts a new bidi paragraph: an English line after an Arabic one
    keeps its full stop at its end."""
    lines, rtl = _bidi_lines("زهرة حسن.\nSaba wants to walk.", look.LOOKS[False].body, 400)
    first, second = lines
    assert rtl and shown(second) == [(look.FONT, "Saba wants to walk.")]
    assert shown(first)[0][1].startswith(".")  # at the left: its end


def test_an_english_sheet_reads_no_other_font_and_embeds_the_same_fonts(make_sheet):
    """In a fresh process an English sheet registers only DejaVu Sans; its embedded
    fonts are byte for byte those of the same sheet drawn after Arabic and Ethiopic ones."""
    program = (
        "import sys, pickle\n"
        "from lr_desk.sheets import fonts, render\n"
        "from tests.sheets.test_fonts_scripts import english\n"
        "pdf = render.render_bytes(english())\n"
        "sys.stdout.buffer.write(pickle.dumps((pdf, [fonts.registered(f) for f in "
        "fonts.FAMILIES])))\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, check=True,
                          timeout=120, cwd=ROOT)
    fresh, registered = pickle.loads(done.stdout)
    assert registered == [True, False, False]
    for language in ("urdu", "tigrinya"):
        render.render_bytes(sheet_in(make_sheet, language))
    assert fonts.registered(fonts.NASKH) and fonts.registered(fonts.ETHIOPIC)
    before, after = coverage(fresh), coverage(render.render_bytes(english()))
    assert before.fonts == {"DejaVuSans", "DejaVuSans-Bold"}
    assert before.embedded == after.embedded and before.missing == set()


def english() -> SheetData:
    """An English sheet (with a Latin accent), five items."""
    return SheetData(prescription_id="rx-1", hub=WALTON, made_on=date(2025, 6, 11),
                     advisor_first_name="Alex", preferred_name="Zoë", large_print=False,
                     what_matters="Getting out of the house, and sorting out the rent.",
                     items=[item(n) for n in range(1, 6)])


def test_the_subject_access_export_prints_every_script():
    """The export's plain fields (a line each, not through ``text``) get their fonts too."""
    document = {"about": {"made_by": "Alex"},
                "person": {"preferred_name": None, "given_name": "ሳባ", "family_name": "ተስፋይ",
                           "town": "መቐለ",
                           "notes": "ኣነ ትግርኛ እዛረብ። ٹیچر سے ملنا"}}
    found = coverage(subject_access.render_bytes(document))
    assert found.missing == set()
    assert set("መቐለ") <= found.drawn
    assert {"NotoSansEthiopic-Regular", "NotoNaskhArabic-Regular"} <= found.fonts


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("code", [c.code for c in catalogues.available()])
def test_every_shipped_translation_prints_with_no_missing_glyph(make_sheet, code, large):
    """The sheet's fixed words in each shipped language, beside the English (drawn as
    ``render`` draws a sheet in two languages), with a name in the same script."""
    lang, sheet_look = catalogues.find(code), look.LOOKS[large]
    name = {"ti": SAMPLES["tigrinya"][0], "ur": SAMPLES["urdu"][0], "ps": SAMPLES["pashto"][0],
            "fa": SAMPLES["farsi"][0], "ckb": SAMPLES["sorani"][0]}.get(code, "Zoë")
    data = make_sheet(preferred_name=name)
    out = io.BytesIO()
    page.build(out, sheet_look, lambda: content.header(data, sheet_look, lang),
               lambda height: content.story(data, sheet_look, height, lang=lang),
               template="sheet", title="Your plan", subject="Social prescription")
    found = coverage(out.getvalue())
    assert found.missing == set()
    # (short vowel marks included: HarfBuzz places them over their letters)
    translated = {c for c in lang(content.URGENT_TITLE) if not c.isspace()}
    assert translated <= letters(found.drawn)
