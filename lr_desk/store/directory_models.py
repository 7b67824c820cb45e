"""The directory's tables: hubs and need categories (shipped reference data, not
synced), and the partners, their named contacts, catch-ups, services (with capacity and
eligibility) and the Recovery College courses that advisors prescribe (synced).

``feed_id`` and ``feed_record`` hold what an Open Referral UK feed said of a row it
imported (services.oruk): its id there, and the record as received, so a re-import
finds the row again and tells what the desk refined from what the feed changed."""

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lr_desk.store.base import Base, Synced


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
    # (key_contact and its phone and email are from before PartnerContact: read when a
    # partner has no contacts yet, emptied when its contacts are first saved)
    catchup_every_months: Mapped[int] = mapped_column(default=3)  # 0: no catch-ups
    feed_id: Mapped[str] = mapped_column(String(250), default="")
    feed_record: Mapped[dict | None] = mapped_column(JSON, default=None)

    services: Mapped[list["PartnerService"]] = relationship(back_populates="partner")


class PartnerContact(Synced, Base):
    """A named person at a partner; one of them (``is_key``) is its key contact."""

    __tablename__ = "partner_contact"
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    feed_id: Mapped[str] = mapped_column(String(250), default="")


class PartnerCatchup(Synced, Base):
    """A catch-up with a partner: planned (every ``Partner.catchup_every_months``),
    then held (``held_on``) with who was there and notes; overdue if not held by then."""

    __tablename__ = "partner_catchup"
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner.id"), index=True)
    planned_on: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date | None] = mapped_column(Date, default=None)
    who: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    advisor_id: Mapped[str | None] = mapped_column(ForeignKey("advisor.id"), default=None)


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
    # Capacity: CAPACITY status, confirmed when (older than 30 days: unconfirmed)
    capacity: Mapped[str] = mapped_column(String(12), default="taking")
    wait_weeks: Mapped[int | None] = mapped_column(default=None)  # typical wait, a list
    paused_until: Mapped[date | None] = mapped_column(Date, default=None)
    capacity_confirmed_on: Mapped[date | None] = mapped_column(Date, default=None)
    takes: Mapped[int | None] = mapped_column(default=None)  # new referrals per period
    takes_per: Mapped[str] = mapped_column(String(8), default="month")  # CAPACITY_PERIODS
    reply_days: Mapped[int | None] = mapped_column(default=None)  # usually replies in
    reply_deadline_days: Mapped[int] = mapped_column(default=14)
    # Eligibility (services.eligibility): empty or None is "anyone"
    min_age: Mapped[int | None] = mapped_column(default=None)
    max_age: Mapped[int | None] = mapped_column(default=None)
    catchment: Mapped[str] = mapped_column(String(500), default="")  # "Sefton, L4, L5"
    benefits_rule: Mapped[str] = mapped_column(String(8), default="")  # BENEFITS_RULES
    once_only: Mapped[bool] = mapped_column(Boolean, default=False)
    once_lookback_months: Mapped[int | None] = mapped_column(default=None)  # None: ever
    criteria: Mapped[str] = mapped_column(Text, default="")  # other criteria, in words
    feed_id: Mapped[str] = mapped_column(String(250), default="")
    feed_record: Mapped[dict | None] = mapped_column(JSON, default=None)

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
