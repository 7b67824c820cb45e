"""This desk's own tables, never synced: its identity, settings and autosaved drafts, and
the bookkeeping of sync (the outbox, each row's clocks, values kept for review, the
cursor, changes set aside) and of erasure (rows erased here)."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lr_desk.store.base import Base
from lr_desk.store.clock import new_id, utcnow


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
    # No longer written: what is sent is one watermark in sync_state (lr_desk.sync.push),
    # taken once from these marks when a desk is upgraded. Kept (a desk schema change
    # would stop other desks pulling until updated); a desk run with an older lr_desk
    # again sends what it sees unmarked, and the store ignores what it has.
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


class SearchKey(Base):
    """A word the Find box looks a person up by (a folded name word, or their date of
    birth, postcode or phone as a key; lr_desk.services.search_keys), with the person's
    place in name order: search answers from these at sign-in while the in-memory index
    is built. Kept in step by triggers (migration 0009) and the desk's search worker."""

    __tablename__ = "search_key"
    __table_args__ = (Index("ix_search_key_person_id", "person_id"),
                      {"sqlite_with_rowid": False})
    token: Mapped[str] = mapped_column(String, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)
    given: Mapped[bool] = mapped_column(Boolean)
    name_order: Mapped[str] = mapped_column(String)


class SearchDirty(Base):
    """A person changed since their search keys were made (marked by triggers on person,
    whatever changed them: a save, a sync, an erasure)."""

    __tablename__ = "search_dirty"
    __table_args__ = ({"sqlite_with_rowid": False},)
    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
