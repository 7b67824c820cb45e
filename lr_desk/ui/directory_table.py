"""A read-only list whose text is never cut off: it wraps, its columns share the width by
what they hold, and every cell's full text is in its tooltip (the model's, see
directory_models).

Each column is given at least the width of its longest word (a phone number or a
column marked ``whole`` is one word: it never breaks) and of its heading; what width is
left goes to the columns whose text would still wrap, in proportion to their weights,
and none is given more than its longest text needs. Rows grow to the wrapped text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QAbstractItemModel, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QTableView,
)

from lr_desk.ui import style

SLACK = 6  # pixels beyond the text: italic overhang and rounding


class WrappingTable(QTableView):
    def __init__(self, name: str, model: QAbstractItemModel, weights: Sequence[float],
                 whole: Sequence[int] = (), parent=None):
        super().__init__(parent)
        self.weights = list(weights)
        self.whole = set(whole)  # columns whose text never breaks (phones, dates)
        # per row: its cells, whether in italics, each cell's width on one line
        self._texts: list[tuple[list[str], bool, list[int]]] | None = None
        self._needs: list[tuple[int, int]] | None = None  # per column: (least, natural)
        self._rows_fitted_to: list[int] | None = None  # the widths the rows fit
        self._fitting = False
        self._later = QTimer(self)  # one fitting for many changes in a row
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.fit_columns)
        self.setAccessibleName(name)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the table; arrows move within it
        self.setCornerButtonEnabled(False)
        self.setWordWrap(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setAccessibleName(f"{name} rows")
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # fit_rows sets them
        header = self.horizontalHeader()
        header.setAccessibleName(f"{name} columns")
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for child in self.findChildren(QAbstractButton):  # the corner button
            child.setAccessibleName(f"{name} corner")
        # Sorting is by clicking a heading; rows start in the directory's own order (the
        # indicator must be cleared first, or enabling sorting sorts by the first column).
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        model.modelReset.connect(self._content_changed)
        model.dataChanged.connect(self._content_changed)
        model.layoutChanged.connect(self._content_changed)  # sorted: rows moved
        header.sectionResized.connect(self._column_resized)  # by hand, too

    # -- rows ----------------------------------------------------------------------------
    def current_key(self) -> str | None:
        """The id of the row chosen (the model's UserRole), or None."""
        index = self.currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    def select_where(self, match: Callable[[object], bool]) -> bool:
        """Choose and show the first row (of the model's ``rows``) that ``match`` takes."""
        model = self.model()
        row = next((i for i, r in enumerate(model.rows) if match(r)), -1)
        if row < 0:
            return False
        self.selectRow(row)
        self.scrollTo(model.index(row, 0))
        return True

    # -- widths --------------------------------------------------------------------------
    def _content_changed(self, *_args) -> None:
        self._texts = self._needs = self._rows_fitted_to = None
        self._later.start()

    def _column_resized(self, *_args) -> None:
        if not self._fitting:
            self.fit_rows()

    def _margin(self) -> int:
        """What a cell takes beside its text (the style's text margins and the grid)."""
        focus = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self)
        return 2 * (focus + 1) + 1 + SLACK

    def _metrics(self, italic: bool) -> QFontMetrics:
        font = QFont(self.font())
        font.setItalic(italic)
        return QFontMetrics(font)

    def texts(self) -> list[tuple[list[str], bool, list[int]]]:
        """Each row's cells as shown, whether the row is in italics, and each cell's
        width on one line (read once)."""
        if self._texts is None:
            model = self.model()
            columns = range(model.columnCount())
            fonts = {False: self._metrics(False), True: self._metrics(True)}
            self._texts = []
            for row in range(model.rowCount()):
                font = model.index(row, 0).data(Qt.ItemDataRole.FontRole)
                italic = bool(font and font.italic())
                cells = [str(model.index(row, c).data() or "") for c in columns]
                fm = fonts[italic]
                wide = [max(map(fm.horizontalAdvance, text.splitlines()), default=0)
                        for text in cells]
                self._texts.append((cells, italic, wide))
        return self._texts

    def needs(self) -> list[tuple[int, int]]:
        """Per column: the least width (its longest word, or heading) and the width its
        longest text needs on one line."""
        if self._needs is not None:
            return self._needs
        model = self.model()
        fonts = {False: self._metrics(False), True: self._metrics(True)}
        bold_font = QFont(self.horizontalHeader().font())
        bold_font.setBold(True)
        heading = QFontMetrics(bold_font)
        margin = self._margin()
        arrow = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, self)
        needs = []
        for column in range(model.columnCount()):
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            least = max((heading.horizontalAdvance(w) for w in title.split()), default=0)
            natural = heading.horizontalAdvance(title)
            least, natural = least + margin + arrow, natural + margin + arrow
            for cells, italic, wide in self.texts():
                text = cells[column]
                if not text:
                    continue
                fm = fonts[italic]
                natural = max(natural, wide[column] + margin)
                words = text.splitlines() if column in self.whole else text.split()
                least = max(least, max(fm.horizontalAdvance(w) for w in words) + margin)
            needs.append((least, max(least, natural)))
        self._needs = needs
        return needs

    def fit_rows(self) -> None:
        """Make each row as tall as its most wrapped cell, with a little air."""
        header = self.horizontalHeader()
        rows = self.verticalHeader()
        fonts = {False: self._metrics(False), True: self._metrics(True)}
        margin = self._margin() - SLACK
        widths = [max(1, header.sectionSize(c) - margin) for c in range(header.count())]
        if widths == self._rows_fitted_to:
            return
        self._rows_fitted_to = widths
        flags = Qt.TextFlag.TextWordWrap
        for row, (cells, italic, wide) in enumerate(self.texts()):
            fm = fonts[italic]
            height = fm.height()  # one line, unless a cell wraps
            for width, text, one_line in zip(widths, cells, wide, strict=True):
                if one_line > width or "\n" in text:
                    height = max(height,
                                 fm.boundingRect(0, 0, width, 100_000, flags, text).height())
            height += style.SPACE["s"]
            if rows.sectionSize(row) != height:
                rows.resizeSection(row, height)

    def fit_columns(self) -> None:
        """Share the visible width among the columns (see the module's notes)."""
        needs = self.needs()
        if not needs:
            return
        room = self.viewport().width()
        widths = [least for least, _natural in needs]
        spare = room - sum(widths)
        growing = [c for c, (least, natural) in enumerate(needs) if natural > least]
        while spare > 0 and growing:
            total = sum(self._weight(c) for c in growing)
            given = 0
            for c in list(growing):
                share = int(spare * self._weight(c) / total)
                add = min(share, needs[c][1] - widths[c])
                widths[c] += add
                given += add
                if widths[c] >= needs[c][1]:
                    growing.remove(c)
            spare -= given
            if given == 0:
                break
        if spare > 0:  # everything on one line: the rest goes to the weightiest column
            widest = max(range(len(widths)), key=self._weight)
            widths[widest] += spare
        header = self.horizontalHeader()
        self._fitting = True
        try:
            for column, width in enumerate(widths):
                header.resizeSection(column, width)
        finally:
            self._fitting = False
        self.fit_rows()

    def _weight(self, column: int) -> float:
        return self.weights[column] if column < len(self.weights) else 1.0

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._later.start()
