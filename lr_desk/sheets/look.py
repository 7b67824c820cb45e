"""The sheet's page and looks: A4 portrait, its margins, colours, fonts' names, and the
paragraph styles of normal and large print (large print: every piece of text at least
16 pt, with generous leading)."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

# Streams are written binary (zlib only), not also ASCII85-encoded: smaller files, and
# reportlab's pure-Python ASCII85 would cost several milliseconds per sheet.
rl_config.useA85 = 0

# The fonts' names as registered with reportlab (``text``/``fonts`` register them): DejaVu
# Sans for most text; Noto Naskh Arabic for the Arabic script (Arabic, Farsi, Urdu, Pashto,
# Sorani) and Noto Sans Ethiopic for Ge'ez (Tigrinya, Amharic), each only when needed.
FONT = "LRDejaVuSans"
BOLD = "LRDejaVuSans-Bold"
ARABIC_FONT = "LRNotoNaskhArabic"
ARABIC_BOLD = "LRNotoNaskhArabic-Bold"
ETHIOPIC_FONT = "LRNotoSansEthiopic"
ETHIOPIC_BOLD = "LRNotoSansEthiopic-Bold"

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
WIDTH = PAGE_W - 2 * MARGIN

INK = colors.black
ACCENT = colors.HexColor("#003087")  # NHS blue: contrast 11.8:1 on white
URGENT_BG = colors.HexColor("#FFF3C4")  # black on it: 18.9:1


@dataclass(frozen=True)
class Look:
    body: ParagraphStyle
    intro: ParagraphStyle
    heading: ParagraphStyle
    item_title: ParagraphStyle
    urgent_title: ParagraphStyle
    qr_label: ParagraphStyle
    head_title: ParagraphStyle
    head: ParagraphStyle
    head_right: ParagraphStyle
    head_name: ParagraphStyle
    footer_size: float
    qr_size: float
    gap: float
    rule: float


def style(name: str, size: float, leading: float, bold: bool = False, color=INK,
          align=TA_LEFT, before: float = 0, after: float = 0,
          keep_with_next: bool = False) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=BOLD if bold else FONT, fontSize=size,
                          leading=leading, textColor=color, alignment=align,
                          spaceBefore=before, spaceAfter=after,
                          keepWithNext=int(keep_with_next))


def _make_look(large: bool) -> Look:
    k = "large" if large else "normal"
    if large:  # body 16 pt on 24 pt lines; nothing on the page smaller than 16 pt
        body, lead, head, head_lead, small = 16, 24, 16, 21, 16
    else:
        body, lead, head, head_lead, small = 12, 17, 11, 14.5, 10
    return Look(
        body=style(f"{k}-body", body, lead, after=body * 0.15),
        intro=style(f"{k}-intro", body, lead, after=body * 0.5),
        heading=style(f"{k}-heading", body * 1.4, body * 1.8, bold=True, color=ACCENT,
                      before=body * 0.9, after=body * 0.35, keep_with_next=True),
        item_title=style(f"{k}-item", body * 1.15, lead * 1.1, bold=True,
                         before=body * 0.9, after=body * 0.2, keep_with_next=True),
        urgent_title=style(f"{k}-urgent", body * 1.25, body * 1.65, bold=True,
                           after=body * 0.3),
        qr_label=style(f"{k}-qr-label", small, small * 1.3, align=TA_RIGHT,
                       before=small * 0.2, after=body * 0.15),
        head_title=style(f"{k}-head-title", head * 1.6, head * 2.0, bold=True, color=ACCENT),
        head=style(f"{k}-head", head, head_lead),
        head_right=style(f"{k}-head-right", head, head_lead, align=TA_RIGHT),
        head_name=style(f"{k}-head-name", head * 1.25, head_lead * 1.3, bold=True,
                        align=TA_RIGHT),
        footer_size=16 if large else 10,
        qr_size=(30 if large else 24) * mm,
        gap=(7 if large else 5) * mm,
        rule=2 if large else 1.2,
    )


LOOKS = {False: _make_look(False), True: _make_look(True)}
_RIGHT: dict[str, ParagraphStyle] = {}


def right(of: ParagraphStyle) -> ParagraphStyle:
    """The same style aligned right (for a paragraph that reads right to left)."""
    found = _RIGHT.get(of.name)
    if found is None:
        found = _RIGHT[of.name] = ParagraphStyle(f"{of.name}-rtl", parent=of,
                                                 alignment=TA_RIGHT)
    return found
