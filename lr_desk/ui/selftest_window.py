"""The self-test's window check (``lr-desk --self-test``, lr_desk.selftest): the desk's
real window, offscreen, on the self-test's throwaway profile."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def qt_version() -> str:
    from PySide6 import __version__ as pyside
    from PySide6.QtCore import qVersion

    return f"Qt {qVersion()} (PySide6 {pyside})"


def open_and_close(folder: Path, username: str, password: str, sheet: Path,
                   wait_s: float) -> tuple[str, list[str]]:
    """Sign in, show the window, wait for its pages and search, show the sheet through
    Qt's PDF module, see the printing module answer, close. (What was seen, problems.)"""
    if "PySide6.QtWidgets" not in sys.modules:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # nothing shows on the user's screen
    from PySide6.QtCore import QEventLoop, QTimer, qInstallMessageHandler
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinterInfo
    from PySide6.QtWidgets import QApplication

    from lr_desk.ui import style
    from lr_desk.ui.application import DeskApp, qt_to_log

    qInstallMessageHandler(qt_to_log)  # Qt's own notes: the self-test's log, not the screen
    app = QApplication.instance() or QApplication([sys.argv[0]])
    style.apply(app)
    problems: list[str] = []
    desk = DeskApp.open(folder, username, password)
    desk.tasks.failed.connect(lambda message, _bug: problems.append(message))
    try:
        loop, indexed = QEventLoop(), []
        desk.search.ready.connect(lambda count, _s: (indexed.append(count), loop.quit()))
        QTimer.singleShot(int(wait_s * 1000), loop.quit)
        desk.show()
        loop.exec()
        if not indexed:
            problems.append(f"the window's search was not ready after {wait_s:.0f} s")
        if not desk.window.isVisible():
            problems.append("the window did not show")
        sections = desk.window.tabs.count()
        document = QPdfDocument()
        if document.load(str(sheet)) != QPdfDocument.Error.None_ or document.pageCount() < 1:
            problems.append("Qt's PDF module could not show the sheet (the print preview)")
        pages = document.pageCount()
        document.close()
        printers = len(QPrinterInfo.availablePrinterNames())
    finally:
        desk.close()
        app.processEvents()
    said = (f"opened offscreen with {sections} sections, {indexed[0] if indexed else 0} "
            f"person in its search, the sheet's {pages} page(s) shown, {printers} "
            "printer(s) seen; closed")
    return said, problems
