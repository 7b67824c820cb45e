"""Staff accounts: usernames, roles and passwords (argon2id hashes only), which sync to
every desk like any record. Who may do what is decided here, once (``can``).

Every change to an account is signed by whoever makes it (``signer``: the key unsealed
at their sign-in, services.proofs): other desks apply it only if the signer may make it
(lr_desk.store.authority). Unsigned, it stays on this desk."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lr_desk.services import proofs
from lr_desk.services.hashing import hash_password, password_matches
from lr_desk.services.validation import (
    BROKEN,
    Checker,
    check_choice,
    check_name,
    storable,
)
from lr_desk.store import keys
from lr_desk.store.authority import Signer
from lr_desk.store.clock import new_id
from lr_desk.store.models import ROLES, Advisor, Site

MIN_PASSWORD = 10

# What each role may do; each role may do everything the roles before it may.
RANK = {"advisor": 0, "manager": 1, "admin": 2}
NEEDS = {
    "people": "advisor",  # find, register, record, print
    "reports": "manager",
    "audit": "manager",
    "erase": "manager",  # approve the erasure of a person's information
    "retention": "manager",
    "subject_access": "manager",  # export everything held about a person (their request)
    "accounts": "admin",
    "devices": "admin",
    "settings": "admin",
}


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in at the desk."""

    advisor_id: str
    name: str
    username: str
    role: str
    home_site: str = ""
    # their signing key, unsealed at sign-in (managers and admins: services.proofs)
    signer: Signer | None = field(default=None, compare=False, repr=False)

    def can(self, what: str) -> bool:
        return can(self.role, what)

    @classmethod
    def of(cls, advisor: Advisor, signer: Signer | None = None) -> SignedIn:
        return cls(advisor.id, advisor.name, advisor.username, advisor.role, advisor.home_site,
                   signer)


def can(role: str, what: str) -> bool:
    return RANK.get(role, -1) >= RANK[NEEDS[what]]


def check_password(password: str, username: str = "") -> str:
    """A new password's problem in plain words, or "" if it will do."""
    if not isinstance(password, str):
        return "Enter a password."
    if not storable(password):
        return BROKEN  # (half a character from a bad paste: it could never be typed again)
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters (a few words together is easiest)."
    if username and username_of(username) in password.casefold():
        return "The password must not contain the username."
    if password.strip() != password:
        return "The password must not start or end with a space."
    return ""


def username_of(text: str) -> str:
    return keys.username_key(text)


def check_username(text: str) -> str:
    if not isinstance(text, str) or not storable(text):
        raise ValueError(BROKEN if isinstance(text, str) else "Enter a username.")
    name = username_of(text)
    if not name:
        raise ValueError("Enter a username.")
    if len(name) > 60 or not all(ch.isalnum() or ch in "._-" for ch in name):
        raise ValueError("Use letters, digits, dots, dashes or underscores (no spaces).")
    return name


def find(session: Session, username: str) -> list[Advisor]:
    """The active accounts with this username (one, unless two desks made the same
    name before syncing)."""
    if not isinstance(username, str) or not storable(username):
        return []  # no one could have it
    return list(session.scalars(select(Advisor).where(
        func.lower(Advisor.username) == username_of(username), Advisor.username != "",
        Advisor.active.is_(True), Advisor.deleted_at.is_(None))))


def verify(session: Session, username: str, password: str) -> Advisor | None:
    """The active account this username and password belong to, if any (checked against
    the synced hash: a manager's approval, or a first sign-in on an open desk)."""
    for advisor in find(session, username):
        if password_matches(advisor.password_hash, password):
            return advisor
    return None


def create(session: Session, name: str, home_site: str, username: str, role: str,
           password: str, password_again: str | None = None,
           signer: Signer | None = None) -> Advisor:
    """A new account (an admin's job: see ``can``; ``signer``, the admin's key), with its
    own key pair sealed under its password. Raises ValidationError naming the fields in
    error."""
    c = Checker()
    sites = {code: code for code in session.scalars(select(Site.code))}
    clean_name = c.field("name", check_name, name, "name")
    site = c.field("home_site", check_choice, home_site, sites, "home hub")
    clean_username = c.field("username", check_username, username)
    c.field("role", check_choice, role, {k: k for k in ROLES}, "role")
    if clean_username and find(session, clean_username):
        c.errors["username"] = "Someone already has this username."
    _check_new_password(c, password, password_again, clean_username or "")
    c.done()
    advisor = Advisor(id=new_id(), name=clean_name, home_site=site, username=clean_username,
                      role=role, password_hash=hash_password(password))
    proofs.give_keys(advisor, password)
    with proofs.signing(session, signer):
        session.add(advisor)
    return advisor


def _check_new_password(c: Checker, password: str, again: str | None, username: str) -> None:
    problem = check_password(password, username)
    if problem:
        c.errors["password"] = problem
    elif again is not None and again != password:
        c.errors["password_again"] = "The two passwords are not the same."


def set_password(session: Session, advisor_id: str, password: str,
                 password_again: str | None = None, signer: Signer | None = None) -> Advisor:
    """Give an account a new password: its owner changing it (``signer`` their own key,
    resealed under the new password), or an admin resetting it (``signer`` the admin's;
    the account gets a new key pair, as it does with no signer: the recovery key). The
    new hash syncs to every desk."""
    advisor = session.get(Advisor, advisor_id)
    c = Checker()
    _check_new_password(c, password, password_again, advisor.username)
    c.done()
    with proofs.signing(session, signer):
        advisor.password_hash = hash_password(password)
        if signer is not None and signer.advisor_id == advisor_id \
                and signer.public_key == advisor.public_key:
            proofs.reseal(advisor, signer, password)
        else:
            proofs.give_keys(advisor, password)
    return advisor


def update(session: Session, advisor_id: str, *, role: str | None = None,
           active: bool | None = None, signer: Signer | None = None) -> Advisor:
    """An admin's changes to an account (``signer``: the admin's key): its role, and
    whether it may sign in."""
    advisor = session.get(Advisor, advisor_id)
    if role is not None:
        c = Checker()
        c.field("role", check_choice, role, {k: k for k in ROLES}, "role")
        c.done()
    with proofs.signing(session, signer):
        if role is not None:
            advisor.role = role
        if active is not None:
            advisor.active = active
    return advisor


def all_accounts(session: Session) -> list[Advisor]:
    return list(session.scalars(select(Advisor).where(Advisor.deleted_at.is_(None))
                                .order_by(Advisor.name)))

