"""Erasing a person's information, on a manager's approval (the right to erasure).

``erase`` empties the personal values of the person, everyone merged into them, and every
record held under them, as ordinary synced changes, and writes an ``Erasure`` naming every
record erased: every desk that pulls it, and the central store, blank their copies and
whatever old values they hold, and keep them blank (lr_desk.store.erase says what is
emptied and what is kept). Rows stay, so counts for reports still add up.

Only a manager or an admin may approve (services.accounts.can(role, "erase")). An advisor
asking has a manager approve at the desk with their username and password (``approver``).
After the erasure is committed, ``store.erase.wipe`` clears the old values out of the
file itself.

The erasure is signed with the approving manager's key (``signer``: theirs unsealed at
sign-in, or with the password typed to approve, ``approval_signer``): other desks erase
only what a manager who may approve has signed (lr_desk.store.authority).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services import accounts, duplicates, proofs
from lr_desk.services.validation import ValidationError
from lr_desk.store import erase as store_erase
from lr_desk.store.authority import Signer
from lr_desk.store.clock import session_now
from lr_desk.store.merge import to_column
from lr_desk.store.models import ERASURE_REASONS, SYNCED_MODELS, Advisor, Erasure, Person

CONFIRM_WORD = "ERASE"

WHAT_GOES = (
    "Their name (they are shown as “Erased”), date of birth, postcode, phone number and "
    "email; the referrer's details; their interpreter's language and communication needs "
    "in their words; what mattered to them, private notes and escalation notes from every "
    "conversation; the titles, reasons and first steps of their prescription items; notes "
    "and reasons on their referrals; follow-up outcomes; notes on their consent. The same "
    "for any record merged into this one. It is taken off every desk and the central "
    "store as they sync, and cannot be undone.")
WHAT_STAYS = (
    "So that reports still count them: where, when and by whom they were registered, how "
    "they came to us, whether they are a service user or a carer, the kinds of "
    "communication need; when, where and how each conversation happened and the needs "
    "raised; the services and courses prescribed and referred to, and each referral's "
    "status; when follow-ups were due and done; who erased it, who approved, and when.")


@dataclass
class Erased:
    person_id: str  # the person erased (the survivor of any merges)
    people: list[str] = field(default_factory=list)  # they and everyone merged into them
    records: int = 0  # every row erased, the people included


@dataclass
class Request:
    """What the erase dialog shows before anything is done."""

    person_id: str  # the survivor of any merges: the one erased, with their family
    name: str  # as shown, to type as the confirmation
    people: int  # records of the person (more than one: merged duplicates)
    records: int  # every record that would be erased, the people's included
    erased: bool  # already erased
    self_approved: bool  # the advisor asking may approve it themselves


def request(session: Session, person_id: str, advisor_id: str) -> Request | None:
    """What erasing this person would do, for the advisor at the desk (None: not here)."""
    person = session.get(Person, duplicates.survivor(session, person_id))
    if person is None:
        return None
    people = duplicates.family(session, person.id)
    rows = store_erase.rows_under(session.connection(), {"person": set(people)})
    return Request(person.id, person.display_name, len(people),
                   sum(len(ids) for ids in rows.values()), person.erased_at is not None,
                   may_approve(session.get(Advisor, advisor_id)))


def may_approve(advisor: Advisor | None) -> bool:
    return (advisor is not None and advisor.active and advisor.deleted_at is None
            and accounts.can(advisor.role, "erase"))


def approver(session: Session, username: str, password: str) -> Advisor:
    """The manager (or admin) approving at the desk, by their username and password
    (checked against the synced hash). Raises ValidationError at the field in error."""
    errors = {}
    if not isinstance(username, str) or not username.strip():
        errors["username"] = "Enter the approving manager's username."
    if not isinstance(password, str) or not password:
        errors["password"] = "Enter the approving manager's password."
    if errors:
        raise ValidationError(errors)
    # Counted toward the same lockout as signing in (a manager's password must not be
    # guessable here without limit), and an unknown name takes as long as a known one.
    from lr_desk.services import guard
    from lr_desk.store.clock import utcnow
    from lr_desk.store.lockout import Locked, WrongPassword

    now = utcnow()
    try:
        advisor = guard.lockout_of(session).attempt(
            username, lambda: guard.verify_account(session, username, password), now)
    except Locked as exc:
        raise ValidationError({"password": guard.wait_message(exc, now)}) from None
    except WrongPassword:
        raise ValidationError({"password": "That username and password don't match an "
                                           "active account. Check them and try again."}
                              ) from None
    except OSError as exc:
        raise ValidationError({"password": "The desk could not note this try, so it was "
                                           f"not made ({exc.strerror or 'a disk problem'})."
                                           " Free some space, or ask IT."}) from None
    if not may_approve(advisor):
        raise ValidationError({"username": f"{advisor.name} can't approve an erasure: "
                                           "only a manager or an admin can."})
    return advisor


def approval_signer(session: Session, advisor: Advisor, password: str) -> Signer:
    """The approving manager's key, unsealed with the password they typed (just checked
    by ``approver``). Raises ValidationError if it cannot be."""
    signer = proofs.signer_for(session, advisor, password, always=True)
    if signer is None:
        raise ValidationError({"password": f"{advisor.name}'s signing key could not be "
                                           "opened on this desk: ask an admin to set their "
                                           "password again."})
    return signer


def check_request(reason: str, typed: str, name: str) -> dict[str, str]:
    """What is wrong with the request as typed (field -> message): the reason, and the
    confirmation (the person's name as shown, or the word ERASE)."""
    errors = {}
    if not isinstance(reason, str) or reason not in ERASURE_REASONS:
        errors["reason"] = "Choose why their information is being erased."
    if not confirmed(typed, name):
        errors["confirm"] = (f"Type their name ({name}) or the word {CONFIRM_WORD} to "
                             "confirm.")
    return errors


def confirmed(typed: str, name: str) -> bool:
    said = " ".join(typed.split()).casefold() if isinstance(typed, str) else ""
    return bool(said) and said in {" ".join(name.split()).casefold(), CONFIRM_WORD.casefold()}


def erase(session: Session, person_id: str, requested_by: str, approved_by: str,
          reason: str = "request", signer: Signer | None = None) -> Erased:
    """Erase a person's information (see the module's docstring), in the session's
    transaction, signed by ``signer`` (the approver's key: unsigned, other desks set it
    aside). Raises ValidationError if the approver may not, or the person is gone or
    already erased."""
    if not isinstance(reason, str) or reason not in ERASURE_REASONS:
        raise ValidationError({"reason": "Choose why their information is being erased."})
    if not may_approve(session.get(Advisor, approved_by)):
        raise ValidationError({"username": "Only a manager or an admin can approve an "
                                           "erasure."})
    if signer is not None and signer.advisor_id != approved_by:
        raise ValidationError({"username": "The erasure must be signed by the manager "
                                           "approving it."})
    person = session.get(Person, duplicates.survivor(session, person_id))
    if person is None:
        raise ValidationError({"person": "This person's record is no longer here."})
    if person.erased_at is not None:
        raise ValidationError({"person": "This person's information has already been "
                                         "erased."})
    people = duplicates.family(session, person.id)
    session.flush()
    conn = session.connection()
    rows = store_erase.rows_under(conn, {"person": set(people)})
    names = store_erase.names_of(conn, people)
    now = session_now(session)
    for entity, ids in rows.items():
        blank = store_erase.ERASED.get(entity)
        if not blank:
            continue
        model = SYNCED_MODELS[entity]
        for chunk in store_erase.chunks(sorted(ids)):
            for row in session.scalars(select(model).where(model.id.in_(chunk))):
                for name, value in blank.items():
                    setattr(row, name, to_column(entity, name, value))
                if entity == "person":
                    row.erased_at = now
    with proofs.signing(session, signer):
        session.add(Erasure(person_id=person.id, requested_by=requested_by,
                            approved_by=approved_by, at=now, reason=reason,
                            record_ids={entity: sorted(ids) for entity, ids in rows.items()}))
    store_erase.scrub(conn, rows, names)  # the old values held here: outbox, review, drafts
    return Erased(person.id, people, sum(len(ids) for ids in rows.values()))


def wipe(engine):
    """After the erasure is committed (not in a transaction): see store.erase.wipe."""
    return store_erase.wipe(engine)


def erasure_of(session: Session, person_id: str) -> Erasure | None:
    """The erasure of this person (or of the person they were merged into), if any."""
    return session.scalars(select(Erasure).where(
        Erasure.person_id == duplicates.survivor(session, person_id),
        Erasure.deleted_at.is_(None)).order_by(Erasure.at)).first()
