"""The desk's table models obey Qt's model rules (pytest-qt's model tester, both Qt's own
C++ tester and pytest-qt's Python one), and screen readers hear what sighted people see."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt

from lr_desk import settings
from lr_desk.services import desk as desk_service
from lr_desk.services import dropin, followups, people
from lr_desk.services.desk import ConversationRow, FollowUpRow, TimelineEntry
from lr_desk.services.search import Entry, SearchIndex
from lr_desk.ui.people import PeopleModel
from lr_desk.ui.person import TimelineModel
from lr_desk.ui.today import RowsModel, TodayPage

DISPLAY = Qt.ItemDataRole.DisplayRole
ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
TESTERS = pytest.mark.parametrize("force_py", [False, True], ids=["qt-tester", "py-tester"])


def _cells(model) -> list[QModelIndex]:
    return [model.index(r, c) for r in range(model.rowCount())
            for c in range(model.columnCount())]


def assert_screen_readers_hear_the_cells(model) -> None:
    """Every cell's accessible text is its displayed text, and is a string."""
    cells = _cells(model)
    assert cells, "an empty model proves nothing here"
    for index in cells:
        shown = model.data(index, DISPLAY)
        assert isinstance(shown, str), (index.row(), index.column(), shown)
        assert model.data(index, ACCESSIBLE) == shown, (index.row(), index.column())


# -- People search results ----------------------------------------------------------------

def _index() -> SearchIndex:
    index = SearchIndex()
    for n, (given, family, preferred, born, postcode, phone) in enumerate([
        ("Margaret", "Fitzgerald", "Peggy", date(1957, 4, 3), "L9 2AF", "0151 496 0123"),
        ("Siobhán", "Fitzgerald", "", None, "", ""),
        ("Tomasz", "Fitzgerald-Nowak", "Tom", date(1990, 12, 1), "L4 0TH", ""),
        ("Amina", "Yusuf", "", date(2001, 1, 31), "L8 1XY", "07700 900123"),
    ]):
        index.upsert(Entry(f"person-{n}", given, family, preferred, born, postcode, phone))
    return index


def _people_model(qtbot) -> PeopleModel:
    model = PeopleModel()
    hits, total = _index().search("fitzgerald")
    assert total == 3
    model.set_hits(hits)
    return model


@TESTERS
def test_people_model_with_hits(qtmodeltester, qtbot, force_py):
    model = _people_model(qtbot)
    assert model.rowCount() == 3 and model.columnCount() == 5  # ... and what each was found by
    qtmodeltester.check(model, force_py=force_py)
    # a new query resets the rows; the tester re-checks on the reset
    model.set_hits(_index().search("yusuf")[0])
    assert model.rowCount() == 1
    model.set_hits([])
    assert model.rowCount() == 0


@TESTERS
def test_an_empty_people_model(qtmodeltester, force_py):
    model = PeopleModel()
    qtmodeltester.check(model, force_py=force_py)
    assert model.rowCount() == 0
    assert not model.index(0, 0).isValid()
    assert model.data(model.index(0, 0)) is None
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"


def test_people_rows_show_the_person_and_carry_their_id(qtbot):
    model = _people_model(qtbot)
    rows = {model.data(model.index(r, 0), Qt.ItemDataRole.UserRole):
            [model.data(model.index(r, c)) for c in range(4)] for r in range(3)}
    assert rows["person-0"] == ["Peggy (Margaret) Fitzgerald", "03/04/1957", "L9 2AF",
                                "0151 496 0123"]
    assert rows["person-1"] == ["Siobhán Fitzgerald", "", "", ""]
    assert_screen_readers_hear_the_cells(model)


# -- a person's timeline ------------------------------------------------------------------

def _person_with_history(store) -> str:
    """A person with a conversation (needs, escalation), an item referred, a follow-up."""
    with store.session() as s:
        advisor_id = settings.get(s, "advisor_id")
        person = people.register(s, {"given_name": "Nia", "family_name": "Jones"},
                                 advisor_id, "walton")
        known = dropin.Known.load(s)
        service_id = next(sid for sid, name in known.services.items()
                          if name == "Benefits and debt drop-in")
        category = sorted(known.categories)[0]
        from lr_desk.services import consent  # a referral is sent only with it
        from lr_desk.store.models import PartnerService

        consent.record(s, person.id, advisor_id, {
            "kind": "share", "partner_id": s.get(PartnerService, service_id).partner_id})
        dropin.record_drop_in(s, person.id, advisor_id, {
            "conversation": {"site_code": "walton", "mode": "drop_in",
                             "what_matters": "My garden\nand my dog",
                             "needs": [category], "escalated": True,
                             "escalation_reason": "distress",
                             "escalation_action": "Stayed with her"},
            "items": [{"kind": "partner_service", "service_id": service_id, "why": "Bills",
                       "refer": True, "referral_status": "sent"},
                      {"kind": "own_step", "title": "Walk to the park", "first_step": "Monday"}],
            "follow_up": {"due_date": (date.today() + timedelta(days=2)).strftime("%d/%m/%Y"),
                          "due_time": "10:00", "way": "call"},
        })
        return person.id


@pytest.fixture
def timeline(profile):
    from tests.ui.conftest import unlocked_store

    store = unlocked_store(profile)
    try:
        pid = _person_with_history(store)
        with store.session() as s:
            view = desk_service.person_view(s, pid)
    finally:
        store.close()
    model = TimelineModel()
    model.set_entries(view.timeline)
    return model


@TESTERS
def test_timeline_model_from_a_real_person_view(qtmodeltester, timeline, force_py):
    kinds = sorted(e.kind for e in timeline.entries)
    assert kinds == ["conversation", "follow_up", "item", "item", "prescription", "referral"]
    qtmodeltester.check(timeline, force_py=force_py)
    timeline.set_entries(list(reversed(timeline.entries)))
    timeline.set_entries([])
    assert timeline.rowCount() == 0


@TESTERS
def test_timeline_model_with_hand_made_entries(qtmodeltester, force_py):
    model = TimelineModel()
    model.set_entries([
        TimelineEntry(datetime(2025, 3, 7, 14, 5), "referral", "Referral to X (Y): Sent",
                      "07 Mar 2025 14:05 Sent (Alex Advisor)", referral_id="r1", open=True),
        TimelineEntry(datetime(2025, 3, 1), "follow_up", "Follow-up done (Phone call)",
                      "Outcome: fine", follow_up_id="f1"),
        TimelineEntry(datetime(2024, 12, 31, 9), "conversation", "Conversation", ""),
    ])
    qtmodeltester.check(model, force_py=force_py)
    assert model.index(0, 0).data() == "07 Mar 2025"
    assert model.index(2, 2).data() == ""
    # open entries are bold, closed ones are not
    assert model.index(0, 1).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(1, 1).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole) == model.index(0, 2).data()


def test_screen_readers_hear_the_timeline(timeline):
    assert_screen_readers_hear_the_cells(timeline)
    details = [timeline.index(r, 2).data(ACCESSIBLE) for r in range(timeline.rowCount())]
    assert any("What matters: My garden\nand my dog" in d for d in details)


# -- Today ------------------------------------------------------------------------------------

def _today_models(qtbot):
    """Today's follow-ups (in their groups) and recent conversations, with the columns
    the page really uses."""
    page = TodayPage(tasks=None, advisor_id="a", site_code="walton")
    qtbot.addWidget(page)
    day = date(2025, 3, 7)
    page.today = lambda: day
    page.follow_ups.set_groups(followups.grouped(FOLLOW_UPS, day), day)
    page.recent.set_rows([
        ConversationRow("c1", "p1", "Peggy Fitzgerald", datetime(2025, 3, 7, 9, 15),
                        "Drop-in", "Alex Advisor", ["Debt and benefits", "Social isolation"]),
        ConversationRow("c2", "p3", "Amina Yusuf", datetime(2024, 3, 6, 16, 0), "Phone call",
                        "Sam Advisor", []),
    ])
    return page.follow_ups, page.recent


FOLLOW_UPS = [
    FollowUpRow("f1", "p1", "Peggy Fitzgerald", date(2025, 3, 5), "10:30", "Phone call",
                "walton", "Alex Advisor", overdue=True),
    FollowUpRow("f2", "p2", "Siobhán Fitzgerald", date(2025, 3, 7), "", "Drop-in", "walton",
                "Sam Advisor", overdue=False),
    FollowUpRow("f3", "p3", "Amina Yusuf", date(2024, 11, 5), "", "Text message", "walton",
                "Sam Advisor", overdue=True),
]


@TESTERS
def test_today_follow_ups_tree_model(qtmodeltester, qtbot, force_py):
    follow_ups, _ = _today_models(qtbot)
    assert follow_ups.rowCount() == 3  # today's, earlier this week, older
    qtmodeltester.check(follow_ups, force_py=force_py)
    follow_ups.set_groups(followups.grouped(FOLLOW_UPS[:1], date(2025, 3, 7)),
                          date(2025, 3, 7))
    follow_ups.set_groups([], date(2025, 3, 7))
    assert follow_ups.rowCount() == 0 and follow_ups.rows == []


@TESTERS
def test_today_recent_rows_model(qtmodeltester, qtbot, force_py):
    _, recent = _today_models(qtbot)
    assert recent.rowCount() == 2
    qtmodeltester.check(recent, force_py=force_py)
    recent.set_rows(recent.rows[:1])
    recent.set_rows([])


@TESTERS
def test_an_empty_rows_model(qtmodeltester, force_py):
    model = RowsModel([("Name", lambda r: r)])
    qtmodeltester.check(model, force_py=force_py)
    assert model.rowCount() == 0 and model.columnCount() == 1


def test_screen_readers_hear_today(qtbot):
    follow_ups, recent = _today_models(qtbot)
    groups = [follow_ups.index(g, 0) for g in range(follow_ups.rowCount())]
    assert [g.data(ACCESSIBLE) for g in groups] == [g.data() for g in groups] == [
        "Due today (1)", "Earlier this week (1)", "Older (1)"]
    cells = [[follow_ups.index(r, c, g) for c in range(5)]
             for g in groups for r in range(follow_ups.rowCount(g))]
    assert [[i.data() for i in row] for row in cells] == [
        ["Any time", "Siobhán Fitzgerald", "Drop-in", "Sam Advisor", ""],
        ["Wed 5 Mar 10:30", "Peggy Fitzgerald", "Phone call", "Alex Advisor", "2 days ago"],
        ["Tue 5 Nov 2024", "Amina Yusuf", "Text message", "Sam Advisor", "4 months ago"]]
    assert all(i.data(ACCESSIBLE) == i.data() for row in cells for i in row)
    assert cells[1][0].data(Qt.ItemDataRole.ForegroundRole) is not None  # overdue
    assert cells[0][0].data(Qt.ItemDataRole.ForegroundRole) is None
    assert_screen_readers_hear_the_cells(recent)
    assert recent.index(0, 0).data() == "Fri 7 Mar 09:15"
    assert recent.index(1, 0).data() == "Wed 6 Mar 2024 16:00"  # not this year: it says so
    assert recent.index(0, 4).data() == "Debt and benefits, Social isolation"


def test_screen_readers_hear_the_people_found(qtbot):
    assert_screen_readers_hear_the_cells(_people_model(qtbot))
