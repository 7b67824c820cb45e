"""The audit log: who looked at, changed, printed or exported what, when, on which desk.

Records are append-only (the database refuses to change them) and sync like any other.
They hold ids and field names, never personal data, so erasing a person leaves them be.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from lr_desk.store.models import AUDIT_ACTIONS, AuditEvent, Device


def record(session: Session, action: str, *, entity: str = "", entity_id: str | None = None,
           person_id: str | None = None, detail: str = "",
           advisor_id: str | None = None) -> AuditEvent:
    """Add one record to the audit log, in the caller's transaction. ``advisor_id``
    defaults to whoever the session says is at the desk."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"not an audited action: {action}")
    event = AuditEvent(action=action, entity=entity, entity_id=entity_id, person_id=person_id,
                       detail=detail[:500],
                       advisor_id=advisor_id or session.info.get("advisor_id"),
                       device_id=_device_id(session))
    session.add(event)
    session.flush()
    return event


def _device_id(session: Session) -> str:
    device_id = session.info.get("device_id")
    if device_id is None:
        device = session.query(Device).first()
        device_id = device.id if device is not None else ""
    return device_id
