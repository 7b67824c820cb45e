"""The directory: partners, their services and courses, checked and edited."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lr_desk.services import contacts, directory
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import Course, Partner, PartnerService

PARTNER = {"name": "Walton Food Bank", "phone": "0151 000 1111", "web": "https://food.example",
           "notes": "Vouchers at the desk.", "catchup_every_months": "3",
           "contacts": [{"name": "Pat", "phone": "07700 900 111", "email": "pat@food.example",
                         "is_key": True}]}


def save(store, fn, raw, row_id=None):
    with store.session() as s:
        return fn(s, raw, row_id)


def errors(store, fn, raw, row_id=None) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        save(store, fn, raw, row_id)
    assert all(isinstance(m, str) and m for m in info.value.errors.values())
    return info.value.errors


@pytest.fixture
def partner(store):
    return save(store, directory.save_partner, PARTNER)


def test_save_a_partner(store, partner):
    with store.session() as s:
        p = s.get(Partner, partner.id)
        assert (p.name, p.phone, p.catchup_every_months) == (
            "Walton Food Bank", "0151 000 1111", 3)
        assert contacts.key_contact(s, p.id).email == "pat@food.example"
        assert not p.is_example


def test_a_partner_needs_a_name_and_good_contacts(store):
    found = errors(store, directory.save_partner,
                   {"name": " ", "phone": "abc", "web": "not a url",
                    "catchup_every_months": "x",
                    "contacts": [{"name": "Kim", "email": "x@", "phone": "12", "is_key": True}]})
    assert set(found) == {"name", "phone", "web", "catchup_every_months", "contacts"}
    assert "Kim: " in found["contacts"] and "email address" in found["contacts"]


def test_edit_a_partner(store, partner, outbox):
    before = outbox.count()
    edit = {k: v for k, v in PARTNER.items() if k != "contacts"}  # contacts left alone
    save(store, directory.save_partner, {**edit, "phone": "0151 000 2222"}, partner.id)
    with store.session() as s:
        assert s.get(Partner, partner.id).phone == "0151 000 2222"
        assert s.query(Partner).filter_by(name="Walton Food Bank").count() == 1
    [entry] = outbox.entries()[before:]
    assert (entry.entity, entry.entity_id, entry.op) == ("partner", partner.id, "update")
    assert set(entry.fields) == {"phone", "updated_at"}


def test_editing_a_partner_no_longer_there(store, partner):
    with store.session() as s:
        s.get(Partner, partner.id).deleted_at = datetime(2025, 1, 1)
    assert set(errors(store, directory.save_partner, PARTNER, partner.id)) == {"name"}
    assert set(errors(store, directory.save_partner, PARTNER, "no-such-id")) == {"name"}


def service_raw(partner_id, **kw):
    return {"partner_id": partner_id, "name": "Food parcels", "category": "food_fuel",
            "delivery": "hub", "site_code": "walton", "when_text": "Fridays 10:00", **kw}


def test_save_a_service(store, partner):
    svc = save(store, directory.save_service, service_raw(partner.id))
    with store.session() as s:
        rows = directory.services(s, category="food_fuel")
        assert (svc.id, partner.id) in [(r.service.id, r.partner.id) for r in rows]
        assert {r.service.category for r in rows} == {"food_fuel"}
        assert svc.id not in {r.service.id for r in directory.services(s, category="housing")}
        assert not s.get(PartnerService, svc.id).is_example


def test_a_service_needs_a_partner_category_and_a_hub_when_at_a_hub(store, partner):
    found = errors(store, directory.save_service,
                   service_raw("", category="cake", site_code="", name=""))
    assert set(found) == {"partner_id", "category", "site_code", "name"}
    assert set(errors(store, directory.save_service,
                      service_raw("no-such-partner"))) == {"partner_id"}
    assert set(errors(store, directory.save_service,
                      service_raw(partner.id, delivery="by owl"))) == {"delivery"}


def test_a_community_service_needs_no_hub(store, partner):
    svc = save(store, directory.save_service,
               service_raw(partner.id, delivery="community", site_code="", location="Church hall"))
    assert svc.location == "Church hall"


def test_edit_a_service(store, partner):
    svc = save(store, directory.save_service, service_raw(partner.id))
    save(store, directory.save_service, service_raw(partner.id, name="Food and fuel vouchers"),
         svc.id)
    with store.session() as s:
        assert s.get(PartnerService, svc.id).name == "Food and fuel vouchers"


def test_tombstoned_services_and_partners_leave_the_list(store, partner):
    svc = save(store, directory.save_service, service_raw(partner.id))
    with store.session() as s:
        s.get(PartnerService, svc.id).deleted_at = datetime(2025, 1, 1)
        assert svc.id not in {r.service.id for r in directory.services(s)}
        s.get(Partner, partner.id).deleted_at = datetime(2025, 1, 1)
        assert partner.id not in {p.id for p in directory.partners(s)}


def test_save_a_course(store):
    course = save(store, directory.save_course,
                  {"title": "Sleep Well", "site_code": "bootle", "starts_on": "01/09/2025",
                   "ends_on": "29 Sep 2025", "when_text": "Mondays"})
    with store.session() as s:
        c = s.get(Course, course.id)
        assert (c.starts_on, c.ends_on) == (date(2025, 9, 1), date(2025, 9, 29))
        assert c.provider == "The Life Rooms Recovery College"
        assert course.id in {x.id for x in directory.courses(s)}


def test_a_course_needs_a_title_and_sensible_dates(store):
    found = errors(store, directory.save_course,
                   {"title": "", "starts_on": "31/02/2025", "ends_on": "next week"})
    assert set(found) == {"title", "starts_on", "ends_on"}
    found = errors(store, directory.save_course,
                   {"title": "Backwards", "starts_on": "10/09/2025", "ends_on": "01/09/2025"})
    assert set(found) == {"ends_on"}


def test_edit_a_course(store):
    course = save(store, directory.save_course, {"title": "Sleep Well"})
    save(store, directory.save_course, {"title": "Sleep Better", "when_text": "Tuesdays"},
         course.id)
    with store.session() as s:
        c = s.get(Course, course.id)
        assert (c.title, c.when_text) == ("Sleep Better", "Tuesdays")


def test_a_long_web_address_fits_the_column(store, partner):
    long_url = "https://example.org/" + "a" * 200  # over a name's 100, within the 300 column
    p = save(store, directory.save_partner, {**PARTNER, "web": long_url}, partner.id)
    assert p.web == long_url
    assert set(errors(store, directory.save_partner,
                      {**PARTNER, "web": "https://x.org/" + "a" * 300})) == {"web"}
    assert set(errors(store, directory.save_partner,
                      {**PARTNER, "web": "https://x.org/a b"})) == {"web"}


def test_editing_an_example_row_sends_the_whole_row(store, outbox):
    """Example rows were seeded with no outbox entry, so the first edit must carry it all."""
    with store.session() as s:
        example = next(p for p in directory.partners(s) if p.is_example)
        raw = {"name": example.name, "phone": "0151 000 9999", "web": example.web,
               "notes": example.notes}
        pid, name, web = example.id, example.name, example.web
    before = outbox.count()
    save(store, directory.save_partner, raw, pid)
    [entry] = outbox.entries()[before:]
    assert (entry.entity, entry.entity_id, entry.op) == ("partner", pid, "update")
    assert {"name", "phone", "web", "created_at", "is_example"} <= set(entry.fields)
    assert (entry.fields["name"], entry.fields["phone"], entry.fields["web"]) == (
        name, "0151 000 9999", web)
    assert entry.fields["is_example"] is False
    assert entry.fields["created_at"]


# --- when a course meets, and the listing the page shows -------------------------------

TODAY = date(2026, 12, 6)  # a Sunday


def course(starts=None, ends=None, when=""):
    return Course(title="A course", starts_on=starts, ends_on=ends, when_text=when)


@pytest.mark.parametrize(("text", "days"), [
    ("Mondays 10:00 to 12:00, four weeks", {0}),
    ("Tuesdays and Thursdays 1.30pm-3pm", {1, 3}),
    ("Monday to Friday by appointment", {0, 1, 2, 3, 4}),
    ("Fri - Mon, 9am", {4, 5, 6, 0}),
    ("weekdays 2pm", {0, 1, 2, 3, 4}),
    ("SATURDAY MORNINGS", {5}),
    ("Once a month, ask at reception", set()),
    ("", set()),
])
def test_the_days_a_course_meets_are_read_from_its_words(text, days):
    assert directory.meeting_days(text) == days


@pytest.mark.parametrize(("text", "time"), [
    ("Mondays 10:00 to 12:00, four weeks", "10:00 to 12:00"),
    ("Tuesdays 1.30pm-3pm", "1.30pm to 3pm"),
    ("Wednesdays 11:00", "11:00"),
    ("weekdays 2 pm", "2 pm"),
    ("Monday to Friday by appointment", ""),
    ("From 12/01/2026, weekly", ""),  # a date is not a time
])
def test_the_time_a_course_meets_is_read_from_its_words(text, time):
    assert directory.meeting_time(text) == time


def test_the_next_session_of_a_course():
    # not started: its first day; the first day it meets if it starts on another
    assert directory.next_session(course(date(2026, 12, 14), None, "Mondays"),
                                  TODAY) == date(2026, 12, 14)
    assert directory.next_session(course(TODAY), TODAY) == TODAY
    assert directory.next_session(course(date(2026, 12, 15), None, "Thursdays 10:00"),
                                  TODAY) == date(2026, 12, 17)
    # running: the next day it meets, today included
    running = course(date(2026, 11, 2), date(2027, 1, 25), "Tuesdays and Thursdays 10:00")
    assert directory.next_session(running, TODAY) == date(2026, 12, 8)
    assert directory.next_session(running, date(2026, 12, 10)) == date(2026, 12, 10)
    # but not after its last day
    ending = course(date(2026, 11, 2), date(2026, 12, 9), "Thursdays")
    assert directory.next_session(ending, TODAY) is None
    # ended, undated, or started with no day named: not known
    assert directory.next_session(course(date(2026, 1, 5), date(2026, 2, 2), "Mondays"),
                                  TODAY) is None
    assert directory.next_session(course(None, None, "Mondays"), TODAY) is None
    assert directory.next_session(course(date(2026, 11, 2), None, "weekly"), TODAY) is None


def test_a_course_in_words_carries_the_year_when_not_this_year():
    assert directory.course_next(course(date(2026, 12, 14), None, "Mondays 10:00 to 12:00"),
                                 TODAY) == "Mon 14 Dec, 10:00 to 12:00"
    assert directory.course_next(course(date(2027, 1, 11), None, "Mondays 10am"),
                                 TODAY) == "Mon 11 Jan 2027, 10am"
    assert directory.course_next(course(date(2025, 9, 1), date(2025, 10, 6), "Mondays"),
                                 TODAY) == "Ended 6 Oct 2025"
    assert directory.course_next(course(date(2026, 11, 2), None, "weekly"),
                                 TODAY) == "Started 2 Nov"
    assert directory.course_next(course(), TODAY) == "No dates set"
    assert directory.course_dates(course(date(2026, 12, 14), date(2027, 1, 11)),
                                  TODAY) == "14 Dec to 11 Jan 2027"
    assert directory.course_dates(course(date(2026, 12, 14)), TODAY) == "From 14 Dec"
    assert directory.course_dates(course(None, date(2025, 3, 1)), TODAY) == "Until 1 Mar 2025"
    assert directory.course_dates(course(), TODAY) == ""


def test_a_course_form_previews_its_next_session():
    raw = {"title": "Sleep Well", "starts_on": "14/12/2026", "when_text": "Mondays 10:00"}
    assert directory.preview_next(raw, TODAY) == "Mon 14 Dec, 10:00"
    assert directory.preview_next({**raw, "starts_on": "31/02/2026"}, TODAY) == ""


def test_the_listing_has_partners_without_services_and_short_hub_names(store, partner):
    with store.session() as s:
        listing = directory.listing(s, TODAY)
        sites = {site.code: site for site in listing.sites}
    assert listing.today == TODAY
    mine = [e for e in listing.entries if e.partner.id == partner.id]
    assert [(e.service, e.key) for e in mine] == [(None, f"partner:{partner.id}")]
    assert not mine[0].no_contact and not mine[0].example
    assert [e.partner.name.casefold() for e in listing.entries] == sorted(
        e.partner.name.casefold() for e in listing.entries)
    assert {c.code for c in listing.categories} >= {"housing", "learning"}
    assert directory.short_site_name(sites["walton"]) == "Walton"
    assert directory.short_site_name(sites["telephone"]) == "Telephone support"
    assert directory.short_site_name(None, "gone") == "gone"
