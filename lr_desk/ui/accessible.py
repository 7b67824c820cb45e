"""Roles for a screen reader that Qt gives none of the desk's widgets of its own: a chart
is a scrolling area to Qt (a "filler" over AT-SPI, a role that says nothing), so a chart
that takes the keyboard (to be read: its name, then its words in its description) is
said to be a chart. ``chart_role()`` puts this in place, once, before any chart is made
(the chart modules call it as they load)."""

from __future__ import annotations

from PySide6.QtCharts import QChartView
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAccessibleWidget

_installed: list[bool] = []


def _interface(_class_name: str, thing) -> QAccessibleWidget | None:
    if isinstance(thing, QChartView):
        return QAccessibleWidget(thing, QAccessible.Role.Chart)
    return None


def chart_role() -> None:
    if not _installed:
        QAccessible.installFactory(_interface)
        _installed.append(True)
