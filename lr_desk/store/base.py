"""The declarative base every table of the local store is made from.

``Base`` carries the metadata (with its naming convention, so constraints and indexes get
the same names in every migration). ``Synced`` adds the columns every synced row has: a
UUIDv7 key made on the device, ``created_at``/``updated_at``, and a ``deleted_at``
tombstone. Rows of synced tables are never deleted; every insert and update is captured
in the ``outbox`` in the same transaction (see ``lr_desk.store.outbox``).
"""

from datetime import date, datetime

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lr_desk.store.clock import new_id, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


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
