"""The directory's tables: hubs and need categories (shipped reference data, not
synced), and the partners, their services and the Recovery College courses that advisors
prescribe (synced)."""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
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
