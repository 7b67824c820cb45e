"""Erasing a person's information: what is emptied, what is kept (report counts stay the
same), the old values gone from the outbox, review, drafts and the file's bytes, and
who may approve."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lr_desk.services import accounts, drafts, duplicates, erasure, people, search
from lr_desk.services.validation import ValidationError
from lr_desk.store import erase as store_erase
from lr_desk.store.models import (
    Conflict,
    Conversation,
    Draft,
    ErasedRow,
    Erasure,
    FollowUp,
    Outbox,
    Person,
    PrescriptionItem,
    ReferralEvent,
)

from .erasing import (
    FAMILY,
    GIVEN,
    MARK,
    PHONE,
    SECRETS,
    TODAY,
    found_in_files,
    make_history,
    person_form,
    report_counts,
    rich_person,
)


@pytest.fixture
def manager(store):
    with store.session() as s:
        return accounts.create(s, "Mo Manager", "walton", "mo", "manager",
                               "a long manager password")


@pytest.fixture
def person_id(store, advisor):
    with store.session() as s:
        return rich_person(s, advisor.id)


def erase(store, person_id, requested_by, approved_by, reason="request"):
    with store.session() as s:
        done = erasure.erase(s, person_id, requested_by, approved_by, reason)
    store_erase.wipe(store.engine)
    return done


def test_personal_values_are_emptied_and_what_reports_count_is_kept(store, advisor, manager,
                                                                    person_id):
    with store.session() as s:  # someone else, who is not touched
        other = people.register(s, {"given_name": "Olive", "family_name": "Other"},
                                advisor.id, "walton", today=TODAY)
        make_history(s, other.id, advisor.id, mark="Keep")
    before = report_counts(store)
    done = erase(store, person_id, manager.id, manager.id)
    assert report_counts(store) == before
    with store.session() as s:
        p = s.get(Person, person_id)
        assert (p.given_name, p.family_name, p.preferred_name, p.date_of_birth, p.postcode,
                p.phone, p.email, p.referral_source_detail, p.interpreter_language,
                p.communication_other) == ("Erased", "", "", None, "", "", "", "", "", "")
        assert p.display_name == "Erased" and p.erased_at is not None
        # kept: the categories and flags reports count by
        assert (p.registered_site, p.referral_source, p.service_user, p.carer,
                p.needs_interpreter) == ("walton", "gp", True, True, True)
        c = s.scalars(select(Conversation).where(Conversation.person_id == person_id)).one()
        assert (c.what_matters, c.private_notes, c.escalation_action) == ("", "", "")
        assert (c.site_code, c.mode, c.escalated, c.escalation_reason) == \
            ("walton", "drop_in", True, "distress")
        items = s.scalars(select(PrescriptionItem)).all()
        mine = [i for i in items if not i.why.startswith("Keep")]
        assert {(i.kind, i.title, i.why, i.first_step) for i in mine} == {
            ("own_step", "", "", ""), ("partner_service", "", "", "")}
        steps = s.scalars(select(ReferralEvent).where(ReferralEvent.reason != "")).all()
        assert [e.reason for e in steps] == ["Keep reason: moved away"]
        outcomes = sorted(f.outcome for f in s.scalars(select(FollowUp)))
        assert outcomes == ["", "Keep outcome: ok"]
        record = s.scalars(select(Erasure)).one()
        assert (record.person_id, record.requested_by, record.approved_by, record.reason) == \
            (person_id, manager.id, manager.id, "request")
        assert set(record.record_ids) == {"person", "conversation", "prescription",
                                          "prescription_item", "referral", "referral_event",
                                          "follow_up", "consent"}
        assert sum(map(len, record.record_ids.values())) == done.records == \
            s.scalar(select(func.count()).select_from(ErasedRow))
        # the other person is as they were
        assert s.get(Person, other.id).given_name == "Olive"
    assert found_in_files(store) == {}


def test_the_old_values_leave_the_outbox_review_and_drafts(store, advisor, manager, person_id):
    with store.session() as s:
        s.add(Conflict(kind="value", entity="person", entity_id=person_id, field="phone",
                       value=f"0151 {MARK} old phone", hlc="1", winner_hlc="2"))
        drafts.save(s, f"person:{person_id}", {"given_name": GIVEN, "phone": MARK})
        drafts.save(s, f"dropin:{person_id}", {"conversation": {"what_matters": MARK}})
        drafts.save(s, "person:new:123", {"given_name": GIVEN.upper(), "family_name": FAMILY})
        drafts.save(s, "person:new:456", {"given_name": "Someone", "family_name": "Else"})
    erase(store, person_id, advisor.id, manager.id)
    with store.session() as s:
        assert list(s.scalars(select(Draft.key))) == ["person:new:456"]
        assert s.scalars(select(Conflict.value)).all() == [""]
        sent = [o.fields for o in s.scalars(select(Outbox))]
    assert not [s for s in SECRETS if s in repr(sent)]
    # the erasure went out as ordinary changes: the person's, and the erasure's record
    assert any(f.get("given_name") == "Erased" and f.get("erased_at") for f in sent)
    assert found_in_files(store) == {}


def test_everyone_merged_into_them_is_erased_too(store, advisor, manager, person_id):
    with store.session() as s:
        twin = people.register(s, person_form(phone="07700 900462"), advisor.id, "bootle",
                               today=TODAY)
        make_history(s, twin.id, advisor.id, mark=f"{MARK} twin")
        duplicates.merge(s, person_id, twin.id, advisor.id)
    before = report_counts(store)
    done = erase(store, twin.id, advisor.id, manager.id)  # by either: the survivor's family
    assert done.person_id == person_id and set(done.people) == {person_id, twin.id}
    assert report_counts(store) == before
    with store.session() as s:
        assert {p.given_name for p in s.scalars(select(Person))} == {"Erased"}
    assert found_in_files(store) == {}


def test_only_a_manager_or_admin_may_approve(store, advisor, manager, person_id):
    with store.session() as s:
        accounts.create(s, "Ada Advisor", "walton", "ada", "advisor", "an advisor password")
    with store.session() as s, pytest.raises(ValidationError) as caught:
        erasure.erase(s, person_id, advisor.id, advisor.id)
    assert "manager" in caught.value.errors["username"]
    with store.session() as s:
        with pytest.raises(ValidationError) as caught:
            erasure.approver(s, "mo", "not the password")
        assert set(caught.value.errors) == {"password"}
        with pytest.raises(ValidationError) as caught:
            erasure.approver(s, "ada", "an advisor password")
        assert set(caught.value.errors) == {"username"}
        with pytest.raises(ValidationError) as caught:
            erasure.approver(s, "", "")
        assert set(caught.value.errors) == {"username", "password"}
        assert erasure.approver(s, "MO", "a long manager password").id == manager.id
    with store.session() as s:
        assert s.get(Person, person_id).erased_at is None  # nothing was done


def test_a_person_is_erased_once(store, advisor, manager, person_id):
    erase(store, person_id, manager.id, manager.id)
    with store.session() as s, pytest.raises(ValidationError, match="already"):
        erasure.erase(s, person_id, manager.id, manager.id)
    with store.session() as s:
        assert erasure.erasure_of(s, person_id).approved_by == manager.id


def test_the_request_is_confirmed_by_typing_their_name_or_erase():
    assert erasure.confirmed("  zephyrine   QUILLFEATHER ", "Zephyrine Quillfeather")
    assert erasure.confirmed("erase", "Zephyrine Quillfeather")
    assert not erasure.confirmed("Zephyrine", "Zephyrine Quillfeather")
    assert set(erasure.check_request("nonsense", "", "Ann Lee")) == {"reason", "confirm"}
    assert erasure.check_request("retention", "Ann Lee", "Ann Lee") == {}


def test_search_no_longer_finds_them(store, advisor, manager, person_id):
    with store.session() as s:
        index = search.SearchIndex.build(s)
    assert [h.entry.person_id for h in index.search(f"{GIVEN} {FAMILY}")[0]] == [person_id]
    erase(store, person_id, manager.id, manager.id)
    with store.session() as s:
        index.upsert_person(s.get(Person, person_id))
        assert index.search(f"{GIVEN} {FAMILY}")[0] == []
        assert index.search("Erased")[0] == []
        assert search.SearchIndex.build(s).search("Erased")[0] == []


def test_every_erasure_rewrites_the_file(store, advisor, manager, person_id):
    """A file that held people before every connection overwrote what it freed may keep
    old values in its free space, and a page rebuilt as rows grew keeps pieces of their
    old images: every erasure rewrites the file (VACUUM)."""
    with store.engine.begin() as conn:  # as a file from before: secure_delete off
        conn.exec_driver_sql("DELETE FROM sync_state WHERE key = 'free_space_clean'")
    raw = store.engine.raw_connection()
    try:
        raw.execute("PRAGMA secure_delete=OFF")  # a form about them, given up long ago
        raw.execute("INSERT INTO draft (key, payload, updated_at) VALUES ('old', "
                    f"'{{\"note\": \"{MARK} in a draft long gone\"}}', '2020-01-01')")
        raw.commit()
        raw.execute("DELETE FROM draft WHERE key = 'old'")
        raw.commit()
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("PRAGMA secure_delete=ON")
    finally:
        raw.close()
    assert MARK in found_in_files(store)["lr_desk.sqlite"]  # (freed, not overwritten)
    with store.session() as s:
        erasure.erase(s, person_id, manager.id, manager.id)
    assert store_erase.wipe(store.engine).vacuumed
    assert found_in_files(store) == {}
    with store.session() as s:
        other = people.register(s, person_form(), advisor.id, "walton", today=TODAY)
        erasure.erase(s, other.id, manager.id, manager.id)
    assert store_erase.wipe(store.engine).vacuumed
    assert found_in_files(store) == {}


def test_a_new_file_needs_no_vacuum(store):
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT value FROM sync_state "
                                    "WHERE key = 'free_space_clean'").scalar() == "true"


def test_what_is_erased_is_declared_for_real_columns():
    from lr_desk.store.models import SYNCED_MODELS

    for entity, blank in store_erase.ERASED.items():
        columns = SYNCED_MODELS[entity].__table__.columns
        assert set(blank) <= set(columns.keys()), entity
    for entity, under in store_erase.UNDER.items():
        assert set(under) <= set(SYNCED_MODELS[entity].__table__.columns.keys()), entity
    assert set(store_erase.ERASED) <= set(store_erase.UNDER)


def test_a_later_write_here_does_not_bring_it_back(store, advisor, manager, person_id):
    """Whatever writes to an erased person on this desk afterwards (code that does not
    check, a form left open): their personal values are blanked as it is saved."""
    erase(store, person_id, manager.id, manager.id)
    with store.session() as s:
        p = s.get(Person, person_id)
        p.family_name, p.phone, p.carer = FAMILY, PHONE, False
        make_history(s, person_id, advisor.id, mark=f"{MARK} later")
    store_erase.wipe(store.engine)
    with store.session() as s:
        p = s.get(Person, person_id)
        assert (p.family_name, p.phone, p.carer) == ("", "", False)  # (a flag may change)
        assert {c.what_matters for c in s.scalars(select(Conversation))} == {""}
    assert found_in_files(store) == {}


def test_today_lists_nothing_of_theirs(store, advisor, manager, person_id):
    from datetime import date

    from lr_desk.services import desk

    def listed():
        with store.session() as s:
            due = desk.follow_ups_due(s, date(2025, 7, 1))
            recent = desk.recent_conversations(s)
        return {r.person_id for r in due}, {r.person_id for r in recent}

    with store.session() as s:  # one still to do
        s.add(FollowUp(person_id=person_id, due_date=date(2025, 6, 20), assigned_to=advisor.id))
    assert listed() == ({person_id}, {person_id})
    erase(store, person_id, manager.id, manager.id)
    assert listed() == (set(), set())
