"""Unsaved work survives a crash (autosaved drafts) and closing asks first."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from lr_desk.ui.dropin import DropInDialog
from lr_desk.ui.people import PersonDialog
from tests.ui.test_dropin_keys import open_person


def test_a_crash_loses_at_most_a_few_seconds_of_a_drop_in(qtbot, desks, profile):
    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Rita", "Ahmed")
    page.dropin_button.click()
    dialog = [d for d in desk.window.editors if isinstance(d, DropInDialog)][-1]
    qtbot.keyClicks(dialog.f.widgets["conversation.what_matters"], "Finding a quiet place")
    qtbot.keyClicks(dialog.picker.box, "Walk with the group")  # not added to the plan yet
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
    assert dialog.picker.box.text() == "Walk with the group"


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
    key = dialog.draft_key
    dialog.reject()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0)
    assert not _draft_exists(desk, key)


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


def test_two_new_person_forms_keep_their_own_drafts_and_come_back_after_a_crash(
        qtbot, desks, profile):
    desk = desks.start(profile)
    first = desk.window.new_person({})
    qtbot.keyClicks(first.f.widgets["family_name"], "Private")
    second = desk.window.new_person({"family_name": "Zed"})
    assert first.draft_key != second.draft_key
    qtbot.waitUntil(lambda: _draft_exists(desk, first.draft_key)
                    and _draft_exists(desk, second.draft_key), timeout=10_000)
    assert second.f.widgets["family_name"].text() == "Zed"  # not the other visitor's

    for dialog in (first, second):  # "crash": nobody is asked anything
        dialog.dirty = False
    desks.stop(desk)
    desk = desks.start(profile)
    from lr_desk.ui.people import PersonDialog

    qtbot.waitUntil(lambda: len([d for d in desk.window.editors
                                 if isinstance(d, PersonDialog)]) == 2, timeout=10_000)
    restored = [d for d in desk.window.editors if isinstance(d, PersonDialog)]
    qtbot.waitUntil(lambda: all(d.banner.isVisible() for d in restored), timeout=10_000)
    assert sorted(d.f.widgets["family_name"].text() for d in restored) == ["Private", "Zed"]


def test_a_form_cannot_be_closed_while_its_save_is_under_way(qtbot, desks, profile):
    import threading

    desk = desks.start(profile)
    dialog = desk.window.new_person({})
    qtbot.keyClicks(dialog.f.widgets["given_name"], "Ada")
    qtbot.keyClicks(dialog.f.widgets["family_name"], "Lovelace")
    worker_free = threading.Event()
    desk.tasks.run(lambda _s: worker_free.wait(10))  # the worker is busy for a moment
    dialog.save()
    dialog.reject()  # Esc while saving: refused, so the outcome is never hidden
    assert dialog.isVisible() and "Saving" in dialog.banner.text()
    with qtbot.waitSignal(desk.window.person_opened, timeout=10_000):
        worker_free.set()
    with qtbot.waitSignal(desk.search.results, timeout=10_000):
        desk.search.search("lovelace")
    qtbot.waitUntil(lambda: len(desk.search.index.search("lovelace")[0]) == 1)


def test_closing_the_desk_asks_about_a_half_typed_follow_up_outcome(qtbot, desks, profile,
                                                                    no_unexpected_modal):
    from datetime import date, timedelta

    from lr_desk.services import dropin, people
    from lr_desk.ui.person import StepDialog

    desk = desks.start(profile)
    with desk.store.session() as s:
        adv = desk.window.desk.advisor_id
        person = people.register(s, {"given_name": "Tom", "family_name": "Hughes"}, adv,
                                 "walton")
        dropin.record_drop_in(s, person.id, adv, {
            "conversation": {"site_code": "walton", "mode": "drop_in"},
            "follow_up": {"due_date": (date.today() + timedelta(days=2)).strftime("%d/%m/%Y"),
                          "way": "call"}})
    page = desk.window.open_person(person.id)
    qtbot.waitUntil(lambda: page.view is not None, timeout=10_000)
    row = next(i for i, e in enumerate(page.timeline.entries) if e.kind == "follow_up")
    page.table.setCurrentIndex(page.timeline.index(row, 0))
    step = page.complete_follow_up()
    assert isinstance(step, StepDialog)
    qtbot.keyClicks(step.f.widgets["outcome"], "Rang, no answer; will try")
    no_unexpected_modal.append(QMessageBox.StandardButton.Cancel)
    desk.window.close()
    assert desk.window.isVisible() and step.isVisible()
    assert step.f.widgets["outcome"].text() == "Rang, no answer; will try"


def test_a_restored_draft_of_an_edit_reverts_nothing_changed_since(qtbot, desks, profile):
    """The person's form was left as a draft (a crash); meanwhile their phone number was
    changed (a sync from another desk). Saving the restored draft writes what was typed
    on it, and leaves the new number alone."""
    from lr_desk.services import people
    from lr_desk.store.models import Person
    from tests.ui.conftest import unlocked_store

    desk = desks.start(profile)
    page = open_person(desk, qtbot, "Rita", "Ahmed")
    person_id = page.person_id
    page.edit_button.click()
    dialog = [d for d in desk.window.editors if isinstance(d, PersonDialog)][-1]
    qtbot.keyClicks(dialog.f.widgets["email"], "rita@example.org")
    qtbot.waitUntil(lambda: _draft_exists(desk, dialog.draft_key), timeout=10_000)
    dialog.dirty = False  # "crash"
    desks.stop(desk)

    store = unlocked_store(profile)  # the new number arrives while the desk is closed
    with store.session() as s:
        person = s.get(Person, person_id)
        people.update(s, person_id, {**people.as_form(person), "phone": "0151 444 4444"})
    store.close()

    desk = desks.start(profile)
    page = desk.window.open_person(person_id)
    qtbot.waitUntil(lambda: page.view is not None)
    page.edit_button.click()
    dialog = [d for d in desk.window.editors if isinstance(d, PersonDialog)][-1]
    qtbot.waitUntil(lambda: dialog.banner.isVisible(), timeout=10_000)
    assert dialog.f.widgets["email"].text() == "rita@example.org"
    with qtbot.waitSignal(dialog.finished, timeout=10_000):
        dialog.save()
    qtbot.waitUntil(lambda: desk.tasks.pending == 0)
    with desk.store.session() as s:
        person = s.get(Person, person_id)
        assert (person.email, person.phone) == ("rita@example.org", "0151 444 4444")
