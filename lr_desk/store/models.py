"""The local store's tables as SQLAlchemy 2 typed models, and the words for their choices:
the store's public face. Everything outside the store imports these names from here
(the UI may: they are the vocabulary and record types services hand it); they are made
in modules by subject:

    base                Base (the metadata), Synced (the columns every synced row has)
    vocabulary          each choice a record can hold, code -> the words people see
    directory_models    hubs, need categories, partners, their services, courses
    people_models       people, conversations, prescriptions, referrals, follow-ups,
                        consents, merges, erasures
    account_models      staff accounts, the audit log, the accounts as authority sees them
    desk_models         this desk's own: identity, settings, drafts, sync's bookkeeping

Synced tables (everything a person or advisor creates) inherit ``Synced``: a UUIDv7 key
made on the device, ``created_at``/``updated_at``, and a ``deleted_at`` tombstone. Rows
of synced tables are never deleted; every insert and update is captured in the
``outbox`` in the same transaction (see ``lr_desk.store.outbox``).

Local tables (the outbox, settings, drafts, the device's identity and the shipped
reference data) never sync.
"""

from lr_desk.store.account_models import Advisor, AuditEvent, AuthorityAccount, AuthorityDevice
from lr_desk.store.base import NAMING, Base, Synced, to_json
from lr_desk.store.desk_models import (
    Conflict,
    Device,
    Draft,
    ErasedRow,
    Outbox,
    RowClock,
    SearchDirty,
    SearchKey,
    SetAside,
    Setting,
    SyncState,
)
from lr_desk.store.directory_models import (
    Category,
    Course,
    Partner,
    PartnerCatchup,
    PartnerContact,
    PartnerService,
    Site,
)
from lr_desk.store.people_models import (
    Consent,
    Conversation,
    ConversationNeed,
    Erasure,
    FollowUp,
    NotDuplicate,
    Person,
    PersonMerge,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
    ServiceGap,
    WellbeingMeasure,
)
from lr_desk.store.vocabulary import (
    AUDIT_ACTIONS,
    BENEFITS,
    BENEFITS_RULES,
    CAPACITY,
    CAPACITY_PERIODS,
    CONSENT_KINDS,
    CONTACT_WAYS,
    DECLINE_REASONS,
    DELIVERY,
    ERASURE_REASONS,
    ESCALATION_REASONS,
    FOLLOWUP_WAYS,
    ITEM_KINDS,
    MODES,
    REFERRAL_EVENT_KINDS,
    REFERRAL_SOURCES,
    REFERRAL_STATUSES,
    REFERRAL_VIEWS,
    ROLES,
    WELLBEING_MEASURES,
)

# Every synced table, by the entity name changes carry (its table's name).
SYNCED_MODELS: dict[str, type[Base]] = {
    m.__tablename__: m
    for m in (
        Advisor, Person, Partner, PartnerService, Course, Conversation, ConversationNeed,
        Prescription, PrescriptionItem, Referral, ReferralEvent, FollowUp, PersonMerge,
        NotDuplicate, AuditEvent, Consent, Erasure, PartnerContact, PartnerCatchup,
        ServiceGap, WellbeingMeasure,
    )
}

# The public face: the vocabulary, the base and every table.
__all__ = [
    "AUDIT_ACTIONS", "BENEFITS", "BENEFITS_RULES", "CAPACITY", "CAPACITY_PERIODS",
    "CONSENT_KINDS", "CONTACT_WAYS", "DECLINE_REASONS", "DELIVERY", "ERASURE_REASONS",
    "ESCALATION_REASONS", "FOLLOWUP_WAYS", "ITEM_KINDS", "MODES", "NAMING",
    "REFERRAL_EVENT_KINDS", "REFERRAL_SOURCES", "REFERRAL_STATUSES", "REFERRAL_VIEWS",
    "ROLES", "SYNCED_MODELS", "WELLBEING_MEASURES", "Advisor", "AuditEvent", "AuthorityAccount",
    "AuthorityDevice", "Base", "Category", "Conflict", "Consent", "Conversation",
    "ConversationNeed", "Course", "Device", "Draft", "ErasedRow", "Erasure", "FollowUp",
    "NotDuplicate", "Outbox", "Partner", "PartnerCatchup", "PartnerContact",
    "PartnerService", "Person", "PersonMerge", "Prescription", "PrescriptionItem",
    "Referral", "ReferralEvent", "RowClock", "SearchDirty", "SearchKey", "ServiceGap",
    "SetAside", "Setting",
    "Site", "SyncState", "Synced", "WellbeingMeasure", "to_json",
]
