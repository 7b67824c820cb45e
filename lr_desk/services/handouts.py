"""What the documents handed out share (the take-home sheet, ``sheet``, and the referral
letter, ``letter``): the hub they come from, rows read only while not deleted, and the
record that one was given (printed or saved), when, how and by whom, on its row (an
ordinary synced update) and in the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from lr_desk.services import audit
from lr_desk.store.clock import session_now
from lr_desk.store.models import Advisor, Site

GIVEN_HOW = ("printed", "saved")


@dataclass(frozen=True)
class SheetHub:
    """Where the reader can reach The Life Rooms: the hub the document comes from."""

    name: str
    address: str = ""
    postcode: str = ""
    phone: str = ""
    hours: str = ""


def live(session: Session, model, key):
    """The row of ``model`` at ``key``, or None when there is none or it was deleted."""
    row = session.get(model, key) if key else None
    return row if row is not None and row.deleted_at is None else None


def hub_site(sites: Mapping[str, Site], site_code: str | None,
             advisor: Advisor | None) -> Site | None:
    """The hub the conversation was at; for work away from a hub (community, telephone,
    video), the advisor's home hub, whose phone and hours the reader can use; else the
    first hub by name (None: no hub at all)."""
    site = sites.get(site_code or "")
    if site is None or site.kind != "hub":
        site = sites.get(advisor.home_site) if advisor is not None else None
    if site is None or site.kind != "hub":
        hubs = sorted((s for s in sites.values() if s.kind == "hub"), key=lambda s: s.name)
        site = hubs[0] if hubs else None
    return site


def hub_of(site: Site | None) -> SheetHub:
    return SheetHub(site.name, site.address, site.postcode, site.phone, site.hours) \
        if site is not None else SheetHub("The Life Rooms")


def record_given(session: Session, row, prefix: str, how: str, advisor_id: str,
                 printed: str, details: Mapping[str, str]) -> datetime:
    """Record on ``row`` (its ``<prefix>_at``, ``_how`` and ``_by``) that the document was
    printed or saved, and in the audit log: ``printed`` (the audit's action) or exported
    (a saved file is a copy outside the desk), with ``details[how]``. Returns the time
    recorded (UTC, as stored). ``how`` is checked by the caller."""
    now = session_now(session)
    setattr(row, f"{prefix}_at", now)
    setattr(row, f"{prefix}_how", how)
    setattr(row, f"{prefix}_by", advisor_id)
    session.flush()
    audit.record(session, printed if how == "printed" else "export",
                 entity=row.__tablename__, entity_id=row.id, person_id=row.person_id,
                 detail=details[how], advisor_id=advisor_id)
    return now
