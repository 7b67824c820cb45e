"""Hostile values in every typed field the services take: lone surrogates, NUL and other
control characters, a megabyte of text, wrong types. Each must come back as the
services' own ValidationError (a plain message at the field), or be saved cleanly;
anything else (UnicodeEncodeError from SQLite, "LIKE or GLOB pattern too complex", a
TypeError) is a bug that would reach staff as "Something went wrong". Each service is
swept field by field on one real store, and every failure is listed together."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lr_desk.faults import short
from lr_desk.services import (
    accounts,
    advisors,
    audit,
    consent,
    directory,
    dropin,
    erasure,
    people,
    prefill,
    referral_views,
    referrals,
    search,
)
from lr_desk.services.reference import example_id
from lr_desk.services.validation import MAX_TEXT, ValidationError

TODAY = date(2025, 6, 11)
SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")
PARTNER = example_id("partner", "Example Housing Trust")
MEGABYTE = "x" * 1_000_000

# Text that a paste, a damaged draft or a hostile sync could bring.
TEXT = ["\udc80", "Ann\udc80Lee", "\ud800", "\x00", "A\x00nn", "\x1b[31m\x7f\x85",
        MEGABYTE, "word " * 200_000, "%_%\\[*?", "\u202eeL nnA\u0301", "\U0001F600" * 3,
        "Ann\udc80" * 100_000]
WRONG_TYPES = [5, 2.5, True, ["a"], {"a": 1}, b"bytes", None]
HOSTILE = TEXT + WRONG_TYPES


def attempt(call) -> str | None:
    """None if ``call`` worked or raised ValidationError; else what it raised."""
    try:
        call()
    except ValidationError:
        return None
    except Exception as exc:  # the sweep's whole point
        return f"{type(exc).__name__}: {short(exc, 120)}"
    return None


class Sweep:
    """Calls ``fn(session, value)`` for every hostile value, each in a transaction of its
    own; collects what failed, by field."""

    def __init__(self, store):
        self.store = store
        self.failed: list[str] = []

    def field(self, name: str, fn, values=HOSTILE) -> None:
        for value in values:
            def call(value=value):
                with self.store.session() as s:
                    fn(s, value)
            problem = attempt(call)
            if problem:
                self.failed.append(f"{name} = {short(repr(value), 30)}: {problem}")

    def check(self) -> None:
        assert not self.failed, f"{len(self.failed)} failures:\n" + "\n".join(self.failed)


def put(raw: dict, path: str, value) -> dict:
    """A deep copy of ``raw`` with the value at a dotted path ("items.0.why") replaced."""
    out = copy.deepcopy(raw)
    *parents, last = path.split(".")
    at = out
    for key in parents:
        at = at[int(key)] if isinstance(at, list) else at[key]
    if isinstance(at, list):
        at[int(last)] = value
    else:
        at[last] = value
    return out


@pytest.fixture
def sweep(store):
    return Sweep(store)


@pytest.fixture
def person(make_person):
    return make_person(given_name="Ann", family_name="Lee", phone="0151 555 0100")


def test_registering_and_editing_a_person(sweep, advisor, person):
    base = {"given_name": "Jo", "family_name": "Bloggs", "needs_interpreter": True,
            "interpreter_language": "Polish"}
    for name in people.TEXT_FIELDS:
        sweep.field(f"register {name}", lambda s, v, name=name: people.register(
            s, put(base, name, v), advisor.id, "walton", today=TODAY))
        sweep.field(f"update {name}", lambda s, v, name=name: people.update(
            s, person.id, put(base, name, v), today=TODAY))
    sweep.field("likely_matches names", lambda s, v: people.likely_matches(
        s, v, v, TODAY, phone="0151 555 0100"))
    sweep.field("likely_matches phone", lambda s, v: people.likely_matches(
        s, "Ann", "Lee", None, phone=v), TEXT)
    sweep.check()


def drop_in(course_id: str) -> dict:
    return {
        "conversation": {
            "date": "11/06/2025", "time": "10:15", "site_code": "walton", "mode": "drop_in",
            "what_matters": "Sorting the rent.", "private_notes": "Tired.",
            "needs": ["housing"], "escalated": True, "escalation_reason": "safeguarding",
            "escalation_action": "Called the duty team",
        },
        "items": [
            {"kind": "partner_service", "service_id": SERVICE, "title": "Tenancy help",
             "why": "Arrears", "first_step": "Call them", "target_date": "01/07/2025",
             "refer": True, "referral_status": "agreed"},
            {"kind": "course", "course_id": course_id, "title": "", "why": "",
             "first_step": "", "target_date": ""},
        ],
        "follow_up": {"due_date": "18/06/2025", "due_time": "10:30", "way": "call",
                      "site_code": "walton", "assigned_to": None},
    }


def test_recording_a_drop_in_its_referrals_and_follow_ups(store, sweep, advisor, person):
    with store.session() as s:
        course_id = directory.courses(s)[0].id
        base = drop_in(course_id)
        base["conversation"]["escalation_reason"] = next(iter(dropin.ESCALATION_REASONS))
        done = dropin.record_drop_in(s, person.id, advisor.id, base, today=TODAY)
    paths = [f"conversation.{k}" for k in base["conversation"]]
    paths += ["conversation.needs.0"]
    paths += [f"items.0.{k}" for k in base["items"][0]] + ["items.1.course_id"]
    paths += [f"follow_up.{k}" for k in base["follow_up"]] + ["items", "follow_up"]
    for path in paths:
        sweep.field(f"drop-in {path}", lambda s, v, path=path: dropin.record_drop_in(
            s, person.id, advisor.id, put(base, path, v), today=TODAY))
    referral, follow_up = done.referral_ids[0], done.follow_up_id
    for i, name in enumerate(("status", "reason_code", "reason", "note")):
        args = ["declined", "other", "No longer needed", "Phoned"]

        def step(s, v, i=i, args=args):
            args = list(args)
            args[i] = v
            referrals.set_status(s, referral, args[0], advisor.id, *args[1:])
            referrals.correct(s, referral, args[0], advisor.id, args[2], args[1], args[3])

        sweep.field(f"referral {name}", step)
    sweep.field("referral chase", lambda s, v: referrals.chase(s, referral, advisor.id, v))
    sweep.field("referral view", lambda s, v: referrals.record_view(s, referral, v, v))
    sweep.field("follow-up views", lambda s, v: referral_views.record_follow_up(
        s, follow_up, advisor.id, "spoke", "", {referral: {"view": v, "words": v}}))
    sweep.field("follow-up views form", lambda s, v: referral_views.record_follow_up(
        s, follow_up, advisor.id, "spoke", "", v))
    sweep.field("refer elsewhere", lambda s, v: referrals.refer_elsewhere(
        s, referral, v, advisor.id, v))
    sweep.field("follow-up outcome", lambda s, v: dropin.complete_follow_up(
        s, follow_up, advisor.id, v))
    sweep.check()


def test_recording_consent(sweep, advisor, person):
    base = {"kind": "share", "partner_id": PARTNER, "given": "given", "date": "10/06/2025",
            "note": "Said yes on the phone", "ways": "phone"}
    contact = {**base, "kind": "contact", "partner_id": None}
    for name in base:
        sweep.field(f"consent {name}", lambda s, v, name=name: consent.record(
            s, person.id, advisor.id, put(base, name, v), today=TODAY))
    sweep.field("consent ways", lambda s, v: consent.record(
        s, person.id, advisor.id, put(contact, "ways", v), today=TODAY))
    sweep.field("consent ways list", lambda s, v: consent.record(
        s, person.id, advisor.id, put(contact, "ways", [v]), today=TODAY))
    sweep.check()


def test_accounts(sweep, advisor):
    fields = ("name", "home_site", "username", "role", "password", "password_again")
    good = ["Sam Admin", "walton", "sam", "advisor", "kettle on at nine", "kettle on at nine"]
    for i, name in enumerate(fields):
        def create(s, v, i=i):
            args = list(good)
            args[i] = v
            accounts.create(s, *args)

        sweep.field(f"account {name}", create)
    sweep.field("set password", lambda s, v: accounts.set_password(s, advisor.id, v, v))
    sweep.field("verify username", lambda s, v: accounts.verify(s, v, "kettle on at nine"))
    sweep.field("verify password", lambda s, v: accounts.verify(s, "alex", v))
    sweep.field("erasure approver username", lambda s, v: erasure.approver(s, v, "pw"))
    sweep.field("erasure approver password", lambda s, v: erasure.approver(s, "alex", v))
    sweep.field("erasure request", lambda s, v: erasure.check_request(v, v, "Ann Lee"))
    sweep.field("advisor name", lambda s, v: advisors.create(s, v, "walton"))
    sweep.field("advisor site", lambda s, v: advisors.create(s, "Bo", v))
    sweep.check()


def test_the_directory(sweep):
    contact = {"name": "Kim", "role": "Lead", "phone": "", "email": "k@x.org", "is_key": True}
    partner = {"name": "Trust", "phone": "0151 555 0100", "web": "https://example.org",
               "notes": "", "catchup_every_months": "3", "contacts": [contact]}
    service = {"partner_id": PARTNER, "name": "Help", "category": "housing",
               "description": "", "delivery": "community", "site_code": "", "location": "",
               "when_text": "", "phone": "", "web": "", "capacity": "paused",
               "wait_weeks": "", "paused_until": "03/03/2027", "capacity_confirmed_on": "",
               "takes": "10", "takes_per": "month", "reply_days": "", "reply_deadline_days":
               "14", "min_age": "18", "max_age": "25", "catchment": "Sefton, L4",
               "benefits_rule": "on", "once_only": True, "once_lookback_months": "36",
               "criteria": ""}
    course = {"title": "Walking", "provider": "", "site_code": "", "starts_on": "01/07/2025",
              "ends_on": "", "when_text": "", "description": ""}
    for name in partner:
        sweep.field(f"partner {name}", lambda s, v, name=name: directory.save_partner(
            s, put(partner, name, v)))
    for name in contact:
        sweep.field(f"contact {name}", lambda s, v, name=name: directory.save_partner(
            s, put(partner, "contacts", [put(contact, name, v)])))
    for name in service:
        sweep.field(f"service {name}", lambda s, v, name=name: directory.save_service(
            s, put(service, name, v)))
    for name in course:
        sweep.field(f"course {name}", lambda s, v, name=name: directory.save_course(
            s, put(course, name, v)))
    sweep.check()


def test_search_and_the_audit_logs_person_filter(store, sweep, person):
    with store.session() as s:
        index = search.SearchIndex.build(s)
    sweep.field("search", lambda s, v: index.search(v, today=TODAY), TEXT)
    sweep.field("prefill", lambda s, v: prefill.from_search(v, today=TODAY), TEXT)
    sweep.field("audit person filter", lambda s, v: audit.people_named(s, v), TEXT)
    sweep.check()


def test_a_megabyte_word_in_the_audit_logs_person_filter_still_finds_people(store, person):
    """SQLite refuses a LIKE pattern over 50,000 bytes ("LIKE or GLOB pattern too
    complex"): the filter reads a sane length of what was typed, wildcards as letters."""
    with store.session() as s:
        assert audit.people_named(s, "Lee " + MEGABYTE) == {}
        assert person.id in audit.people_named(s, "Lee " + "ann" + " " * 1_000_000)
        assert audit.people_named(s, "%") == {}  # a wildcard typed is a character


def test_over_long_text_is_refused_at_its_field(store, advisor, person):
    with pytest.raises(ValidationError) as caught, store.session() as s:
        dropin.complete_follow_up(s, "no-such-id", advisor.id, "x" * (MAX_TEXT + 1))
    assert "too long" in caught.value.errors["outcome"]
    with pytest.raises(ValidationError) as caught, store.session() as s:
        people.register(s, {"given_name": "Ann\udc80", "family_name": "Lee",
                            "email": "a@b.org" + "x" * MAX_TEXT}, advisor.id, "walton")
    assert "type it again" in caught.value.errors["given_name"]
    assert caught.value.errors["email"]


@given(st.dictionaries(st.sampled_from(people.TEXT_FIELDS),
                       st.text(st.characters(codec=None, exclude_categories=()),
                               max_size=40)))
def test_any_text_at_all_registers_or_is_refused_at_its_field(store, advisor, raw):
    raw = {"given_name": "Jo", "family_name": "Bloggs", **raw}
    problem = attempt(lambda: _register(store, advisor, raw))
    assert problem is None, problem


def _register(store, advisor, raw):
    with store.session() as s:
        people.register(s, raw, advisor.id, "walton", today=TODAY)
