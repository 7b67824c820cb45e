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
FOCUS = "#FFEB3B"  # what has the keyboard: yellow under dark text, with a dark edge
FOCUS_FILL = "#FFF9C4"  # a text box's inside while it has the keyboard

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


# Every kind of control that takes the keyboard shows it has it (after the NHS and GOV.UK
# focus style): a button, a tick box or a page's button turns yellow (the system's
# highlight in high contrast); a text box or a choice gets a thick dark edge and a pale
# yellow inside; a list or a table a thick dark edge, and its current row a dark ring.
# (A scrolling area's edge is only ever as wide as it is without the keyboard, its inside
# drawn over the rest: so a field or a list keeps the same edge-and-padding either way.)
BUTTONS = ("QPushButton", "QToolButton")
TICKS = ("QCheckBox", "QRadioButton")
FIELDS = ("QLineEdit", "QPlainTextEdit", "QTextEdit", "QComboBox", "QAbstractSpinBox")
VIEWS = ("QTableView", "QListView", "QTreeView")
FOCUSABLE = BUTTONS + TICKS + FIELDS + VIEWS


def _each(selectors, state: str = "") -> str:
    return ", ".join(f"{s}{state}" for s in selectors)


def _sheet(plain: bool) -> str:
    """The one style sheet. ``plain``: the system's colours are kept (high contrast), and
    the focus ring is drawn in the system's highlight colour."""
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
    QPushButton[role="page"] {{ min-height: {TARGET - 8}px; padding: 4px 14px;
        border-radius: 0; }}
    QLabel#brand {{ font-size: {size['lead']}pt; font-weight: bold; padding: 10px 12px; }}
    """
    if plain:
        return structure + f"""
    QPushButton, QToolButton {{ background: palette(button); color: palette(button-text);
        border: 1px solid palette(button-text); border-radius: 4px; }}
    QPushButton:disabled {{ color: palette(mid); border: 1px solid palette(mid); }}
    {_each(FIELDS)} {{ border: 1px solid palette(text); border-radius: 2px; padding: 3px;
        background: palette(base); }}
    {_each(VIEWS)} {{ border: 1px solid palette(text); padding: 2px; }}
    {_each(VIEWS, ':focus')} {{ border: 3px solid palette(highlight); padding: 0; }}
    {_each(FIELDS, ':focus')} {{ border: 3px solid palette(highlight); padding: 1px; }}
    {_each(BUTTONS + TICKS, ':focus')} {{ background: palette(highlight);
        color: palette(highlighted-text); }}
    QListWidget#navigation {{ border: none; padding: 0; }}
    QListWidget#navigation::item:selected:focus {{ background: palette(highlight);
        color: palette(highlighted-text); }}
    QWidget#pages {{ border-bottom: 1px solid palette(text); }}
    QPushButton[role="page"] {{ border: none; border-bottom: 3px solid palette(window); }}
    QPushButton[role="page"]:checked {{ border-bottom: 3px solid palette(text); }}
    QPushButton[role="page"]:focus {{ background: palette(highlight);
        color: palette(highlighted-text); }}
    """
    return structure + f"""
    QMainWindow, QDialog {{ background: {WHITE}; }}
    QWidget {{ color: {TEXT}; }}
    QLabel[role="note"], QLabel[role="small"] {{ color: {SECONDARY_TEXT}; }}
    QLabel[role="error"] {{ color: {ERROR}; }}
    QLabel[role="warning"] {{ color: {WARNING}; font-weight: bold; }}
    QLabel[role="success"] {{ color: {SUCCESS}; font-weight: bold; }}
    QPushButton {{ background: {PALE_GREY}; border: 1px solid {BORDER}; border-radius: 4px; }}
    QPushButton:hover {{ background: #E8EDEE; }}
    QPushButton:checked {{ background: {WHITE}; border: 2px solid {NHS_BLUE}; }}
    QPushButton:default {{ border: 2px solid {NHS_BLUE}; }}
    QPushButton[role="primary"] {{ background: {NHS_BLUE}; color: {WHITE};
        border: 1px solid {DARK_BLUE}; }}
    QPushButton[role="primary"]:hover {{ background: {DARK_BLUE}; }}
    QPushButton[role="primary"]:disabled {{ background: {BORDER}; color: {WHITE}; }}
    QPushButton[role="danger"] {{ background: {ERROR}; color: {WHITE}; border: 1px solid #8B1A10; }}
    {_each(VIEWS)} {{ border: 1px solid {BORDER}; padding: 2px; }}
    {_each(VIEWS, ':focus')} {{ border: 3px solid {TEXT}; padding: 0; outline: 2px solid {TEXT}; }}
    {_each(BUTTONS, ':focus')}, QPushButton[role="primary"]:focus,
    QPushButton[role="danger"]:focus {{ background: {FOCUS}; color: {TEXT};
        border: 2px solid {TEXT}; padding: 3px 13px; }}
    {_each(TICKS, ':focus')} {{ background: {FOCUS}; color: {TEXT}; }}
    QWidget#pages {{ border-bottom: 1px solid {BORDER}; }}
    QPushButton[role="page"] {{ background: {WHITE}; border: none;
        border-bottom: 3px solid {WHITE}; }}
    QPushButton[role="page"]:hover {{ background: {PALE_GREY}; }}
    QPushButton[role="page"]:checked {{ color: {NHS_BLUE}; border-bottom: 3px solid {NHS_BLUE}; }}
    QPushButton[role="page"]:focus {{ background: {FOCUS}; color: {TEXT};
        border-bottom: 3px solid {TEXT}; }}
    QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QDateEdit, QTimeEdit, QSpinBox {{
        border: 1px solid {TEXT}; border-radius: 2px; padding: 3px; background: {WHITE}; }}
    {_each(FIELDS, ':focus')} {{ border: 3px solid {TEXT}; padding: 1px;
        background: {FOCUS_FILL}; }}
    QLineEdit:disabled, QPlainTextEdit:disabled, QTextEdit:disabled, QComboBox:disabled,
    QDateEdit:disabled, QTimeEdit:disabled, QSpinBox:disabled {{
        background: {PALE_GREY}; color: {SECONDARY_TEXT}; border: 1px solid {BORDER}; }}
    QPushButton:disabled {{ color: {SECONDARY_TEXT}; border: 1px solid {PALE_GREY}; }}
    QScrollArea {{ background: {WHITE}; border: none; }}
    QScrollArea > QWidget > QWidget {{ background: {WHITE}; }}
    QGroupBox {{ font-weight: bold; }}
    QLabel#brand {{ background: {NHS_BLUE}; color: {WHITE}; }}
    QListWidget#navigation {{ background: {PALE_GREY}; border: none; padding: 0;
        border-right: 1px solid {BORDER}; outline: none; }}
    QListWidget#navigation::item:selected {{ background: {WHITE}; color: {NHS_BLUE};
        border-left: 4px solid {NHS_BLUE}; font-weight: bold; }}
    QListWidget#navigation::item:selected:focus {{ background: {FOCUS}; color: {TEXT};
        border-left: 4px solid {TEXT}; }}
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


def page_button(button: QWidget) -> QWidget:
    """The button of one of a form's pages (ui.pages): marked under it while its page is
    on show."""
    return _role(button, "page")


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
