"""Fixtures for the GUI tests: a real profile folder, a real DeskApp, real widgets."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from lr_desk import settings
from lr_desk.profile import open_store
from lr_desk.services import advisors


def make_profile(folder, name: str = "Alex Advisor", site: str = "walton",
                 role: str = "advisor") -> str:
    """A profile folder with one advisor chosen, as the start-up dialog leaves it."""
    store = open_store(folder)
    try:
        with store.session() as s:
            advisor = advisors.create(s, name, site)
            advisor.role = role
            settings.put(s, "advisor_id", advisor.id)
            settings.put(s, "site_code", site)
            settings.put(s, "autosave_seconds", 1)
        return advisor.id
    finally:
        store.close()


class Desks:
    """Opens DeskApps on folders and closes them all at the end."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.open: list = []

    def start(self, folder, demo: bool = False):
        from lr_desk.ui.application import DeskApp

        desk = DeskApp.open(folder, demo=demo, ask_advisor=False)
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
