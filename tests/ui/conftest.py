"""Fixtures for the GUI tests: a real profile folder, a real DeskApp, real widgets."""

from __future__ import annotations

import os
from pathlib import Path

# Offscreen, the screen is a hub PC's (1366x768 at 100%), not the plugin's 800x600.
if os.environ.setdefault("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = \
        f"offscreen:configfile={Path(__file__).with_name('hub_screen.json')}"

import pytest

from lr_desk import settings
from lr_desk.app import fill_demo
from lr_desk.services.signin import DEMO_PASSWORD, Gate
from lr_desk.store.models import Advisor

PASSWORD = "kettle on at nine"  # every test account's
SITES = {"walton": "Walton", "bootle": "Bootle", "southport": "Southport",
         "peripatetic": "Peripatetic"}


def username_for(name: str) -> str:
    return name.split()[0].lower()


def make_profile(folder, name: str = "Alex Advisor", site: str = "walton",
                 role: str = "advisor") -> str:
    """A profile folder set up as the app does it (encrypted, one account, here with the
    role asked for), signed in once: as the set-up dialog leaves it."""
    unlocked = Gate(folder).set_up(name, site, username_for(name), PASSWORD, PASSWORD, SITES)
    store = unlocked.store
    try:
        with store.session() as s:
            s.get(Advisor, unlocked.signed_in.advisor_id).role = role
            settings.put(s, "site_code", site)
            settings.put(s, "autosave_seconds", 1)
        return unlocked.signed_in.advisor_id
    finally:
        store.close()


def unlocked_store(folder, username: str | None = None, password: str = PASSWORD):
    """The store of a test profile, opened as its account would (it is encrypted)."""
    gate = Gate(folder)
    return gate.sign_in(username or first_username(gate), password).store


def first_username(gate: Gate) -> str:
    return next(iter(gate.keyfile.data["accounts"].values()))["username"]


class Desks:
    """Opens DeskApps on folders and closes them all at the end."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.open: list = []

    def start(self, folder, demo: bool = False, username: str | None = None,
              password: str | None = None):
        """Sign in (as the profile's first account, or the demo's advisor) and open."""
        from lr_desk.ui.application import DeskApp

        if Gate(folder).state() == "convert":
            # an unencrypted profile made by the core's helpers (tests/sync/devices.py):
            # opened without sign-in, as it was before encryption came in
            from lr_desk.profile import open_store
            from lr_desk.ui.application import open_profile
            from lr_desk.ui.main_window import MainWindow

            desk = DeskApp(MainWindow(demo), open_profile(open_store(folder), demo,
                                                          fill_demo if demo else None))
        else:
            if demo:
                username, password = username or "advisor", password or DEMO_PASSWORD
            elif username is None:
                username = first_username(Gate(folder))
            desk = DeskApp.open(folder, username, password or PASSWORD, demo=demo,
                                fill_demo=fill_demo if demo else None)  # as lr_desk.app does
        self.open.append(desk)
        with self.qtbot.waitSignal(desk.search.ready, timeout=30_000):
            desk.show()
        self.qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=10_000)
        return desk

    def stop(self, desk) -> None:
        if desk in self.open:
            self.open.remove(desk)
            for dialog in desk.window.open_editors():
                dialog.dirty = False
            desk.close()

    def close_all(self) -> None:
        for desk in list(self.open):
            self.stop(desk)
        # A form a test left open outlives its closed desk (its page is still held), and
        # a modal one would stand in the next test's way (QApplication.activeModalWidget).
        from PySide6.QtWidgets import QApplication, QDialog

        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.dirty = False
                widget.reject()


@pytest.fixture
def desks(qtbot):
    d = Desks(qtbot)
    yield d
    d.close_all()


@pytest.fixture
def profile(tmp_path):
    folder = tmp_path / "profile"
    make_profile(folder)
    return folder


@pytest.fixture(autouse=True)
def no_translations_outside(tmp_path_factory, monkeypatch):
    """The sheet's translations come from the package only: not from a locale folder
    this machine's account or IT may have (paths.translation_dirs); a test that wants
    one sets its own."""
    from lr_desk import paths

    empty = tmp_path_factory.mktemp("no-locale")
    monkeypatch.setattr(paths, "translation_dirs", lambda: [empty])


@pytest.fixture(autouse=True, scope="session")
def desk_style(qapp):
    """The desk's look, as the app sets it at start (sizes depend on it)."""
    from lr_desk.ui import style

    style.apply(qapp)


@pytest.fixture(autouse=True)
def no_unexpected_modal(monkeypatch):
    """A modal box nobody answers would hang the run: make it fail the test instead.
    Tests that expect a question patch ``answer_modal`` with the button to press."""
    from PySide6.QtWidgets import QMessageBox

    answers: list = []

    def fake_exec(box):
        if not answers:
            raise AssertionError(f"unexpected modal dialog: {box.text()}")
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return answers
