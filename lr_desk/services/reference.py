"""Shipped reference data (sites, categories) and the example directory."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.resources import RESOURCES, load_json
from lr_desk.store.models import Category, Course, Partner, PartnerService, Site

# Example directory rows get ids derived from their names, so every device that seeds
# them makes the same rows and sync never sees them twice.
EXAMPLE_NAMESPACE = uuid.UUID("6f3b7c1e-8a52-4f0e-9d8e-1f2a3b4c5d6e")


def example_id(*parts: str) -> str:
    return str(uuid.uuid5(EXAMPLE_NAMESPACE, "/".join(parts)))


SHIPPED = ("reference.json", "example_directory.json")


def checksum() -> str:
    """Identifies the shipped reference files, so they are loaded again when they change."""
    digest = hashlib.sha256()
    for name in SHIPPED:
        digest.update((RESOURCES / name).read_bytes())
    return digest.hexdigest()


def seed_reference(session: Session) -> None:
    """Insert or correct the sites and categories from lr_desk/data/reference.json."""
    data = load_json("reference.json")
    for row in data["sites"]:
        session.merge(Site(**row))
    for position, row in enumerate(data["categories"]):
        session.merge(Category(position=position, **row))


def seed_example_directory(session: Session) -> int:
    """Add the example directory (marked as example data) if it is not there yet."""
    data = load_json("example_directory.json")
    added = 0
    for p in data["partners"]:
        pid = example_id("partner", p["name"])
        if session.get(Partner, pid) is not None:
            continue
        services = p.pop("services", [])
        session.add(Partner(id=pid, is_example=True, **p))
        for svc in services:
            session.add(PartnerService(id=example_id("service", p["name"], svc["name"]),
                                       partner_id=pid, is_example=True, **svc))
        added += 1
    for c in data["courses"]:
        cid = example_id("course", c["title"], c.get("site_code", ""))
        if session.get(Course, cid) is not None:
            continue
        for key in ("starts_on", "ends_on"):
            if c.get(key):
                c[key] = date.fromisoformat(c[key])
        session.add(Course(id=cid, is_example=True, **c))
        added += 1
    return added


def sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).order_by(Site.kind != "hub", Site.name)))


def categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.position)))
