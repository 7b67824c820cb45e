"""Devices for the sync tests: real local stores (SQLite files) made from one migrated,
seeded template, each with its own device id, and ways to compare what they hold."""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from lr_desk.profile import open_store
from lr_desk.store.clock import new_id
from lr_desk.store.db import Store
from lr_desk.store.models import SYNCED_MODELS, Conflict, Outbox, RowClock
from lr_desk.sync.central import CentralStore, init_central

_template: list[Path] = []


def new_device(folder: Path) -> Store:
    """A fresh device: a copy of a migrated, seeded store with a device id of its own
    (opening a new store runs every migration: too slow for a property test)."""
    if not _template:
        made = Path(tempfile.mkdtemp(prefix="lr-desk-template-"))
        open_store(made).close()
        _template.append(made / "lr_desk.sqlite")
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "lr_desk.sqlite"
    shutil.copyfile(_template[0], db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE device SET id = ?", (new_id(),))
    return open_store(folder)


def records(store: Store) -> dict[str, dict[str, dict]]:
    """Every synced row, by table and id: what must be identical on every device."""
    out: dict[str, dict[str, dict]] = {}
    with store.engine.connect() as conn:
        for name, model in SYNCED_MODELS.items():
            table = model.__table__
            out[name] = {r["id"]: dict(r) for r in conn.execute(select(table)).mappings()}
    return out


def open_conflicts(store: Store) -> set[tuple]:
    with store.engine.connect() as conn:
        return set(conn.execute(select(Conflict.kind, Conflict.entity_id, Conflict.field,
                                       Conflict.hlc).where(Conflict.resolved_hlc.is_(None))))


def conflict_history(store: Store) -> set[tuple]:
    with store.engine.connect() as conn:
        return set(conn.execute(select(Conflict.entity_id, Conflict.field, Conflict.hlc)))


def clocks(store: Store) -> dict[str, tuple[str, dict]]:
    with store.engine.connect() as conn:
        return {r.entity_id: (r.base, r.fields or {}) for r in conn.execute(select(RowClock))}


def writes(store: Store) -> list[Outbox]:
    """Everything this device ever wrote (its outbox keeps sent changes too)."""
    with store.session() as s:
        return list(s.scalars(select(Outbox).order_by(Outbox.seq)))


def fresh_central(url: str) -> CentralStore:
    init_central(url)
    return CentralStore(url)


_stores = itertools.count()


def another_central(central_url: str, folder: Path) -> CentralStore:
    """Another new, empty central store of the same kind as ``central_url`` (a SQLite
    file in ``folder``, or a new database on the same PostgreSQL server)."""
    n = next(_stores)
    if central_url.startswith("sqlite"):
        return fresh_central(f"sqlite:///{folder / f'central-{n}.sqlite'}")
    import psycopg

    url = make_url(central_url)
    name = f"{url.database}_{n}"
    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return fresh_central(url.set(database=name).render_as_string(hide_password=False))
