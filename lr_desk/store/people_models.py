"""The tables of the people the desk serves (all synced): their details, conversations and
the needs raised, social prescriptions and their items, referrals and their steps,
follow-ups, consents, merges of records made twice, and erasures."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lr_desk.store.base import Base, Synced
from lr_desk.store.clock import utcnow


class Person(Synced, Base):
    __tablename__ = "person"
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date, default=None)
    postcode: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    referral_source: Mapped[str] = mapped_column(String(16), default="self")
    referral_source_detail: Mapped[str] = mapped_column(String(200), default="")
    service_user: Mapped[bool] = mapped_column(Boolean, default=False)
    carer: Mapped[bool] = mapped_column(Boolean, default=False)
    # NHS Accessible Information Standard communication needs
    needs_large_print: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_easy_read: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_interpreter: Mapped[bool] = mapped_column(Boolean, default=False)
    interpreter_language: Mapped[str] = mapped_column(String(60), default="")
    needs_bsl: Mapped[bool] = mapped_column(Boolean, default=False)
    communication_other: Mapped[str] = mapped_column(Text, default="")
    on_benefits: Mapped[str] = mapped_column(String(8), default="")  # BENEFITS; "": unknown
    # the NHS number, ten digits (its check digit checked: services.validation); optional
    nhs_number: Mapped[str] = mapped_column(String(10), default="")
    registered_site: Mapped[str] = mapped_column(String(32), default="")
    registered_by: Mapped[str | None] = mapped_column(ForeignKey("advisor.id"), default=None)
    # Set when this record was merged into another (the survivor): see services.merge.
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("person.id"), default=None)
    # Set when the person's information was erased at their request (services.erasure):
    # the row stays, without personal data, so that counts for reports still add up.
    erased_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        Index("ix_person_family_name", "family_name"),
        Index("ix_person_date_of_birth", "date_of_birth"),
        Index("ix_person_merged_into", "merged_into"),
    )

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.given_name
        return f"{first} {self.family_name}".strip()


class Conversation(Synced, Base):
    __tablename__ = "conversation"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    occurred_at: Mapped[datetime]
    site_code: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16), default="drop_in")
    advisor_id: Mapped[str] = mapped_column(ForeignKey("advisor.id"))
    what_matters: Mapped[str] = mapped_column(Text, default="")
    private_notes: Mapped[str] = mapped_column(Text, default="")
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_reason: Mapped[str] = mapped_column(String(16), default="")
    escalation_action: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_conversation_person_occurred", "person_id", "occurred_at"),
        Index("ix_conversation_occurred_at", "occurred_at"),
    )


class ConversationNeed(Synced, Base):
    """A need raised in a conversation (one row per need, so reports can count them)."""

    __tablename__ = "conversation_need"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))


class Prescription(Synced, Base):
    """A social prescription co-created in a conversation."""

    __tablename__ = "prescription"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversation.id"), index=True)
    advisor_id: Mapped[str] = mapped_column(ForeignKey("advisor.id"))
    # The take-home sheet: when it was last printed or saved, how, and by whom.
    sheet_at: Mapped[datetime | None] = mapped_column(default=None)
    sheet_how: Mapped[str] = mapped_column(String(8), default="")  # printed | saved
    sheet_by: Mapped[str | None] = mapped_column(ForeignKey("advisor.id"), default=None)


class PrescriptionItem(Synced, Base):
    __tablename__ = "prescription_item"
    prescription_id: Mapped[str] = mapped_column(ForeignKey("prescription.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[str | None] = mapped_column(ForeignKey("partner_service.id"), default=None)
    course_id: Mapped[str | None] = mapped_column(ForeignKey("course.id"), default=None)
    title: Mapped[str] = mapped_column(String(300))
    why: Mapped[str] = mapped_column(Text, default="")
    first_step: Mapped[str] = mapped_column(Text, default="")
    target_date: Mapped[date | None] = mapped_column(Date, default=None)


class Referral(Synced, Base):
    """A prescription item sent to a partner service; ``status`` is the latest event's."""

    __tablename__ = "referral"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("prescription_item.id"), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("partner_service.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="suggested")
    status_at: Mapped[datetime] = mapped_column(default=utcnow)
    reply_due: Mapped[date | None] = mapped_column(Date, default=None)  # set when sent
    # referred although the checks said not (services.eligibility): what they said, why
    override_warnings: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")
    # the person's own view of whether it helped (REFERRAL_VIEWS), asked at follow-up
    view: Mapped[str] = mapped_column(String(12), default="")
    view_words: Mapped[str] = mapped_column(Text, default="")
    view_at: Mapped[datetime | None] = mapped_column(default=None)
    # the referral letter: when it was last printed or saved, how, and by whom
    letter_at: Mapped[datetime | None] = mapped_column(default=None)
    letter_how: Mapped[str] = mapped_column(String(8), default="")  # printed | saved
    letter_by: Mapped[str | None] = mapped_column(ForeignKey("advisor.id"), default=None)

    # referrals sent and awaiting a reply (services.referrals_due)
    __table_args__ = (Index("ix_referral_status_status_at", "status", "status_at"),)


class ReferralEvent(Synced, Base):
    """One dated, attributed step in a referral's life (``kind`` REFERRAL_EVENT_KINDS: a
    step forward, a correction from ``from_status``, or a chase), a decline's reason
    from DECLINE_REASONS in ``reason_code`` and words in ``reason``."""

    __tablename__ = "referral_event"
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="step")
    from_status: Mapped[str] = mapped_column(String(16), default="")
    reason_code: Mapped[str] = mapped_column(String(24), default="")
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    advisor_id: Mapped[str] = mapped_column(ForeignKey("advisor.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class ServiceGap(Synced, Base):
    """A need no suitable service could meet, recorded at a drop-in (counted in reports)."""

    __tablename__ = "service_gap"
    category: Mapped[str] = mapped_column(String(32))
    site_code: Mapped[str] = mapped_column(String(32), default="")
    words: Mapped[str] = mapped_column(Text, default="")
    advisor_id: Mapped[str] = mapped_column(ForeignKey("advisor.id"))
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversation.id"),
                                                        default=None, index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUp(Synced, Base):
    __tablename__ = "follow_up"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversation.id"), default=None)
    due_date: Mapped[date] = mapped_column(Date)
    due_time: Mapped[str] = mapped_column(String(5), default="")  # HH:MM or empty
    way: Mapped[str] = mapped_column(String(16), default="call")
    site_code: Mapped[str] = mapped_column(String(32), default="")
    assigned_to: Mapped[str] = mapped_column(ForeignKey("advisor.id"))
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    done_by: Mapped[str | None] = mapped_column(ForeignKey("advisor.id"), default=None)
    outcome: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_follow_up_open", "done_at", "due_date"),)


class WellbeingMeasure(Synced, Base):
    """One outcome measure a person answered (services.wellbeing): SWEMWBS's seven
    statements (1-5) or ONS4's four questions (0-10), in a drop-in or a follow-up.
    ``answers`` maps each item answered ("1".."7") to its answer; an item skipped is left
    out, and then SWEMWBS has no ``raw_total`` (never a guessed one)."""

    __tablename__ = "wellbeing_measure"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    measure: Mapped[str] = mapped_column(String(12))  # WELLBEING_MEASURES
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    raw_total: Mapped[int | None] = mapped_column(default=None)  # SWEMWBS, all 7 answered
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    site_code: Mapped[str] = mapped_column(String(32), default="")
    advisor_id: Mapped[str] = mapped_column(ForeignKey("advisor.id"))
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversation.id"),
                                                        default=None)
    follow_up_id: Mapped[str | None] = mapped_column(ForeignKey("follow_up.id"), default=None)

    __table_args__ = (Index("ix_wellbeing_measure_taken_at", "taken_at"),)


class PersonMerge(Synced, Base):
    """One person record merged into another: what was moved, so it can be undone."""

    __tablename__ = "person_merge"
    survivor_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    merged_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    advisor_id: Mapped[str] = mapped_column(ForeignKey("advisor.id"))
    moved: Mapped[dict] = mapped_column(JSON, default=dict)  # entity -> [ids]
    undone_at: Mapped[datetime | None] = mapped_column(default=None)


class NotDuplicate(Synced, Base):
    """Two person records an advisor said are different people (so not listed again)."""

    __tablename__ = "not_duplicate"
    person_a: Mapped[str] = mapped_column(ForeignKey("person.id"))
    person_b: Mapped[str] = mapped_column(ForeignKey("person.id"))
    advisor_id: Mapped[str] = mapped_column(ForeignKey("advisor.id"))


class Consent(Synced, Base):
    """One consent given, or withdrawn (``given`` false), by a person: to keep their
    information, to share it with one named partner, or to be contacted (``ways``, a
    comma-separated list of CONTACT_WAYS). The latest record for a person, kind and
    partner is the one in force; earlier ones are its history."""

    __tablename__ = "consent"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # see CONSENT_KINDS
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partner.id"), default=None)
    ways: Mapped[str] = mapped_column(String(60), default="")
    given: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(ForeignKey("advisor.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class Erasure(Synced, Base):
    """A person's information erased at their request, approved by a manager (see
    lr_desk.store.erase: what is emptied and what is kept)."""

    __tablename__ = "erasure"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    requested_by: Mapped[str] = mapped_column(ForeignKey("advisor.id"))
    approved_by: Mapped[str] = mapped_column(ForeignKey("advisor.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(32), default="request")  # ERASURE_REASONS
    # Every record erased (the person, everyone merged into them, and all that was held
    # under them), by id: the central store blanks the changes it holds for these without
    # having to know how records relate.
    record_ids: Mapped[dict] = mapped_column(JSON, default=dict)  # entity -> [ids]
    # {"by": the approving manager, "sig": base64} over the whole row (store.authority)
    proof: Mapped[dict | None] = mapped_column(JSON, default=None)
