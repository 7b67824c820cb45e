"""The sign-in box comes up before the database layer is loaded: the gate that checks
passwords loads behind it, a Sign in pressed meanwhile waits for it (and says so), and
a keys file that only looked right is then told plainly. Real profiles, real widgets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton

from lr_desk.services.signin import Gate
from lr_desk.services.signin_start import looks_locked
from lr_desk.ui.application import Startup
from lr_desk.ui.signin import SignInDialog
from tests.ui.conftest import PASSWORD, make_profile
from tests.ui.test_startup import sign_in

ROOT = Path(__file__).resolve().parents[2]

SHOWN_AT_ONCE = r"""
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from lr_desk.ui.application import Startup
startup = Startup(Path(sys.argv[1]))
heavy = sorted(m for m in sys.modules
               if m.split(".")[0] in ("sqlalchemy", "argon2", "cryptography", "sqlcipher3")
               or m in ("lr_desk.services.signin", "lr_desk.store.models", "lr_desk.store.keys",
                        "lr_desk.store.db"))
print(json.dumps({"kind": type(startup.dialog).__name__,
                  "shown": bool(startup.dialog and startup.dialog.isVisible()),
                  "gate": startup.dialog.gate is not None if startup.dialog else None,
                  "heavy": heavy}))
"""


def test_the_sign_in_box_is_shown_before_the_database_layer_loads(tmp_path):
    folder = tmp_path / "desk"
    make_profile(folder)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", SHOWN_AT_ONCE, str(folder)], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"kind": "SignInDialog", "shown": True, "gate": False, "heavy": []}


# What ``lr-desk --data-dir DIR`` has not loaded when its sign-in box is painted (the
# moment the Qt event loop would start): beyond the database layer, what the entry point
# used to load first (argparse's translations, the log's rotation, the platform's
# folders, dataclasses) and what only the forms behind the box need (validation).
NOT_BEFORE_THE_BOX = ("sqlalchemy", "argon2", "cryptography", "sqlcipher3", "platformdirs",
                      "lr_desk.services.signin", "lr_desk.store.models", "lr_desk.store.keys",
                      "lr_desk.store.db", "lr_desk.services.validation", "logging.handlers",
                      "dataclasses", "locale", "datetime", "unicodedata", "socket", "pickle")

FROM_THE_ENTRY_POINT = r"""
import json, logging, sys
from PySide6.QtWidgets import QApplication
seen = {}
def painted(self=None):  # instead of the event loop: the box is on screen by now
    from lr_desk.ui.signin import SignInDialog
    seen["box"] = [type(w).__name__ for w in QApplication.topLevelWidgets()
                   if isinstance(w, SignInDialog) and w.isVisible()]
    seen["loaded"] = sorted(m for m in sys.modules
                            if any(m == n or m.startswith(n + ".") for n in sys.argv[2:]))
    seen["log"] = [type(h).__name__ for h in logging.getLogger().handlers
                   if getattr(h, "baseFilename", "").startswith(sys.argv[1])]
    logging.getLogger("lr_desk.test").warning("a line before the box")
    return 0
QApplication.exec = painted
from lr_desk.app import main
code = main(["--data-dir", sys.argv[1]])
print(json.dumps({"code": code, **seen}))
"""


def test_the_entry_point_paints_the_box_before_loading_what_it_does_not_need(tmp_path):
    folder = tmp_path / "desk"
    make_profile(folder)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", FROM_THE_ENTRY_POINT, str(folder),
                           *NOT_BEFORE_THE_BOX], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"code": 0, "box": ["SignInDialog"], "loaded": [],
                    "log": ["FileHandler"]}  # the profile's log, rotating behind the box
    assert "a line before the box" in (folder / "logs" / "lr_desk.log").read_text()


def test_a_quick_look_knows_a_desk_to_sign_in_to(tmp_path):
    folder = tmp_path / "desk"
    assert not looks_locked(folder)  # nothing there: a new desk, set up later
    make_profile(folder)
    assert looks_locked(folder) and Gate(folder).state() == "locked"
    (folder / "keys.json").write_text("{ half a file", encoding="utf-8")
    assert not looks_locked(folder)  # damaged: the gate decides (with its spare copy)
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    assert not looks_locked(afile)


def test_sign_in_pressed_before_the_gate_is_ready_waits_and_keeps_what_was_typed(qtbot,
                                                                                tmp_path):
    folder = tmp_path / "desk"
    make_profile(folder)
    loading = threading.Event()  # holds the gate's loading back, as a slow disk would
    startup = Startup(folder, before_gate=lambda: loading.wait(60))
    try:
        dialog = startup.dialog
        assert isinstance(dialog, SignInDialog) and dialog.isVisible()  # at once
        assert dialog.gate is None
        recover = dialog.recover_button
        assert not recover.isEnabled()  # the recovery key needs the gate: for a moment
        sign_in(qtbot, dialog, "alex", PASSWORD)
        assert dialog.waiting is not None
        assert dialog.sign_in_button.text() == "Getting ready…"
        assert not dialog.sign_in_button.isEnabled()
        assert dialog.cursor().shape() == Qt.CursorShape.BusyCursor
        assert "Getting ready" in dialog.status.text()
        qtbot.keyClick(dialog.f.widgets["username"], Qt.Key.Key_Return)  # again: no harm
        assert dialog.f.widgets["username"].text() == "alex"
        assert dialog.f.widgets["password"].text() == PASSWORD  # nothing typed is lost
        assert startup.desk is None
        with qtbot.waitSignal(startup.opened, timeout=60_000):
            loading.set()
        assert startup.window.desk.signed_in.username == "alex"
        assert dialog.sign_in_button.text() == "&Sign in"
        assert dialog.cursor().shape() != Qt.CursorShape.BusyCursor
    finally:
        loading.set()
        startup.close()


def test_closing_the_box_while_it_gets_ready_signs_nobody_in(qtbot, tmp_path):
    folder = tmp_path / "desk"
    make_profile(folder)
    loading = threading.Event()
    startup = Startup(folder, before_gate=lambda: loading.wait(60))
    try:
        dialog = startup.dialog
        sign_in(qtbot, dialog, "alex", PASSWORD)
        assert dialog.waiting is not None
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # changed their mind
        assert not dialog.isVisible() and not startup.window.isVisible()
        loading.set()
        qtbot.waitUntil(lambda: dialog.gate is not None, timeout=60_000)
        qtbot.wait(200)
        assert not dialog.background.busy and dialog.unlocked is None
        assert startup.desk is None
    finally:
        loading.set()
        startup.close()


def test_once_ready_the_box_is_the_one_made_with_its_gate(qtbot, tmp_path):
    folder = tmp_path / "desk"
    make_profile(folder)
    startup = Startup(folder)
    try:
        quick = startup.dialog
        qtbot.waitUntil(lambda: quick.gate is not None, timeout=60_000)
        made = SignInDialog(Gate(folder), startup.window)
        qtbot.addWidget(made)
        made.open()

        def seen(d) -> list:
            return [(b.text(), b.accessibleName(), b.isEnabled(), b.isVisible())
                    for b in d.findChildren(QPushButton)] + [
                (w.objectName(), type(w).__name__, w.isVisibleTo(d))
                for w in d.findChildren(type(d.status))] + [d.status.text()]

        assert seen(quick) == seen(made)
        assert quick.windowTitle() == made.windowTitle()
        # a wrong password is said as ever, and the box grows to show all of it (it was
        # cut off after a line, over the buttons)
        sign_in(qtbot, quick, "alex", "not the password")
        said = quick.f.errors["password"]
        qtbot.waitUntil(lambda: said.text() != "", timeout=30_000)
        qtbot.waitUntil(quick.recover_button.isEnabled, timeout=10_000)

        def said_in_full() -> bool:
            bottom = said.mapTo(quick, QPoint(0, said.height())).y()
            return said.height() >= said.heightForWidth(said.width()) and \
                bottom <= quick.buttons.mapTo(quick, QPoint(0, 0)).y()

        qtbot.waitUntil(said_in_full, timeout=10_000)
    finally:
        startup.close()


def test_keys_that_only_looked_right_are_said_plainly(qtbot, tmp_path):
    folder = tmp_path / "desk"
    make_profile(folder)
    keys = folder / "keys.json"
    data = json.loads(keys.read_text(encoding="utf-8"))
    data["version"] = 99  # no longer what its checksum says: damaged
    keys.write_text(json.dumps(data), encoding="utf-8")
    (folder / "keys.json.bak").unlink(missing_ok=True)  # and no good copy
    assert looks_locked(folder)  # the quick look cannot tell
    startup = Startup(folder)
    try:
        quick = startup.dialog
        assert isinstance(quick, SignInDialog) and quick.isVisible()
        with qtbot.waitSignal(startup.failed, timeout=60_000) as failed:
            pass
        assert "damaged" in failed.args[0] and "keys.json" in failed.args[0]
        assert not quick.isVisible() and startup.dialog is None
        assert startup.window.isVisible()  # the message is shown over the window
    finally:
        startup.close()
        startup.window.close()
