"""A report's charts for its PDF (reportlab.graphics): the same charts the Reports page
draws (``Report.charts``): bars across ("bar"), bars upright ("column") or a line over
months ("line"). Every bar, and a single line's every point, is labelled with its value
as the file gives it ("<5" for a small count: no bar is drawn for it, a line has a gap).
Readable in black and white: one series solid dark bars; several dark, mid grey and
white-with-outline bars (lines: solid, then dashed), with a legend. Bars across for more
rows than a page holds are drawn in parts on one scale (``drawings``).
"""

from __future__ import annotations

import textwrap
from dataclasses import replace

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from lr_desk.services.reports.core import PERCENT, Chart, Table
from lr_desk.services.reports.outgoing import cell
from lr_desk.sheets.look import ACCENT, BOLD, FONT, INK

SIZE = 7.5  # the charts' words, points
FILLS = (ACCENT, colors.Color(0.62, 0.62, 0.62), colors.white, colors.Color(0.3, 0.3, 0.3))
LINES = (ACCENT, colors.Color(0.55, 0.55, 0.55))  # then the same again, dashed
MAX_LABEL_CHARS = 34  # a category's words wrap at this
MANY = 40  # more bars than this: values are not written on them (they would overlap)
MAX_NAMES = 24  # upright bars and lines: at most this many names along the bottom


def _number(value, gap: bool) -> float | None:
    """A value to draw: a number as it is; "<5", nothing or words as no bar (0), or as
    a gap in a line (``gap``: a line drawn to 0 would say it was 0)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None if gap else 0.0


def _series(table: Table, chart: Chart) -> tuple[list[str], list[list[float | None]],
                                                   list[list[str]], list[str]]:
    """Categories (wrapped), data per series, each bar's label, and series' titles."""
    categories = ["\n".join(textwrap.wrap(str(r.get(chart.label) or ""), MAX_LABEL_CHARS))
                  or " " for r in table.rows]
    data, labels, names = [], [], []
    for key in chart.values:
        kind = table.column(key).kind
        data.append([_number(r.get(key), chart.kind == "line") for r in table.rows])
        labels.append([cell(r.get(key), kind) + ("%" if kind == PERCENT and
                                                  r.get(key) is not None else "")
                       for r in table.rows])
        names.append(table.column(key).title)
    return categories, data, labels, names


def _pieces(data: list[list[float | None]], labels: list[list[str]]
            ) -> tuple[list[list[float | None]], list[list[str]], list[int]]:
    """Each line's runs of values as rows of their own (reportlab would join a line
    across a missing value, saying nothing was missing): the rows, their labels, and
    the series each row is of."""
    rows, row_labels, of = [], [], []
    for i, series in enumerate(data):
        run: set[int] = set()
        for j, value in enumerate([*series, None]):
            if value is not None:
                run.add(j)
            elif run:
                rows.append([v if k in run else None for k, v in enumerate(series)])
                # (reportlab numbers a line's labels by its drawn points, not its columns)
                row_labels.append([labels[i][k] for k in sorted(run)])
                of.append(i)
                run = set()
    return rows, row_labels, of


def _nothing(chart: Chart, width: float) -> Drawing:
    """A line chart with nothing to draw: its title, and why."""
    drawing = Drawing(width, 34)
    _title(drawing, chart.title, width, 34)
    drawing.add(String(0, 4, "Nothing to draw: every figure is small (under 5) or none.",
                       fontName=FONT, fontSize=9, fillColor=INK))
    return drawing


def _style_bars(bars, n: int) -> None:
    for i in range(n):
        bars[i].fillColor = FILLS[i % len(FILLS)]
        bars[i].strokeColor = INK
        bars[i].strokeWidth = 0.4


def _legend(names: list[str], x: float, y: float, fills=FILLS) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = FONT, SIZE
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = max(stringWidth(n, FONT, SIZE) for n in names) + 30
    legend.colorNamePairs = [(fills[i % len(fills)], n) for i, n in enumerate(names)]
    legend.strokeColor = INK
    legend.strokeWidth = 0.4
    return legend


def _title(drawing: Drawing, text: str, width: float, top: float) -> None:
    drawing.add(String(0, top - 11, text, fontName=BOLD, fontSize=10, fillColor=INK))


def _axis_words(axis) -> None:
    axis.labels.fontName, axis.labels.fontSize = FONT, SIZE
    axis.strokeColor = INK


def drawings(table: Table, chart: Chart, width: float, height: float) -> list[Drawing]:
    """``chart`` of ``table`` as drawings ``width`` wide and at most ``height`` tall: bars
    across for more rows than fit are drawn in parts (titled "(continued)" after the
    first), all on the same scale."""
    whole = draw(table, chart, width)
    if chart.kind != "bar" or whole.height <= height or len(table.rows) < 2:
        return [whole]
    top = max((_number(r.get(k), False) for r in table.rows for k in chart.values),
              default=0.0)
    per = max(1, int(len(table.rows) * height / whole.height))
    while per > 1 and draw(replace(table, rows=table.rows[:per]), chart, width).height > height:
        per -= max(1, per // 10)
    return [draw(replace(table, rows=table.rows[i:i + per]),
                 chart if i == 0 else replace(chart, title=f"{chart.title} (continued)"),
                 width, top)
            for i in range(0, len(table.rows), per)]


def draw(table: Table, chart: Chart, width: float, top: float | None = None) -> Drawing:
    """``chart`` of ``table`` as a drawing ``width`` points wide (its value axis up to
    ``top`` at least, when given: parts of one chart share a scale)."""
    categories, data, labels, names = _series(table, chart)
    n_bars = len(categories) * len(data)
    several = len(data) > 1
    # the title, the legend under it, and room for the labels above the highest bar
    top_room = 18 + (14 if several else 0) + (0 if chart.kind == "bar" else 12)
    if chart.kind == "bar":
        lines = max((c.count("\n") + 1 for c in categories), default=1)
        step = max(len(data) * 11 + 5, lines * SIZE * 1.15 + 4)
        plot_h = max(40.0, step * len(categories))
        left = min(width * 0.45, max([stringWidth(part, FONT, SIZE) for c in categories
                                      for part in c.split("\n")] or [0]) + 8)
        drawn = HorizontalBarChart()
        drawn.x, drawn.y = left, 18
        drawn.width, drawn.height = width - left - 36, plot_h
        drawn.categoryAxis.reverseDirection = 1  # the first row at the top, as in the table
        drawn.categoryAxis.labels.boxAnchor = "e"
        drawn.categoryAxis.labels.dx = -4
        drawn.barLabels.boxAnchor = "w"
        drawn.barLabels.dx = 3
        height = plot_h + 18 + top_room + 4
    else:
        plot_h = 150.0
        longest = max([stringWidth(c.replace("\n", " "), FONT, SIZE) for c in categories] or [0])
        slant = len(categories) * max(longest, 1) > width * 0.9
        bottom = 18 + (min(longest, 90) * 0.72 if slant else 0)
        drawn = HorizontalLineChart() if chart.kind == "line" else VerticalBarChart()
        drawn.x, drawn.y = 34, bottom
        drawn.width, drawn.height = width - 44, plot_h
        every = -(-len(categories) // MAX_NAMES)  # a name on every n-th only, if many
        if every > 1:
            categories = [c if i % every == 0 else "" for i, c in enumerate(categories)]
            slant = len(categories) / every * max(longest, 1) > width * 0.9
        if slant:
            drawn.categoryAxis.labels.angle = 45
            drawn.categoryAxis.labels.boxAnchor = "ne"
            categories = [c.replace("\n", " ") for c in categories]
        else:
            drawn.categoryAxis.labels.boxAnchor = "n"
        height = plot_h + bottom + top_room + 8
    drawn.data = data
    drawn.categoryAxis.categoryNames = categories
    _axis_words(drawn.categoryAxis)
    _axis_words(drawn.valueAxis)
    drawn.valueAxis.valueMin = 0
    drawn.valueAxis.forceZero = 1
    if top:
        drawn.valueAxis.valueMax = top * 1.02
    elif not any(v for row in data for v in row if v is not None):
        drawn.valueAxis.valueMax = 5  # nothing above 0: a scale of whole numbers all the same
    drawn.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"
    if chart.kind == "line":
        rows, row_labels, of = _pieces(data, labels)
        if not rows:
            return _nothing(chart, width)
        drawn.data, drawn.joinedLines = rows, 0
        for k, i in enumerate(of):
            line = drawn.lines[k]
            line.strokeColor, line.strokeWidth = LINES[i % len(LINES)], 1.5
            line.strokeDashArray = None if i < 2 else (4, 2)
            alone = sum(v is not None for v in rows[k]) == 1
            if not alone:
                line.lineStyle = "joinedLine"
            if n_bars <= MANY or alone:  # (a point alone is seen by its mark)
                line.symbol = makeMarker("FilledCircle", size=3.5,
                                         fillColor=LINES[i % len(LINES)])
        if n_bars <= MANY and not several:  # (several lines' labels would overlap)
            drawn.lineLabelFormat = "values"
            drawn.lineLabelArray = row_labels
            drawn.lineLabels.fontName, drawn.lineLabels.fontSize = FONT, SIZE
            drawn.lineLabels.dy = 6
    else:
        _style_bars(drawn.bars, len(data))
        drawn.barSpacing = 1
        drawn.groupSpacing = 5
        if n_bars <= MANY or chart.kind == "bar":
            drawn.barLabelFormat = "values"
            drawn.barLabelArray = labels
            drawn.barLabels.fontName, drawn.barLabels.fontSize = FONT, SIZE
            if chart.kind == "column":
                drawn.barLabels.boxAnchor = "s"
                drawn.barLabels.dy = 2
    drawing = Drawing(width, height)
    drawing.add(drawn)
    _title(drawing, chart.title, width, height)
    if several:
        drawing.add(_legend(names, 0, height - 22, LINES if chart.kind == "line" else FILLS))
    return drawing
