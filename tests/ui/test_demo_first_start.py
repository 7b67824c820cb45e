"""The demo's first start shows what it is doing: while its people are made, the window
says why it waits, a progress bar fills and the stage is named (in the status bar too);
then sign-in appears as before, and the desk replaces the preparing page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Slot

from lr_desk.demo import fill_demo
from lr_desk.paths import data_dir
from lr_desk.ui.application import Startup
from lr_desk.ui.preparing import READY, PreparingPage
from lr_desk.ui.signin import SignInDialog
from tests.ui.screen import assert_fits
from tests.ui.test_startup import sign_in

ROOT = Path(__file__).resolve().parents[2]


def smaller_fill(store, progress=None):
    """The real fill (lr_desk.app hands in the same with 400 people), smaller."""
    fill_demo(store, people=120, progress=progress)


class Watcher(QObject):
    """What the window shows each time a step reaches the UI thread (after Startup's own
    slot has put it on screen: it was connected first)."""

    def __init__(self, startup: Startup):
        super().__init__()
        self.startup = startup
        self.seen: list[tuple[int, int, str, str, bool]] = []

    @Slot(int, int, str)
    def step(self, _done: int, _total: int, _what: str) -> None:
        page, window = self.startup.preparing, self.startup.window
        self.seen.append((page.bar.value(), page.bar.maximum(), page.stage.text(),
                          window.status_label.text(), self.startup.dialog is None))


def test_the_demos_first_start_shows_its_progress_then_signs_in(qtbot, tmp_path):
    folder = data_dir(tmp_path / "base", demo=True)
    startup = Startup(folder, demo=True, fill_demo=smaller_fill)
    watcher = Watcher(startup)
    try:
        qtbot.waitUntil(lambda: startup.preparing is not None, timeout=20_000)
        startup.progressed.connect(watcher.step)  # queued: emitted on the worker
        page = startup.preparing
        assert isinstance(page, PreparingPage)
        assert startup.window.tabs.currentWidget() is page  # in Today's place, on show
        assert page.bar.accessibleName() and page.stage.accessibleName()
        assert "about 20 seconds" in " ".join(
            label.text() for label in page.findChildren(type(page.stage)))
        assert_fits(startup.window)

        qtbot.waitUntil(lambda: isinstance(startup.dialog, SignInDialog)
                        and startup.dialog.isVisible(), timeout=180_000)
        dialog = startup.dialog
        seen = watcher.seen
        assert seen and all(before_sign_in for *_, before_sign_in in seen)
        values = [value for value, *_ in seen]
        assert values == sorted(values)  # the bar only goes forward
        assert len(set(values)) >= 5 and values[-1] == seen[-1][1]  # ...all the way
        stages = {stage for _v, _m, stage, _s, _b in seen}
        assert any(s.startswith("Adding people: ") for s in stages)
        assert any(s.startswith("Making the demo's sign-in accounts") for s in stages)
        assert len(stages) >= 5
        assert all(status == f"Preparing the demo desk: {stage}"
                   for _v, _m, stage, status, _b in seen)  # said for screen readers too
        assert page.stage.text() == READY and page.bar.value() == page.bar.maximum()

        with qtbot.waitSignal(startup.opened, timeout=60_000):
            sign_in(qtbot, dialog, "advisor", "life-rooms-demo")
        window = startup.window
        assert window.tabs.widget(0) is window.today  # the desk's page took its place
        qtbot.waitUntil(lambda: window.today.isVisible(), timeout=20_000)
    finally:
        startup.close()


def test_a_headless_first_start_of_the_demo_prints_nothing_but_what_was_asked(tmp_path):
    """``lr-desk --demo`` on a new machine, offscreen: the fill's log lines and Qt's own
    chatter go to the profile's log; the terminal shows only the figures asked for."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LR_DESK_USERNAME": "advisor",
           "LR_DESK_PASSWORD": "life-rooms-demo"}
    run = subprocess.run([sys.executable, "-m", "lr_desk", "--demo", "--data-dir",
                          str(tmp_path / "base"), "--exit-when-ready"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    lines = run.stdout.splitlines()
    assert len(lines) == 1 and "sign_in_box_ms" in json.loads(lines[0])
    log = (data_dir(tmp_path / "base", demo=True) / "logs" / "lr_desk.log").read_text()
    assert "Running upgrade" in log  # what was said went to the log
