"""The audit log: every audited action leaves exactly its record (who, when, which desk,
what), never a value typed; the database refuses to change or remove a record; the log
reads back in words, filtered and a page at a time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from lr_desk.services import audit, dropin, people, sheet
from lr_desk.services.reference import example_id
from lr_desk.store.clock import utcnow
from lr_desk.store.models import AuditEvent, ConversationNeed, Outbox, Person

TODAY = date(2025, 6, 11)
SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")
# What the tests type: none of it may reach the log.
TYPED = ("Siobhan", "Kearney", "0151 496 0000", "L9 2AF", "worried about her son",
         "Getting back to work", "To feel calmer", "Bring my old CV")


@pytest.fixture
def at_desk(store, advisor):
    """The store with an advisor at the desk, as the app sets it."""
    store.advisor_id = advisor.id
    return store


def records(store, **where) -> list[AuditEvent]:
    with store.session() as s:
        q = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
        for key, value in where.items():
            q = q.where(getattr(AuditEvent, key) == value)
        return list(s.scalars(q))


def new_records(store, before: int) -> list[AuditEvent]:
    return records(store)[before:]


def count(store) -> int:
    return len(records(store))


def assert_no_values(*events: AuditEvent) -> None:
    for e in events:
        for value in TYPED:
            assert value.lower() not in e.detail.lower(), e.detail


def register(store, advisor) -> Person:
    with store.session() as s:
        return people.register(s, {"given_name": "Siobhan", "family_name": "Kearney",
                                   "phone": "0151 496 0000", "postcode": "L9 2AF"},
                               advisor.id, "walton", today=TODAY)


def drop_in(course_id: str | None = None) -> dict:
    raw = {"conversation": {"date": "11/06/2025", "time": "10:15", "site_code": "walton",
                            "mode": "drop_in", "what_matters": "Getting back to work",
                            "private_notes": "worried about her son",
                            "needs": ["employment", "housing"]},
           "items": [{"kind": "partner_service", "service_id": SERVICE,
                      "title": "Help with the tenancy", "why": "To feel calmer",
                      "first_step": "Bring my old CV", "refer": True,
                      "referral_status": "agreed"}]}
    if course_id:
        raw["items"].append({"kind": "course", "course_id": course_id, "why": "x",
                             "first_step": "y"})
    return raw


# --- every change, by the change capture ---------------------------------------------------


def test_registering_a_person_is_one_create_record(at_desk, advisor):
    before = count(at_desk)
    person = register(at_desk, advisor)
    [event] = new_records(at_desk, before)
    assert (event.action, event.entity, event.entity_id, event.person_id) == \
        ("create", "person", person.id, person.id)
    assert (event.advisor_id, event.device_id) == (advisor.id, at_desk.device_id)
    fields = event.detail.split(", ")
    assert {"given_name", "family_name", "phone", "postcode"} <= set(fields)
    assert not {"created_at", "updated_at", "id"} & set(fields)
    assert_no_values(event)
    assert abs(event.at - utcnow()) < timedelta(minutes=5)


def test_an_edit_is_one_change_record_naming_only_the_fields_changed(at_desk, advisor):
    person = register(at_desk, advisor)
    before = count(at_desk)
    with at_desk.session() as s:
        p = s.get(Person, person.id)
        p.phone, p.postcode = "0151 000 1111", "L20 7AP"
    [event] = new_records(at_desk, before)
    assert (event.action, event.entity, event.entity_id, event.person_id) == \
        ("change", "person", person.id, person.id)
    assert sorted(event.detail.split(", ")) == ["phone", "postcode"]
    assert "0151" not in event.detail and "L20" not in event.detail


def test_a_save_that_changes_nothing_records_nothing(at_desk, advisor):
    person = register(at_desk, advisor)
    before = count(at_desk)
    with at_desk.session() as s:
        s.get(Person, person.id).phone = "0151 496 0000"  # as it was
    assert count(at_desk) == before


def test_deleting_is_a_delete_record_and_restoring_a_change(at_desk, advisor):
    person = register(at_desk, advisor)
    before = count(at_desk)
    with at_desk.session() as s:
        s.get(Person, person.id).deleted_at = utcnow()
    with at_desk.session() as s:
        s.get(Person, person.id).deleted_at = None
    deleted, restored = new_records(at_desk, before)
    assert (deleted.action, deleted.detail) == ("delete", "deleted_at")
    assert (restored.action, restored.detail) == ("change", "deleted_at")


def test_a_drop_in_leaves_a_record_per_row_each_with_its_person(at_desk, advisor):
    person = register(at_desk, advisor)
    before = count(at_desk)
    with at_desk.session() as s:
        dropin.record_drop_in(s, person.id, advisor.id, drop_in(), today=TODAY)
    made = new_records(at_desk, before)
    assert sorted(e.entity for e in made) == sorted([
        "conversation", "conversation_need", "conversation_need", "prescription",
        "prescription_item", "referral", "referral_event"])
    assert {e.action for e in made} == {"create"}
    # records with no person of their own are found through their parent
    assert {e.person_id for e in made} == {person.id}
    assert {(e.advisor_id, e.device_id) for e in made} == {(advisor.id, at_desk.device_id)}
    assert_no_values(*made)
    assert all("private_notes" in e.detail for e in made if e.entity == "conversation")


def test_a_change_to_a_row_found_through_its_parent_alone(at_desk, advisor):
    person = register(at_desk, advisor)
    with at_desk.session() as s:
        conversation_id = dropin.record_drop_in(s, person.id, advisor.id, drop_in(),
                                                today=TODAY).conversation_id
    before = count(at_desk)
    with at_desk.session() as s:  # a fresh session: the conversation is not loaded
        need = s.scalars(select(ConversationNeed).where(
            ConversationNeed.conversation_id == conversation_id)).first()
        need.category = "learning"
    [event] = new_records(at_desk, before)
    assert (event.entity, event.entity_id, event.person_id, event.detail) == \
        ("conversation_need", need.id, person.id, "category")


def test_a_record_about_no_person(at_desk, advisor):
    before = count(at_desk)
    with at_desk.session() as s:
        from lr_desk.services import advisors

        other = advisors.create(s, "Bea Advisor", "bootle")
    [event] = new_records(at_desk, before)
    assert (event.action, event.entity, event.entity_id, event.person_id) == \
        ("create", "advisor", other.id, None)


def test_every_audit_record_syncs_and_is_not_audited_itself(at_desk, advisor):
    with at_desk.session() as s:
        first = s.scalar(select(func.max(Outbox.seq))) or 0
    person = register(at_desk, advisor)
    with at_desk.session() as s:
        dropin.record_drop_in(s, person.id, advisor.id, drop_in(), today=TODAY)
        audit.record_opening(s, person.id)
    with at_desk.session() as s:
        entries = list(s.scalars(select(Outbox).where(Outbox.seq > first)
                                 .order_by(Outbox.seq)))
        events = {e.id: e for e in s.scalars(select(AuditEvent))}
    own = [e for e in entries if e.entity == "audit_event"]
    rest = [e for e in entries if e.entity != "audit_event"]
    # one audit record per change, and one more for the opening; each in the outbox once
    assert len(own) == len(rest) + 1 == len(events) - 1  # (- the advisor's, made before)
    for entry in own:
        assert entry.op == "insert"
        event = events[entry.entity_id]
        assert entry.fields["action"] == event.action
        assert entry.fields["detail"] == event.detail
        assert entry.fields["person_id"] == event.person_id
    # in the same order as the changes they record, stamped after them
    audited = [events[e.entity_id].entity_id for e in own
               if events[e.entity_id].action != "open_person"]
    assert audited == [e.entity_id for e in rest]
    hlc = {e.entity_id: e.hlc for e in entries}
    assert all(hlc[events[e.entity_id].entity_id] < e.hlc for e in own
               if events[e.entity_id].action != "open_person")


def test_a_failed_save_leaves_no_audit_record(at_desk, advisor):
    before = count(at_desk)
    with pytest.raises(RuntimeError), at_desk.session() as s:
        s.add(Person(given_name="Ghost", family_name="Row"))
        s.flush()
        raise RuntimeError("boom")
    assert count(at_desk) == before


def test_sessions_without_a_clock_record_nothing(at_desk):
    before = count(at_desk)
    with Session(at_desk.engine) as s, s.begin():  # as seeding and migrations write
        s.add(Person(given_name="Seed", family_name="Row"))
    assert count(at_desk) == before


def test_a_change_says_who_made_it_even_with_no_one_at_the_desk(store, advisor):
    person = register(store, advisor)  # (store.advisor_id is None: a script, a test)
    [event] = records(store, entity_id=person.id)
    assert (event.advisor_id, event.device_id) == (None, store.device_id)


# --- the actions recorded by name -----------------------------------------------------------


def test_opening_a_person_is_one_record(at_desk, advisor):
    person = register(at_desk, advisor)
    before = count(at_desk)
    with at_desk.session() as s:
        audit.record_opening(s, person.id)
    [event] = new_records(at_desk, before)
    assert (event.action, event.entity, event.entity_id, event.person_id, event.detail) == \
        ("open_person", "person", person.id, person.id, "")
    assert (event.advisor_id, event.device_id) == (advisor.id, at_desk.device_id)


@pytest.mark.parametrize(("how", "action"), [("printed", "print_sheet"), ("saved", "export")])
def test_giving_the_sheet_is_one_print_or_export_record(at_desk, advisor, other_advisor, how,
                                                         action):
    person = register(at_desk, advisor)
    with at_desk.session() as s:
        rx_id = dropin.record_drop_in(s, person.id, advisor.id, drop_in(),
                                      today=TODAY).prescription_id
    before = count(at_desk)
    with at_desk.session() as s:
        sheet.record_sheet_given(s, rx_id, other_advisor.id, how)
    made = new_records(at_desk, before)
    [given] = [e for e in made if e.action == action]
    assert (given.entity, given.entity_id, given.person_id) == ("prescription", rx_id,
                                                                person.id)
    assert (given.advisor_id, given.device_id) == (other_advisor.id, at_desk.device_id)
    assert "sheet" in given.detail
    assert_no_values(given)
    # and the prescription's change (when, how, by whom) as every change is
    [change] = [e for e in made if e.action != action]
    assert (change.action, sorted(change.detail.split(", "))) == \
        ("change", ["sheet_at", "sheet_by", "sheet_how"])
    assert len(made) == 2


def test_only_known_actions_are_recorded(at_desk):
    with at_desk.session() as s, pytest.raises(ValueError):
        audit.record(s, "peeked")


def test_the_demo_writes_its_records_at_its_own_times(at_desk, advisor):
    person = register(at_desk, advisor)
    then = datetime(2024, 3, 1, 10, 0)
    with at_desk.session() as s:
        s.info["now"] = then
        audit.record_opening(s, person.id)
        s.get(Person, person.id).phone = "0151 000 2222"
    assert {e.at for e in records(at_desk, at=then)} == {then}
    assert len(records(at_desk, at=then)) == 2


# --- append-only --------------------------------------------------------------------------


@pytest.fixture
def one_record(at_desk, advisor):
    person = register(at_desk, advisor)
    [event] = records(at_desk, entity_id=person.id)
    return event


@pytest.mark.parametrize("change", [
    {"detail": "given_name"}, {"action": "delete"}, {"advisor_id": None},
    {"person_id": "someone-else"}, {"at": datetime(2020, 1, 1)}, {"deleted_at": datetime.now()},
])
def test_the_database_refuses_to_change_a_record(at_desk, one_record, change):
    with pytest.raises(DatabaseError, match="append-only"), at_desk.engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.id == one_record.id).values(**change))
    [kept] = records(at_desk, id=one_record.id)
    assert (kept.detail, kept.action, kept.at) == (one_record.detail, one_record.action,
                                                    one_record.at)


def test_the_database_refuses_to_remove_a_record(at_desk, one_record):
    with pytest.raises(DatabaseError, match="append-only"), at_desk.engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.id == one_record.id))
    with pytest.raises(DatabaseError, match="append-only"), at_desk.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event"))
    assert records(at_desk, id=one_record.id)


def test_nor_through_the_app_s_own_sessions(at_desk, one_record):
    with pytest.raises(DatabaseError, match="append-only"), at_desk.session() as s:
        s.get(AuditEvent, one_record.id).detail = "nothing to see"


def test_writing_the_same_values_again_is_allowed(at_desk, one_record):
    """As a sync replay may (a desk restored from a backup merges its log again)."""
    columns = ", ".join(f"{c.name} = {c.name}" for c in AuditEvent.__table__.columns)
    with at_desk.engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_event SET {columns} WHERE id = :id"),
                     {"id": one_record.id})
        conn.execute(update(AuditEvent).where(AuditEvent.id == one_record.id)
                     .values(detail=one_record.detail, at=one_record.at))
    assert records(at_desk, id=one_record.id)[0].detail == one_record.detail


# --- reading the log -----------------------------------------------------------------------


def read_log(store, filters: audit.Filters, after: audit.Row | None = None,
             limit: int = audit.PAGE) -> audit.Page:
    with store.session() as s:
        return audit.read(s, filters, store.device_id, after=after, limit=limit)


def stamp(store, when: datetime, action: str = "open_person", **kw) -> None:
    with store.session() as s:
        s.info["now"] = when
        audit.record(s, action, **kw)


def test_the_log_in_words(at_desk, advisor):
    person = register(at_desk, advisor)
    with at_desk.session() as s:
        audit.record_opening(s, person.id)
        s.get(Person, person.id).phone = "0151 000 3333"
    page = read_log(at_desk, audit.Filters(person_ids=(person.id,)))
    assert not page.more
    changed, opened, created = page.rows  # newest first
    assert (opened.who, opened.action, opened.record, opened.person) == \
        ("Alex Advisor", "Opened a person's record", "Person's details", "Siobhan Kearney")
    assert opened.device == "This desk"
    assert (changed.action, changed.detail) == ("Changed a record", "Changed phone number")
    assert (created.action, created.detail) == ("Created a record", "Registered them")


def test_records_of_other_desks_and_named_records(at_desk, advisor):
    with at_desk.session() as s:
        s.info["device_id"] = "01234567-0000-7000-8000-00000000abcd"
        audit.record(s, "sign_in", entity="advisor", entity_id=advisor.id)
    [row] = read_log(at_desk, audit.Filters(action="sign_in")).rows
    assert row.device == "Desk …0000abcd"
    assert (row.action, row.record, row.person) == ("Signed in",
                                                    "Staff account: Alex Advisor", "")


def test_filtered_by_dates_advisor_action_and_person(at_desk, advisor, other_advisor):
    a, b = register(at_desk, advisor), register(at_desk, advisor)
    june = datetime(2025, 6, 2, 9, 30)
    stamp(at_desk, june, entity="person", entity_id=a.id, person_id=a.id)
    stamp(at_desk, june + timedelta(days=1), entity="person", entity_id=b.id, person_id=b.id)
    stamp(at_desk, june + timedelta(days=2), "print_sheet", person_id=a.id,
          advisor_id=other_advisor.id)
    stamp(at_desk, june + timedelta(days=9), entity="person", entity_id=a.id, person_id=a.id)

    def actions(**filters) -> list[tuple[str, date]]:
        page = read_log(at_desk, audit.Filters(**filters))
        return [(r.action, r.when.date()) for r in page.rows]

    opened, printed = "Opened a person's record", "Printed a take-home sheet"
    assert actions(since=date(2025, 6, 3), until=date(2025, 6, 4)) == [
        (printed, date(2025, 6, 4)), (opened, date(2025, 6, 3))]
    assert actions(advisor_id=other_advisor.id) == [(printed, date(2025, 6, 4))]
    assert actions(action="open_person", since=date(2025, 6, 1), until=date(2025, 6, 30)) == [
        (opened, date(2025, 6, 11)), (opened, date(2025, 6, 3)), (opened, date(2025, 6, 2))]
    assert actions(person_ids=(b.id,), action="open_person") == [(opened, date(2025, 6, 3))]
    assert actions(person_ids=()) == []


def test_from_and_to_are_whole_local_days(at_desk):
    day = date(2025, 7, 1)
    start, end = audit.utc_start(day), audit.utc_start(day + timedelta(days=1))
    tick = timedelta(microseconds=1)
    for when in (start - tick, start, end - tick, end):
        stamp(at_desk, when)
    page = read_log(at_desk, audit.Filters(since=day, until=day))
    assert [r.at for r in page.rows] == [end - tick, start]


def test_a_local_day_begins_at_local_midnight(monkeypatch):
    """1 July in Liverpool (British summer time) begins at 23:00 UTC on 30 June."""
    import time

    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        assert audit.utc_start(date(2025, 7, 1)) == datetime(2025, 6, 30, 23, 0)
        assert audit.utc_start(date(2025, 1, 1)) == datetime(2025, 1, 1, 0, 0)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_page_at_a_time_none_missed_none_twice(at_desk):
    when = datetime(2025, 5, 1, 12, 0)
    for n in range(7):
        stamp(at_desk, when)  # same time: the id decides the order
        stamp(at_desk, when - timedelta(minutes=n))
    seen: list[str] = []
    after = None
    while True:
        page = read_log(at_desk, audit.Filters(action="open_person"), after=after,
                              limit=4)
        seen += [r.id for r in page.rows]
        if not page.more:
            break
        after = page.rows[-1]
    every = [e.id for e in sorted(records(at_desk, action="open_person"),
                                  key=lambda e: (e.at, e.id), reverse=True)]
    assert seen == every and len(every) == 14


def test_an_erased_person_is_not_named(at_desk, advisor):
    person = register(at_desk, advisor)
    with at_desk.session() as s:
        audit.record_opening(s, person.id)
        s.get(Person, person.id).erased_at = utcnow()
    row = read_log(at_desk, audit.Filters(action="open_person")).rows[0]
    assert row.person == "(information erased)"


def test_people_found_by_what_is_typed_of_their_names(at_desk, advisor):
    kearney = register(at_desk, advisor)
    with at_desk.session() as s:
        other = people.register(s, {"given_name": "Sam", "family_name": "Okafor",
                                    "preferred_name": "Sammy"}, advisor.id, "walton",
                                today=TODAY)
        assert audit.people_named(s, "kear") == {kearney.id: "Siobhan Kearney"}
        assert audit.people_named(s, "  siobhan   KEARNEY ") == {kearney.id: "Siobhan Kearney"}
        assert audit.people_named(s, "sammy oka") == {other.id: "Sammy Okafor"}
        assert audit.people_named(s, "50%") == {}
        assert audit.people_named(s, "") == {}
