"""Sheets read back with pypdf: each page's text, and every run of text with the size it
is drawn at. No Qt here."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import pytest
from pypdf import PdfReader

from lr_desk.services.sheet import SheetData, SheetFollowUp, SheetHub, SheetItem

WALTON = SheetHub("The Life Rooms Walton", "Evered Avenue, Liverpool", "L9 2AF",
                  "0151 478 6556", "Monday to Friday, 9:30am to 4:30pm")


@dataclass(frozen=True)
class Run:
    page: int
    text: str
    size: float  # the size it is drawn at, in points


@dataclass
class ReadBack:
    pages: list[str]
    runs: list[Run]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    def has(self, words: str, page: int | None = None) -> bool:
        """``words`` appear, wherever the lines happen to break (whitespace ignored)."""
        text = self.pages[page - 1] if page else self.text
        return _squash(words) in _squash(text)

    def body(self) -> str:
        """The pages' text run together without the header and footer repeated on each,
        so words that go on over a page read on."""
        lines = [page.splitlines() for page in self.pages]
        common = 0
        while len(lines) > 1 and all(len(page) > common for page in lines) and \
                len({page[common] for page in lines}) == 1:
            common += 1
        out = []
        for page in lines:
            rest = page[common:]
            if rest and re.fullmatch(r"Page \d+ of \d+", rest[-1].strip()):
                rest = rest[:-1]
            out.extend(rest)
        return "\n".join(out)

    def sizes(self, words: str) -> set[float]:
        """Sizes of the runs of text that are (part of) ``words``."""
        return {r.size for r in self.runs if r.text in words or words in r.text}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _drawn_size(font_size: float, tm: list[float], cm: list[float]) -> float:
    """The font size times the vertical scale of text matrix x current matrix."""
    c = tm[2] * cm[0] + tm[3] * cm[2]
    d = tm[2] * cm[1] + tm[3] * cm[3]
    return round(font_size * math.hypot(c, d), 2)


def read_back(pdf: bytes) -> ReadBack:
    reader = PdfReader(io.BytesIO(pdf))
    pages, runs = [], []
    for number, page in enumerate(reader.pages, 1):
        def visit(text, cm, tm, font_dict, font_size, number=number):
            if text.strip():
                runs.append(Run(number, text.strip(), _drawn_size(font_size, tm, cm)))
        pages.append(page.extract_text(visitor_text=visit))
    return ReadBack(pages, runs)


@pytest.fixture
def read_pdf() -> Callable[[bytes], ReadBack]:
    return read_back


def item(n: int, **changes) -> SheetItem:
    base = SheetItem(
        kind="Support from a local organisation", title=f"Service number {n:02d}",
        with_whom="Example Advice Centre (debt and benefits)",
        where="The Life Rooms Walton, Evered Avenue, Liverpool L9 2AF",
        when="Tuesdays 10:00 to 12:30", phone="0151 000 0101",
        web=f"https://example.org/advice/{n}",
        why="The letters keep coming and I can't sleep for worrying about them.",
        first_step="Go along on Tuesday with the letters", by_when=date(2025, 7, 1))
    return replace(base, **changes)


@pytest.fixture
def make_sheet() -> Callable[..., SheetData]:
    """A sheet made by hand: ``make_sheet(items=5, preferred_name=...)``."""

    def make(items: int = 5, **changes) -> SheetData:
        data = SheetData(
            prescription_id="rx-1", hub=WALTON, made_on=date(2025, 6, 11),
            advisor_first_name="Alex", preferred_name="Annie", large_print=False,
            what_matters="Getting out of the house, and sorting out the rent.",
            items=[item(n) for n in range(1, items + 1)],
            next_follow_up=SheetFollowUp(date(2025, 6, 18), "09:30", "Come and see us",
                                         "The Life Rooms Walton, Evered Avenue, "
                                         "Liverpool L9 2AF"))
        return replace(data, **changes)

    return make


@pytest.fixture(autouse=True)
def _no_translations_outside(tmp_path_factory, monkeypatch):
    """The sheet's tests read the shipped translations only: no folder outside the
    program (``paths.translation_dirs``) of this computer's account or machine joins in
    (``test_catalogue_folders`` puts its own there)."""
    from lr_desk import paths

    empty = tmp_path_factory.mktemp("no-translations")
    monkeypatch.setattr(paths, "translation_dirs", lambda: [empty / "account", empty / "machine"])
