"""The desk's house: it opens on Today, the navigation shows where you are and goes
where the keys say, the window fits the hub screens and keeps its size, Help has the
shortcuts and About, and pages hear what changed from one announcement."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from lr_desk.services.changes import Changed
from lr_desk.ui import style
from lr_desk.ui.help import AboutDialog, ShortcutsDialog
from tests.ui.screen import assert_fits


def nav_texts(window) -> list[str]:
    items = window.tabs.list
    return [items.item(i).text() for i in range(items.count())]


def test_the_desk_opens_on_today_and_the_navigation_says_where_you_are(qtbot, desks,
                                                                         profile):
    desk = desks.start(profile)
    window = desk.window
    assert window.tabs.currentWidget() is window.today
    assert nav_texts(window)[:3] == ["Today", "People", "Directory"]
    assert window.tabs.list.currentItem().text() == "Today"
    assert style.TITLE in window.windowTitle()

    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # Alt+P
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.people, timeout=5000)
    assert window.tabs.list.currentItem().text() == "People"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.today


def test_an_open_record_is_listed_below_the_sections_and_closes_with_ctrl_w(
        qtbot, desks, profile):
    from lr_desk.services import people

    desk = desks.start(profile)
    ids = []
    desk.tasks.run(lambda s: people.register(s, {"given_name": "Ann", "family_name": "Lee"},
                                             desk.window.desk.advisor_id, "walton").id,
                   ids.append)
    qtbot.waitUntil(lambda: bool(ids), timeout=20_000)
    person_id = ids[0]
    window = desk.window
    page = window.open_person(person_id)
    qtbot.waitUntil(lambda: "Ann Lee" in nav_texts(window), timeout=20_000)
    texts = nav_texts(window)
    assert texts.index("Open records") < texts.index("Ann Lee")
    assert window.tabs.currentWidget() is page
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Ann Lee" not in nav_texts(window), timeout=5000)
    assert "Open records" not in nav_texts(window)
    assert window.tabs.currentWidget() is not page


def test_the_window_fits_the_hub_screens_and_keeps_its_size(qtbot, desks, profile):
    desk = desks.start(profile)
    window = desk.window
    for page in (window.today, window.people, window.directory):
        window.tabs.setCurrentWidget(page)
        assert_fits(window)
    window.resize(1200, 650)
    desks.stop(desk)  # closing keeps its size
    again = desks.start(profile)
    assert (again.window.width(), again.window.height()) == (1200, 650)


def test_f1_lists_the_keyboard_shortcuts_and_about_names_the_licences(qtbot, desks,
                                                                      profile):
    desk = desks.start(profile)
    window = desk.window
    window.activateWindow()
    window.shortcuts_action.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, ShortcutsDialog) and w.isVisible())
    rows = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text()
            for r in range(dialog.table.rowCount())}
    assert rows["Find a person"] == "Ctrl+F"
    assert rows["Keyboard shortcuts"] == "F1"
    assert rows["People"] == "Ctrl+2"
    assert_fits(dialog)
    dialog.reject()
    about = window.show_about()
    assert isinstance(about, AboutDialog)
    table = about.table  # (the licences themselves: tests/ui/test_about.py)
    text = " ".join(table.item(r, c).text() for r in range(table.rowCount()) for c in (0, 2))
    assert "ISC" in text and "Lucide" in text and "LGPL" in text
    assert_fits(about)
    about.reject()


def test_a_save_is_announced_once_with_what_it_changed(qtbot, desks, profile):
    from lr_desk.services import people

    desk = desks.start(profile)
    heard: list[Changed] = []
    desk.tasks.changed.connect(heard.append)
    saved = []
    desk.tasks.run(lambda s: people.register(s, {"given_name": "Bo", "family_name": "Yu"},
                                             desk.window.desk.advisor_id, "walton").id,
                   saved.append)
    qtbot.waitUntil(lambda: bool(saved and heard), timeout=20_000)
    assert heard[-1].ids("person") == {saved[0]}
    assert not heard[-1].pulled
    before = len(heard)
    desk.tasks.run(lambda s: people.likely_matches(s, "Bo", "Yu", None),
                   saved.append)  # a read changes nothing: nothing is announced
    qtbot.waitUntil(lambda: len(saved) == 2, timeout=20_000)
    qtbot.wait(100)
    assert len(heard) == before


def test_the_file_cleared_after_an_erasure_is_written_by_the_one_writer(
        qtbot, desks, tmp_path, monkeypatch):
    """The VACUUM after an erasure runs on the database lane, queued with the saves (on a
    lane of its own, a long one made a save meanwhile fail as "busy")."""
    import threading

    from lr_desk.services import erasure, people
    from tests.services.erasing import rich_person
    from tests.ui.conftest import make_profile
    from tests.ui.test_erase import fill_in, open_page, start_erasing

    threads = {}
    real_wipe = erasure.wipe

    def wipe(engine):
        threads["wipe"] = threading.current_thread().name
        return real_wipe(engine)

    monkeypatch.setattr(erasure, "wipe", wipe)
    folder = tmp_path / "profile"
    manager_id = make_profile(folder, name="Mo Manager", role="manager")
    desk = desks.start(folder)
    window = desk.window
    with window.store.session() as s:
        person_id = rich_person(s, manager_id)
    dialog = start_erasing(qtbot, open_page(qtbot, window, person_id))
    fill_in(qtbot, dialog, "zephy quillfeather")
    saved = []

    def save_meanwhile(_people) -> None:  # a save at the desk as the erasure commits
        desk.tasks.run(lambda s: (threading.current_thread().name, people.register(
            s, {"given_name": "Cy", "family_name": "Day"}, manager_id, "walton").id),
            saved.append)

    dialog.erased.connect(save_meanwhile)
    with qtbot.waitSignal(dialog.wiped, timeout=60_000):
        dialog.erase_button.click()
    qtbot.waitUntil(lambda: bool(saved), timeout=30_000)
    assert threads["wipe"] == saved[0][0]  # the same one thread: the save waited its turn
