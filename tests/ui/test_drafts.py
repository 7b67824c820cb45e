"""Unsaved work survives a crash (autosaved drafts) and closing asks first."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from lr_desk.ui.dropin import DropInDialog
from lr_desk.ui.people import PersonDialog


def _open_person(desk, qtbot, given="Rita", family="Ahmed"):
    dialog = desk.window.new_person({})
    qtbot.keyClicks(dialog.f.widgets["given_name"], given)
    qtbot.keyClicks(dialog.f.widgets["family_name"], family)
    with qtbot.waitSignal(desk.window.person_opened, timeout=10_000) as opened:
        dialog.save()
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.view is not None)
    return page


def test_a_crash_loses_at_most_a_few_seconds_of_a_drop_in(qtbot, desks, profile):
    desk = desks.start(profile)
    page = _open_person(desk, qtbot)
    page.dropin_button.click()
    dialog = [d for d in desk.window.editors if isinstance(d, DropInDialog)][-1]
    qtbot.keyClicks(dialog.f.widgets["conversation.what_matters"], "Finding a quiet place")
    qtbot.keyClicks(dialog.item_f.widgets["title"], "Walk with the group")
    # the autosave timer (1 s in this profile) writes the draft
    qtbot.waitUntil(lambda: _draft_exists(desk, f"dropin:{page.person_id}"), timeout=10_000)

    # "crash": the app goes away without any chance to ask or save
    dialog.dirty = False
    desks.stop(desk)

    desk = desks.start(profile)
    page = desk.window.open_person(page.person_id)
    qtbot.waitUntil(lambda: page.view is not None)
    page.dropin_button.click()
    dialog = [d for d in desk.window.editors if isinstance(d, DropInDialog)][-1]
    qtbot.waitUntil(lambda: dialog.banner.isVisible(), timeout=10_000)
    assert "restored" in dialog.banner.text()
    assert dialog.f.widgets["conversation.what_matters"].toPlainText() == "Finding a quiet place"
    assert dialog.item_f.widgets["title"].text() == "Walk with the group"


def _draft_exists(desk, key):
    from lr_desk.services import drafts

    with desk.store.session() as s:
        return drafts.load(s, key) is not None


def test_closing_with_unsaved_work_asks_and_cancel_keeps_it(qtbot, desks, profile,
                                                            no_unexpected_modal):
    desk = desks.start(profile)
    dialog = desk.window.new_person({})
    qtbot.keyClicks(dialog.f.widgets["given_name"], "Unsaved")
    no_unexpected_modal.append(QMessageBox.StandardButton.Cancel)
    dialog.reject()  # Esc or the Cancel button
    assert dialog.isVisible()
    assert dialog.f.widgets["given_name"].text() == "Unsaved"
    # closing the whole window asks too, and Cancel keeps everything open
    no_unexpected_modal.append(QMessageBox.StandardButton.Cancel)
    desk.window.close()
    assert desk.window.isVisible() and dialog.isVisible()
    # Discard really discards, including the draft
    no_unexpected_modal.append(QMessageBox.StandardButton.Discard)
    dialog.reject()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0)
    assert not _draft_exists(desk, "person:new")


def test_a_failed_save_keeps_the_form_open_with_the_typing(qtbot, desks, profile, monkeypatch):
    desk = desks.start(profile)
    dialog = desk.window.new_person({})
    qtbot.keyClicks(dialog.f.widgets["given_name"], "Disk")
    qtbot.keyClicks(dialog.f.widgets["family_name"], "Full")

    import sqlite3

    from lr_desk.services import people

    def boom(*_a, **_k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(people, "register", boom)
    with qtbot.waitSignal(desk.tasks.failed, timeout=10_000) as failed:
        dialog.save()
    assert "disk is full" in failed.args[0]
    assert failed.args[1] is False  # the environment, not a bug
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert dialog.f.widgets["family_name"].text() == "Full"
    assert isinstance(dialog, PersonDialog)
