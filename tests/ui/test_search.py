"""The People page's Find box, typed into as an advisor does: a nickname and a slip in the
surname still find the person, and the list says why each was found (issue 11)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

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
