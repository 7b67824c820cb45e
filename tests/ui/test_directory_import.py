"""Directory > Import…: a feed served over HTTP on 127.0.0.1 typed in, its plan seen,
Import pressed and the rows found in the directory; a slow feed stopped; a bad one
said in plain words. Real desk, real widgets, real feed server."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from lr_desk.ui.directory_import import DirectoryImportDialog
from tests.services.oruk_feeds import FeedServer, fixture, service
from tests.ui.screen import assert_fits

WAIT = 20_000


@pytest.fixture
def desk(desks, profile):
    return desks.start(profile)


def open_import(qtbot, desk) -> DirectoryImportDialog:
    window = desk.window
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Directory")
    action = next(a for a in menu.actions() if a.text() == "&Import from a feed…")
    assert action.shortcut().toString() == "Ctrl+Shift+I"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # Directory > Import from a feed…
    qtbot.waitUntil(lambda: window.findChild(DirectoryImportDialog) is not None, timeout=WAIT)
    dialog = window.findChild(DirectoryImportDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)
    assert dialog.source.hasFocus()
    return dialog


def type_feed(qtbot, dialog, where: str) -> None:
    dialog.source.setFocus()
    qtbot.keyClicks(dialog.source, where)
    qtbot.keyClick(dialog.source, Qt.Key.Key_Return)  # Enter reads it


def test_import_a_feed_from_its_address(qtbot, desk, tmp_path):
    records = [service(n) for n in range(12)]
    with FeedServer(records, "v3", size=5) as server:
        dialog = open_import(qtbot, desk)
        assert not dialog.import_button.isEnabled() and dialog.import_button.toolTip()
        type_feed(qtbot, dialog, server.url)
        qtbot.waitUntil(dialog.import_button.isEnabled, timeout=WAIT)
    plan = dialog.plan_view.toPlainText()
    assert dialog.status.text() == "Read 12 records from 3 pages (version 3 pages)."
    assert "To add: 3 partners, 12 services and 12 contacts." in plan
    assert 'Add service "Service 11" (of Organisation 2)' in plan
    assert dialog.message.text() == "Nothing is written until you press Import."
    assert dialog.import_button.isDefault()
    assert_fits(dialog)
    dialog.grab().save(str(tmp_path / "import-plan.png"))
    qtbot.keyClick(dialog.import_button, Qt.Key.Key_Return)  # Enter imports
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Imported"), timeout=WAIT)
    assert dialog.message.text() == ("Imported: added 3 partners, 12 services and 12 "
                                     "contacts.")
    assert not dialog.import_button.isEnabled()
    page = desk.window.directory  # it hears the change and reloads
    qtbot.waitUntil(lambda: any(e.service and e.service.name == "Service 11"
                                for e in page.services_model.all), timeout=WAIT)
    names = {e.service.name for e in page.services_model.all if e.service}
    assert {f"Service {n}" for n in range(12)} <= names


def test_the_same_feed_again_has_nothing_to_import(qtbot, desk):
    feed = str(fixture("hsds_service_full.json"))
    dialog = open_import(qtbot, desk)
    type_feed(qtbot, dialog, feed)
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Imported"), timeout=WAIT)
    qtbot.mouseClick(dialog.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Already as the feed has them" in dialog.plan_view.toPlainText(),
                    timeout=WAIT)
    assert not dialog.import_button.isEnabled()
    assert dialog.message.text() == ("Nothing to import: the directory already has this "
                                     "feed as it is.")


def test_a_slow_feed_is_stopped(qtbot, desk):
    with FeedServer([service(n) for n in range(60)], "v3", size=60, slow=0.3) as server:
        dialog = open_import(qtbot, desk)
        type_feed(qtbot, dialog, server.url)
        qtbot.waitUntil(lambda: bool(server.requests), timeout=WAIT)
        assert dialog.stop_button.isEnabled() and not dialog.read_button.isEnabled()
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # Stop reading
        qtbot.waitUntil(lambda: dialog.status.text() == "Stopped reading. Nothing was "
                        "imported.", timeout=WAIT)  # (a mnemonic clicks a moment later)
        assert dialog.read_button.isEnabled() and not dialog.import_button.isEnabled()
    qtbot.wait(200)  # the reading's late answer, if any, changes nothing
    assert dialog.status.text() == "Stopped reading. Nothing was imported."
    assert dialog.plan_view.toPlainText() == ""


def test_a_bad_feed_is_said_in_plain_words(qtbot, desk):
    dialog = open_import(qtbot, desk)
    type_feed(qtbot, dialog, str(fixture("not_json.html")))
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=WAIT)
    assert "is a web page: it could not be read as a JSON feed" in dialog.message.text()
    assert dialog.status.text() == "The feed could not be read."
    dialog.source.clear()
    type_feed(qtbot, dialog, str(fixture("validator_fail_service_list.json")))
    qtbot.waitUntil(lambda: "Problem:" in dialog.plan_view.toPlainText(), timeout=WAIT)
    assert "it has no name: left out." in dialog.plan_view.toPlainText()
    assert dialog.message.text() == "Nothing can be imported from this feed."
    assert not dialog.import_button.isEnabled()


def test_closing_the_desk_stops_a_reading(qtbot, desks, profile):
    """A server that never answers would hold the desk's closing for its timeout: the
    reading is stopped as the desk closes."""
    import socket

    desk = desks.start(profile)
    quiet = socket.socket()
    quiet.bind(("127.0.0.1", 0))
    quiet.listen(1)
    try:
        dialog = open_import(qtbot, desk)
        type_feed(qtbot, dialog, f"http://127.0.0.1:{quiet.getsockname()[1]}/services")
        assert dialog.stop_button.isEnabled()
        cancel = dialog.cancel
        desks.stop(desk)
        assert cancel.cancelled
    finally:
        quiet.close()
