"""What the take-home sheet is made from (``services.sheet.sheet_data``), and the record
that a sheet was printed or saved."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from lr_desk.services import directory, dropin, sheet
from lr_desk.services.reference import example_id
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import (
    Advisor,
    Conversation,
    Course,
    FollowUp,
    Partner,
    PartnerService,
    Prescription,
    PrescriptionItem,
)

TODAY = date(2025, 6, 11)
HUB_SERVICE = example_id("service", "Example Advice Centre (debt and benefits)",
                         "Benefits and debt drop-in")
COMMUNITY_SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")


def record(store, person_id, advisor_id, raw, today=TODAY):
    with store.session() as s:
        return dropin.record_drop_in(s, person_id, advisor_id, raw, today=today)


def data_for(store, prescription_id, today=TODAY) -> sheet.SheetData:
    with store.session() as s:
        return sheet.sheet_data(s, prescription_id, today=today)


@pytest.fixture
def course(store):
    with store.session() as s:
        return directory.courses(s)[0]  # Building Confidence, at the Bootle hub


@pytest.fixture
def person(make_person):
    return make_person(given_name="Annabel", family_name="Quenington", preferred_name="Annie",
                       date_of_birth="14/02/1985", postcode="L4 0TH", phone="07700 900123",
                       email="annie.q@example.com")


def drop_in(course_id: str, site: str = "walton", mode: str = "drop_in") -> dict:
    return {
        "conversation": {"date": "11/06/2025", "time": "10:15", "site_code": site,
                         "mode": mode, "what_matters": "Getting out of the house.",
                         "private_notes": "Seemed very low."},
        "items": [
            {"kind": "course", "course_id": course_id, "title": "", "why": "To feel braver",
             "first_step": "Ring to book", "target_date": "01/07/2025"},
            {"kind": "partner_service", "service_id": HUB_SERVICE, "title": "Help with debts",
             "why": "Letters keep coming", "first_step": "Bring the letters", "refer": True},
            {"kind": "partner_service", "service_id": COMMUNITY_SERVICE,
             "title": "Keep my flat", "why": "Arrears", "first_step": "Call them"},
            {"kind": "own_step", "title": "Walk to the park", "why": "Fresh air helps"},
        ],
        "follow_up": {"due_date": "18/06/2025", "due_time": "9:30", "way": "drop_in"},
    }


def test_everything_the_sheet_shows(store, person, advisor, course):
    result = record(store, person.id, advisor.id, drop_in(course.id))
    data = data_for(store, result.prescription_id)

    assert data.prescription_id == result.prescription_id
    assert data.hub == sheet.SheetHub("The Life Rooms Walton", "Evered Avenue, Liverpool",
                                      "L9 2AF", "0151 478 6556",
                                      "Monday to Friday, 9:30am to 4:30pm")
    assert data.made_on == TODAY
    assert data.advisor_first_name == "Alex"  # "Alex Advisor": the first name only
    assert data.preferred_name == "Annie"
    assert data.large_print is False
    assert data.what_matters == "Getting out of the house."

    course_item, hub_item, community_item, own_item = data.items
    assert course_item == sheet.SheetItem(
        kind="A free Recovery College course", title="Building Confidence",
        with_whom="The Life Rooms Recovery College",
        where="The Life Rooms Bootle, St Winefride's Campus, Merton Road, Bootle L20 7AP",
        when="Wednesdays 10:00 to 12:00, four weeks",
        phone="0151 330 6461",  # booked through the hub that runs it
        web="", why="To feel braver", first_step="Ring to book", by_when=date(2025, 7, 1))
    assert hub_item == sheet.SheetItem(
        kind="Support from a local organisation", title="Help with debts",
        with_whom="Example Advice Centre (debt and benefits)",
        where="The Life Rooms Walton, Evered Avenue, Liverpool L9 2AF",
        when="Tuesdays 10:00 to 12:30", phone="0151 000 0101", web="https://example.org/advice",
        why="Letters keep coming", first_step="Bring the letters", by_when=None)
    assert (community_item.with_whom, community_item.where, community_item.when,
            community_item.phone, community_item.web) == (
        "Example Housing Trust", "Example House, Liverpool", "Monday to Friday by appointment",
        "0151 000 0201", "https://example.org/housing")
    assert own_item == sheet.SheetItem(kind="A step I will take myself",
                                       title="Walk to the park", why="Fresh air helps")

    assert data.next_follow_up == sheet.SheetFollowUp(
        date(2025, 6, 18), "09:30", "Come and see us",
        "The Life Rooms Walton, Evered Avenue, Liverpool L9 2AF")


def test_sheet_data_is_plain_values_only(store, person, advisor, course):
    """It crosses to a rendering thread: no ORM objects anywhere inside it."""
    result = record(store, person.id, advisor.id, drop_in(course.id))
    data = data_for(store, result.prescription_id)
    plain = (str, int, bool, date, type(None))

    def check(value, where):
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                check(getattr(value, f.name), f"{where}.{f.name}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                check(v, f"{where}[{i}]")
        else:
            assert isinstance(value, plain), (where, type(value))

    check(data, "data")


def test_nothing_private_is_carried(store, person, advisor, course):
    """Only the fields the sheet shows: none of the person's contact details, birth date,
    family name, the private notes or the escalation."""
    raw = drop_in(course.id)
    raw["conversation"].update(escalated=True, escalation_reason="safeguarding",
                               escalation_action="Called the duty lead.")
    result = record(store, person.id, advisor.id, raw)
    data = data_for(store, result.prescription_id)
    carried = repr(data)
    for secret in ("Quenington", "L4 0TH", "07700 900123", "annie.q@example.com", "1985",
                   "Seemed very low", "safeguarding", "Called the duty lead"):
        assert secret not in carried
    assert "private_notes" not in {f.name for f in dataclasses.fields(data)}


def test_a_course_with_a_start_date(store, person, advisor, course):
    with store.session() as s:
        s.get(type(course), course.id).starts_on = date(2025, 7, 7)
    result = record(store, person.id, advisor.id, drop_in(course.id))
    assert data_for(store, result.prescription_id).items[0].when == (
        "Wednesdays 10:00 to 12:00, four weeks; starts Monday 7 July 2025")


def test_the_given_name_when_there_is_no_preferred_name(store, make_person, advisor, course):
    plain = make_person(given_name="Siobhan", family_name="Murphy")
    result = record(store, plain.id, advisor.id, drop_in(course.id))
    assert data_for(store, result.prescription_id).preferred_name == "Siobhan"


def test_large_print_follows_the_persons_communication_needs(store, make_person, advisor,
                                                             course):
    needs = make_person(given_name="Mo", family_name="Ali", needs_large_print=True)
    result = record(store, needs.id, advisor.id, drop_in(course.id))
    assert data_for(store, result.prescription_id).large_print is True


@pytest.mark.parametrize(("site", "mode"), [("telephone", "telephone"), ("video", "video"),
                                            ("peripatetic", "outreach")])
def test_away_from_a_hub_the_advisors_home_hub_is_the_contact(store, person, other_advisor,
                                                              course, site, mode):
    result = record(store, person.id, other_advisor.id, drop_in(course.id, site, mode))
    hub = data_for(store, result.prescription_id).hub
    assert (hub.name, hub.phone) == ("The Life Rooms Bootle", "0151 330 6461")  # Bea's hub


def test_the_conversations_own_hub_comes_first(store, person, other_advisor, course):
    result = record(store, person.id, other_advisor.id, drop_in(course.id, "southport"))
    assert data_for(store, result.prescription_id).hub.name == "The Life Rooms Southport"


def test_items_in_order_without_deleted_ones(store, person, advisor, course):
    result = record(store, person.id, advisor.id, drop_in(course.id))
    with store.session() as s:
        s.get(PrescriptionItem, result.item_ids[1]).deleted_at = datetime(2025, 6, 11, 12)
    titles = [i.title for i in data_for(store, result.prescription_id).items]
    assert titles == ["Building Confidence", "Keep my flat", "Walk to the park"]


def test_the_next_follow_up_is_the_earliest_open_one_from_the_day_it_was_made(
        store, person, make_person, advisor, course):
    other = make_person(given_name="Otto", family_name="Other")
    # before the prescription was made (agreed at an earlier visit, never done)
    record(store, person.id, advisor.id,
           {"conversation": {"date": "02/06/2025", "site_code": "walton", "mode": "drop_in"},
            "follow_up": {"due_date": "10/06/2025", "way": "call"}}, today=date(2025, 6, 2))
    raw = drop_in(course.id)
    raw["follow_up"] = {"due_date": "25/06/2025", "due_time": "14:00", "way": "call"}
    result = record(store, person.id, advisor.id, raw)
    # sooner ones: one done, one deleted, and one for somebody else
    for who, day, how in ((person, "13/06/2025", "done"), (person, "14/06/2025", "deleted"),
                          (other, "12/06/2025", "")):
        made = record(store, who.id, advisor.id,
                      {"conversation": {"site_code": "walton", "mode": "drop_in"},
                       "follow_up": {"due_date": day, "way": "drop_in"}})
        with store.session() as s:
            fu = s.get(FollowUp, made.follow_up_id)
            if how == "done":
                fu.done_at = datetime(2025, 6, 11, 16)
            elif how == "deleted":
                fu.deleted_at = datetime(2025, 6, 11, 16)
    follow = data_for(store, result.prescription_id).next_follow_up
    # a phone call has no place to go to
    assert follow == sheet.SheetFollowUp(date(2025, 6, 25), "14:00", "We will phone you", "")


def two_follow_ups(store, person, advisor, course):
    """A prescription made on 11 June whose follow-up is on 18 June, and a later follow-up
    (from another visit) on 25 June."""
    result = record(store, person.id, advisor.id, drop_in(course.id))
    record(store, person.id, advisor.id,
           {"conversation": {"site_code": "walton", "mode": "drop_in"},
            "follow_up": {"due_date": "25/06/2025", "due_time": "14:00", "way": "call"}})
    return result.prescription_id


def test_a_sheet_printed_again_later_shows_no_day_already_gone(store, person, advisor,
                                                               course):
    rx_id = two_follow_ups(store, person, advisor, course)
    # on the day: the one agreed then
    assert data_for(store, rx_id).next_follow_up.date == date(2025, 6, 18)
    # printed again on the 18th: still today's
    assert data_for(store, rx_id, today=date(2025, 6, 18)).next_follow_up.date == date(
        2025, 6, 18)
    # printed again on the 20th: the 18th (overdue) is not "your next catch-up"
    assert data_for(store, rx_id, today=date(2025, 6, 20)).next_follow_up == (
        sheet.SheetFollowUp(date(2025, 6, 25), "14:00", "We will phone you", ""))
    # and after the last one: none at all
    assert data_for(store, rx_id, today=date(2025, 7, 1)).next_follow_up is None


def test_today_before_the_day_it_was_made_changes_nothing(store, person, make_person,
                                                          advisor, course):
    # an earlier, never-done follow-up (before the prescription was made) stays left out
    record(store, person.id, advisor.id,
           {"conversation": {"date": "02/06/2025", "site_code": "walton", "mode": "drop_in"},
            "follow_up": {"due_date": "10/06/2025", "way": "call"}}, today=date(2025, 6, 2))
    result = record(store, person.id, advisor.id, drop_in(course.id))
    follow = data_for(store, result.prescription_id, today=date(2025, 6, 1)).next_follow_up
    assert follow.date == date(2025, 6, 18)


def test_today_defaults_to_the_computers_date(store, person, advisor, course, monkeypatch):
    rx_id = two_follow_ups(store, person, advisor, course)

    class Later(date):
        @classmethod
        def today(cls):
            return cls(2025, 6, 20)

    monkeypatch.setattr(sheet, "date", Later)
    with store.session() as s:
        follow = sheet.sheet_data(s, rx_id).next_follow_up  # the old signature still works
    assert follow.date == date(2025, 6, 25)


def tombstone(store, model, key):
    with store.session() as s:
        s.get(model, key).deleted_at = datetime(2025, 6, 11, 12)


def test_a_deleted_course_is_not_shown(store, person, advisor, course):
    result = record(store, person.id, advisor.id, drop_in(course.id))
    tombstone(store, Course, course.id)
    item = data_for(store, result.prescription_id).items[0]
    # the visitor's own step stays; nothing of the deleted course is printed
    assert item == sheet.SheetItem(kind="A free Recovery College course",
                                   title="Building Confidence", why="To feel braver",
                                   first_step="Ring to book", by_when=date(2025, 7, 1))


def test_a_deleted_service_is_not_shown(store, person, advisor, course):
    result = record(store, person.id, advisor.id, drop_in(course.id))
    tombstone(store, PartnerService, HUB_SERVICE)
    item = data_for(store, result.prescription_id).items[1]
    assert item == sheet.SheetItem(kind="Support from a local organisation",
                                   title="Help with debts", why="Letters keep coming",
                                   first_step="Bring the letters")


def test_a_deleted_partner_is_not_shown(store, person, advisor, course):
    result = record(store, person.id, advisor.id, drop_in(course.id))
    with store.session() as s:
        service = s.get(PartnerService, HUB_SERVICE)
        partner = s.get(Partner, service.partner_id)
        partner_name, partner_id = partner.name, partner.id
        service_phone, service_web = service.phone, service.web
    tombstone(store, Partner, partner_id)
    item = data_for(store, result.prescription_id).items[1]
    assert item.with_whom == ""
    assert partner_name not in repr(item)
    assert (item.phone, item.web) == (service_phone, service_web)  # the service's own only
    assert item.when == "Tuesdays 10:00 to 12:30"  # the service itself is still there


def test_a_deleted_conversation_is_not_shown(store, person, other_advisor, course):
    result = record(store, person.id, other_advisor.id, drop_in(course.id, "southport"))
    with store.session() as s:
        conv_id = s.get(Prescription, result.prescription_id).conversation_id
    tombstone(store, Conversation, conv_id)
    data = data_for(store, result.prescription_id)
    assert data.what_matters == ""
    # not the deleted conversation's hub, but the advisor's own
    assert data.hub.name == "The Life Rooms Bootle"


def test_a_deleted_advisor_is_not_named(store, person, advisor, course):
    result = record(store, person.id, advisor.id, drop_in(course.id))
    tombstone(store, Advisor, advisor.id)
    data = data_for(store, result.prescription_id)
    assert data.advisor_first_name == ""
    assert "Alex" not in repr(data)


def test_no_follow_up(store, person, advisor, course):
    raw = drop_in(course.id)
    del raw["follow_up"]
    result = record(store, person.id, advisor.id, raw)
    assert data_for(store, result.prescription_id).next_follow_up is None


def test_an_unknown_or_deleted_prescription(store, person, advisor, course):
    with store.session() as s, pytest.raises(LookupError):
        sheet.sheet_data(s, "no-such-prescription")
    result = record(store, person.id, advisor.id, drop_in(course.id))
    with store.session() as s:
        s.get(Prescription, result.prescription_id).deleted_at = datetime(2025, 6, 11, 12)
    with store.session() as s, pytest.raises(LookupError):
        sheet.sheet_data(s, result.prescription_id)


# --- the record that a sheet was given ------------------------------------------------


@pytest.mark.parametrize("how", ["printed", "saved"])
def test_recording_a_sheet_given(store, person, advisor, other_advisor, course, outbox, how):
    result = record(store, person.id, advisor.id, drop_in(course.id))
    before = outbox.count()
    stamp = datetime(2025, 6, 11, 10, 40)
    with store.session() as s:
        s.info["now"] = stamp
        assert sheet.record_sheet_given(s, result.prescription_id, other_advisor.id,
                                        how) == stamp
    with store.session() as s:
        rx = s.get(Prescription, result.prescription_id)
        assert (rx.sheet_at, rx.sheet_how, rx.sheet_by) == (stamp, how, other_advisor.id)
    [entry] = outbox.entries()[before:]
    assert (entry.entity, entry.entity_id, entry.op) == ("prescription",
                                                         result.prescription_id, "update")
    assert entry.fields["sheet_how"] == how
    assert entry.fields["sheet_by"] == other_advisor.id
    assert entry.fields["sheet_at"] == stamp.isoformat(timespec="microseconds")


def test_printing_again_updates_the_record(store, person, advisor, course):
    result = record(store, person.id, advisor.id, drop_in(course.id))
    with store.session() as s:
        sheet.record_sheet_given(s, result.prescription_id, advisor.id, "saved")
    with store.session() as s:
        sheet.record_sheet_given(s, result.prescription_id, advisor.id, "printed")
    with store.session() as s:
        assert s.get(Prescription, result.prescription_id).sheet_how == "printed"


def test_a_sheet_is_printed_or_saved_nothing_else(store, person, advisor, course, outbox):
    result = record(store, person.id, advisor.id, drop_in(course.id))
    before = outbox.count()
    for how in ("emailed", "", "PRINTED"):
        with store.session() as s, pytest.raises(ValidationError) as info:
            sheet.record_sheet_given(s, result.prescription_id, advisor.id, how)
        assert set(info.value.errors) == {"how"}
    assert outbox.count() == before
    with store.session() as s:
        assert s.get(Prescription, result.prescription_id).sheet_at is None


def test_recording_a_sheet_for_an_unknown_prescription(store, advisor):
    with store.session() as s, pytest.raises(LookupError):
        sheet.record_sheet_given(s, "no-such-prescription", advisor.id, "printed")


def test_a_drop_in_follow_up_after_a_phone_call_is_at_a_hub(store, advisor, make_person):
    from lr_desk.services import dropin as dropin_service
    from lr_desk.services import sheet as sheet_service

    person = make_person()
    with store.session() as s:
        result = dropin_service.record_drop_in(s, person.id, advisor.id, {
            "conversation": {"site_code": "telephone", "mode": "telephone",
                             "date": "10/06/2025", "time": "10:00"},
            "items": [{"kind": "own_step", "title": "Walk to the shop"}],
            "follow_up": {"due_date": "18/06/2025", "way": "drop_in"}},
            today=date(2025, 6, 11))
    with store.session() as s:
        data = sheet_service.sheet_data(s, result.prescription_id, today=date(2025, 6, 11))
    assert "Telephone" not in data.next_follow_up.place
    assert "The Life Rooms Walton" in data.next_follow_up.place  # the advisor's hub
