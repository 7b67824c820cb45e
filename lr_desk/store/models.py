"""The local store's tables as SQLAlchemy 2 typed models.

Synced tables (everything a person or advisor creates) inherit ``Synced``: a UUIDv7 key
made on the device, ``created_at``/``updated_at``, and a ``deleted_at`` tombstone. Rows
of synced tables are never deleted; every insert and update is captured in the
``outbox`` in the same transaction (see ``lr_desk.store.outbox``).

Local tables (the outbox, settings, drafts, the device's identity and the shipped
reference data) never sync.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from lr_desk.store.clock import new_id, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Choices, code -> the words advisors see.
REFERRAL_SOURCES = {
    "self": "Self-referral",
    "gp": "GP",
    "consultant": "Consultant",
    "cpn": "Community psychiatric nurse (CPN)",
    "ot": "Occupational therapist (OT)",
    "pcn": "Primary-care network social prescribing",
    "partner": "Partner organisation",
    "other": "Other",
}
MODES = {"drop_in": "Drop-in", "telephone": "Telephone", "video": "Video", "outreach": "Outreach"}
ESCALATION_REASONS = {
    "distress": "Distress",
    "safeguarding": "Safeguarding",
    "clinical": "Clinical need",
}
ITEM_KINDS = {
    "course": "Recovery College course",
    "partner_service": "Partner service",
    "volunteering": "Volunteering",
    "peer_support": "Peer support",
    "own_step": "My own step",
}
REFERRAL_STATUSES = {
    "suggested": "Suggested",
    "agreed": "Agreed",
    "sent": "Sent",
    "accepted": "Accepted",
    "declined": "Declined",
    "engaged": "Engaged",
    "completed": "Completed",
    "not_taken_up": "Not taken up",
}
FOLLOWUP_WAYS = {"call": "Phone call", "drop_in": "Drop-in", "video": "Video",
                 "text": "Text message"}
DELIVERY = {"hub": "At a Life Rooms hub (under one roof)", "community": "In the community"}


def to_json(value):
    """A column value as JSON (dates and times as ISO 8601), for changes and conflicts."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(), str: String()}


class Synced:
    """Columns every synced row has. ``__synced__`` marks the class for the outbox."""

    __synced__ = True

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


# --- local, not synced -------------------------------------------------------------


class Site(Base):
    """A hub or a way of working (peripatetic, telephone, video). Shipped reference data."""

    __tablename__ = "site"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str]
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(default="")
    postcode: Mapped[str] = mapped_column(default="")
    phone: Mapped[str] = mapped_column(default="")
    hours: Mapped[str] = mapped_column(default="")


class Category(Base):
    """A need or referral category. ``report_group`` reproduces the published Table 1."""

    __tablename__ = "category"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str]
    report_group: Mapped[str]
    position: Mapped[int] = mapped_column(default=0)


class Device(Base):
    """This device's identity (one row, made at first start)."""

    __tablename__ = "device"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Setting(Base):
    """A per-device setting's stored value (declared in ``lr_desk.settings``)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class Draft(Base):
    """Autosaved form contents, so a crash loses at most a few seconds of typing."""

    __tablename__ = "draft"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Outbox(Base):
    """One change to one synced row, waiting to be pushed to the central store.

    ``fields`` holds the new values of the fields that changed (all fields on insert).
    ``seq`` is the local order; ``change_id`` is the change's global identity, made on the
    device, so that a store can ignore a change it already has.
    """

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(8))  # insert | update
    fields: Mapped[dict] = mapped_column(JSON)
    hlc: Mapped[str] = mapped_column(String(80))
    schema_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    # Per changed field, the clocks of the values its writer had seen and replaced
    # knowingly (see lr_desk.sync.merge); "~row" on a delete: the newest clock of the row.
    seen: Mapped[dict | None] = mapped_column(JSON, default=None)


class RowClock(Base):
    """The clocks of a synced row's current values: ``base`` (the insert's) for every
    field, unless ``fields`` holds a newer one for that field. Never synced: each device
    keeps its own, and they agree once everyone has synced."""

    __tablename__ = "row_clock"
    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    base: Mapped[str] = mapped_column(String(80))
    fields: Mapped[dict | None] = mapped_column(JSON, default=None)


class Conflict(Base):
    """A value that lost to a concurrent write from another device, kept for review
    (``kind`` "value"), or a row edited on one device while deleted on another ("deleted").
    ``resolved_hlc`` is the clock of the write that settled it (a choice made on any
    device, or a later edit by someone who had seen it)."""

    __tablename__ = "conflict"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[object] = mapped_column(JSON)
    hlc: Mapped[str] = mapped_column(String(80))
    winner_hlc: Mapped[str] = mapped_column(String(80))
    by: Mapped[str | None] = mapped_column(String(36), default=None)  # advisors, if known
    winner_by: Mapped[str | None] = mapped_column(String(36), default=None)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_hlc: Mapped[str | None] = mapped_column(String(80), default=None)

    __table_args__ = (
        Index("ux_conflict_value", "entity_id", "field", "hlc", unique=True),
        Index("ix_conflict_open", "resolved_hlc"),
    )


class SyncState(Base):
    """Where this device is with the central store: the log's cursor and the like."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


# --- synced ------------------------------------------------------------------------


ROLES = {"advisor": "Advisor", "manager": "Manager", "admin": "Admin"}


class Advisor(Synced, Base):
    """A member of staff: their name, and their account (see services.accounts). An
    advisor with no username cannot sign in until an admin gives them one."""

    __tablename__ = "advisor"
    name: Mapped[str] = mapped_column(String(120))
    home_site: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    username: Mapped[str] = mapped_column(String(60), default="")
    role: Mapped[str] = mapped_column(String(16), default="advisor")  # see ROLES
    # argon2id, in its PHC string form (salt and cost inside); "" until one is set
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    # The account's signing key (lr_desk.store.authority): the public half (base64, raw
    # Ed25519), and the private half sealed under its password (services.proofs)
    public_key: Mapped[str] = mapped_column(String(64), default="")
    sealed_key: Mapped[dict | None] = mapped_column(JSON, default=None)
    # {"by": advisor id, "sig": base64} over its last change of an authority field
    proof: Mapped[dict | None] = mapped_column(JSON, default=None)


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


class Partner(Synced, Base):
    """A partner organisation in the directory."""

    __tablename__ = "partner"
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32), default="")
    web: Mapped[str] = mapped_column(String(300), default="")
    key_contact: Mapped[str] = mapped_column(String(120), default="")
    key_contact_phone: Mapped[str] = mapped_column(String(32), default="")
    key_contact_email: Mapped[str] = mapped_column(String(254), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)

    services: Mapped[list["PartnerService"]] = relationship(back_populates="partner")


class PartnerService(Synced, Base):
    """One service a partner offers: its category, and where and when it is delivered."""

    __tablename__ = "partner_service"
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    delivery: Mapped[str] = mapped_column(String(16), default="community")
    site_code: Mapped[str] = mapped_column(String(32), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    when_text: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    web: Mapped[str] = mapped_column(String(300), default="")
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)

    partner: Mapped[Partner] = relationship(back_populates="services")


class Course(Synced, Base):
    """A Recovery College course."""

    __tablename__ = "course"
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200), default="The Life Rooms Recovery College")
    site_code: Mapped[str] = mapped_column(String(32), default="")
    starts_on: Mapped[date | None] = mapped_column(Date, default=None)
    ends_on: Mapped[date | None] = mapped_column(Date, default=None)
    when_text: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)


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


class ReferralEvent(Synced, Base):
    """One dated, attributed step in a referral's life."""

    __tablename__ = "referral_event"
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    advisor_id: Mapped[str] = mapped_column(ForeignKey("advisor.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


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


AUDIT_ACTIONS = {
    "sign_in": "Signed in",
    "sign_out": "Signed out",
    "open_person": "Opened a person's record",
    "create": "Created a record",
    "change": "Changed a record",
    "delete": "Deleted a record",
    "print_sheet": "Printed a take-home sheet",
    "export": "Exported",
    "see_private_notes": "Looked at private notes",
}


class AuditEvent(Synced, Base):
    """One accountable action: who, when, on which device, what. Append-only (triggers
    refuse changes), synced like any record. It never holds personal data: records are
    named by id, changes by the fields changed, never their values."""

    __tablename__ = "audit_event"
    at: Mapped[datetime] = mapped_column(default=utcnow)
    advisor_id: Mapped[str | None] = mapped_column(String(36), default=None)
    device_id: Mapped[str] = mapped_column(String(36), default="")
    action: Mapped[str] = mapped_column(String(32))  # see AUDIT_ACTIONS
    entity: Mapped[str] = mapped_column(String(64), default="")
    entity_id: Mapped[str | None] = mapped_column(String(36), default=None)
    person_id: Mapped[str | None] = mapped_column(String(36), default=None)
    detail: Mapped[str] = mapped_column(String(500), default="")

    # The log is read newest first, by time alone or within one person, advisor or
    # action (services.audit.read): each index ends in the time, so a page is a range.
    __table_args__ = (
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_person_id", "person_id", "at"),
        Index("ix_audit_event_advisor_id", "advisor_id", "at"),
        Index("ix_audit_event_action", "action", "at"),
    )


CONSENT_KINDS = {
    "keep": "Keep their information",
    "share": "Share their information with a partner",
    "contact": "Be contacted",
}
CONTACT_WAYS = {"phone": "Phone call", "text": "Text message", "email": "Email",
                "post": "Letter"}


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


ERASURE_REASONS = {
    "request": "They asked for their information to be erased",
    "consent_withdrawn": "They withdrew their consent to our keeping it",
    "retention": "It has been kept longer than our retention period",
}


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


class AuthorityAccount(Base):
    """An account as the log has made it, from the changes accepted (store.authority):
    what decides what it may sign. Never synced; every desk keeps the same."""

    __tablename__ = "authority_account"
    advisor_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean)
    deleted: Mapped[bool] = mapped_column(Boolean)
    public_key: Mapped[str] = mapped_column(String(64))
    clocks: Mapped[dict] = mapped_column(JSON)  # field -> the clock of its value


class AuthorityDevice(Base):
    """A device the log holds an account change from: it cannot set up a first admin."""

    __tablename__ = "authority_device"
    device_id: Mapped[str] = mapped_column(String(80), primary_key=True)


class ErasedRow(Base):
    """A record whose personal values are erased, on this desk (never synced): changes
    to it arriving from a desk that had not yet heard are blanked as they are merged."""

    __tablename__ = "erased_row"
    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity: Mapped[str] = mapped_column(String(64))


class SetAside(Base):
    """A change pulled from the central store that this desk could not apply (a bad
    shape, a schema version that is not a real one, no proof of authority: the reason
    says which), kept for an admin to see instead of stopping the sync (see
    lr_desk.sync.checks). Never synced: every desk sets aside the same changes."""

    __tablename__ = "set_aside"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(String(36), unique=True)
    seq: Mapped[int] = mapped_column(Integer)  # where it was in the log it came from
    device_id: Mapped[str] = mapped_column(String(36))  # the device that appended it
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(8))
    fields: Mapped[object | None] = mapped_column(JSON, default=None)  # as it came
    seen: Mapped[object | None] = mapped_column(JSON, default=None)
    hlc: Mapped[str] = mapped_column(String(80))
    schema_version: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    set_aside_at: Mapped[datetime] = mapped_column(default=utcnow)


SYNCED_MODELS: dict[str, type[Base]] = {
    m.__tablename__: m
    for m in (
        Advisor, Person, Partner, PartnerService, Course, Conversation, ConversationNeed,
        Prescription, PrescriptionItem, Referral, ReferralEvent, FollowUp, PersonMerge,
        NotDuplicate, AuditEvent, Consent, Erasure,
    )
}
