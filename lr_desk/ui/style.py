"""The desk's one visual language: palette, type scale, spacing and states, defined here
and nowhere else (after the NHS design system: NHS Blue for the action a page is for,
strong text contrast, plain words, generous targets).

Sizes are relative to the system's own font, so a larger font set for the computer makes
the whole desk larger; when the system runs a high-contrast or dark theme its colours
are kept and only spacing and weight are ours. Widgets say what they are with a
``role`` property (``primary``, ``danger``, ``heading`` ...) and the one style sheet
below draws them; ``mark_error`` marks a field in error.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from lr_desk.resources import RESOURCES

TITLE = "The Life Rooms desk"

# NHS identity colours (https://service-manual.nhs.uk/design-system/styles/colour)
NHS_BLUE = "#005EB8"
DARK_BLUE = "#003087"
TEXT = "#212B32"
SECONDARY_TEXT = "#4C6272"
BORDER = "#AEB7BD"
PALE_GREY = "#F0F4F5"
WHITE = "#FFFFFF"
ERROR = "#D5281B"
WARNING = "#8A5300"  # dark amber: readable as text on white (contrast 6.6:1)
SUCCESS = "#007F3B"
FOCUS = "#FFEB3B"

# spacing scale (pixels at 100% scaling), for layouts' margins and spacing
SPACE = {"xs": 4, "s": 8, "m": 12, "l": 16, "xl": 24}
# type scale: multiples of the system's font size
SCALE = {"small": 0.9, "body": 1.0, "lead": 1.15, "subheading": 1.25, "heading": 1.5}
TARGET = 32  # a button's least height: a generous target for a mouse or a touch screen


def high_contrast(app: QGuiApplication | None = None) -> bool:
    """Whether the system asks for its own colours: a dark scheme, or a high-contrast
    theme (whose window and text colours are nearly black and white)."""
    app = app or QGuiApplication.instance()
    if app is None:
        return False
    if app.styleHints().colorScheme() == Qt.ColorScheme.Dark:
        return True
    palette = app.palette()
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return _contrast(window, text) >= 20.5  # pure black on white, or white on black


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + \
        0.0722 * channel(colour.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two colours (4.5 or more reads well as body text)."""
    return _contrast(QColor(foreground), QColor(background))


def point_size(level: str = "body") -> float:
    base = QApplication.font().pointSizeF()
    return round((base if base > 0 else 10.0) * SCALE[level], 1)


def _sheet(plain: bool) -> str:
    """The one style sheet. ``plain``: the system's colours are kept (high contrast)."""
    size = {level: point_size(level) for level in SCALE}
    structure = f"""
    QPushButton {{ min-height: {TARGET - 8}px; padding: 4px 14px; }}
    QLabel[role="heading"] {{ font-size: {size['heading']}pt; font-weight: bold; }}
    QLabel[role="subheading"] {{ font-size: {size['subheading']}pt; font-weight: bold; }}
    QLabel[role="lead"] {{ font-size: {size['lead']}pt; }}
    QLabel[role="small"], QLabel[role="note"] {{ font-size: {size['small']}pt; }}
    QPushButton[role="primary"] {{ font-weight: bold; }}
    QLabel[role="error"] {{ font-weight: bold; }}
    *[error="true"] {{ border: 3px solid {ERROR if not plain else 'palette(highlight)'}; }}
    QListWidget#navigation::item {{ min-height: {TARGET + 4}px; padding: 2px 10px; }}
    QLabel#brand {{ font-size: {size['lead']}pt; font-weight: bold; padding: 10px 12px; }}
    """
    if plain:
        return structure
    return structure + f"""
    QMainWindow, QDialog {{ background: {WHITE}; }}
    QWidget {{ color: {TEXT}; }}
    QLabel[role="note"], QLabel[role="small"] {{ color: {SECONDARY_TEXT}; }}
    QLabel[role="error"] {{ color: {ERROR}; }}
    QLabel[role="warning"] {{ color: {WARNING}; font-weight: bold; }}
    QLabel[role="success"] {{ color: {SUCCESS}; font-weight: bold; }}
    QPushButton {{ background: {PALE_GREY}; border: 1px solid {BORDER}; border-radius: 4px; }}
    QPushButton:hover {{ background: #E8EDEE; }}
    QPushButton:default {{ border: 2px solid {NHS_BLUE}; }}
    QPushButton[role="primary"] {{ background: {NHS_BLUE}; color: {WHITE};
        border: 1px solid {DARK_BLUE}; }}
    QPushButton[role="primary"]:hover {{ background: {DARK_BLUE}; }}
    QPushButton[role="primary"]:disabled {{ background: {BORDER}; color: {WHITE}; }}
    QPushButton[role="danger"] {{ background: {ERROR}; color: {WHITE}; border: 1px solid #8B1A10; }}
    QPushButton:focus, QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus,
    QComboBox:focus, QDateEdit:focus, QTimeEdit:focus, QSpinBox:focus, QCheckBox:focus,
    QRadioButton:focus, QListWidget:focus, QTableView:focus, QTreeView:focus {{
        outline: 3px solid {FOCUS}; border: 2px solid {TEXT}; }}
    QPushButton:focus {{ padding: 1px 11px; }}  /* the outline is drawn inside: room kept */
    QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QDateEdit, QTimeEdit, QSpinBox {{
        border: 1px solid {TEXT}; border-radius: 2px; padding: 3px; background: {WHITE}; }}
    QLineEdit:disabled, QPlainTextEdit:disabled, QTextEdit:disabled, QComboBox:disabled,
    QDateEdit:disabled, QTimeEdit:disabled, QSpinBox:disabled {{
        background: {PALE_GREY}; color: {SECONDARY_TEXT}; border: 1px solid {BORDER}; }}
    QPushButton:disabled {{ color: {SECONDARY_TEXT}; border: 1px solid {PALE_GREY}; }}
    QScrollArea {{ background: {WHITE}; border: none; }}
    QScrollArea > QWidget > QWidget {{ background: {WHITE}; }}
    QGroupBox {{ font-weight: bold; }}
    QLabel#brand {{ background: {NHS_BLUE}; color: {WHITE}; }}
    QListWidget#navigation {{ background: {PALE_GREY}; border: none;
        border-right: 1px solid {BORDER}; }}
    QListWidget#navigation::item:selected {{ background: {WHITE}; color: {NHS_BLUE};
        border-left: 4px solid {NHS_BLUE}; font-weight: bold; }}
    QFrame#summary {{ background: {PALE_GREY}; border: 1px solid {BORDER};
        border-radius: 4px; }}
    QHeaderView::section {{ background: {PALE_GREY}; color: {TEXT}; padding: 4px;
        border: none; border-bottom: 2px solid {BORDER}; font-weight: bold; }}
    QStatusBar {{ background: {PALE_GREY}; color: {TEXT}; }}
    """


def apply(app: QApplication) -> None:
    """Give the whole desk its look (once, at start), and its icon."""
    app.setWindowIcon(app_icon())
    app.setStyleSheet(_sheet(high_contrast(app)))


def _role(widget: QWidget, role: str) -> QWidget:
    widget.setProperty("role", role)
    _repolish(widget)
    return widget


def _repolish(widget: QWidget) -> None:
    """The style sheet again, after a property it reads changed: only for a widget
    already polished. One not yet shown is polished, property and all, when it is; and
    asking for its style object first sets up Qt's QStyle type, some 10 ms before the
    sign-in box, which needs none of it."""
    if widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def primary(button: QWidget) -> QWidget:
    """The action the page or form is for (one per page): NHS Blue."""
    return _role(button, "primary")


def danger(button: QWidget) -> QWidget:
    """An action that cannot be undone (erasure)."""
    return _role(button, "danger")


def heading(label: QLabel, level: str = "heading") -> QLabel:
    """A page's heading (``heading``) or a section's (``subheading``)."""
    label.setAccessibleName(label.accessibleName() or label.text())
    return _role(label, level)


def note(label: QLabel) -> QLabel:
    """Secondary text: hints, dates, counts."""
    label.setWordWrap(True)
    return _role(label, "note")


def message(label: QLabel, kind: str = "error") -> QLabel:
    """A message for the user: ``error``, ``warning`` or ``success`` (colour and weight
    together, so it does not rely on colour alone)."""
    label.setWordWrap(True)
    return _role(label, kind)


def mark_error(widget: QWidget, in_error: bool) -> None:
    """Mark a field in error (a red border, or the system's highlight in high contrast)."""
    if bool(widget.property("error")) == in_error:
        return
    widget.setProperty("error", "true" if in_error else None)
    _repolish(widget)
    widget.update()


def font(level: str = "body", bold: bool = False) -> QFont:
    f = QFont(QApplication.font())
    f.setPointSizeF(point_size(level))
    f.setBold(bold)
    return f


def colour(name: str) -> QColor:
    """A palette colour for painting (table text, for example); the system's own text
    colour in high contrast."""
    if high_contrast():
        return QApplication.palette().color(QPalette.ColorRole.Text)
    return QColor({"error": ERROR, "warning": WARNING, "success": SUCCESS,
                   "note": SECONDARY_TEXT, "primary": NHS_BLUE, "text": TEXT}[name])


@lru_cache(maxsize=128)
def _svg(name: str) -> bytes:
    return (RESOURCES / "icons" / f"{name}.svg").read_bytes()


def icon(name: str, tint: str | None = None, size: int = 24) -> QIcon:
    """A bundled line icon (lr_desk/data/icons, Lucide, ISC licence) in ``tint`` (the text
    colour by default)."""
    if tint is None:
        tint = QApplication.palette().color(QPalette.ColorRole.WindowText).name() \
            if high_contrast() else TEXT
    svg = _svg(name).replace(b"currentColor", tint.encode())
    renderer = QSvgRenderer(QByteArray(svg))
    result = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(QSize(size, size) * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        result.addPixmap(pixmap)
    return result


def app_icon() -> QIcon:
    return QIcon(str(RESOURCES / "icons" / "lr-desk.svg"))
