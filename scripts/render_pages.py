"""Render every page and dialog of the desk, on the demo profile, at 1366x768 (and
1280x720) into PNG files, so anyone can review the look without running the app.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/render_pages.py [--out renders]
        [--only drop-in erase ...]

It makes a fresh demo profile in a temporary folder (nothing of yours is touched), signs
in as the demo's admin (who has every menu), opens each section, a person's record and
every form and dialog in turn, the way the desk opens it (tests/ui/catalogue.py: the same
set tests/ui/test_fits.py checks), and saves what the screen would show. ``fits.txt`` in
the output folder lists anything that does not fit the screen (tests/ui/screen.py decides).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if os.environ.setdefault("QT_QPA_PLATFORM", "offscreen") == "offscreen":  # a hub's screen
    os.environ["QT_QPA_PLATFORM"] = \
        f"offscreen:configfile={ROOT / 'tests' / 'ui' / 'hub_screen.json'}"
sys.path.insert(0, str(ROOT))

from PySide6.QtPdf import QPdfDocument  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from lr_desk.ui import style  # noqa: E402
from tests.ui.catalogue import CATALOGUE, Opening, Stage, clipped_text, wait  # noqa: E402
from tests.ui.screen import SCREENS, problems, room  # noqa: E402


def settle(seconds: float) -> None:
    """Let Qt and its own threads work for a while (events, with pauses between)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.05)


class Renderer:
    def __init__(self, stage: Stage, out: Path):
        self.stage, self.out = stage, out
        self.report: list[str] = []
        self.count = 0

    def shot(self, widget: QWidget, name: str, size=SCREENS[0]) -> None:
        """``widget`` (a window) as it opens on a screen of ``size``: a dialog at the size
        it opened at (no larger than the screen), the main window as big as the screen
        allows. What does not fit, or is cut short, goes in the report."""
        width, height = room(size)
        if widget is self.stage.window:
            widget.resize(width, height)
        self.stage.idle()
        self.report += [f"{name} at {size[0]}x{size[1]}: {p}" for p in problems(widget, size)]
        self.report += [f"{name} at {size[0]}x{size[1]}: cut short: {p}"
                        for p in clipped_text(widget)]
        document = getattr(widget, "document", None)  # a PDF preview: its pages drawn
        if isinstance(document, QPdfDocument):
            wait(lambda: document.pageCount() > 0, 30, "the PDF's pages")
            widget.view.update()  # (drawn on the view's own threads, a moment later)
            settle(2.0)
        widget.grab().save(str(self.out / f"{name}.png"))
        self.count += 1

    def render(self, number: int, opening: Opening) -> None:
        """Open one page or dialog as the desk does, draw it at each screen size, close it
        (whatever was typed is dropped: this is the demo)."""
        name = f"{number:02d}-{opening.name}"
        try:
            shown = opening.open(self.stage)
        except Exception as exc:  # a review tool: say what could not be shown, go on
            self.report.append(f"{name}: could not be opened ({type(exc).__name__}: {exc})")
            self.stage.tidy()
            return
        target = self.stage.window if opening.page else shown
        wait(lambda: True)
        for size in SCREENS:
            self.shot(target, name if size == SCREENS[0] else f"{name}-{size[0]}x{size[1]}",
                      size)
        self.stage.tidy()


def render(out: Path, only: list[str] | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    style.apply(app)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lr-render-") as folder:
        stage = Stage(Path(folder) / "demo", Path(folder) / "new")
        r = Renderer(stage, out)
        try:
            for number, opening in enumerate(CATALOGUE, 1):
                if not only or opening.name in only:
                    r.render(number, opening)
        finally:
            stage.finish()
    (out / "fits.txt").write_text("\n".join(r.report) + "\n" if r.report else
                                  "Everything fits.\n", encoding="utf-8")
    print(f"{r.count} pictures in {out}; " +
          (f"{len(r.report)} problems (fits.txt)" if r.report else "everything fits"))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "renders",
                        help="folder for the PNG files (default: renders/)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        choices=[o.name for o in CATALOGUE],
                        help="just these (names as in tests/ui/catalogue.py)")
    args = parser.parse_args()
    return render(args.out, args.only)


if __name__ == "__main__":
    sys.exit(main())
