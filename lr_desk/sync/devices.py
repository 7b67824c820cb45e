"""Registering a device with the central store (``lr-desk central add-device``).

On PostgreSQL each device gets its own login, with a random password shown once, the
least rights it needs and the limits of lr_desk.sync.harden; on SQLite a device is a
name and a site (a file has no logins).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

from lr_desk.sync import central_schema, harden
from lr_desk.sync.central_schema import SCHEMAS, device, make_engine, public_url, read_schema


@dataclass(frozen=True)
class NewDevice:
    """What to enter on a device just registered (shown once: the password is kept
    nowhere but in the server's hash of it)."""

    name: str
    site: str
    url: str  # without the password; on PostgreSQL with the device's own login
    password: str | None  # None on SQLite: a file has no logins
    role: str | None
    # PostgreSQL: what the administrator's login had no right to tighten, in plain words
    notes: tuple[str, ...] = ()


DEVICE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,35}")


def role_name(device_name: str) -> str:
    """The PostgreSQL login of a device: ``lr_device_`` and its name in lower case, any
    run of other characters as one ``_``."""
    return "lr_device_" + re.sub(r"[^a-z0-9]+", "_", device_name.lower()).strip("_")


def add_device(url: str, name: str, site: str, new_password: bool = False) -> NewDevice:
    """Register a device. On PostgreSQL also create its login with a new random password
    and the least rights it needs: connect; read the log, central_meta and device; append
    to the log (as itself only: the row-level security in migration c2). ``new_password``
    gives an already registered device a new password instead (the old one stops
    working). Raises ValueError, in plain words, for a name or site that will not do, a
    device already registered, or a store not set up by ``init_central``."""
    name, site = name.strip(), site.strip()
    if not DEVICE_NAME.fullmatch(name):
        raise ValueError(
            f"{name!r} will not do as a device name: use 1 to 36 letters, digits, spaces, "
            "dots, dashes or underscores, starting with a letter or digit.")
    if not 0 < len(site) <= 64:
        raise ValueError("Give the device's site (up to 64 characters), e.g. --site walton.")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            at = read_schema(conn)
            if at != central_schema.CENTRAL_SCHEMA:
                raise ValueError(
                    "That is not a central store at this lr_desk's schema (it is at "
                    f"{at or 'nothing'}): run lr-desk central init URL first.")
            row = conn.execute(select(device.c.name, device.c.role)
                               .where(device.c.name == name)).first()
            if row is not None and not new_password:
                raise ValueError(f"A device called {name!r} is registered already "
                                 "(--new-password gives it a new password).")
            if row is None and new_password:
                raise ValueError(f"No device called {name!r} is registered here.")
            if engine.dialect.name != "postgresql":
                if row is None:
                    conn.execute(insert(device).values(name=name, site=site, role=None))
                return NewDevice(name, site, public_url(url), None, None)
            role = row.role if row is not None else role_name(name)
            password = secrets.token_urlsafe(24)
            _create_login(conn, role, password, name, exists=row is not None)
            if row is None:
                conn.execute(insert(device).values(name=name, site=site, role=role))
            notes = _harden_login(conn, role)
        return NewDevice(name, site, public_url(make_url(url).set(username=role)),
                         password, role, tuple(notes))
    finally:
        engine.dispose()


def _harden_login(conn, role: str) -> list[str]:
    """The limits of lr_desk.sync.harden for a login add-device has just made or given a
    new password; the whole store's too if no init has applied them yet (a store set up
    by an older lr_desk). None on a store at an older schema: the init that upgrades it
    applies them all."""
    if read_schema(conn) != SCHEMAS[-1]:
        return []
    if conn.scalar(text("SELECT to_regclass('central_order') IS NULL")):
        harden.harden_store(conn)
    return harden.harden_device(conn, role, new_password=True)


def _create_login(conn, role: str, password: str, name: str, exists: bool) -> None:
    """CREATE (or, for a new password, ALTER) the device's role, and its grants. The
    password reaches the server only as its SCRAM hash, made here by libpq: it is in no
    statement the server could log."""
    taken = conn.scalar(select(device.c.name).where(device.c.role == role))
    if not exists and taken is not None:
        raise ValueError(f"The device {taken!r} already has the login {role}; choose a "
                         "name that differs in more than case and punctuation.")
    if not exists and conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                  {"r": role}):
        raise ValueError(f"There is a login called {role} on this server already (perhaps "
                         "for another central store): choose another device name.")
    pgconn = conn.connection.driver_connection.pgconn
    hashed = pgconn.encrypt_password(password.encode(), role.encode(),
                                     b"scram-sha-256").decode()
    q = conn.dialect.identifier_preparer.quote
    secret = "'" + hashed.replace("'", "''") + "'"
    if exists:
        conn.exec_driver_sql(f"ALTER ROLE {q(role)} WITH LOGIN PASSWORD {secret}")
        return
    conn.exec_driver_sql(f"CREATE ROLE {q(role)} WITH LOGIN NOSUPERUSER NOCREATEDB "
                         f"NOCREATEROLE NOINHERIT NOREPLICATION PASSWORD {secret}")
    database = conn.scalar(text("SELECT current_database()"))
    schema = conn.scalar(text("SELECT current_schema()"))
    for grant in (f"CONNECT ON DATABASE {q(database)}", f"USAGE ON SCHEMA {q(schema)}",
                  "SELECT, INSERT ON change_log", "SELECT ON central_meta, device"):
        conn.exec_driver_sql(f"GRANT {grant} TO {q(role)}")
