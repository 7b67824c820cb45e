"""What goes in a referral letter to a partner, and the record that one was given.

``letter_data`` gathers, in plain values only (no ORM objects: the result is handed to a
rendering thread), exactly what the partner may read about one referral: who the person
is (name, date of birth, postcode, how to reach them in the ways they agreed to, their
communication needs), what they agreed to share with THAT partner (when, recorded by
whom), what support is asked for and why (the prescription item's title, why and first
step, the needs raised in that conversation), the advisor and their hub, the partner's
key contact, the date and when a reply is expected.

It never reads private notes, escalations, what matters to the person, other referrals
or other partners: the fields below are the whole of what the letter can show. Without
consent in force to share with the partner (``consent.require_share``) it refuses with
``consent.ConsentNeeded`` and nothing is made; ``record_letter_given`` refuses the same
way, so nothing is recorded either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services import consent, contacts, duplicates
from lr_desk.services.desk import communication_needs
from lr_desk.services.handouts import GIVEN_HOW, SheetHub, hub_of, hub_site, live, record_given
from lr_desk.services.validation import ValidationError
from lr_desk.store.clock import local_time
from lr_desk.store.models import (
    CONTACT_WAYS,
    Advisor,
    Category,
    Conversation,
    ConversationNeed,
    Partner,
    PartnerService,
    Person,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
    Site,
)

LETTER_HOW = GIVEN_HOW
LETTER_AUDIT = {"printed": "referral letter",
                "saved": "referral letter, saved as a PDF file"}
CONSENT_FIELD = "letter"  # the key of the refusal's message (ConsentNeeded.errors)

# Whether, and how, the person agreed to be contacted (their consent to be contacted).
AGREED, WITHDRAWN, NOT_RECORDED = "agreed", "withdrawn", "not_recorded"
# The details each way of contact needs.
DETAIL_FOR_WAY = {"phone": "phone", "text": "phone", "email": "email"}


@dataclass(frozen=True)
class LetterContact:
    """Someone to call back: the partner's key contact."""

    name: str
    role: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class LetterData:
    referral_id: str
    made_on: date
    partner: str
    service: str
    key_contact: LetterContact | None  # None: the partner names no key contact
    partner_phone: str  # the partner's (or the service's) own number
    # who the person is
    full_name: str
    preferred_name: str  # only when it differs from their given name
    date_of_birth: date | None
    postcode: str
    phone: str  # shown only for ways they agreed to (see ``contact``)
    email: str
    contact: str  # AGREED, WITHDRAWN or NOT_RECORDED
    contact_ways: list[str] = field(default_factory=list)  # "Phone call", "Email", ...
    communication: list[str] = field(default_factory=list)
    # what they agreed to share, with this partner
    shared_on: date | None = None
    shared_recorded_by: str = ""
    # what support is asked for, and why
    title: str = ""
    why: str = ""
    first_step: str = ""
    needs: list[str] = field(default_factory=list)
    # from whom
    advisor: str = ""
    hub: SheetHub = field(default_factory=lambda: SheetHub("The Life Rooms"))
    reply_by: date | None = None  # Referral.reply_due, unless gone by
    reply_within_days: int = 14  # said instead when no reply date is set yet

    @property
    def name(self) -> str:
        """How the letter calls the person."""
        return self.preferred_name or self.full_name.split(" ")[0] or "The person"


def _referral(session: Session, referral_id: str) -> tuple[Referral, Person, PartnerService,
                                                            Partner]:
    ref = live(session, Referral, referral_id)
    if ref is None:
        raise LookupError(f"no referral {referral_id!r}")
    person = live(session, Person, duplicates.survivor(session, ref.person_id))
    service = live(session, PartnerService, ref.service_id)
    partner = live(session, Partner, service.partner_id) if service else None
    if person is None or service is None or partner is None:
        raise LookupError(f"referral {referral_id!r}: its person, service or partner is gone")
    if person.erased_at is not None:
        raise ValidationError({CONSENT_FIELD: "This person's information was erased at "
                                              "their request: there is nothing to send."})
    return ref, person, service, partner


def _consented(session: Session, referral_id: str) -> tuple:
    """The referral, its person, service and partner, and the consent in force to share
    with the partner; raises ConsentNeeded (its message at ``CONSENT_FIELD``) when there
    is none, or it was withdrawn."""
    ref, person, service, partner = _referral(session, referral_id)
    consent.require_share(session, person.id, {CONSENT_FIELD: service.id})
    shared = consent.sharing(session, person.id, [service.id]).latest[partner.id]
    return ref, person, service, partner, shared


def require_consent(session: Session, referral_id: str) -> consent.ConsentRow:
    """The consent in force to share with the referral's partner (ConsentNeeded if none)."""
    return _consented(session, referral_id)[-1]


def _contact_consent(session: Session, person_id: str) -> consent.ConsentRow | None:
    return next((row for row in consent.in_force(session, person_id)
                 if row.kind == "contact"), None)


def letter_data(session: Session, referral_id: str, today: date | None = None) -> LetterData:
    """Everything the letter shows for one referral. Raises LookupError when the
    referral (or its person, service or partner) is not here, and ConsentNeeded when the
    person has not agreed to share their information with the partner."""
    today = today or date.today()
    ref, person, service, partner, shared = _consented(session, referral_id)

    item = live(session, PrescriptionItem, ref.item_id)
    rx = live(session, Prescription, item.prescription_id) if item else None
    conv = live(session, Conversation, rx.conversation_id) if rx else None
    first_step = session.scalars(
        select(ReferralEvent.advisor_id).where(ReferralEvent.referral_id == ref.id,
                                               ReferralEvent.deleted_at.is_(None))
        .order_by(ReferralEvent.at, ReferralEvent.created_at).limit(1)).first()
    # the advisor who made the referral with the person (else who made the prescription)
    advisor = live(session, Advisor, first_step) or live(
        session, Advisor, rx.advisor_id if rx else None)
    needs = [] if conv is None else list(session.scalars(
        select(Category.name).join(ConversationNeed, ConversationNeed.category == Category.code)
        .where(ConversationNeed.conversation_id == conv.id,
               ConversationNeed.deleted_at.is_(None))
        .order_by(Category.position)))

    reach = _contact_consent(session, person.id)
    if reach is None:
        how, ways = NOT_RECORDED, []
    elif reach.given and reach.ways:
        how, ways = AGREED, reach.ways
    else:
        how, ways = WITHDRAWN, []
    wanted = ({DETAIL_FOR_WAY[w] for w in ways if w in DETAIL_FOR_WAY} if how == AGREED
              else {"phone", "email"} if how == NOT_RECORDED else set())

    key = contacts.key_contact(session, partner.id)
    preferred = person.preferred_name if person.preferred_name and \
        person.preferred_name != person.given_name else ""
    return LetterData(
        referral_id=ref.id,
        made_on=today,
        partner=partner.name,
        service=service.name,
        key_contact=LetterContact(key.name, key.role, key.phone, key.email) if key else None,
        partner_phone=service.phone or partner.phone,
        full_name=f"{person.given_name} {person.family_name}".strip(),
        preferred_name=preferred,
        date_of_birth=person.date_of_birth,
        postcode=person.postcode,
        phone=person.phone if "phone" in wanted else "",
        email=person.email if "email" in wanted else "",
        contact=how,
        contact_ways=[CONTACT_WAYS.get(w, w) for w in ways],
        communication=communication_needs(person, "British Sign Language (BSL)",
                                          "An interpreter"),
        shared_on=local_time(shared.recorded_at).date(),
        shared_recorded_by=shared.recorded_by,
        title=item.title if item else service.name,
        why=(item.why if item else "") or "",
        first_step=(item.first_step if item else "") or "",
        needs=needs,
        advisor=advisor.name if advisor else "",
        hub=hub_of(hub_site({s.code: s for s in session.scalars(select(Site))},
                            conv.site_code if conv else None, advisor)),
        # (a date gone by asks nothing: the partner is asked to reply within the days)
        reply_by=ref.reply_due if ref.reply_due and ref.reply_due >= today else None,
        reply_within_days=service.reply_deadline_days or 14,
    )


def record_letter_given(session: Session, referral_id: str, advisor_id: str,
                        how: str) -> datetime:
    """Record that the letter was printed or saved, when and by whom (an ordinary synced
    update of the referral), and in the audit log: printed, or exported (a saved file is
    a copy outside the desk). Refused, recording nothing, without consent to share in
    force. Returns the time recorded (UTC, as stored)."""
    if how not in LETTER_HOW:
        raise ValidationError({"how": "The letter is either printed or saved."})
    require_consent(session, referral_id)
    ref = live(session, Referral, referral_id)
    return record_given(session, ref, "letter", how, advisor_id, "print_letter",
                        LETTER_AUDIT)
