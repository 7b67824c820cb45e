"""Forged authority through the log, on both central stores: with a desk's own device
login (desk A's, a lost laptop: on PostgreSQL its real login), an attacker appends an
admin account with a password of their choosing, a role change, a re-enabled account and
the erasure of another desk's person. The victim desk (B) sets each aside: nobody signs
in with them, cold or through Switch user, and the person keeps their information. The
genuine flows still go through: an account an admin adds on A signs in on B, a password
changed on B reaches A, a manager's erasure reaches every desk; and a log made before
the upgrade keeps working."""

from __future__ import annotations

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, text

from lr_desk.services import accounts, erasure, people, proofs
from lr_desk.services.signin import Gate, SignInError
from lr_desk.store import authority
from lr_desk.store.authority import Signer
from lr_desk.store.clock import HybridClock, new_id
from lr_desk.store.models import Advisor, Erasure, Outbox, Person
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync.central import CentralStore, add_device, init_central
from lr_desk.sync.engine import sync_once
from tests.conftest import TODAY

from .test_security import _name, login

SITES = {"walton": "walton", "bootle": "bootle"}
SAM, BEA, ANN, MO, OLLY = ("kettle on at nine", "biscuits at eleven", "a walk at noon",
                           "the late bus home", "an old password")
NEW = "a new password for her"
EVE = "chosen by the attacker"


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request, tmp_path):
    """(the owner's store, the lost laptop's: desk A's own device login)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'central.sqlite'}"
        init_central(url)
        owner, laptop = CentralStore(url), CentralStore(url)
    else:
        url = request.getfixturevalue("postgres_url")
        init_central(url)
        dev = add_device(url, _name("laptop"), "walton")
        owner, laptop = CentralStore(url), CentralStore(login(dev))
        laptop.push_as = dev.name
    yield owner, laptop
    owner.close()
    laptop.close()


class Desk:
    """A real desk: set up by its first admin, encrypted, signed in."""

    def __init__(self, folder, name, username, password, central):
        self.gate = Gate(folder)
        unlocked = self.gate.set_up(name, "walton", username, password, password, SITES)
        self.store, self.admin, self.central = unlocked.store, unlocked.signed_in, central

    def sync(self):
        return sync_once(self.store, self.central)

    def switch(self, username, password):
        return self.gate.switch(self.store, username, password)

    def row(self, model, row_id):
        with self.store.session() as s:
            return s.get(model, row_id)

    def set_aside(self) -> list[tuple[str, str, str]]:
        with self.store.engine.connect() as conn:
            return list(conn.execute(text("SELECT entity, entity_id, reason FROM set_aside "
                                          "ORDER BY seq")).all())


@pytest.fixture
def desks(stores, tmp_path):
    """A (syncing through the laptop's login) with accounts made by its admin, and B
    with a person of its own; both synced."""
    owner, laptop = stores
    a = Desk(tmp_path / "a", "Sam Admin", "sam", SAM, laptop)
    b = Desk(tmp_path / "b", "Bea Admin", "bea", BEA, owner)
    with a.store.session() as s:
        made = {u: accounts.create(s, n, "walton", u, r, p, signer=a.admin.signer).id
                for u, n, r, p in (("ann", "Ann Advisor", "advisor", ANN),
                                   ("mo", "Mo Manager", "manager", MO),
                                   ("olly", "Olly Old", "advisor", OLLY))}
        accounts.update(s, made["olly"], active=False, signer=a.admin.signer)
    with b.store.session() as s:
        person_id = people.register(s, {"given_name": "Zephyrine", "family_name": "Quill"},
                                    b.admin.advisor_id, "walton", today=TODAY).id
    for desk in (a, b, a, b):
        desk.sync()
    yield a, b, made, person_id
    a.store.close()
    b.store.close()


def insert_of(desk, entity_id) -> dict:
    with desk.store.session() as s:
        return copy.deepcopy(s.scalars(select(Outbox.fields).where(
            Outbox.entity_id == entity_id, Outbox.op == "insert")).first())


def forge(desk, entity, entity_id, op, fields, signer: Signer | None = None) -> dict:
    """A change as the laptop's login can append it: stamped as desk A's (its login is
    bound to A's stamp on PostgreSQL), any values, signed by any key but an account's."""
    hlc = HybridClock.encode(HybridClock(desk.store.device_id).wall(), 0,
                             desk.store.device_id)
    fields = dict(fields, proof=None)
    if signer is not None:
        fields["proof"] = signer.proof(authority.message(entity, entity_id, op, fields, hlc))
    return {"change_id": new_id(), "entity": entity, "entity_id": entity_id, "op": op,
            "fields": fields, "hlc": hlc, "schema_version": SCHEMA_VERSION, "seen": None}


def append(desk, changes) -> None:
    laptop = desk.central
    laptop.push(laptop.push_as or desk.store.device_id, changes)


def test_forged_authority_is_set_aside_on_the_victim_desk(desks):
    a, b, made, person_id = desks
    eve = Signer(new_id(), Ed25519PrivateKey.generate())  # any key but an account's
    admin = dict(insert_of(a, made["ann"]), name="Eve Admin", username="eve", role="admin",
                 password_hash=accounts.hash_password(EVE), public_key=eve.public_key)
    bare = dict(admin, username="eve2", public_key="", sealed_key=None)
    at = insert_of(a, made["ann"])["created_at"]
    gone = {"person_id": person_id, "requested_by": made["ann"], "approved_by": made["mo"],
            "at": at, "reason": "request", "record_ids": {"person": [person_id]},
            "created_at": at, "updated_at": at, "deleted_at": None}
    append(a, [
        forge(a, "advisor", eve.advisor_id, "insert", admin, eve),  # a "first admin"
        forge(a, "advisor", new_id(), "insert", bare),  # no proof at all
        forge(a, "advisor", made["ann"], "update", {"role": "admin"}),
        forge(a, "advisor", made["olly"], "update", {"active": True}, eve),
        forge(a, "erasure", new_id(), "insert", gone, eve),
    ])
    b.sync()
    aside = b.set_aside()
    assert [e for e, _i, _r in aside] == ["advisor"] * 4 + ["erasure"]
    assert "first admin" in aside[0][2] and "no proof" in aside[1][2]
    for username, password in (("eve", EVE), ("eve2", EVE)):
        with pytest.raises(SignInError):
            b.switch(username, password)
        with pytest.raises(SignInError):  # cold, too
            Gate(b.gate.folder).sign_in(username, password)
    assert b.switch("ann", ANN).role == "advisor"
    with pytest.raises(SignInError):  # still switched off
        b.switch("olly", OLLY)
    person = b.row(Person, person_id)
    assert (person.given_name, person.erased_at) == ("Zephyrine", None)
    with b.store.session() as s:
        assert s.scalars(select(Erasure)).all() == []
    # the sync goes on: what A's admin does next reaches B
    with a.store.session() as s:
        accounts.update(s, made["ann"], role="manager", signer=a.admin.signer)
    a.sync()
    b.sync()
    assert b.row(Advisor, made["ann"]).role == "manager"
    assert len(b.set_aside()) == 5


def test_genuine_accounts_passwords_and_erasures_go_through(desks, tmp_path):
    a, b, made, person_id = desks
    ann = b.switch("ann", ANN)  # made by A's admin, new to B
    assert ann.advisor_id == made["ann"]
    Gate(b.gate.folder).sign_in("ann", ANN).store.close()  # and cold, after
    b.gate.change_password(b.store, ann, ANN, NEW, NEW)
    b.sync()
    a.sync()
    assert a.switch("ann", NEW).advisor_id == made["ann"]
    with a.store.session() as s:  # asked on A, approved by the manager with her password
        manager = erasure.approver(s, "mo", MO)
        erasure.erase(s, person_id, made["ann"], manager.id,
                      signer=erasure.approval_signer(s, manager, MO))
    a.sync()
    b.sync()
    c = Desk(tmp_path / "c", "Cy Admin", "cy", "tea in the garden", b.central)
    try:
        c.sync()
        for desk in (a, b, c):
            person = desk.row(Person, person_id)
            assert (person.given_name, person.family_name) == ("Erased", ""), desk
            assert desk.set_aside() == []
        assert c.switch("ann", NEW).advisor_id == made["ann"]
    finally:
        c.store.close()


def test_a_log_from_before_the_upgrade_keeps_working(tmp_path):
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    init_central(url, target="c5")  # an older lr_desk's store
    central = CentralStore(url)
    a = Desk(tmp_path / "a", "Sam Admin", "sam", SAM, central)
    try:
        with a.store.session() as s:  # accounts and an erasure, made as before: no proofs
            old = s.get(Advisor, a.admin.advisor_id)
            mo = Advisor(name="Mo Manager", home_site="walton", username="mo",
                         role="manager", password_hash=accounts.hash_password(MO))
            s.add(mo)
            s.flush()
            person_id = people.register(s, {"given_name": "Zephyrine", "family_name": "Q"},
                                        old.id, "walton", today=TODAY).id
            erasure.erase(s, person_id, old.id, mo.id)
            mo_id = mo.id
        a.sync()
    finally:
        a.store.close()
        central.close()
    init_central(url)  # upgraded: what the log holds is from before proofs
    central = CentralStore(url)
    assert central.proofs_from() == central.head() > 0
    c = Desk(tmp_path / "c", "Cy Admin", "cy", "tea in the garden", central)
    try:
        c.sync()
        assert c.set_aside() == []
        assert c.row(Person, person_id).given_name == "Erased"
        who = c.switch("mo", MO)  # a manager without a key takes one as they sign in
        assert who.signer is not None
        assert proofs.unseal(c.row(Advisor, mo_id), MO).public_key == who.signer.public_key
        c.sync()
    finally:
        c.store.close()
    d = Desk(tmp_path / "d", "Di Admin", "di", "rain on the window", central)
    try:
        d.sync()
        assert d.set_aside() == []
        assert d.row(Advisor, mo_id).public_key == who.signer.public_key
    finally:
        d.store.close()
    central.close()
