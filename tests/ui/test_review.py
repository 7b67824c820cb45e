"""Needs review, driven through the real widgets on real stores: two devices make a
conflict (or register one person twice) and sync through a real SQLite central store;
the desk opens on one device's profile folder and the advisor settles it from "Needs
review" by keyboard and mouse; a sync later, the other device holds the choice."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from lr_desk import settings
from lr_desk.profile import open_store
from lr_desk.services import advisors, dropin, duplicates, people, review
from lr_desk.store.clock import utcnow
from lr_desk.store.models import Person
from lr_desk.sync.engine import sync_once
from lr_desk.ui.review import (
    TITLE,
    ChangesModel,
    DuplicatesModel,
    MergeDialog,
    UndoMergeDialog,
    tab_title,
)
from tests.sync.devices import fresh_central, new_device
from tests.ui.screen import assert_fits
from tests.ui.test_accessibility import mnemonic_clashes, unnamed_controls
from tests.ui.test_models import TESTERS, assert_screen_readers_hear_the_cells

LONG = 30_000
CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier


class World:
    """Two devices, "a" and "b", sharing a real SQLite central store."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.url = f"sqlite:///{tmp_path / 'c.sqlite'}"
        self.central = fresh_central(self.url)
        self.stores = {name: new_device(tmp_path / name) for name in ("a", "b")}
        with self.stores["a"].session() as s:
            self.advisor = advisors.create(s, "Alex Advisor", "walton").id
        self.sync("a", "b")
        for name, store in self.stores.items():
            with store.session() as s:
                settings.put(s, "advisor_id", self.advisor)
                settings.put(s, "site_code", "walton" if name == "a" else "bootle")
                settings.put(s, "autosave_seconds", 1)

    def folder(self, name: str):
        return self.tmp_path / name

    def store(self, name: str):
        if name not in self.stores:
            self.stores[name] = open_store(self.folder(name))
        return self.stores[name]

    def sync(self, *names: str) -> None:
        for name in names:
            sync_once(self.store(name), self.central)

    def session(self, name: str):
        return self.store(name).session()

    def person(self, name: str, person_id: str) -> Person:
        with self.session(name) as s:
            return s.get(Person, person_id)

    def open_desk(self, desks, name: str):
        """The desk on this device's folder, syncing with the same central store."""
        from lr_desk.sync import connect

        with self.session(name) as s:
            connect.save(s, self.folder(name), self.url, f"Desk {name}", None)
        self.stores.pop(name).close()
        return desks.start(self.folder(name))

    def close_desk(self, desks, desk, name: str) -> None:
        desks.stop(desk)
        self.store(name)

    def close(self) -> None:
        for store in self.stores.values():
            store.close()
        self.central.close()


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.close()


def register(world, name: str, site: str = "walton", **details) -> str:
    with world.session(name) as s:
        return people.register(s, details, world.advisor, site).id


def edit(world, name: str, person_id: str, **values) -> None:
    with world.session(name) as s:
        person = s.get(Person, person_id)
        for k, v in values.items():
            setattr(person, k, v)


def conflict(world, **by_device) -> str:
    """Ann Lee, known to both devices; each changes her offline; both sync."""
    ann = register(world, "a", given_name="Ann", family_name="Lee", phone="0151 000 0000",
                   email="ann@example.org")
    world.sync("a", "b")
    for name, values in by_device.items():
        edit(world, name, ann, **values)
    world.sync("a", "b", "a")
    return ann


def same_person_twice(world) -> tuple[str, str]:
    """Ann Lee registered at Walton on a (with a visit), and Anne Lee at Bootle on b."""
    ann_a = register(world, "a", given_name="Ann", family_name="Lee",
                     date_of_birth="1980-03-04", postcode="L9 7AL")
    with world.session("a") as s:
        dropin.record_drop_in(s, ann_a, world.advisor, {"conversation": {
            "site_code": "walton", "mode": "drop_in", "needs": ["social_isolation"]}})
    ann_b = register(world, "b", "bootle", given_name="Anne", family_name="Lee",
                     date_of_birth="1980-03-04", phone="07700 900555")
    world.sync("a", "b", "a")
    return ann_a, ann_b


def show_review(qtbot, desk):
    """Ctrl+4, as an advisor would, once the page's count is in its tab."""
    window = desk.window
    page = window.review
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=LONG)
    qtbot.waitUntil(lambda: page.count is not None, timeout=LONG)
    with qtbot.waitSignal(page.loaded, timeout=LONG):  # refreshed when shown
        qtbot.keyClick(window, Qt.Key.Key_4, CTRL)
    assert window.tabs.currentWidget() is page
    return page


def title_of(desk) -> str:
    tabs = desk.window.tabs
    return tabs.tabText(tabs.indexOf(desk.window.review))


def press(qtbot, page, widget, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key that settles something; waits until the lists show what it left."""
    with qtbot.waitSignal(page.settled, timeout=LONG) as settled:
        qtbot.keyClick(widget, key, modifier)
    return settled.args[0]


def click(qtbot, page, button):
    assert button.isEnabled(), button.text()
    with qtbot.waitSignal(page.settled, timeout=LONG) as settled:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return settled.args[0]


def letter(text: str) -> str:
    """The Alt+letter of a label or button ("" for none)."""
    m = re.search(r"&([^&])", text.replace("&&", ""))
    return m.group(1).lower() if m else ""


def index_ids(desk, text: str) -> set[str]:
    hits, _total = desk.search.index.search(text, 50)
    return {h.entry.person_id for h in hits}


# -- changed values -----------------------------------------------------------------------


def test_a_conflict_is_settled_by_keyboard_and_the_choice_reaches_the_other_device(
        qtbot, desks, world):
    ann = conflict(world, a={"phone": "0151 111 1111"}, b={"phone": "0151 222 2222"})
    assert world.person("a", ann).phone == "0151 222 2222"  # b's, the later, won
    desk = world.open_desk(desks, "a")
    window = desk.window
    qtbot.waitUntil(lambda: title_of(desk) == "Needs re&view (1)", timeout=LONG)
    page = show_review(qtbot, desk)

    model = page.changes
    assert model.rowCount() == 1
    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    assert cells[:3] == ["Person's details: Ann Lee", "Phone number", "0151 222 2222"]
    assert cells[4] == "0151 111 1111"
    assert "another desk" in cells[3] and "this desk" in cells[5]
    assert page.keep_button.isEnabled() and page.other_button.isEnabled()
    assert not page.restore_button.isEnabled() and not page.deleted_button.isEnabled()

    # Alt+C reaches the list; Enter opens the person
    qtbot.keyClick(window, Qt.Key.Key_C, ALT)
    assert QApplication.focusWidget() is page.changes_table
    with qtbot.waitSignal(window.person_opened, timeout=LONG) as opened:
        qtbot.keyClick(page.changes_table, Qt.Key.Key_Return)
    person_page = opened.args[0]
    assert person_page.person_id == ann and window.tabs.currentWidget() is person_page
    qtbot.waitUntil(lambda: "0151 222 2222" in person_page.details.text(), timeout=LONG)

    page = show_review(qtbot, desk)
    qtbot.keyClick(window, Qt.Key.Key_C, ALT)
    outcome = press(qtbot, page, window, Qt.Key.Key_U, ALT)  # Use the other value
    assert outcome.error == ""
    assert page.message.text().startswith("Used the other value")
    assert model.rowCount() == 0
    assert title_of(desk) == TITLE
    assert page.changes_label.text() == "&Changes to check (none)"
    # the open person page and the search index show the value chosen
    qtbot.waitUntil(lambda: "0151 111 1111" in person_page.details.text(), timeout=LONG)
    qtbot.waitUntil(lambda: ann in index_ids(desk, "0151 111 1111"), timeout=LONG)

    world.close_desk(desks, desk, "a")
    world.sync("a", "b")
    for name in ("a", "b"):
        assert world.person(name, ann).phone == "0151 111 1111"
        with world.session(name) as s:
            assert review.open_items(s) == []


def test_keep_this_value_and_a_choice_already_made_elsewhere_said_plainly(
        qtbot, desks, world, no_unexpected_modal):
    ann = conflict(world, a={"phone": "0151 111 1111", "email": "ann.a@example.org"},
                   b={"phone": "0151 222 2222", "email": "ann.b@example.org"})
    desk = world.open_desk(desks, "b")
    page = show_review(qtbot, desk)
    assert sorted(page.changes.index(r, 1).data() for r in range(2)) == ["Email address",
                                                                     "Phone number"]
    assert title_of(desk) == "Needs re&view (2)"

    # the first row is settled behind the page's back (as if by a sync)
    stale = page.changes.rows[0]
    with qtbot.waitCallback(timeout=LONG) as settled_elsewhere:
        desk.tasks.run(lambda s: review.keep(s, stale.id, "current"), settled_elsewhere)
    page.changes_table.setCurrentIndex(page.changes.index(0, 0))
    outcome = click(qtbot, page, page.keep_button)
    assert outcome.error == page.message.text()
    assert "already been settled" in page.message.text()
    assert "Traceback" not in page.message.text()
    assert page.changes.rowCount() == 1  # the lists show what is left

    other = page.changes.rows[0]
    page.changes_table.setCurrentIndex(page.changes.index(0, 0))
    click(qtbot, page, page.keep_button)
    assert page.message.text().startswith("Kept the value it has now")
    assert page.changes.rowCount() == 0 and title_of(desk) == TITLE

    world.close_desk(desks, desk, "b")
    world.sync("b", "a")
    for name in ("a", "b"):
        person = world.person(name, ann)
        assert (person.phone, person.email) == ("0151 222 2222", "ann.b@example.org")
        with world.session(name) as s:
            assert review.open_items(s) == []
    assert {stale.field, other.field} == {"Phone number", "Email address"}


def test_a_record_edited_while_deleted_is_restored(qtbot, desks, world):
    ann = conflict(world, a={"deleted_at": utcnow()}, b={"phone": "0151 999 9999"})
    desk = world.open_desk(desks, "a")
    page = show_review(qtbot, desk)
    assert page.changes.rowCount() == 1
    assert page.changes.index(0, 2).data() == "Deleted"
    assert not page.keep_button.isEnabled() and not page.other_button.isEnabled()
    assert page.deleted_button.isEnabled()
    click(qtbot, page, page.restore_button)
    assert page.message.text().startswith("Restored the record")
    assert page.changes.rowCount() == 0
    qtbot.waitUntil(lambda: ann in index_ids(desk, "Ann Lee"), timeout=LONG)  # findable

    world.close_desk(desks, desk, "a")
    world.sync("a", "b")
    for name in ("a", "b"):
        person = world.person(name, ann)
        assert person.deleted_at is None and person.phone == "0151 999 9999"
        with world.session(name) as s:
            assert review.open_items(s) == []


def test_refresh_shows_what_another_desk_settled(qtbot, desks, world):
    conflict(world, a={"phone": "0151 111 1111"}, b={"phone": "0151 222 2222"})
    desk = world.open_desk(desks, "a")
    page = show_review(qtbot, desk)
    assert page.changes.rowCount() == 1
    with world.session("b") as s:  # b settles it, and syncs
        (item,) = review.open_items(s)
        review.keep(s, item.id, "current")
    world.sync("b")
    desk.sync.sync_now()
    qtbot.waitUntil(lambda: desk.sync.status.kind == "synced", timeout=LONG)
    with qtbot.waitSignal(page.loaded, timeout=LONG):
        page.refresh()  # what the sync calls after a pull
    assert page.changes.rowCount() == 0 and title_of(desk) == TITLE


# -- possible duplicates --------------------------------------------------------------


def test_two_records_of_one_person_are_merged_and_the_merge_undone(qtbot, desks, world):
    ann_a, ann_b = same_person_twice(world)
    desk = world.open_desk(desks, "b")
    window = desk.window
    page = show_review(qtbot, desk)
    assert title_of(desk) == "Needs re&view (1)"
    pair = page.pairs.rows[0]
    assert {pair.a.id, pair.b.id} == {ann_a, ann_b}
    texts = [page.pairs.index(0, c).data() for c in range(3)]
    assert "Ann Lee, born 04/03/1980, L9 7AL, registered at The Life Rooms Walton" in texts
    assert ("Anne Lee, born 04/03/1980, 07700 900555, registered at The Life Rooms Bootle") in texts
    assert texts[2] == "Similar name; same date of birth"

    # Alt+W reaches the list; Enter on the second record opens it
    qtbot.keyClick(window, Qt.Key.Key_W, ALT)
    assert QApplication.focusWidget() is page.pairs_table
    page.pairs_table.setCurrentIndex(page.pairs.index(0, 1))
    with qtbot.waitSignal(window.person_opened, timeout=LONG) as opened:
        qtbot.keyClick(page.pairs_table, Qt.Key.Key_Return)
    assert opened.args[0].person_id == pair.b.id
    page = show_review(qtbot, desk)

    # Merge…: keep Anne (b's record); Ann's visit moves to her
    qtbot.keyClick(window, Qt.Key.Key_M, ALT)  # a mnemonic clicks after a moment
    qtbot.waitUntil(lambda: page.merge_dialog is not None, timeout=LONG)
    dialog = page.merge_dialog
    assert isinstance(dialog, MergeDialog) and dialog.isVisible()
    assert unnamed_controls(dialog) == [] and mnemonic_clashes(dialog) == {}
    keep_b = dialog.keep_a if pair.a.id == ann_b else dialog.keep_b
    qtbot.mouseClick(keep_b, Qt.MouseButton.LeftButton)
    assert dialog.chosen() == (ann_b, ann_a)
    with qtbot.waitSignal(page.settled, timeout=LONG):
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    assert page.message.text().startswith("Merged: everything is now with Anne Lee")
    assert page.pairs.rowCount() == 0 and title_of(desk) == TITLE
    qtbot.waitUntil(lambda: index_ids(desk, "Lee 04/03/1980") == {ann_b}, timeout=LONG)

    survivor = window.open_person(ann_b)
    # (her tab may have been open since before the merge: it reloads after it)
    qtbot.waitUntil(lambda: survivor.view is not None and bool(survivor.merges) and any(
        e.kind == "conversation" for e in survivor.timeline.entries), timeout=LONG)
    assert not survivor.undo_merge_button.isHidden()

    world.close_desk(desks, desk, "b")
    world.sync("b", "a")
    assert world.person("a", ann_a).merged_into == ann_b

    # undone, from the kept person's page (another day, the desk opened again)
    desk = world.open_desk(desks, "b")
    window = desk.window
    survivor = window.open_person(ann_b)
    qtbot.waitUntil(lambda: bool(survivor.merges), timeout=LONG)
    qtbot.mouseClick(survivor.undo_merge_button, Qt.MouseButton.LeftButton)
    (undo,) = survivor.findChildren(UndoMergeDialog)
    assert undo.choice.currentText().startswith("Ann Lee, merged on ")
    assert_fits(undo)
    assert unnamed_controls(undo) == [] and mnemonic_clashes(undo) == {}
    with qtbot.waitSignal(undo.done, timeout=LONG):
        qtbot.mouseClick(undo.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: survivor.undo_merge_button.isHidden(), timeout=LONG)
    qtbot.waitUntil(lambda: not any(e.kind == "conversation"
                                    for e in survivor.timeline.entries), timeout=LONG)
    qtbot.waitUntil(lambda: title_of(desk) == "Needs re&view (1)", timeout=LONG)  # listed again
    qtbot.waitUntil(lambda: index_ids(desk, "Lee 04/03/1980") == {ann_a, ann_b}, timeout=LONG)

    world.close_desk(desks, desk, "b")
    world.sync("b", "a")
    for name in ("a", "b"):
        assert world.person(name, ann_a).merged_into is None
        with world.session(name) as s:
            assert len(duplicates.possible_duplicates(s)) == 1


def test_not_the_same_person_by_keyboard_is_not_listed_again_anywhere(qtbot, desks, world):
    for given in ("Sam", "Samuel"):  # (a son named after his father, say)
        register(world, "a", given_name=given, family_name="Roe", phone="07700 900123")
    world.sync("a", "b")
    desk = world.open_desk(desks, "b")
    window = desk.window
    page = show_review(qtbot, desk)
    assert page.pairs.index(0, 2).data() == "Similar name; same phone number"
    qtbot.keyClick(window, Qt.Key.Key_W, ALT)
    press(qtbot, page, window, Qt.Key.Key_N, ALT)
    assert page.message.text() in ("Noted: Sam Roe and Samuel Roe are different people.",
                                   "Noted: Samuel Roe and Sam Roe are different people.")
    assert page.pairs.rowCount() == 0 and title_of(desk) == TITLE

    world.close_desk(desks, desk, "b")
    world.sync("b", "a")
    with world.session("a") as s:
        assert duplicates.possible_duplicates(s) == []


def test_a_merge_that_cannot_be_done_is_said_plainly(qtbot, desks, world):
    ann_a, ann_b = same_person_twice(world)
    desk = world.open_desk(desks, "a")
    page = show_review(qtbot, desk)
    advisor = world.advisor
    with qtbot.waitCallback(timeout=LONG) as merged_elsewhere:  # behind the page's back
        desk.tasks.run(lambda s: duplicates.merge(s, ann_a, ann_b, advisor), merged_elsewhere)
    dialog = page.ask_merge()
    with qtbot.waitSignal(page.settled, timeout=LONG):
        dialog.accept()
    assert page.message.text() == ("One of these people has already been merged into "
                                   "someone else.")
    assert page.pairs.rowCount() == 0


# -- models and accessibility -------------------------------------------------------------


@pytest.fixture
def rows(world):
    """Real rows of both lists, as a device holds them after a sync."""
    conflict(world, a={"phone": "0151 111 1111"}, b={"phone": "0151 222 2222"})
    same_person_twice(world)
    store = world.store("a")
    with store.session() as s:
        items = review.open_items(s, store.device_id)
        pairs = duplicates.possible_duplicates(s)
    assert items and pairs
    return items, pairs


@TESTERS
def test_changes_model(qtmodeltester, rows, force_py):
    model = ChangesModel()
    model.set_rows(rows[0])
    qtmodeltester.check(model, force_py=force_py)
    assert_screen_readers_hear_the_cells(model)
    assert model.index(0, 0).data(Qt.ItemDataRole.UserRole) == str(rows[0][0].id)
    model.set_rows([])
    assert model.rowCount() == 0


@TESTERS
def test_duplicates_model(qtmodeltester, rows, force_py):
    model = DuplicatesModel({"walton": "Walton", "bootle": "Bootle"}.get)
    model.set_rows(rows[1])
    qtmodeltester.check(model, force_py=force_py)
    assert_screen_readers_hear_the_cells(model)
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Why listed"


def test_the_page_is_named_and_reached_by_keyboard(qtbot, desks, world):
    conflict(world, a={"phone": "0151 111 1111"}, b={"phone": "0151 222 2222"})
    same_person_twice(world)
    desk = world.open_desk(desks, "a")
    window = desk.window
    page = show_review(qtbot, desk)
    assert unnamed_controls(page) == []
    assert mnemonic_clashes(page) == {}
    # nor with the letters always on screen: the menus and the section tabs
    always = {letter(t) for t in [a.text() for a in window.menuBar().actions()] +
              [window.tabs.tabText(i) for i in range(3)] + [tab_title(1)]}
    on_page = {letter(w.text()) for w in page.findChildren(QWidget)
               if isinstance(w, QLabel | QAbstractButton)}
    assert on_page & always - {""} == set(), on_page & always

    # Tab reaches every control; arrows move along a list
    page.refresh_button.setFocus()
    seen = {page.refresh_button}
    while len(seen) < 20 and QApplication.focusWidget() is not None:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if QApplication.focusWidget() in seen:
            break  # round the whole window
        seen.add(QApplication.focusWidget())
    wanted = [page.refresh_button, page.changes_table, page.keep_button, page.other_button,
              page.pairs_table, page.merge_button, page.not_same_button]
    assert [w.accessibleName() for w in wanted if w not in seen] == []
    page.changes_table.setFocus()
    page.changes_table.setCurrentIndex(page.changes.index(0, 0))
    qtbot.keyClick(page.changes_table, Qt.Key.Key_Right)
    assert page.changes_table.currentIndex().column() == 1
    # Alt+V, the tab's own letter, comes back here from anywhere
    window.tabs.setCurrentWidget(window.today)
    qtbot.keyClick(window, Qt.Key.Key_V, ALT)
    assert window.tabs.currentWidget() is page


# -- what someone must act on, kept up to date ----------------------------------------------


def test_the_count_follows_what_changes_and_goes_when_acted_on(qtbot, desks, world):
    """A family sharing a number is no work for anyone; a second registration of one
    person, made on another page of the desk, is counted at once; and the count goes
    once someone says they are different people."""
    for given, dob in (("Sam", "1960-01-02"), ("Jo", "1962-05-06"), ("Kit", "1990-03-04")):
        register(world, "a", given_name=given, family_name="Roe", phone="0151 496 0101",
                 date_of_birth=dob)
    desk = world.open_desk(desks, "a")
    window = desk.window
    page = window.review
    qtbot.waitUntil(lambda: page.count == 0, timeout=LONG)
    assert title_of(desk) == TITLE

    # two registrations of one man, saved through the desk's worker (as a form saves)
    advisor = world.advisor

    def twice(s):
        for given in ("Stephen", "Steven"):
            people.register(s, {"given_name": given, "family_name": "Halsall",
                                "date_of_birth": "1975-09-10"}, advisor, "walton")
    with qtbot.waitSignal(page.count_changed, timeout=LONG) as counted:
        desk.tasks.run(twice)
    assert counted.args == [1] and title_of(desk) == "Needs re&view (1)"
    assert page.pairs.rows[0].why == "Similar name; same date of birth"

    page = show_review(qtbot, desk)
    qtbot.keyClick(window, Qt.Key.Key_W, ALT)
    press(qtbot, page, window, Qt.Key.Key_N, ALT)  # Not the same person
    assert page.count == 0 and title_of(desk) == TITLE


def test_the_page_fits_the_hub_screens(qtbot, desks, world):
    conflict(world, a={"phone": "0151 111 1111"}, b={"phone": "0151 222 2222"})
    same_person_twice(world)
    desk = world.open_desk(desks, "a")
    page = show_review(qtbot, desk)
    assert_fits(desk.window)
    desk.window.resize(1366, 768 - 70)
    qtbot.wait(50)
    for button in (page.keep_button, page.merge_button, page.not_same_button):
        assert page.rect().contains(button.geometry().translated(
            button.mapTo(page, button.rect().topLeft()) - button.pos()))
    dialog = page.ask_merge()
    assert_fits(dialog)
    if shot := __import__("os").environ.get("LR_DESK_SHOTS"):
        desk.window.grab().save(f"{shot}/review.png")
        desk.window.resize(1280, 720 - 70)
        qtbot.wait(50)
        desk.window.grab().save(f"{shot}/review-1280.png")
        dialog.grab().save(f"{shot}/merge.png")
    dialog.reject()


def test_a_pull_that_brings_a_second_registration_is_counted(qtbot, desks, world):
    register(world, "a", given_name="Ann", family_name="Lee", date_of_birth="1980-03-04")
    world.sync("a")
    desk = world.open_desk(desks, "a")
    page = desk.window.review
    qtbot.waitUntil(lambda: page.count == 0, timeout=LONG)
    world.sync("b")
    register(world, "b", "bootle", given_name="Anne", family_name="Lee",
             date_of_birth="1980-03-04")  # on another desk, offline
    world.sync("b")
    with qtbot.waitSignal(page.count_changed, timeout=LONG) as counted:
        desk.sync.sync_now()  # (no refresh asked for: the page hears the pull)
    assert counted.args == [1] and title_of(desk) == "Needs re&view (1)"
    assert page.pairs.rows[0].why == "Similar name; same date of birth"


def test_a_page_that_goes_while_it_reads_is_not_answered(qtbot, desks, world):
    from lr_desk.ui.review import ReviewPage

    same_person_twice(world)
    desk = world.open_desk(desks, "a")
    qtbot.waitUntil(lambda: desk.window.review.count is not None, timeout=LONG)
    page = ReviewPage(desk.tasks, desk.window.desk)
    page.refresh()  # the whole desk, in steps, on the worker ...
    page.deleteLater()  # ... and the page goes (its section taken out, say)
    qtbot.waitUntil(lambda: desk.tasks.pending == 0, timeout=LONG)
    qtbot.wait(100)  # (answers that arrive afterwards have nowhere to go: no error)
    assert desk.window.review.count == 1
