"""Erasure through sync, on both central stores: an erased person's name and notes are
found nowhere, not in either desk's database files (their raw bytes), not in the central
store's log, not on a new desk that pulls it, whatever order the desks sync in and even
after an edit made offline on a desk that had not yet heard; counts for reports are kept."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from lr_desk.services import accounts, advisors, drafts, erasure, proofs, search
from lr_desk.store import erase as store_erase
from lr_desk.store.clock import new_id
from lr_desk.store.models import Advisor, Conflict, Person
from lr_desk.sync.central import CentralStore, add_device, init_central
from lr_desk.sync.engine import sync_once
from lr_desk.sync.verify import redact_store
from tests.services.erasing import (
    GIVEN,
    MARK,
    PHONE,
    found_in_files,
    found_in_log,
    make_history,
    report_counts,
    rich_person,
)

from .devices import open_conflicts, records
from .test_security import login, raw
from .test_sync import make_device  # noqa: F401  (a fixture)

MANAGER_PASSWORD = "a long manager password"


@pytest.fixture
def desks(make_device, central):  # noqa: F811
    """Desk A registers a person with something distinctive everywhere; desk B has them."""
    a, b = make_device("a"), make_device("b")
    adv, manager, person_id = staff_and_person(a)
    sync_once(a, central)
    sync_once(b, central)
    return a, b, adv, manager, person_id


def staff_and_person(store) -> tuple[str, str, str]:
    """An advisor, a manager (made by the desk's first admin), and a person with
    something distinctive everywhere."""
    with store.session() as s:
        adv = advisors.create(s, "Alex Advisor", "walton")
        admin = Advisor(id=new_id(), name="Sam Admin", home_site="walton", username="sam",
                        role="admin", password_hash=accounts.hash_password("kettle on at 9"))
        founder = proofs.first_admin(s, admin, "kettle on at 9")
        manager = accounts.create(s, "Mo Manager", "walton", "mo", "manager",
                                  MANAGER_PASSWORD, signer=founder)
        return adv.id, manager.id, rich_person(s, adv.id)


def erase_on(store, person_id, requested_by, approved_by) -> None:
    """Approved (and signed) by the manager."""
    with store.session() as s:
        signer = proofs.unseal(s.get(Advisor, approved_by), MANAGER_PASSWORD)
        erasure.erase(s, person_id, requested_by, approved_by, signer=signer)
    store_erase.wipe(store.engine)


def edit_offline(store, person_id, advisor_id) -> None:
    """What B does before it hears of the erasure: an edit, a visit, a draft."""
    with store.session() as s:
        s.get(Person, person_id).communication_other = f"{MARK} typed on B, offline"
        make_history(s, person_id, advisor_id, mark=f"{MARK} on B")
        drafts.save(s, f"person:{person_id}", {"given_name": GIVEN, "phone": MARK})


@pytest.mark.parametrize("first", ["a", "b"])
def test_an_erased_persons_name_is_found_nowhere_after_erasure_and_sync(
        desks, central, make_device, first):  # noqa: F811
    a, b, adv, manager, person_id = desks
    for desk, name in ((a, "Zephy A"), (b, "Zephy B")):  # a clash: one is kept for review
        with desk.session() as s:
            s.get(Person, person_id).preferred_name = name
    for desk in (a, b, a):
        sync_once(desk, central)
    with a.session() as s:
        assert {c.value for c in s.scalars(select(Conflict))} in ({"Zephy A"}, {"Zephy B"})
    edit_offline(b, person_id, adv)
    counted = report_counts(b)  # everything both desks hold, before the erasure
    erase_on(a, person_id, adv, manager)
    order = (a, b, a) if first == "a" else (b, a, b)
    for desk in order:
        sync_once(desk, central)
    c = make_device("c")  # a new desk, pulling the log afterwards
    sync_once(c, central)
    for desk in (a, b, c):
        assert found_in_files(desk) == {}, desk.path
        assert report_counts(desk) == counted
        with desk.session() as s:
            p = s.get(Person, person_id)
            assert (p.display_name, p.communication_other) == ("Erased", "")
            assert p.erased_at is not None
            assert search.SearchIndex.build(s).search(GIVEN)[0] == []
    assert found_in_log(central) == []
    if central.engine.dialect.name == "sqlite":  # its bytes too
        assert found_in_files(central.engine.url.database) == {}
    assert records(a) == records(b) == records(c)
    assert open_conflicts(a) == open_conflicts(b) == open_conflicts(c)


def test_a_change_from_a_desk_that_had_not_heard_does_not_bring_it_back(
        desks, central, make_device):  # noqa: F811
    """B edits the person again after A's erasure reached the store, before B pulls it:
    the store blanks the values as they arrive, and both desks keep them blank."""
    a, b, adv, manager, person_id = desks
    erase_on(a, person_id, adv, manager)
    sync_once(a, central)
    with b.session() as s:
        p = s.get(Person, person_id)
        p.phone, p.family_name = PHONE, f"Quillfeather-{MARK}"
    sync_once(b, central)
    sync_once(a, central)
    assert found_in_log(central) == []
    for desk in (a, b):
        assert found_in_files(desk) == {}
        with desk.session() as s:
            p = s.get(Person, person_id)
            assert (p.given_name, p.family_name, p.phone) == ("Erased", "", "")
    assert records(a) == records(b)


def test_the_log_holds_no_personal_value_of_theirs(desks, central):
    a, _b, adv, manager, person_id = desks
    assert found_in_log(central)  # (the person is there, before)
    erase_on(a, person_id, adv, manager)
    sync_once(a, central)
    assert found_in_log(central) == []
    changes = central.pull(0, 100_000)
    erased = {c.entity_id for c in changes if c.entity == "erasure"}
    assert len(erased) == 1
    # nothing but personal values was touched: every change is still there, in order
    assert [c.seq for c in changes] == list(range(1, len(changes) + 1))
    with central.engine.connect() as conn:
        noted = set(conn.scalars(text("SELECT entity_id FROM erased_row")))
    record = next(c for c in changes if c.entity == "erasure")
    assert noted == {i for ids in record.fields["record_ids"].values() for i in ids}


# --- PostgreSQL: only the store's own triggers may blank, and only that ----------------


@pytest.fixture
def device_store(postgres_url):
    from .test_security import _name

    init_central(postgres_url)
    return postgres_url, add_device(postgres_url, _name("eraser"), "walton")


def test_a_device_erases_through_the_store_without_any_right_to_update(
        device_store, make_device):  # noqa: F811
    admin, dev = device_store
    central = CentralStore(login(dev))
    central.push_as = dev.name
    a = make_device("a")
    try:
        adv, manager, person_id = staff_and_person(a)
        sync_once(a, central)
        erase_on(a, person_id, adv, manager)
        sync_once(a, central)
        assert found_in_log(central)  # a device's erasure waits for the owner's check
        assert redact_store(admin).proven == 1  # (lr-desk central redact)
        assert found_in_log(central) == []
        with raw(login(dev)) as conn:
            for statement in ("UPDATE change_log SET fields = '{}'",
                              "SELECT change_log_erase(ARRAY['x'])",
                              "INSERT INTO erased_row (entity_id) VALUES ('x')",
                              "SELECT * FROM erased_row",
                              "SELECT * FROM erasure_check"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
    finally:
        central.close()
    with raw(admin) as conn:  # not even the owner may write anything else over a change
        row = conn.execute("SELECT entity_id FROM erased_row LIMIT 1").fetchone()
        for statement in (
                "UPDATE change_log SET fields = fields || '{\"given_name\": \"Someone\"}' "
                "WHERE entity = 'person'",
                "UPDATE change_log SET op = 'delete' WHERE entity_id = %s",
                "UPDATE change_log SET fields = '{}' WHERE entity_id <> %s"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement, (row[0],) if "%s" in statement else ())


def test_the_sqlite_store_refuses_any_other_update(tmp_path):
    central_url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    init_central(central_url)
    store = CentralStore(central_url)
    try:
        from .test_central import change

        store.push("device-a", [change(1)])
        with store.engine.begin() as conn:
            conn.execute(text("INSERT INTO erased_row (entity_id) "
                              "SELECT entity_id FROM change_log"))
        for statement in ("UPDATE change_log SET op = 'delete'",
                          "UPDATE change_log SET hlc = 'x'"):
            with pytest.raises(DBAPIError, match="append-only"), \
                    store.engine.begin() as conn:
                conn.execute(text(statement))
        with store.engine.begin() as conn:  # blanking an erased record's values: allowed
            conn.execute(text("UPDATE change_log SET fields = json_set(fields, "
                              "'$.given_name', 'Erased')"))
    finally:
        store.close()


def test_the_erasure_functions_run_as_their_owner_only_where_they_must(device_store):
    admin, dev = device_store
    with raw(admin) as conn:
        rows = conn.execute(
            "SELECT proname, prosecdef, proconfig, has_function_privilege(%s, oid, 'EXECUTE') "
            "FROM pg_proc WHERE proname LIKE 'change_log_erase%%' ORDER BY proname",
            (dev.role,)).fetchall()
    assert rows == [("change_log_erase", True, ["search_path=pg_catalog, pg_temp"], False),
                    ("change_log_erased_append", True, ["search_path=pg_catalog, pg_temp"],
                     False)]
