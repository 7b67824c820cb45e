"""Render every page and dialog of the desk, on the demo profile, at 1366x768 (and
1280x720) into PNG files, so anyone can review the look without running the app.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/render_pages.py [--out renders]

It makes a fresh demo profile in a temporary folder (nothing of yours is touched), signs
in as the demo's manager (who sees the most), opens each section, a person's record and
each form and dialog in turn, and saves what the screen would show. ``fits.txt`` in the
output folder lists anything that does not fit the screen (tests/ui/screen.py decides).
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

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QWidget  # noqa: E402

from lr_desk.app import fill_demo  # noqa: E402
from lr_desk.services.signin import DEMO_PASSWORD  # noqa: E402
from lr_desk.ui import style  # noqa: E402
from lr_desk.ui.application import DeskApp  # noqa: E402
from tests.ui.screen import SCREENS, problems, room  # noqa: E402


def settle(app: QApplication, ms: int = 300, until=None, timeout: float = 30.0) -> None:
    """Let queued work and painting happen (and, with ``until``, wait for it)."""
    began = time.monotonic()
    while True:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        if until is None or until() or time.monotonic() - began > timeout:
            return


class Renderer:
    def __init__(self, app: QApplication, desk: DeskApp, out: Path):
        self.app, self.desk, self.out = app, desk, out
        self.report: list[str] = []
        self.count = 0

    def idle(self) -> bool:
        return self.desk.tasks.pending == 0

    def shot(self, widget: QWidget, name: str, size=SCREENS[0]) -> None:
        width, height = room(size)
        if widget.isWindow():
            widget.resize(min(max(widget.width(), widget.sizeHint().width()), width),
                          min(max(widget.height(), widget.sizeHint().height()), height))
        settle(self.app, 300, self.idle)
        found = problems(widget, size) if widget.isWindow() else []
        self.report += [f"{name} at {size[0]}x{size[1]}: {p}" for p in found]
        widget.grab().save(str(self.out / f"{name}.png"))
        self.count += 1

    def dialog(self, name: str, make) -> None:
        """Open a dialog with ``make()``, render it, close it (whatever was typed is
        dropped: this is the demo)."""
        try:
            dialog = make()
        except Exception as exc:  # a review tool: say what could not be shown, go on
            self.report.append(f"{name}: could not be opened ({type(exc).__name__}: {exc})")
            return
        if dialog is None:
            dialog = next((d for d in self.app.topLevelWidgets()
                           if isinstance(d, QDialog) and d.isVisible()), None)
        if dialog is None:
            self.report.append(f"{name}: nothing was shown")
            return
        dialog.show()
        settle(self.app, 400, self.idle)
        for size in SCREENS:
            self.shot(dialog, f"{name}-{size[0]}x{size[1]}" if size != SCREENS[0] else name,
                      size)
        if hasattr(dialog, "dirty"):
            dialog.dirty = False
        dialog.reject() if isinstance(dialog, QDialog) else dialog.close()
        settle(self.app, 200)


def render(out: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    style.apply(app)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lr-render-") as folder:
        desk = DeskApp.open(Path(folder) / "demo", "manager", DEMO_PASSWORD, demo=True,
                            fill_demo=fill_demo)
        window = desk.window
        desk.show()
        width, height = room(SCREENS[0])
        window.resize(width, height)
        settle(app, 500, lambda: desk.search.index is not None, 60)
        r = Renderer(app, desk, out)
        try:
            sections = [window.tabs.widget(i) for i in range(window.tabs.count())]
            for number, page in enumerate(sections, 1):
                window.tabs.setCurrentWidget(page)
                title = window.tabs.tabText(window.tabs.indexOf(page)).replace("&", "")
                r.shot(window, f"{number:02d}-{title.lower().replace(' ', '-')}")
            window.find_action.trigger()
            window.query.setText("a")
            settle(app, 800, r.idle)
            r.shot(window, "10-people-search")
            hits = list(getattr(getattr(window.people, "model", None), "hits", []))
            person = window.open_person(hits[0].entry.person_id) if hits else None
            if person is not None:
                settle(app, 800, lambda: person.view is not None)
                r.shot(window, "11-person")
                view = person.view
                r.dialog("20-drop-in", lambda: window.record_drop_in(view.person))
                r.dialog("21-edit-person", lambda: window.edit_person(view.person))
            r.dialog("22-new-person", lambda: window.new_person({}))
            r.dialog("23-keyboard-shortcuts", window.show_shortcuts)
            r.dialog("24-about", window.show_about)
            r.dialog("25-sync-settings", window.sync_settings)
            r.dialog("26-accounts", window.manage_accounts)
            r.dialog("27-change-password", window.change_password)
            r.dialog("28-where-this-desk-is", window.change_site)
            window.lock()
            settle(app, 300)
            r.shot(window, "30-locked")
        finally:
            for dialog in window.open_editors():
                dialog.dirty = False
            desk.close()
    (out / "fits.txt").write_text("\n".join(r.report) + "\n" if r.report else
                                  "Everything fits.\n", encoding="utf-8")
    print(f"{r.count} pictures in {out}; " +
          (f"{len(r.report)} problems (fits.txt)" if r.report else "everything fits"))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "renders",
                        help="folder for the PNG files (default: renders/)")
    return render(parser.parse_args().out)


if __name__ == "__main__":
    sys.exit(main())
