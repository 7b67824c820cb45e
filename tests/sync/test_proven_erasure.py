"""The central log blanks an erased person only once the erasure is proven, on both
central stores: an erasure of another desk's person appended with a desk's own device
login (desk A's, a lost laptop: on PostgreSQL its real login) and no manager involved
leaves the person's values in the log, read as the owner, and a new desk syncing from
scratch still gets the person; the owner's check (lr-desk central redact, and every
central init) refuses it. A genuine, manager-approved erasure is blanked in the log once
checked (on SQLite in the push itself), and later changes to that person arrive blanked.
"""

from __future__ import annotations

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from lr_desk.cli import main
from lr_desk.services import erasure, people
from lr_desk.store.authority import Signer
from lr_desk.store.clock import HybridClock, new_id
from lr_desk.store.models import Person
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync.central import CentralStore, init_central
from tests.conftest import TODAY

from .test_forgery import MO, SAM, Desk, append, desks, forge, insert_of, stores  # noqa: F401
from .test_security import raw

NAME = "Zephyrine"  # the person B registered (test_forgery's desks)


def in_log(central: CentralStore, person_id: str, value: str = NAME) -> bool:
    """Whether any change to the person in the log still holds ``value``."""
    return any(value in str(c.fields) for c in central.pull(0, 100_000)
               if c.entity_id == person_id)


def checks_of(central: CentralStore) -> list[tuple[str, str | None]]:
    """The store's record of the erasures appended (read with the owner's login)."""
    with central.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT status, reason FROM erasure_check ORDER BY seq"))]


def run(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def forged_erasure(a, made, person_id, signer: Signer | None) -> dict:
    at = insert_of(a, made["ann"])["created_at"]
    return forge(a, "erasure", new_id(), "insert", {
        "person_id": person_id, "requested_by": made["ann"], "approved_by": made["mo"],
        "at": at, "reason": "request", "record_ids": {"person": [person_id]},
        "created_at": at, "updated_at": at, "deleted_at": None}, signer)


def later_change(a, person_id: str) -> dict:
    """A change to the person, through the laptop's login, after the erasure."""
    hlc = HybridClock.encode(HybridClock(a.store.device_id).wall(), 0, a.store.device_id)
    return {"change_id": new_id(), "entity": "person", "entity_id": person_id,
            "op": "update", "fields": {"family_name": "Quillfeather-Qx7",
                                       "phone": "07700 900461"},
            "hlc": hlc, "schema_version": SCHEMA_VERSION, "seen": None}


def test_a_forged_erasure_leaves_the_person_in_the_log(desks, tmp_path, capsys):  # noqa: F811
    a, b, made, person_id = desks
    owner = b.central
    eve = Signer(new_id(), Ed25519PrivateKey.generate())  # any key but a manager's
    append(a, [forged_erasure(a, made, person_id, eve),  # signed by a stranger
               forged_erasure(a, made, person_id, None)])  # no proof at all
    assert in_log(owner, person_id)  # read as the owner: nothing was blanked
    if owner.engine.dialect.name == "postgresql":  # a device's erasures wait: checked
        assert [s for s, _ in checks_of(owner)] == ["pending", "pending"]
        out = run(capsys, "central", "redact", owner.url)
        assert "2 erasures without a manager's proof refused" in out
        assert f"Sent by the device {a.central.push_as}:" in out  # (the laptop's login)
    # (the SQLite store checks them in the push)
    assert [s for s, _ in checks_of(owner)] == ["refused", "refused"]
    assert "proof" in checks_of(owner)[0][1]
    out = run(capsys, "central", "init", owner.url)  # again at init: nothing more to do
    assert "Erasures:" not in out
    assert in_log(owner, person_id)
    assert "No erasures are waiting" in run(capsys, "central", "redact", owner.url)
    # a new desk syncing from scratch gets the person, and sets both erasures aside
    c = Desk(tmp_path / "c", "Cy Admin", "cy", "tea in the garden", owner)
    try:
        c.sync()
        person = c.row(Person, person_id)
        assert (person.given_name, person.erased_at) == (NAME, None)
        assert [e for e, _i, _r in c.set_aside()] == ["erasure", "erasure"]
    finally:
        c.store.close()
    b.sync()
    assert b.row(Person, person_id).given_name == NAME
    # a later change to the person is not blanked either
    append(a, [later_change(a, person_id)])
    assert in_log(owner, person_id, "Quillfeather-Qx7")


def test_a_forged_erasure_pushed_with_the_owners_login_is_refused_too(desks):  # noqa: F811
    """A desk set up with the administrator's login (or a tampered one) gets no further:
    the owner's push checks the erasure at once, and refuses it."""
    a, b, made, person_id = desks
    owner = b.central
    owner.push(a.store.device_id, [forged_erasure(a, made, person_id, None)])
    assert in_log(owner, person_id)
    assert [s for s, _ in checks_of(owner)] == ["refused"]


@pytest.mark.parametrize("job", ["redact", "init"])
def test_a_genuine_erasure_is_blanked_once_proven(desks, tmp_path, capsys, job):  # noqa: F811
    a, b, made, person_id = desks
    owner = b.central
    with a.store.session() as s:  # asked for by Ann on A, approved by the manager
        manager = erasure.approver(s, "mo", MO)
        erasure.erase(s, person_id, made["ann"], manager.id,
                      signer=erasure.approval_signer(s, manager, MO))
    a.sync()  # through the laptop's login
    meanwhile = later_change(a, person_id)  # a change while it waits: erased with it
    meanwhile["fields"] = {"family_name": "Meanwhile-Qx8"}
    append(a, [meanwhile])
    postgres = owner.engine.dialect.name == "postgresql"
    if postgres:  # a device's erasure waits for the owner's check
        assert in_log(owner, person_id) and in_log(owner, person_id, "Meanwhile-Qx8")
        assert checks_of(owner) == [("pending", None)]
        out = run(capsys, "central", job, owner.url)
        assert "Erasures: 1 erasure approved by a manager" in out
    else:  # the SQLite store checks it in the push
        assert "No erasures are waiting" in run(capsys, "central", "redact", owner.url)
    assert checks_of(owner) == [("proven", None)]
    assert not in_log(owner, person_id)
    assert not in_log(owner, person_id, "Meanwhile-Qx8")
    # later changes to that person arrive blanked: from B, which had not heard, and
    # straight through the laptop's login
    with b.store.session() as s:
        s.get(Person, person_id).family_name = "Quillfeather-Qx7"
    b.sync()
    append(a, [later_change(a, person_id)])
    assert not in_log(owner, person_id, "Quillfeather-Qx7")
    assert not in_log(owner, person_id, "07700 900461")
    c = Desk(tmp_path / "c", "Cy Admin", "cy", "tea in the garden", owner)
    try:
        c.sync()
        for desk in (b, c):
            person = desk.row(Person, person_id)
            assert (person.given_name, person.family_name) == ("Erased", ""), desk
            assert desk.set_aside() == []
    finally:
        c.store.close()


def test_an_erasure_behind_a_newer_lr_desks_account_change_waits(desks, capsys):  # noqa: F811
    """An account change from a newer lr_desk stops a desk (update lr_desk), so it stops
    the check too: what comes after it is not decided by code that cannot read it."""
    a, b, made, person_id = desks
    owner = b.central
    with owner.engine.begin() as conn:  # a newer lr_desk's init was here
        conn.execute(text("INSERT INTO desk_schema (version) VALUES ('9999')"))
    newer = later_change(a, made["ann"])
    newer.update(entity="advisor", fields={"name": "Ann A"}, schema_version="9999")
    append(a, [newer, forged_erasure(a, made, person_id, None)])
    out = run(capsys, "central", "redact", owner.url)
    assert "1 erasure still waiting" in out and "Update lr_desk" in out
    assert checks_of(owner) == [("pending", None)]
    assert in_log(owner, person_id)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.sqlite'}"
    return request.getfixturevalue("postgres_url")


def test_erasures_from_before_the_upgrade_count_as_proven(store_url, tmp_path, capsys):
    """An erasure made before proofs (no signature; blanked as it was appended) is
    recorded as proven by the upgrade: nothing is left waiting, nothing is refused."""
    init_central(store_url, target="c5")  # an older lr_desk's store
    central = CentralStore(store_url)
    a = Desk(tmp_path / "a", "Sam Admin", "sam", SAM, central)
    try:
        with a.store.session() as s:
            person_id = people.register(s, {"given_name": NAME, "family_name": "Q"},
                                        a.admin.advisor_id, "walton", today=TODAY).id
            erasure.erase(s, person_id, a.admin.advisor_id, a.admin.advisor_id)
        a.sync()
        assert not in_log(central, person_id)  # (c4: blanked as it was appended)
        out = run(capsys, "central", "init", store_url)
        assert "Erasures:" not in out
        assert checks_of(central) == [("proven", None)]
        assert "No erasures are waiting" in run(capsys, "central", "redact", store_url)
    finally:
        a.store.close()
        central.close()


def test_only_the_owners_login_checks_erasures(desks, capsys):  # noqa: F811
    a, b, _made, _person_id = desks
    if b.central.engine.dialect.name != "postgresql":
        pytest.skip("a SQLite store has no logins")
    assert main(["central", "redact", a.central.url]) == 1  # the laptop's own login
    assert "needs the administrator's login" in capsys.readouterr().err
    with raw(a.central.url) as conn:  # nor can it mark an erasure proven, or see them
        for statement in ("UPDATE erasure_check SET status = 'proven'",
                          "INSERT INTO erasure_check (seq, change_id) VALUES (1, 'x')",
                          "SELECT * FROM erasure_check"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
