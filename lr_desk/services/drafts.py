"""Autosaved drafts of unsaved forms (local only, never synced)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.store.clock import utcnow
from lr_desk.store.models import Draft


def save(session: Session, key: str, payload: dict) -> None:
    row = session.get(Draft, key)
    if row is None:
        session.add(Draft(key=key, payload=payload, updated_at=utcnow()))
    else:
        row.payload, row.updated_at = payload, utcnow()


def load(session: Session, key: str) -> Draft | None:
    return session.get(Draft, key)


def keys(session: Session, prefix: str) -> list[str]:
    """The keys of the drafts whose key starts with ``prefix``, oldest first."""
    return list(session.scalars(select(Draft.key).where(Draft.key.startswith(prefix))
                                .order_by(Draft.updated_at)))


def discard(session: Session, key: str) -> None:
    row = session.get(Draft, key)
    if row is not None:
        session.delete(row)
