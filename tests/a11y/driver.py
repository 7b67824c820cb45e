"""The real desk, inside its own process, opening its pages and dialogs one at a time for
the AT-SPI walk (tests/a11y/test_atspi_walk.py drives it; scripts/atspi_walk.py walks).

    .venv/bin/python tests/a11y/driver.py [NAME ...]

On the xcb platform with AT-SPI on (the test starts it under Xvfb with a session bus). It
makes a demo profile in a temporary folder, signs in as the demo's admin and opens each
page and dialog of tests/ui/catalogue.py the way the desk opens it (all, or the NAMEs),
gives it the keyboard, and writes one JSON line to stdout:

    {"event": "open", "name": ..., "title": ..., "page": ..., "focus": ...}

then keeps the desk running (answering the walker) until a line comes on stdin ("next"),
closes what it opened and goes on. Last: {"event": "done"}. What could not be opened:
{"event": "failed", "name": ..., "error": ...}. A modal question the desk asks is
answered Cancel and told: {"event": "modal", "text": ...}.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_LINUX_ACCESSIBILITY_ALWAYS_ON", "1")

from PySide6.QtPdf import QPdfDocument  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget  # noqa: E402

from lr_desk.ui import style  # noqa: E402
from tests.ui.catalogue import CATALOGUE, Stage, wait  # noqa: E402
from tests.ui.screen import SCREENS, room  # noqa: E402


def say(**what) -> None:
    print(json.dumps(what), flush=True)


def told() -> str | None:
    """A line on stdin, if one has come."""
    ready, _, _ = select.select([sys.stdin], [], [], 0)
    if not ready:
        return None
    return sys.stdin.readline().strip() or "eof"


def wait_for_word() -> str:
    """Keep the desk answering (the walker's questions) until a line comes on stdin."""
    got: list[str] = []

    def heard() -> bool:
        word = told()
        if word:
            got.append(word)
        return bool(got)

    wait(heard, 900, "the walker")
    return got[0]


def describe(w: QWidget | None) -> str:
    if w is None:
        return ""
    return f"{type(w).__name__} {w.accessibleName()!r}"


def answer_cancel(box: QMessageBox) -> int:
    say(event="modal", text=box.text())
    return QMessageBox.StandardButton.Cancel


def document_lines(target: QWidget) -> list[str]:
    """A few lines of the first page of a PDF on show (a preview's), as QtPdf reads them:
    what a screen-reader user must be able to read there too."""
    document = getattr(target, "document", None)
    if not isinstance(document, QPdfDocument):
        return []
    wait(lambda: document.pageCount() > 0, 30, "the PDF's pages")
    lines = [line.strip() for line in document.getAllText(0).text().splitlines()]
    return [line for line in lines if len(line) >= 12][:6]


def give_keyboard(window: QWidget) -> None:
    window.raise_()
    window.activateWindow()
    with contextlib.suppress(TimeoutError):  # (the walker says so: it cannot press Tab)
        wait(window.isActiveWindow, 10, "the window to have the keyboard")


def main(names: list[str]) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    style.apply(app)
    QMessageBox.exec = answer_cancel  # (a question nobody answers would hang the walk)
    with tempfile.TemporaryDirectory(prefix="lr-a11y-") as folder:
        stage = Stage(Path(folder) / "demo", Path(folder) / "new")
        stage.window.resize(*room(SCREENS[0]))
        chosen = [o for o in CATALOGUE if not names or o.name in names]
        say(event="catalogue", names=[o.name for o in chosen])
        try:
            for opening in chosen:
                try:
                    shown = opening.open(stage)
                except Exception as exc:
                    say(event="failed", name=opening.name, error=f"{type(exc).__name__}: {exc}")
                    stage.tidy()
                    continue
                target = stage.window if opening.page else shown
                give_keyboard(target)
                stage.idle()
                say(event="open", name=opening.name,
                    title=target.accessibleName() or target.windowTitle().replace("[*]", ""),
                    page=opening.page, focus=describe(app.focusWidget()),
                    document=document_lines(target))
                word = wait_for_word()
                stage.tidy()
                if word in ("eof", "quit"):
                    break
        finally:
            stage.finish()
    say(event="done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
