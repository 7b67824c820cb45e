"""Laying the sheet out: blocks kept on one page (``Together``), stacks side by side
(``Columns``), and a canvas that stamps "Page N of M" on every page
(``NumberedCanvas``)."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from lr_desk.sheets.look import FONT, INK, MARGIN, PAGE_W


class Together(Flowable):
    """Flowables kept on one page, like platypus's KeepTogether, but each laid out only
    once per width (that halves the time a sheet takes).

    When the block does not fit: with little room left on the page it moves whole to the
    next; with a good part of the page free (large print makes an item tall) it splits,
    the rest going on under ``continued()`` (the item's title again). A block that cannot
    fit even a whole page flows on piece by piece.

    ``min_rest``: when the block splits, at least this many of its last pieces go on
    together to the next page (the urgent-help box and the catch-up with the end of the
    plan: never alone on a page). ``whole``: a block that fits a page moves whole to the
    next rather than split, however much room is left (the last item, kept whole with
    the urgent help, when an item before it is on this page).
    """

    ROOM_TO_SPLIT = 0.4  # of a page: with this much free, split rather than leave it empty

    def __init__(self, flowables: list[Flowable], page_height: float,
                 continued: Callable[[], Flowable] | None = None, min_first: int = 2,
                 min_rest: int = 0, whole: bool = False):
        super().__init__()
        self.flowables = flowables
        self.page_height = page_height
        self.continued = continued
        self.min_first = min_first  # pieces that must be on the page before a split
        self.min_rest = min_rest  # pieces that must go on together after a split
        self.whole = whole
        self._layout: tuple[float, float, list[tuple[Flowable, float, float]]] | None = None

    def _laid_out(self, width: float):
        if self._layout is None or self._layout[0] != width:
            placed, y, after = [], 0.0, None
            for f in self.flowables:
                _, h = f.wrap(width, 0x7FFFFFFF)
                if after is not None:
                    y += max(after, f.getSpaceBefore())
                placed.append((f, y, h))
                y += h
                after = f.getSpaceAfter()
            self._layout = (width, y, placed)
        return self._layout

    def wrap(self, availWidth, availHeight):
        _, self.height, _ = self._laid_out(availWidth)
        self.width = availWidth
        return self.width, self.height

    def split(self, availWidth, availHeight):
        _, height, placed = self._laid_out(availWidth)
        at_top = availHeight >= self.page_height - 1
        if height <= self.page_height and not at_top and (
                self.whole or availHeight < self.page_height * self.ROOM_TO_SPLIT):
            return []  # little room left: the whole block goes to the next page
        first, rest = list(self.flowables), []
        last_split = len(placed) - self.min_rest  # the rest starts here at the latest
        for i, (f, y, h) in enumerate(placed):
            if y + h <= availHeight:
                continue
            if i > last_split:  # it would part the pieces kept together at the end
                first, rest = self.flowables[:last_split], self.flowables[last_split:]
                break
            # the first piece that does not fit: split it too if it can be (a paragraph)
            parts = f.split(availWidth, availHeight - y) if availHeight > y else []
            if len(parts) == 2:
                first, rest = [*self.flowables[:i], parts[0]], [parts[1], *self.flowables[i + 1:]]
            else:
                # a paragraph that could not split forgets its lines: laid out again, so
                # that it can still be drawn where this block's layout puts it
                f.wrap(availWidth, 0x7FFFFFFF)
                first, rest = self.flowables[:i], self.flowables[i:]
            break
        if len(first) < self.min_first or not rest:
            if not at_top:
                return []  # the next page
            if self.min_rest > 1:
                # a short piece before the end (a one-item plan in large print): keep one
                # piece fewer with the end rather than let it all flow on alone
                return Together(self.flowables, self.page_height, self.continued,
                                self.min_first, self.min_rest - 1).split(availWidth,
                                                                        availHeight)
            # even a fresh page takes too little of it: let the pieces flow on their own
            # (the first split too if it is itself taller than the page)
            head, (_, _, h) = self.flowables[0], placed[0]
            parts = head.split(availWidth, availHeight) if h > availHeight else []
            return [*(parts or [head]), *self.flowables[1:]]
        if self.continued is not None:
            rest = [self.continued(), *rest]
        return [Together(first, self.page_height),
                Together(rest, self.page_height, self.continued,
                         min_first=2 if self.continued else 1, min_rest=self.min_rest)]

    def draw(self):
        _, height, placed = self._layout
        for f, y, h in placed:
            f.drawOn(self.canv, 0, height - y - h)

    def getSpaceBefore(self):
        return self.flowables[0].getSpaceBefore() if self.flowables else 0

    def getSpaceAfter(self):
        return self.flowables[-1].getSpaceAfter() if self.flowables else 0


class Columns(Flowable):
    """Stacks of flowables side by side, tops aligned (bottoms, for a column given as
    ``(flowables, share, "bottom")``): the header; an item's details beside its QR code.
    Laid out once per width, where a Table would lay its cells out again to draw them. It
    moves whole to the next page rather than split; only if it is taller than a whole page
    (very long words, in large print) do its pieces go one under another, so that they
    can flow over pages."""

    def __init__(self, columns: list[tuple]):
        super().__init__()
        self.pieces = [f for flowables, *_ in columns for f in flowables]
        self.columns = [(Together(flowables, 0x7FFFFFFF), share, "bottom" in align)
                        for flowables, share, *align in columns]
        self._width: float | None = None
        self._most_room = 0.0  # the most height it has been offered: a page's, at the top

    def wrap(self, availWidth, availHeight):
        if availHeight < 100_000:  # a frame's offer, not a block measuring its height
            self._most_room = max(self._most_room, availHeight)
        if self._width != availWidth:
            self.height = max(stack.wrap(availWidth * share, availHeight)[1]
                              for stack, share, _ in self.columns)
            self._width = availWidth
        self.width = availWidth
        return self.width, self.height

    def split(self, availWidth, availHeight):
        if self.height > availHeight and availHeight >= self._most_room - 1:
            return list(self.pieces)  # too tall even for a whole page: stack the pieces
        return []

    def draw(self):
        x = 0.0
        for stack, share, bottom in self.columns:
            stack.drawOn(self.canv, x, 0 if bottom else self.height - stack.height)
            x += self.width * share


class NumberedCanvas(Canvas):
    """Holds every page until the end, then stamps 'Page N of M' on each (two passes in
    one: the total is known only once the story has been laid out)."""

    def __init__(self, *args, footer_size: float = 10, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer_size = footer_size

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.saveState()
            self.setFont(FONT, self._footer_size)
            self.setFillColor(INK)
            self.drawCentredString(PAGE_W / 2, MARGIN - self._footer_size * 0.2,
                                   f"Page {self._pageNumber} of {total}")
            self.restoreState()
            super().showPage()
        super().save()

