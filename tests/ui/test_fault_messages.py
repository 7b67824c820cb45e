"""Faults of the computer at the desk, met for real and said in the words the command line
uses (lr_desk.faults): a damaged database at sign-in, and a save while another program
holds the database past the wait. Never an exception's name."""

from __future__ import annotations

import os

from lr_desk.ui.application import Startup
from lr_desk.ui.people import PersonDialog
from lr_desk.ui.signin import SignInDialog
from tests.ui.conftest import PASSWORD, make_profile, unlocked_store
from tests.ui.test_startup import asked, sign_in


def error(dialog, key: str) -> str:
    label = dialog.f.errors[key]
    return label.text() if label.isVisibleTo(dialog) else ""


def test_a_damaged_database_is_said_at_the_sign_in_box(qtbot, tmp_path):
    """Was: "The desk could not open its data (DatabaseError; the details are in the
    log)"."""
    folder = tmp_path / "desk"
    make_profile(folder)
    db = folder / "lr_desk.sqlite"
    with open(db, "r+b") as f:  # pages in the middle of the file: garbage
        f.seek(4096 * 4)
        f.write(os.urandom(4096 * 16))
    startup = Startup(folder)
    try:
        dialog = asked(qtbot, startup, SignInDialog)
        sign_in(qtbot, dialog, "alex", PASSWORD)
        qtbot.waitUntil(lambda: error(dialog, "password") != "", timeout=30_000)
        said = error(dialog, "password")
        assert "damaged" in said and "backup" in said, said
        assert "Error" not in said
        assert dialog.f.widgets["username"].text() == "alex"
    finally:
        startup.close()


def test_a_save_while_another_program_holds_the_database(qtbot, desks, tmp_path):
    folder = tmp_path / "desk"
    make_profile(folder)
    desk = desks.start(folder)
    dialog = desk.window.new_person({})
    qtbot.keyClicks(dialog.f.widgets["given_name"], "Held")
    qtbot.keyClicks(dialog.f.widgets["family_name"], "Up")
    other = unlocked_store(folder)  # another program with the same file open
    raw = other.engine.raw_connection()
    try:
        raw.driver_connection.isolation_level = None
        raw.driver_connection.execute("BEGIN EXCLUSIVE")
        with qtbot.waitSignal(desk.tasks.failed, timeout=30_000) as failed:
            dialog.save()
    finally:
        raw.driver_connection.execute("ROLLBACK")
        raw.close()
        other.close()
    message, is_bug = failed.args
    assert "in use by another program" in message and not is_bug, message
    assert isinstance(dialog, PersonDialog) and dialog.isVisible()
    assert dialog.f.widgets["family_name"].text() == "Up"


def test_a_full_disk_met_on_the_ui_thread_is_said_plainly(qtbot, tmp_path, monkeypatch):
    """The last resort for errors in UI code (sys.excepthook): a full disk is said as a
    full disk, not as "lr_desk hit a problem (OSError)"."""
    from disks import fill, small_disk
    from PySide6.QtWidgets import QMessageBox

    from lr_desk.ui import application

    with small_disk(tmp_path / "disk"):
        error = fill(tmp_path / "disk")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    application._excepthook(type(error), error, error.__traceback__)
    assert "disk is full" in shown[0] and "OSError" not in shown[0]
    bug = ZeroDivisionError("x")
    application._excepthook(type(bug), bug, None)
    assert "ZeroDivisionError" in shown[1] and "logged" in shown[1]
