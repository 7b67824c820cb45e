"""Proof that a change granting or using authority was made by someone who may make it.

A device's login is not a person: anything it appends to the central store reaches
every desk. So the changes that make accounts, set their roles, passwords and keys,
switch them on or off, and erase a person, carry a signature (``proof``: {"by": the
signer's advisor id, "sig": base64}) by an Ed25519 key of the account that made them,
over ``message``: the change's entity, record id, op, clock stamp and the values that
matter (an account's AUTHORITY fields it writes; an erasure's whole row). Every account
has a key pair: the public half is synced in ``advisor.public_key``, the private half is
synced sealed under its password (services.proofs), so the account can sign on any desk
it signs in at. A device login alone cannot sign.

Applying a pulled change (``Authority.review``, called in log order for every pulled
change, a desk's own included), one that needs proof is applied only if its signature
verifies under the key ``by`` has *as the log has made it* (``authority_account``, a
local table kept in log order from accepted changes alone, per field newest clock wins,
like the rows), and ``by`` may do it:

- an admin: anything about accounts (make one, role, on/off, someone's password or key);
- the account itself: its own password hash and sealed key, and a new key signed by its
  current one; an account with no key yet (made before proofs) may take one, signed by
  that key, changing nothing else; never its role, whether it is on, or its username;
- a manager or an admin approving an erasure (``approved_by``) signs it.

Roots: a desk's set-up admin signs its own making. That is accepted only if no earlier
account change in the log came from that desk's device (``authority_device``; on
PostgreSQL a device's changes carry its own stamp, migration c3): a new desk can still be
set up, a desk that has synced before (a lost laptop) cannot mint an admin.

Everything the log held before the central store's upgrade (``proofs_from``) is taken as
it is. The decision depends only on the log and the rows it made, so every desk sets
aside the same changes and desks still converge. Advisor records without an account (a
name on the lists: no username, password or key, role advisor) need no proof.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Connection

log = logging.getLogger(__name__)

# An account's fields that grant or use authority (deleted_at: a second way to stop an
# account signing in, or to bring one back).
AUTHORITY = ("username", "role", "active", "password_hash", "public_key", "sealed_key",
             "deleted_at")
OWN = frozenset({"password_hash", "sealed_key", "public_key"})  # an account's own to change
ADOPT = frozenset({"public_key", "sealed_key"})  # a first key for an account made before
PROVEN = frozenset({"advisor", "erasure"})
TRACKED = ("role", "active", "deleted_at", "public_key")  # in authority_account
MAY_APPROVE = frozenset({"manager", "admin"})


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def public_text(key: Ed25519PublicKey) -> str:
    return _b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


@dataclass(frozen=True)
class Signer:
    """A signed-in account's unsealed key, held in memory only."""

    advisor_id: str
    private: Ed25519PrivateKey = field(repr=False, compare=False)

    @property
    def public_key(self) -> str:
        return public_text(self.private.public_key())

    def proof(self, message: bytes) -> dict:
        return {"by": self.advisor_id, "sig": _b64(self.private.sign(message))}


def grants_nothing(fields: dict) -> bool:
    """A new advisor record that is no account: nobody can sign in as it, or sign."""
    return (not fields.get("username") and not fields.get("password_hash")
            and not fields.get("public_key") and not fields.get("sealed_key")
            and fields.get("role", "advisor") == "advisor")


def needs_proof(entity: str, op: str, fields: dict) -> bool:
    if entity == "erasure":
        return True
    if entity != "advisor" or not any(k in fields for k in AUTHORITY):
        return False
    return not (op == "insert" and grants_nothing(fields))


def signed_values(entity: str, fields: dict) -> dict:
    if entity == "erasure":
        return {k: v for k, v in fields.items() if k != "proof"}
    return {k: fields[k] for k in AUTHORITY if k in fields}


def message(entity: str, entity_id: str, op: str, fields: dict, hlc: str) -> bytes:
    """What a proof signs: one canonical JSON text (keys sorted, no spaces, ASCII)."""
    return json.dumps({"entity": entity, "id": entity_id, "op": op, "hlc": hlc,
                       "fields": signed_values(entity, fields)},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def verifies(public_key: str, signature: str, data: bytes) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# --- signing local changes (from the outbox's flush hook) ---------------------------


def reserve(writes: list[dict], signer: Signer | None) -> None:
    """Before the writes are stamped: a place for the proof in each that needs one, so
    that its clock is kept with the rest of the change."""
    if signer is None:
        return
    for w in writes:
        if needs_proof(w["entity"], w["op"], w["fields"]):
            w["fields"]["proof"] = None


def sign(conn: Connection, writes: list[dict], signer: Signer | None) -> None:
    """Once the writes are stamped (their clocks are in what is signed): the proofs, in
    the changes and in the rows."""
    for w in writes:
        if w["entity"] not in PROVEN or not needs_proof(w["entity"], w["op"], w["fields"]):
            continue
        if signer is None:  # (the recovery key's reset, or no one signed in)
            log.warning("%s %s changed with no one's key: other desks will set it aside",
                        w["entity"], w["entity_id"])
            continue
        proof = signer.proof(message(w["entity"], w["entity_id"], w["op"], w["fields"],
                                     w["hlc"]))
        w["fields"]["proof"] = proof
        conn.exec_driver_sql(f"UPDATE {w['entity']} SET proof = ? WHERE id = ?",
                             (json.dumps(proof), w["entity_id"]))


# --- checking pulled changes -------------------------------------------------------


@dataclass
class Account:
    """An account as the log has made it: what decides what it may sign."""

    role: str = "advisor"
    active: bool = True
    deleted: bool = False
    public_key: str = ""
    clocks: dict[str, str] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return self.active and not self.deleted and bool(self.public_key)


class Authority:
    """Checks pulled changes in log order on ``conn`` (the pull's transaction), keeping
    ``authority_account`` and ``authority_device`` as it goes. ``proofs_from``: the log's
    head when the central store was upgraded to proofs (what is older is taken as it is)."""

    def __init__(self, conn: Connection, proofs_from: int):
        self.conn = conn
        self.proofs_from = proofs_from
        self._accounts: dict[str, Account | None] = {}

    def review(self, change) -> str | None:
        """Why ``change`` (``.seq, .entity, .entity_id, .op, .fields, .hlc``) may not be
        applied, in plain words, or None (and what it does is noted)."""
        if change.entity not in PROVEN or not isinstance(change.fields, dict):
            return None
        fields = change.fields
        account_change = needs_proof(change.entity, change.op, fields) or (
            # a "new" advisor with the id of one already here would write over it
            change.entity == "advisor" and change.op == "insert"
            and self.account(change.entity_id) is not None)
        reason = None
        if account_change and change.seq > self.proofs_from:
            reason = self._refusal(change)
        if reason is None and change.entity == "advisor":
            self._apply(change)
        if account_change and change.entity == "advisor":
            self._note_device(device_of(change.hlc))
        return reason

    def _refusal(self, change) -> str | None:
        fields = change.fields
        proof = fields.get("proof")
        if not (isinstance(proof, dict) and isinstance(proof.get("by"), str)
                and isinstance(proof.get("sig"), str)):
            return "it carries no proof of who made it"
        by, sig = proof["by"], proof["sig"]
        data = message(change.entity, change.entity_id, change.op, fields, change.hlc)
        if change.entity == "erasure":
            return self._erasure_refusal(change, by, sig, data)
        touched = {k for k in AUTHORITY if k in fields}
        current = self.account(change.entity_id)
        signer = current if by == change.entity_id else self.account(by)
        if by == change.entity_id and (current is None or not current.public_key):
            key = fields.get("public_key")
            if not isinstance(key, str) or not key:
                return "a new account or key must come with its public key"
            if current is None:
                if change.op != "insert" or fields.get("role") != "admin":
                    return "only an admin can make an account"
                if self._device_known(device_of(change.hlc)):
                    return ("a desk that has synced accounts before cannot set up a new "
                            "first admin")
            elif not touched <= ADOPT or not current.active or current.deleted:
                return "an account taking its first key may change nothing else"
            return None if verifies(key, sig, data) else "its proof does not verify"
        if signer is None or not signer.usable:
            return "whoever signed it has no account that may sign here"
        if not verifies(signer.public_key, sig, data):
            return "its proof does not verify"
        if signer.role == "admin":
            return None
        if by == change.entity_id and touched <= OWN:
            return None
        return "only an admin can change accounts"

    def _erasure_refusal(self, change, by: str, sig: str, data: bytes) -> str | None:
        approved_by = change.fields.get("approved_by")
        if approved_by is None:
            row = self.conn.exec_driver_sql("SELECT approved_by FROM erasure WHERE id = ?",
                                            (change.entity_id,)).first()
            approved_by = row[0] if row else None
        if by != approved_by:
            return "an erasure must be signed by the manager who approved it"
        signer = self.account(by)
        if signer is None or not signer.usable or signer.role not in MAY_APPROVE:
            return "whoever approved it is not a manager who may approve an erasure"
        return None if verifies(signer.public_key, sig, data) else "its proof does not verify"

    # --- the state, as the log has made it ------------------------------------------

    def account(self, advisor_id: str) -> Account | None:
        if advisor_id not in self._accounts:
            row = self.conn.exec_driver_sql(
                "SELECT role, active, deleted, public_key, clocks FROM authority_account "
                "WHERE advisor_id = ?", (advisor_id,)).first()
            self._accounts[advisor_id] = None if row is None else Account(
                row[0], bool(row[1]), bool(row[2]), row[3] or "",
                json.loads(row[4]) if row[4] else {})
        return self._accounts[advisor_id]

    def _apply(self, change) -> None:
        fields = change.fields
        account = self.account(change.entity_id)
        if account is None:
            account = self._accounts[change.entity_id] = Account()
        changed = False
        for name in TRACKED:
            if name in fields and change.hlc > account.clocks.get(name, ""):
                value = fields[name]
                if name == "deleted_at":
                    account.deleted = bool(value)
                elif name == "active":
                    account.active = bool(value)
                elif name == "role":
                    account.role = value if isinstance(value, str) else ""
                else:
                    account.public_key = value if isinstance(value, str) else ""
                account.clocks[name] = change.hlc
                changed = True
        if changed:
            save_account(self.conn, change.entity_id, account)

    def _device_known(self, device: str) -> bool:
        return self.conn.exec_driver_sql(
            "SELECT 1 FROM authority_device WHERE device_id = ?", (device,)).first() is not None

    def _note_device(self, device: str) -> None:
        self.conn.exec_driver_sql(
            "INSERT INTO authority_device (device_id) VALUES (?) ON CONFLICT DO NOTHING",
            (device,))


def save_account(conn: Connection, advisor_id: str, account: Account) -> None:
    conn.exec_driver_sql(
        "INSERT INTO authority_account (advisor_id, role, active, deleted, public_key, "
        "clocks) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (advisor_id) DO UPDATE SET "
        "role = excluded.role, active = excluded.active, deleted = excluded.deleted, "
        "public_key = excluded.public_key, clocks = excluded.clocks",
        (advisor_id, account.role, account.active, account.deleted, account.public_key,
         json.dumps(account.clocks)))


def device_of(hlc: str) -> str:
    return hlc.split("-", 2)[2] if isinstance(hlc, str) and hlc.count("-") >= 2 else ""


def seed(conn: Connection, rows: Iterable[tuple]) -> None:
    """The state of a desk upgraded with accounts already here (migration 0006): each
    advisor's (id, role, active, deleted_at, public_key, whether it is an account, base
    clock, field clocks) as it holds them; the devices that made or changed the
    accounts among them are known."""
    for advisor_id, role, active, deleted_at, public_key, is_account, base, clocks in rows:
        clocks = json.loads(clocks) if isinstance(clocks, str) else (clocks or {})
        base = base or ""
        save_account(conn, advisor_id, Account(
            role or "advisor", bool(active), deleted_at is not None, public_key or "",
            {k: clocks.get(k, base) for k in TRACKED}))
        if not is_account:
            continue
        for hlc in {base, *(v for k, v in clocks.items() if k in AUTHORITY)}:
            if device_of(hlc):
                conn.exec_driver_sql("INSERT INTO authority_device (device_id) VALUES (?) "
                                     "ON CONFLICT DO NOTHING", (device_of(hlc),))
