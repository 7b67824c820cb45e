"""Changes set aside: what this desk pulled from the central store and could not apply
(lr_desk.sync.checks says why: a bad shape, a schema version that is not a real one, no
proof of authority). Every desk sets aside the same ones, so nothing here is this desk's
own fault; an admin sees them (accounts.NEEDS["devices"]) to find the device that sent
them: most likely lost, stolen or broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lr_desk.store.clock import local_time
from lr_desk.store.models import SetAside


@dataclass(frozen=True)
class SetAsideChange:
    """One change set aside, as an admin reads it."""

    change_id: str
    device: str  # the device that appended it to the log
    record: str  # what it was to change: its kind and id
    reason: str
    when: datetime  # when this desk set it aside (local time)
    fields: Any  # what it held, as it came


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SetAside))


def listed(session: Session, limit: int = 200) -> list[SetAsideChange]:
    """The changes set aside, newest first (at most ``limit``)."""
    rows = session.scalars(select(SetAside).order_by(SetAside.id.desc()).limit(limit))
    return [SetAsideChange(r.change_id, r.device_id, f"{r.entity} {r.entity_id}", r.reason,
                           local_time(r.set_aside_at), r.fields) for r in rows]
