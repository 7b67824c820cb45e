"""Each account's signing key (see lr_desk.store.authority for what is signed and why).

The key pair is made with the account. Its public half syncs in ``advisor.public_key``;
its private half syncs sealed (AES-256-GCM) under a key derived from the account's
password with argon2id, exactly as keys.json wraps the data key (``store.keys``), so the
account can sign on any desk it signs in at and nowhere else. A password changed by its
owner reseals the same key; an admin setting someone's password (who cannot unseal the
old key) gives them a new pair. An account from before proofs takes a key at its first
sign-in (``signer_for``).

Only managers and admins need their key unsealed at sign-in (they sign erasures and
account changes); anyone else's is unsealed when they change their own password, which
they type.
"""

from __future__ import annotations

from contextlib import contextmanager

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from sqlalchemy.orm import Session

from lr_desk.services.hashing import password_matches
from lr_desk.store import jsonfile, keys
from lr_desk.store.authority import MAY_APPROVE, Signer
from lr_desk.store.models import Advisor


def _aad(advisor_id: str) -> str:
    return f"signing-key:{advisor_id}"


def seal(signer: Signer, password: str) -> dict:
    raw = signer.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return keys._wrap(raw, password, keys.COST, _aad(signer.advisor_id))


def unseal(advisor: Advisor, password: str) -> Signer | None:
    """The account's key, if it has one and ``password`` unseals it."""
    sealed = advisor.sealed_key
    if not advisor.public_key or not isinstance(sealed, dict):
        return None
    try:
        keys._check_wrap(sealed, "the signing key")  # (a cost that would take all the
        raw = keys._unwrap(sealed, password, _aad(advisor.id))  # memory is never tried)
        signer = Signer(advisor.id, Ed25519PrivateKey.from_private_bytes(raw))
    except (keys.WrongPassword, jsonfile.Bad, KeyError, TypeError, ValueError):
        return None
    return signer if signer.public_key == advisor.public_key else None


def give_keys(advisor: Advisor, password: str) -> Signer:
    """A new key pair for the account, sealed under ``password`` (not yet flushed)."""
    signer = Signer(advisor.id, Ed25519PrivateKey.generate())
    advisor.public_key = signer.public_key
    advisor.sealed_key = seal(signer, password)
    return signer


def reseal(advisor: Advisor, signer: Signer, password: str) -> None:
    """The account's own key, under its new password."""
    advisor.sealed_key = seal(signer, password)


def signer_of(store) -> Signer | None:
    """The key of whoever is signed in at the desk (set at sign-in: services.signin)."""
    return getattr(store, "signer", None)


@contextmanager
def signing(session: Session, signer: Signer | None):
    """Flushes inside sign their authority changes with ``signer`` (the outbox's flush
    hook does it, once the changes' clocks are known). Without a signer they are made
    here unsigned: other desks set them aside."""
    session.flush()  # what was pending before is not this signer's
    before = session.info.get("signer")
    session.info["signer"] = signer
    try:
        yield
        session.flush()
    finally:
        session.info["signer"] = before


def first_admin(session: Session, advisor: Advisor, password: str) -> Signer:
    """A new desk's first admin (``advisor``, new, not yet added), with a key pair that
    signs its own making: other desks take it if this desk's device has made no account
    change they know of (store.authority)."""
    signer = give_keys(advisor, password)
    with signing(session, signer):
        session.add(advisor)
    return signer


def signer_for(session: Session, advisor: Advisor, password: str,
               always: bool = False) -> Signer | None:
    """At sign-in, with the password just checked: the key of a manager or an admin (or
    anyone's, ``always``), unsealed. An account from before proofs is given its key now,
    if ``password`` is its current one (signed by that key: accepted everywhere while the
    account has none)."""
    if not advisor.public_key:
        if not password_matches(advisor.password_hash, password):
            return None  # (an old password this desk still knows): not sealed under it
        advisor_id = advisor.id
        signer = Signer(advisor_id, Ed25519PrivateKey.generate())
        with signing(session, signer):
            advisor.public_key = signer.public_key
            advisor.sealed_key = seal(signer, password)
        return signer
    if not always and advisor.role not in MAY_APPROVE:
        return None
    return unseal(advisor, password)
