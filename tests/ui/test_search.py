"""The People page's Find box, typed into as an advisor does: a nickname and a slip in the
surname still find the person, and the list says why each was found (issue 11)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from lr_desk.services.changes import Changed
from lr_desk.services.search import SearchIndex
from lr_desk.ui.people import PeopleModel, PeoplePage
from lr_desk.ui.tasks import SearchService
from tests.ui.screen import assert_fits


@pytest.fixture
def page(qtbot, store, make_person):
    make_person(given_name="Stephen", family_name="Halsall", date_of_birth="02/04/1971",
                postcode="L9 2AF")
    make_person(given_name="Maureen", family_name="Doyle", date_of_birth="19/08/1950")
    make_person(given_name="Dale", family_name="Kirby")
    make_person(given_name="Ann", family_name="Halsey")
    service = SearchService(store)
    page = PeoplePage(service)
    qtbot.addWidget(page)
    page.resize(1366, 698)
    page.show()
    with qtbot.waitSignal(service.ready, timeout=20_000):
        service.start()
    yield page
    service.shutdown()


def shown(page: PeoplePage) -> list[tuple[str, str]]:
    model = page.model
    return [(model.index(r, 0).data(), model.index(r, PeopleModel.WHY).data())
            for r in range(model.rowCount())]


def type_into(qtbot, page: PeoplePage, text: str) -> None:
    page.query.clear()
    page.query.setFocus()
    with qtbot.waitSignal(page.search_service.results, timeout=20_000):
        qtbot.keyClicks(page.query, text)
    qtbot.waitUntil(lambda: page._answered == page._generation, timeout=20_000)


def test_a_nickname_and_a_slip_find_stephen_halsall_and_say_why(qtbot, page):
    type_into(qtbot, page, "steven halsel")
    assert shown(page) == [
        ("Stephen Halsall", "Stephen for “steven”, Halsall like “halsel”")]
    assert page.model.headerData(PeopleModel.WHY, Qt.Orientation.Horizontal) == "Found by"
    why = page.model.index(0, PeopleModel.WHY)
    assert why.data(Qt.ItemDataRole.ToolTipRole).startswith("Found by Stephen for “steven”")
    assert page.status.text().startswith("1 found")
    # the whole "why" is on screen, not cut off
    view = page.table
    assert view.columnViewportPosition(PeopleModel.WHY) + view.columnWidth(PeopleModel.WHY) \
        <= view.viewport().width()
    assert view.columnWidth(PeopleModel.WHY) >= view.sizeHintForColumn(PeopleModel.WHY)
    page.grab().save("/tmp/test_search_people_page.png")

    # Enter opens the person found
    with qtbot.waitSignal(page.open_person, timeout=20_000) as opened:
        qtbot.keyClick(page.query, Qt.Key.Key_Return)
    assert opened.args[0] == page.model.hits[0].entry.person_id


def test_dyle_puts_doyle_first_and_a_date_of_birth_narrows(qtbot, page):
    type_into(qtbot, page, "dyle")
    assert [name for name, _ in shown(page)] == ["Maureen Doyle", "Dale Kirby"]
    assert shown(page)[0][1] == "Doyle like “dyle”"
    type_into(qtbot, page, "halsel 2/4/1971")
    assert shown(page) == [("Stephen Halsall", "Halsall like “halsel”, date of birth")]
    type_into(qtbot, page, "L9 2AF")
    assert shown(page) == [("Stephen Halsall", "postcode")]


def test_the_page_fits_the_hub_screens(qtbot, page):
    type_into(qtbot, page, "halsall")
    assert_fits(page)


def _answer(qtbot, service: SearchService, text: str) -> list[str]:
    with qtbot.waitSignal(service.results, timeout=20_000) as answered:
        service.search(text)
    return [hit.entry.display_name for hit in answered.args[1]]


def test_saved_while_the_index_builds_found_then_and_after(qtbot, store, make_person,
                                                           monkeypatch):
    """The stored keys answer while the index builds, a person saved meanwhile too; the
    index, once built, has them; and their stored keys are made again in the background."""
    from lr_desk.services.search_keys import changed_count, fix_up

    make_person(given_name="Maureen", family_name="Doyle")
    with store.session() as s:
        fix_up(s)
    let_go = threading.Event()
    build = SearchIndex.build.__func__
    monkeypatch.setattr(SearchIndex, "build", classmethod(
        lambda cls, session: let_go.wait(60) and build(cls, session)))
    service = SearchService(store)
    try:
        with qtbot.waitSignal(service.ready, timeout=20_000):
            service.start()
        assert service.index is None and service.stored is not None
        dale = make_person(given_name="Dale", family_name="Doyle")
        with qtbot.waitSignal(service.ready, timeout=20_000):  # (the search on screen again)
            service.on_changed(Changed.of({"person": [dale.id]}))
        assert sorted(_answer(qtbot, service, "doyle")) == ["Dale Doyle", "Maureen Doyle"]
        with qtbot.waitSignal(service.built, timeout=20_000):
            let_go.set()
        assert service.index is not None
        assert sorted(_answer(qtbot, service, "doyle")) == ["Dale Doyle", "Maureen Doyle"]

        def keyed() -> bool:
            with store.Session() as s:
                return changed_count(s) == 0
        qtbot.waitUntil(keyed, timeout=20_000)  # Dale's keys made, on the build lane
    finally:
        let_go.set()
        service.shutdown()
