"""Signing keys and proofs of authority (services.proofs, store.authority), without a
central store: the changes a real desk makes (its outbox) are reviewed, in order, on
another real desk, as a pull would; forgeries are made the way a device login could
make them (any values, any signature but an account's)."""

from __future__ import annotations

import copy
import json
import sqlite3
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from lr_desk.services import accounts, advisors, erasure, people, proofs
from lr_desk.services.signin import Gate
from lr_desk.store import authority
from lr_desk.store.authority import Authority, Signer
from lr_desk.store.clock import new_id
from lr_desk.store.db import Store
from lr_desk.store.models import Advisor, Outbox
from tests.conftest import TODAY

SITES = {"walton": "walton", "bootle": "bootle"}
PASSWORD = "kettle on at nine"
MANAGER_PASSWORD = "a long manager password"


@dataclass
class Change:
    """A pulled change, as the review reads it."""

    seq: int
    entity: str
    entity_id: str
    op: str
    fields: dict
    hlc: str


def changes_of(store, after: int = 0) -> list[Change]:
    """The accounts' and erasures' changes a desk made, in its order (seq: its own)."""
    with store.session() as s:
        return [Change(o.seq, o.entity, o.entity_id, o.op, copy.deepcopy(o.fields), o.hlc)
                for o in s.scalars(select(Outbox).where(
                    Outbox.entity.in_(("advisor", "erasure")), Outbox.seq > after)
                    .order_by(Outbox.seq))]


def review(store, changes, proofs_from: int = 0) -> list[str | None]:
    with store.engine.begin() as conn:
        check = Authority(conn, proofs_from)
        return [check.review(c) for c in changes]


def stamp(device: str, ms: int = 1_900_000_000_000) -> str:
    return f"{ms:015d}-00000-{device}"


@pytest.fixture
def desk_a(tmp_path):
    """A desk set up by its admin (signed in), with a manager made by that admin."""
    unlocked = Gate(tmp_path / "a").set_up("Sam Admin", "walton", "sam", PASSWORD, PASSWORD,
                                           SITES)
    store, sam = unlocked.store, unlocked.signed_in
    with store.session() as s:
        mo = accounts.create(s, "Mo Manager", "walton", "mo", "manager", MANAGER_PASSWORD,
                             signer=sam.signer)
    yield store, sam, mo.id
    store.close()


def test_keys_are_sealed_under_the_password_and_follow_it(store):
    with store.session() as s:
        ann = accounts.create(s, "Ann Advisor", "walton", "ann", "advisor", PASSWORD)
        assert ann.public_key and "wrapped" in ann.sealed_key
        assert proofs.unseal(ann, "not the password") is None
        own = proofs.unseal(ann, PASSWORD)
        assert own.public_key == ann.public_key
        accounts.set_password(s, ann.id, "a whole new one", signer=own)  # by its owner
        assert proofs.unseal(ann, PASSWORD) is None
        assert proofs.unseal(ann, "a whole new one").public_key == own.public_key
        admin = Signer(new_id(), Ed25519PrivateKey.generate())
        accounts.set_password(s, ann.id, "set by an admin", signer=admin)  # a new pair
        assert ann.public_key != own.public_key
        assert proofs.unseal(ann, "set by an admin").public_key == ann.public_key
        ann.sealed_key = dict(ann.sealed_key, cost=[1, 4 * 1024 * 1024 + 8, 1])
        assert proofs.unseal(ann, "set by an admin") is None  # never tried: all the memory


def test_a_desks_genuine_account_changes_and_erasure_pass_on_another_desk(desk_a, store):
    a, sam, mo_id = desk_a
    with a.session() as s:
        ann = accounts.create(s, "Ann Advisor", "walton", "ann", "advisor", PASSWORD + "!",
                              signer=sam.signer)
        accounts.update(s, ann.id, role="manager", signer=sam.signer)
        accounts.update(s, ann.id, active=False, signer=sam.signer)
        accounts.update(s, ann.id, active=True, signer=sam.signer)
        mo = s.get(Advisor, mo_id)
        mine = proofs.unseal(mo, MANAGER_PASSWORD)
        accounts.set_password(s, mo_id, "a new one for the manager", signer=mine)
        adv = advisors.create(s, "Alex Advisor", "walton")  # no account: nothing to prove
        person = people.register(s, {"given_name": "Jo", "family_name": "Bloggs"}, adv.id,
                                 "walton", today=TODAY)
        erasure.erase(s, person.id, adv.id, mo_id, signer=mine)
    made = changes_of(a)
    assert {c.entity for c in made} == {"advisor", "erasure"}
    assert all(c.fields.get("proof") for c in made if c.entity == "erasure")
    assert review(store, made) == [None] * len(made)
    with store.engine.connect() as conn:  # the accounts as the log made them
        rows = dict(conn.exec_driver_sql("SELECT advisor_id, role FROM authority_account").all())
    assert rows == {sam.advisor_id: "admin", mo_id: "manager", ann.id: "manager",
                    adv.id: "advisor"}


def forged_admin(device: str, signer: Signer | None = None, **values) -> Change:
    """An admin account with a password of the attacker's choosing."""
    advisor_id = signer.advisor_id if signer else new_id()
    fields = {"name": "Eve Admin", "home_site": "walton", "active": True, "username": "eve",
              "role": "admin", "password_hash": accounts.hash_password("eve's own choice"),
              "public_key": signer.public_key if signer else "", "sealed_key": None,
              "proof": None, "created_at": "2030-01-01T00:00:00.000000",
              "updated_at": "2030-01-01T00:00:00.000000", "deleted_at": None, **values}
    change = Change(10_000, "advisor", advisor_id, "insert", fields, stamp(device))
    if signer:
        fields["proof"] = signer.proof(authority.message(
            "advisor", advisor_id, "insert", fields, change.hlc))
    return change


def signed(change: Change, signer: Signer) -> Change:
    change.fields["proof"] = signer.proof(authority.message(
        change.entity, change.entity_id, change.op, change.fields, change.hlc))
    return change


def test_forged_accounts_roles_and_re_enabling_are_refused(desk_a, store):
    a, sam, mo_id = desk_a
    made = changes_of(a)
    founder_device = authority.device_of(made[0].hlc)
    assert review(store, made) == [None] * len(made)
    eve = Signer(new_id(), Ed25519PrivateKey.generate())
    with a.session() as s:
        mo = proofs.unseal(s.get(Advisor, mo_id), MANAGER_PASSWORD)
    role = Change(10_001, "advisor", mo_id, "update", {"role": "admin"}, stamp(founder_device))
    reasons = review(store, [
        forged_admin("laptop"),  # no proof at all
        forged_admin(founder_device, eve),  # a desk that has synced cannot mint an admin
        signed(copy.deepcopy(role), mo),  # a manager making themself admin
        signed(Change(10_002, "advisor", sam.advisor_id, "update", {"active": False},
                      stamp("laptop")), mo),  # a manager switching off the admin
        signed(Change(10_003, "advisor", mo_id, "update", {"role": "admin"},
                      stamp("laptop")), eve),  # signed by nobody here
        Change(10_004, "advisor", mo_id, "update", {"active": True}, stamp("laptop")),
    ])
    assert all(reasons), reasons
    assert "no proof" in reasons[0] and "first admin" in reasons[1]
    bare = forged_admin("laptop", role="advisor", username="", password_hash="")
    assert review(store, [copy.deepcopy(bare)]) == [None]  # a name on the lists: no account
    bare.entity_id = mo_id  # but not over an account (the merge takes it as an update)
    assert "no proof" in review(store, [bare])[0]
    tampered = signed(copy.deepcopy(role), sam.signer)
    tampered.fields["role"] = "advisor"
    assert "does not verify" in review(store, [tampered])[0]
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT role FROM authority_account WHERE advisor_id = ?",
                                    (mo_id,)).scalar() == "manager"
    # a new desk's first admin (a device the log has no account change from) is a root
    assert review(store, [forged_admin("brand-new-desk", eve)]) == [None]
    # and what the log held before the store's upgrade is taken as it is
    assert review(store, [forged_admin("laptop")], proofs_from=10_000) == [None]


def test_an_erasure_needs_the_approving_managers_signature(desk_a, store):
    a, sam, mo_id = desk_a
    with a.session() as s:
        adv = advisors.create(s, "Alex Advisor", "walton")
        ada = accounts.create(s, "Ada Advisor", "walton", "ada", "advisor", PASSWORD + "?",
                              signer=sam.signer)
        ada_key = proofs.unseal(ada, PASSWORD + "?")
        person = people.register(s, {"given_name": "Jo", "family_name": "Bloggs"}, adv.id,
                                 "walton", today=TODAY)
        erasure.erase(s, person.id, adv.id, mo_id)  # nobody's key: unsigned
    made = changes_of(a)
    unsigned = made[-1]
    assert unsigned.entity == "erasure" and unsigned.fields["proof"] is None
    reasons = review(store, [*made[:-1], unsigned])
    assert reasons[:-1] == [None] * (len(made) - 1) and "no proof" in reasons[-1]
    by_advisor = copy.deepcopy(unsigned)
    by_advisor.fields["approved_by"] = ada.id
    assert "not a manager" in review(store, [signed(by_advisor, ada_key)])[0]
    by_admin_for_mo = signed(copy.deepcopy(unsigned), sam.signer)  # approved_by: Mo
    assert "who approved it" in review(store, [by_admin_for_mo])[0]
    with a.session() as s:
        mo = proofs.unseal(s.get(Advisor, mo_id), MANAGER_PASSWORD)
    assert review(store, [signed(copy.deepcopy(unsigned), mo)]) == [None]


def test_an_account_from_before_proofs_takes_a_key_once(store):
    legacy = Change(5, "advisor", new_id(), "insert", {
        "name": "Old Olga", "home_site": "walton", "active": True, "username": "olga",
        "role": "manager", "password_hash": accounts.hash_password(PASSWORD)},
        stamp("old-desk", 1_700_000_000_000))
    assert review(store, [legacy], proofs_from=5) == [None]  # from the log before proofs
    olga, eve = Signer(legacy.entity_id, Ed25519PrivateKey.generate()), \
        Signer(legacy.entity_id, Ed25519PrivateKey.generate())

    def key_for(signer, seq, **more):
        return signed(Change(seq, "advisor", legacy.entity_id, "update",
                             {"public_key": signer.public_key, "sealed_key": {"x": 1}, **more},
                             stamp("old-desk", 1_900_000_000_000 + seq)), signer)

    grab = key_for(olga, 20, password_hash=accounts.hash_password("chosen"))
    assert "nothing else" in review(store, [grab], proofs_from=5)[0]
    assert review(store, [key_for(olga, 21)], proofs_from=5) == [None]
    assert "does not verify" in review(store, [key_for(eve, 22)], proofs_from=5)[0]
    own = signed(Change(23, "advisor", legacy.entity_id, "update",
                        {"password_hash": accounts.hash_password("olga's new one")},
                        stamp("old-desk", 1_900_000_000_100)), olga)
    assert review(store, [own], proofs_from=5) == [None]  # her own password, her own key


def test_a_desk_upgraded_with_accounts_starts_from_them(tmp_path):
    path = tmp_path / "old" / "lr_desk.sqlite"
    Store(path, migrate_to="0005").close()
    conn = sqlite3.connect(path)
    admin, plain = new_id(), new_id()
    for advisor_id, username, role, hlc in (
            (admin, "sam", "admin", stamp("old-desk", 1_700_000_000_000)),
            (plain, "", "advisor", stamp("other-desk", 1_700_000_000_001))):
        conn.execute("INSERT INTO advisor (id, created_at, updated_at, name, home_site, "
                     "active, username, role, password_hash) VALUES (?, '2024-01-01', "
                     "'2024-01-01', 'Someone', 'walton', 1, ?, ?, '')",
                     (advisor_id, username, role))
        conn.execute("INSERT INTO row_clock (entity_id, base, fields) VALUES (?, ?, ?)",
                     (advisor_id, hlc, json.dumps({"role": stamp("third-desk")})))
    conn.commit()
    conn.close()
    Store(path).close()  # to head: 0006
    conn = sqlite3.connect(path)
    assert set(conn.execute("SELECT advisor_id, role, active, deleted, public_key "
                            "FROM authority_account")) == {(admin, "admin", 1, 0, ""),
                                                           (plain, "advisor", 1, 0, "")}
    assert {r[0] for r in conn.execute("SELECT device_id FROM authority_device")} == \
        {"old-desk", "third-desk"}  # the accounts' devices, not a plain advisor's
    conn.close()
