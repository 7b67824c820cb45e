"""Does a page or dialog fit the screens the hubs have (1366x768, 1280x720 at 100%)?

``assert_fits(window)`` lays the window out at the size it would open at on that screen
(no larger than the screen less a taskbar and a title bar), then checks that it needs no
more room than that, and that every visible button in it lies wholly inside it: Save,
Print and the rest must be reachable without maximising.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QApplication, QScrollArea, QWidget

SCREENS = ((1366, 768), (1280, 720))
TASKBAR, TITLE_BAR = 40, 30  # what the system takes from the screen's height


def room(size: tuple[int, int]) -> tuple[int, int]:
    """The client area a maximised window has on a screen of ``size``."""
    width, height = size
    return width, height - TASKBAR - TITLE_BAR


def _inside_scroll_area(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def problems(window: QWidget, size: tuple[int, int] = SCREENS[0]) -> list[str]:
    """What does not fit, in words (empty when it all fits)."""
    width, height = room(size)
    found = []
    need = window.minimumSizeHint().expandedTo(window.minimumSize())
    if need.width() > width or need.height() > height:
        found.append(f"{type(window).__name__} needs {need.width()}x{need.height()}, "
                     f"the screen has {width}x{height}")
    window.resize(min(window.width(), width), min(window.height(), height))
    QApplication.processEvents()
    frame = QRect(0, 0, window.width(), window.height())
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or _inside_scroll_area(button, window):
            continue
        top_left = button.mapTo(window, button.rect().topLeft())
        where = QRect(top_left, button.size())
        if not frame.contains(where):
            found.append(f"button {button.text() or button.accessibleName()!r} at "
                         f"{where.getRect()} is outside the window {frame.getRect()}")
    return found


def assert_fits(window: QWidget, sizes=SCREENS) -> None:
    """Fails, saying what, if ``window`` does not fit each screen in ``sizes``."""
    for size in sizes:
        found = problems(window, size)
        assert not found, f"at {size[0]}x{size[1]}: " + "; ".join(found)
