"""Staff accounts and the audit log (synced), and the accounts as the log's authority
changes have made them on this desk (``AuthorityAccount``, ``AuthorityDevice``: never
synced, every desk keeps the same; see ``lr_desk.store.authority``)."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lr_desk.store.base import Base, Synced
from lr_desk.store.clock import utcnow


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
