"""The desk's navigation: the sections down the left (Today, People, Directory, Needs
review, and the pages to come), the person records open below them, and the page on show
beside them, so the advisor always sees where they are.

``Sections`` keeps the small part of ``QTabWidget``'s interface the desk uses (``addTab``,
``currentWidget``, ``tabText``, ``currentChanged``...), so pages come and go as tabs did.
A title's ``&`` marks its Alt shortcut (Alt+T for "&Today"), as on a tab; a person's
record closes with Ctrl+W or its context menu.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from lr_desk.ui import style

NAV_WIDTH = 210
OPEN_RECORDS = "Open records"
PAGE = Qt.ItemDataRole.UserRole + 1


def _plain(title: str) -> str:
    """A title as shown: without its "&" (a literal "&&" stays one "&")."""
    return title.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _mnemonic(title: str) -> str | None:
    at = title.replace("&&", "").find("&")
    stripped = title.replace("&&", "")
    return stripped[at + 1] if 0 <= at < len(stripped) - 1 else None


class Sections(QWidget):
    """Pages chosen from a list down the left; person records listed below the sections."""

    currentChanged = Signal(int)
    tabCloseRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setObjectName("navigation")
        self.list.setAccessibleName("Desk sections")
        self.list.setAccessibleDescription("Up and Down choose a section or an open record; "
                                           "Ctrl+W closes a record")
        self.list.setFixedWidth(NAV_WIDTH)
        self.list.setIconSize(QSize(20, 20))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.stack = QStackedWidget()
        brand = QLabel(style.TITLE)
        brand.setObjectName("brand")
        brand.setAccessibleName(style.TITLE)
        brand.setFixedWidth(NAV_WIDTH)
        brand.setWordWrap(True)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(0)
        side.addWidget(brand)
        side.addWidget(self.list, 1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addLayout(side)
        row.addWidget(self.stack, 1)
        self._pages: list[QWidget] = []
        self._titles: list[str] = []
        self._closable: list[bool] = []
        self._icons: list[str | None] = []
        self._shortcuts: list[QShortcut] = []
        self.list.currentRowChanged.connect(self._row_chosen)

    # -- the QTabWidget interface the desk uses ---------------------------------------
    def addTab(self, page: QWidget, title: str, icon: str | None = None,
               closable: bool = True) -> int:
        return self.insertTab(len(self._pages), page, title, icon, closable)

    def insertTab(self, index: int, page: QWidget, title: str, icon: str | None = None,
                  closable: bool | None = None) -> int:
        """A section (``closable`` False: Today, People...) or a person's record."""
        index = max(0, min(index, len(self._pages)))
        if closable is None:  # among the sections, a section; after them, a record
            closable = any(self._closable[:index])
        current = self.currentWidget()
        self._pages.insert(index, page)
        self._titles.insert(index, title)
        self._closable.insert(index, closable)
        self._icons.insert(index, icon)
        self.stack.insertWidget(index, page)
        self._rebuild()
        if current is None:
            self.setCurrentIndex(index)
        else:
            self._select(current)
        return index

    def removeTab(self, index: int) -> None:
        if not 0 <= index < len(self._pages):
            return
        was_current = self.currentIndex() == index
        current = self.currentWidget()
        page = self._pages.pop(index)
        for kept in (self._titles, self._closable, self._icons):
            kept.pop(index)
        self.stack.removeWidget(page)
        self._rebuild()
        if was_current and self._pages:
            # the next record, else the one before, else the last section
            after = index if index < len(self._pages) and self._closable[index] else index - 1
            self.setCurrentIndex(max(0, after))
        elif current is not None and current is not page:
            self._select(current)

    def count(self) -> int:
        return len(self._pages)

    def widget(self, index: int) -> QWidget | None:
        return self._pages[index] if 0 <= index < len(self._pages) else None

    def indexOf(self, page: QWidget) -> int:
        return next((i for i, p in enumerate(self._pages) if p is page), -1)

    def currentWidget(self) -> QWidget | None:
        page = self.stack.currentWidget()
        return page if self.indexOf(page) >= 0 else None

    def currentIndex(self) -> int:
        page = self.currentWidget()
        return -1 if page is None else self.indexOf(page)

    def setCurrentIndex(self, index: int) -> None:
        page = self.widget(index)
        if page is not None:
            self.setCurrentWidget(page)

    def setCurrentWidget(self, page: QWidget) -> None:
        if self.indexOf(page) < 0:
            return
        changed = self.stack.currentWidget() is not page
        self.stack.setCurrentWidget(page)
        self._select(page)
        if changed:
            self.currentChanged.emit(self.indexOf(page))

    def tabText(self, index: int) -> str:
        return self._titles[index] if 0 <= index < len(self._titles) else ""

    def setTabText(self, index: int, title: str) -> None:
        if 0 <= index < len(self._titles) and self._titles[index] != title:
            self._titles[index] = title
            self._rebuild()

    def set_closable(self, page: QWidget, closable: bool) -> None:
        index = self.indexOf(page)
        if index >= 0 and self._closable[index] != closable:
            self._closable[index] = closable
            self._rebuild()

    def set_icon(self, page: QWidget, icon: str | None) -> None:
        index = self.indexOf(page)
        if index >= 0:
            self._icons[index] = icon
            self._rebuild()

    def isClosable(self, index: int) -> bool:
        return 0 <= index < len(self._closable) and self._closable[index]

    # -- the list ----------------------------------------------------------------------
    def _rebuild(self) -> None:
        """The list afresh: the sections, then (while any is open) "Open records" and
        the records. A handful of rows: simplest to lay out again."""
        current = self.currentWidget()
        order = [i for i, c in enumerate(self._closable) if not c] + \
            [i for i, c in enumerate(self._closable) if c]
        self.list.blockSignals(True)
        self.list.clear()
        headed = False
        for i in order:
            if self._closable[i] and not headed:
                headed = True
                header = QListWidgetItem(OPEN_RECORDS)
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                header.setFont(style.font("small", bold=True))
                self.list.addItem(header)
            item = QListWidgetItem(_plain(self._titles[i]))
            item.setData(PAGE, self._pages[i])
            item.setToolTip(_plain(self._titles[i]))
            if self._icons[i]:
                item.setIcon(style.icon(self._icons[i]))
            self.list.addItem(item)
        self.list.blockSignals(False)
        if current is not None:
            self._select(current)
        self._bind_shortcuts()

    def _row_of_page(self, page: QWidget) -> int:
        return next((r for r in range(self.list.count())
                     if self.list.item(r).data(PAGE) is page), -1)

    def _select(self, page: QWidget) -> None:
        self.list.blockSignals(True)
        self.list.setCurrentRow(self._row_of_page(page))
        self.list.blockSignals(False)

    def _row_chosen(self, row: int) -> None:
        item = self.list.item(row)
        page = item.data(PAGE) if item is not None else None
        if page is not None:
            self.setCurrentWidget(page)

    def _bind_shortcuts(self) -> None:
        """Alt+letter for each title's mnemonic, as a tab had."""
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self._shortcuts = []
        for page, title in zip(self._pages, self._titles, strict=True):
            letter = _mnemonic(title)
            if letter:
                shortcut = QShortcut(QKeySequence(f"Alt+{letter.upper()}"), self)
                shortcut.activated.connect(lambda p=page: self.setCurrentWidget(p))
                self._shortcuts.append(shortcut)

    def _menu(self, point) -> None:
        item = self.list.itemAt(point)
        page = item.data(PAGE) if item is not None else None
        index = self.indexOf(page) if page is not None else -1
        if not self.isClosable(index):
            return
        menu = QMenu(self)
        menu.setAccessibleName("Open record")
        menu.addAction("Close this record", lambda: self.tabCloseRequested.emit(index))
        menu.exec(self.list.viewport().mapToGlobal(point))

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Delete and self.list.hasFocus() and \
                self.isClosable(self.currentIndex()):
            self.tabCloseRequested.emit(self.currentIndex())
            return
        super().keyPressEvent(event)
