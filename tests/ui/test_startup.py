"""Start-up: choosing the advisor on a new desk, and the demo profile."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from sqlalchemy import select

from lr_desk import settings
from lr_desk.paths import data_dir
from lr_desk.profile import open_store
from lr_desk.ui.advisor import NEW, AdvisorDialog


@pytest.fixture(autouse=True)
def advisor_dialog_takes_keys_at_once(monkeypatch, request):
    """The dialog's short settling pause is tested on its own below."""
    if "settling" not in request.node.name:
        monkeypatch.setattr(AdvisorDialog, "SETTLE_MS", 0)


def test_a_new_desk_asks_who_is_there_and_remembers(qtbot, tmp_path):
    from lr_desk.ui.application import DeskApp

    folder = tmp_path / "fresh"
    answered = []

    def answer():
        dialog = next(w for w in qtbot_top_levels() if isinstance(w, AdvisorDialog))
        dialog.f.load({"advisor": NEW, "site_code": "southport", "home_site": "southport"})
        qtbot.keyClicks(dialog.f.widgets["name"], "Sam Southport")
        dialog.save()
        answered.append(dialog)

    QTimer.singleShot(200, answer)
    desk = DeskApp.open(folder)  # shows the dialog modally until answered
    try:
        assert answered
        assert "Sam Southport at The Life Rooms Southport" in desk.window.windowTitle()
        assert "DEMO" not in desk.window.windowTitle()
    finally:
        desk.close()
    store = open_store(folder)
    try:
        with store.session() as s:
            assert settings.get(s, "site_code") == "southport"
            assert settings.get(s, "advisor_id")
    finally:
        store.close()


def qtbot_top_levels():
    from PySide6.QtWidgets import QApplication

    return QApplication.topLevelWidgets()


def test_the_advisor_name_is_required(qtbot, tmp_path):
    from lr_desk.ui.tasks import Tasks

    store = open_store(tmp_path / "p")
    tasks = Tasks(store)
    try:
        with store.session() as s:
            from lr_desk.ui.context import Lists

            lists = Lists.load(s)
        dialog = AdvisorDialog(tasks, [], lists.sites)
        qtbot.addWidget(dialog)
        dialog.save()
        qtbot.waitUntil(lambda: dialog.f.errors["name"].isVisibleTo(dialog), timeout=10_000)
        assert "advisor's name" in dialog.f.errors["name"].text()
        assert dialog.chosen is None
    finally:
        tasks.shutdown()
        store.close()


def test_demo_profile_is_separate_filled_and_marked(qtbot, desks, tmp_path):
    base = tmp_path / "base"
    from tests.ui.conftest import make_profile

    make_profile(data_dir(base, demo=True))
    desk = desks.start(data_dir(base, demo=True), demo=True)
    assert "DEMO" in desk.window.windowTitle()
    assert len(desk.search.index) >= 100
    assert not (base / "lr_desk.sqlite").exists()  # the real profile is untouched


def test_the_window_comes_first_and_keeps_what_is_typed_while_the_desk_opens(qtbot, tmp_path):
    from lr_desk.services import people
    from lr_desk.ui.application import Startup
    from tests.ui.conftest import make_profile

    folder = tmp_path / "desk"
    make_profile(folder)
    store = open_store(folder)
    with store.session() as s:
        adv = settings.get(s, "advisor_id")
        people.register(s, {"given_name": "Bernadette", "family_name": "Okafor"}, adv, "walton")
    store.close()

    startup = Startup(folder, ask_advisor=False)
    try:
        window = startup.window
        assert window.isVisible() and window.store is None  # the frame, still opening
        assert not window.new_action.isEnabled()
        from tests.ui.test_accessibility import unnamed_controls

        assert unnamed_controls(window) == []  # the frame too: the search box is named
        qtbot.keyClicks(window.query, "okafor")  # typed before the pages are in
        with qtbot.waitSignal(startup.opened, timeout=30_000):
            pass
        people_page = window.people
        assert people_page.query is window.query and window.query.text() == "okafor"
        qtbot.waitUntil(lambda: people_page.model.rowCount() == 1, timeout=30_000)
        assert people_page.model.hits[0].entry.given_name == "Bernadette"
        assert window.new_action.isEnabled()
        assert "Alex Advisor" in window.windowTitle()
    finally:
        startup.close()


def test_a_folder_that_cannot_be_opened_is_said_plainly(qtbot, tmp_path):
    from lr_desk.ui.application import Startup

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data folder should be")
    startup = Startup(blocked)
    try:
        with qtbot.waitSignal(startup.failed, timeout=30_000) as failed:
            pass
        assert failed.args[0]
        assert "could not open" in startup.window.status_label.text()
    finally:
        startup.close()
        startup.window.close()


def test_every_start_asks_who_is_at_the_desk_with_the_last_one_chosen(qtbot, tmp_path):
    from lr_desk.ui.application import DeskApp
    from tests.ui.conftest import make_profile

    folder = tmp_path / "shared-desk"
    first_id = make_profile(folder, name="Alex Advisor")
    seen = []

    def answer():
        dialog = next(w for w in qtbot_top_levels() if isinstance(w, AdvisorDialog)
                      and w.isVisible())
        seen.append(dialog.f.widgets["advisor"].currentData())
        dialog.start_button.click()
        dialog.start_button.click()  # a double press adds nothing twice

    QTimer.singleShot(200, answer)
    desk = DeskApp.open(folder)
    try:
        assert seen == [first_id]
        assert "Alex Advisor" in desk.window.windowTitle()
    finally:
        desk.close()


def test_change_advisor_at_a_shared_desk(qtbot, desks, profile):
    from lr_desk.services import advisors as advisor_service

    desk = desks.start(profile)
    with desk.store.session() as s:
        other = advisor_service.create(s, "Bea Bootle", "bootle")
    desk.window.reload_lists()
    qtbot.waitUntil(lambda: len(desk.window.desk.lists.advisors) == 2, timeout=10_000)

    def answer():
        dialog = next(w for w in qtbot_top_levels() if isinstance(w, AdvisorDialog)
                      and w.isVisible())
        dialog.f.load({"advisor": other.id, "site_code": "bootle"})
        dialog.start_button.click()

    QTimer.singleShot(200, answer)
    desk.window.advisor_action.trigger()
    qtbot.waitUntil(lambda: desk.window.desk.advisor_id == other.id, timeout=10_000)
    assert "Bea Bootle at The Life Rooms Bootle" in desk.window.windowTitle()
    assert desk.window.today.advisor_id == other.id
    # what is saved from now on says it was Bea (for "who" under Needs review)
    from lr_desk.services import people as people_service
    from lr_desk.store.models import Outbox

    with desk.store.session() as s:
        people_service.register(s, {"given_name": "Cy", "family_name": "Who"}, other.id,
                                "bootle")
    with desk.store.session() as s:
        last = s.scalars(select(Outbox).order_by(Outbox.seq.desc())).first()
        assert last.seen["~by"] == other.id


def test_ctrl_n_starts_from_what_was_typed_in_find(qtbot, desks, profile):
    desk = desks.start(profile)
    qtbot.keyClicks(desk.window.query, "Jane Smith 12/03/1980")
    desk.window.new_action.trigger()
    from lr_desk.ui.people import PersonDialog

    dialog = [d for d in desk.window.editors if isinstance(d, PersonDialog)][-1]
    w = dialog.f.widgets
    assert (w["given_name"].text(), w["family_name"].text(), w["date_of_birth"].text()) == (
        "Jane", "Smith", "12/03/1980")


def test_settling_keys_typed_as_the_advisor_question_appears_pick_nobody(qtbot, tmp_path):
    from lr_desk.services import advisors
    from lr_desk.ui.context import Lists
    from lr_desk.ui.tasks import Tasks

    store = open_store(tmp_path / "p")
    tasks = Tasks(store)
    try:
        with store.session() as s:
            sam = advisors.create(s, "Sam Smith", "walton")
            advisors.create(s, "Alex Advisor", "walton")
            lists = Lists.load(s)
        dialog = AdvisorDialog(tasks, lists.advisors, lists.sites, sam.id, "walton")
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.keyClicks(dialog.f.widgets["advisor"], "al")  # still typing a search
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
        assert dialog.chosen is None and dialog.isVisible()
        assert dialog.f.widgets["advisor"].currentData() == sam.id
        qtbot.waitUntil(dialog.start_button.isEnabled, timeout=5_000)  # then it takes keys
        assert dialog.f.widgets["advisor"].hasFocus() or not dialog.isActiveWindow()
    finally:
        tasks.shutdown()
        store.close()


def test_data_from_a_newer_lr_desk_is_left_alone_and_says_to_update(qtbot, tmp_path):
    import sqlite3

    from lr_desk.ui.application import Startup

    folder = tmp_path / "newer"
    make_profile_here = open_store(folder)
    make_profile_here.close()
    db = sqlite3.connect(folder / "lr_desk.sqlite")
    db.execute("UPDATE alembic_version SET version_num = '9999'")
    db.commit()
    db.close()
    before = (folder / "lr_desk.sqlite").read_bytes()
    startup = Startup(folder, ask_advisor=False)
    try:
        with qtbot.waitSignal(startup.failed, timeout=30_000) as failed:
            pass
        assert "newer version of lr_desk" in failed.args[0] and "update" in failed.args[0]
    finally:
        startup.close()
        startup.window.close()
    assert (folder / "lr_desk.sqlite").read_bytes() == before  # not touched


def test_ctrl_1_and_3_while_the_desk_opens_do_no_harm(qtbot, tmp_path):
    from lr_desk.ui.application import Startup
    from tests.ui.conftest import make_profile

    folder = tmp_path / "d"
    make_profile(folder)
    startup = Startup(folder, ask_advisor=False)
    try:
        window = startup.window
        from PySide6.QtGui import QAction

        by_key = {a.shortcut().toString(): a for a in window.findChildren(QAction)}
        by_key["Ctrl+1"].trigger()  # before the pages are in
        assert window.tabs.currentIndex() == 0
        by_key["Ctrl+3"].trigger()
        assert window.tabs.currentIndex() == 2
        with qtbot.waitSignal(startup.opened, timeout=30_000):
            pass
    finally:
        startup.close()
