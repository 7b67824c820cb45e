"""Connecting this device to its central store: the settings, the password, a test of
the connection, and problems told in plain words with what to do.

The default is the embedded store: a SQLite file in the profile's folder, set up on
first use. Otherwise the settings hold a URL without its password (PostgreSQL, or a
shared SQLite file) and the device's name; the password is kept by
``lr_desk.sync.credentials``, never in the settings.

A PostgreSQL store may also have a "pull from" address: a streaming replica of it, with
the same login and database, that pulls read from (lr_desk.sync.central says why that
never makes a device miss a change). It is kept and checked like the main address; one
that cannot be reached is passed over for the main one, and the log says so.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from lr_desk import settings
from lr_desk.sync import credentials
from lr_desk.sync.central import (
    CENTRAL_SCHEMA,
    SCHEMAS,
    CentralSchemaError,
    CentralStore,
    device,
    init_central,
    meta,
    public_url,
    read_schema,
)
from lr_desk.sync.engine import SyncError
from lr_desk.sync.problems import (  # noqa: F401  (also named from here, as before)
    Unreachable,
    explain,
    is_offline,
    problem,
)

log = logging.getLogger(__name__)

EMBEDDED = "embedded"  # the default: a SQLite central store file in the profile folder
EMBEDDED_FILE = "central.sqlite"
KEY_PASSWORD = ("The address holds the password of a client key (sslpassword=), which "
                "cannot be kept safely in the settings: use a key without a passphrase, "
                "readable only by you, or leave the key out.")
NO_PULL_FROM = ("A pull-from address is a copy (a streaming replica) of a PostgreSQL "
                "central store: the central store's address must be a PostgreSQL one too.")


@dataclass(frozen=True)
class Connection:
    url: str  # without password; "" means the embedded default
    device_name: str
    pull_url: str = ""  # a replica to pull from, without password; "": the store itself

    @property
    def embedded(self) -> bool:
        return self.url in ("", EMBEDDED)


def embedded_url(folder: Path) -> str:
    return f"sqlite:///{Path(folder) / EMBEDDED_FILE}"


def configured(session, folder: Path) -> Connection:
    """The profile's central store, from its settings."""
    url = settings.get(session, "central_url").strip()
    name = settings.get(session, "device_name").strip() or socket.gethostname()
    pull_url = settings.get(session, "central_pull_url").strip()
    return Connection("" if url == EMBEDDED else url, name, pull_url if url else "")


def parse(url: str | URL) -> URL:
    """A central store's URL, or ValueError saying in plain words what is wrong with it."""
    try:
        u = make_url(url.strip() if isinstance(url, str) else url)
    except ArgumentError:
        u = None
    if u is None or u.get_backend_name() not in ("postgresql", "sqlite"):
        raise ValueError(
            "That is not a central store's address. It looks like "
            "postgresql://device-login@server:5432/database (add ?sslmode=verify-full for "
            "an encrypted connection), or sqlite:////path/to/central.sqlite.")
    return u


def _typed_password(u: URL) -> str | None:
    """A password pasted inside a URL (before the @, or as ?password=), or None."""
    typed = u.password if u.password is not None else u.query.get("password")
    if isinstance(typed, tuple):  # given twice (?password=a&password=b): the last
        typed = typed[-1]
    return typed


def pull_from(url: str | URL, pull_url: str | URL) -> URL:
    """The pull-from address ``pull_url`` for the store at ``url``, with the main
    address's login and database where it leaves them out; or ValueError in plain words
    (not PostgreSQL, another login or database: a replica has the same ones)."""
    u, p = parse(url), parse(pull_url)
    if u.get_backend_name() != "postgresql" or p.get_backend_name() != "postgresql":
        raise ValueError(NO_PULL_FROM)
    if "sslpassword" in p.query:
        raise ValueError(KEY_PASSWORD)
    p = p.set(username=p.username or u.username, database=p.database or u.database)
    if p.username != u.username or p.database != u.database:
        raise ValueError(
            f"The pull-from address must use the same login and database as the central "
            f'store\'s ("{u.username}", "{u.database}"): a replica is a copy of the '
            "whole server, logins included.")
    return p


def save(session, folder: Path, url: str, device_name: str, password: str | None,
         pull_url: str | None = None) -> None:
    """Keep the connection settings; the password goes to the credentials store, never
    to the settings (one pasted inside the URL, before the @ or as ?password=, is moved
    there too). ``password`` None keeps the stored one; "" forgets it. ``pull_url``: the
    address of a replica to pull from (None keeps the stored one, "" forgets it). Raises
    ValueError for a URL that will not do (one with a client key's ?sslpassword= too)."""
    url = url.strip()
    if url == EMBEDDED:
        url = ""
    if pull_url is None:
        pull_url = settings.get(session, "central_pull_url")
    pull_url = pull_url.strip() if url else ""
    if url:
        u = parse(url)
        if "sslpassword" in u.query:
            raise ValueError(KEY_PASSWORD)
        typed = _typed_password(u)
        if pull_url:
            p = pull_from(u, pull_url)
            typed = typed if typed is not None else _typed_password(p)
            pull_url = public_url(p)
        if typed is not None and password is None:
            password = typed
        url = public_url(u)
    settings.put(session, "central_url", url)
    settings.put(session, "central_pull_url", pull_url)
    settings.put(session, "device_name", device_name.strip())
    if password:
        credentials.store_password(folder, password, _data_key(session))
    elif password is not None:
        credentials.delete_password(folder)


def _postgres(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def open_central(store, folder: Path) -> CentralStore:
    """The profile's central store, connected and checked. The embedded default is set up
    (or upgraded) first. Raises SyncError in plain words (Unreachable when offline)."""
    with store.session() as s:
        conn = configured(s, folder)
    if conn.embedded:  # in the profile folder: encrypted like the desk's own file
        url = embedded_url(folder)
        try:
            init_central(url, key=store.key)
        except CentralSchemaError as exc:
            raise SyncError(str(exc)) from exc
        except DBAPIError as exc:
            raise problem(exc, url) from exc
        return CentralStore(url, key=store.key)
    u = parse(conn.url)
    read = None
    if _postgres(u):
        password = credentials.get_password(folder, store.key)
        if password:
            u = u.set(password=password)
        if conn.pull_url:
            try:
                read = pull_from(u, conn.pull_url)
            except ValueError as exc:
                raise SyncError(str(exc)) from exc
            if password:
                read = read.set(password=password)
    return _checked(u, conn.device_name, read)


def _data_key(session) -> bytes | None:
    """The data key of the encrypted store a session is bound to (None if plain)."""
    return session.info.get("data_key")


def _checked(url: URL, device_name: str, read_url: URL | None = None,
             replica_down: str | None = None) -> CentralStore:
    """A CentralStore at ``url`` (pulling from ``read_url`` if given) once it has shown
    it is one this device can use. A replica that cannot be reached is passed over (the
    log says so); with ``replica_down`` that is a problem too, said in those words."""
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        raise SyncError(f"There is no central store file at {url.database}: check the "
                        "address, or set one up with lr-desk central init URL.")
    central = CentralStore(url, read_url=read_url)
    try:
        with central.engine.connect() as c:
            wrong = _check(c, url, device_name)
            if not wrong and read_url is not None:
                wrong = _check_replica(central, c, replica_down)
    except DBAPIError as exc:
        central.close()
        raise problem(exc, url) from exc
    except BaseException:
        central.close()
        raise
    if wrong:
        central.close()
        raise SyncError(wrong)
    if central.postgres:
        central.push_as = device_name
    return central


def _check(c, url: URL, device_name: str) -> str | None:
    """What stops this device using the store on connection ``c``, or None."""
    postgres = c.dialect.name == "postgresql"
    version = c.dialect.server_version_info or ()
    if postgres and version < (10,):
        return (f"The central store's server runs PostgreSQL {'.'.join(map(str, version))}; "
                "lr_desk needs 10 or newer: ask the administrator to upgrade it.")
    at = read_schema(c)
    if at is None:
        return (f"{public_url(url)} is not a central store yet: the administrator sets it "
                "up with lr-desk central init URL.")
    if at not in SCHEMAS:
        return (f"The central store was set up by a newer version of lr_desk (schema {at}): "
                "please update lr_desk on this computer. Nothing has been lost; sync "
                "carries on once it is updated.")
    if at != CENTRAL_SCHEMA:
        return (f"The central store is at an older schema ({at}) than this lr_desk needs "
                f"({CENTRAL_SCHEMA}): the administrator upgrades it with lr-desk central "
                "init URL.")
    if not postgres:
        return None
    user = c.scalar(text("SELECT current_user"))
    mine = c.scalar(select(device.c.name).where(device.c.role == user))
    if mine is not None and mine != device_name:
        return (f'The login "{user}" belongs to the device "{mine}": set this device\'s '
                f'name to "{mine}", or use the login registered for "{device_name}".')
    if mine is None and c.scalar(select(device.c.name).where(device.c.name == device_name)) \
            is None:
        return (f'The device "{device_name}" is not registered at the central store: the '
                f"administrator registers it with lr-desk central add-device "
                f'"{device_name}" --site SITE, which prints its login and password.')
    return None


def _check_replica(central: CentralStore, c, down: str | None) -> str | None:
    """What is wrong with the store's pull-from address (``c``: a connection to the
    primary), or None. One that cannot be reached is ``down`` (None: no problem, the
    primary serves the pulls meanwhile, and the log says so)."""
    ours = c.scalar(select(meta.c.value).where(meta.c.key == "store_id"))
    where = public_url(central.read_url)
    try:
        with central.reader.connect() as r:
            theirs = r.scalar(select(meta.c.value).where(meta.c.key == "store_id"))
    except DBAPIError as exc:
        if down is not None:
            return f"{down} {explain(exc, central.read_url)}"
        central.pass_over_replica(explain(exc, central.read_url))
        return None
    if theirs != ours:
        return (f"The pull-from address {where} is not a copy of this central store: "
                "check it (the administrator knows the replica's address), or leave it "
                "empty to pull from the central store itself.")
    return None


def test_connection(url: str, device_name: str, password: str | None,
                    folder: Path | None = None, data_key: bytes | None = None,
                    pull_url: str = "") -> str | None:
    """None if this device can sync with the store at ``url`` as ``device_name`` (with
    ``password``, or else one inside the URL, or else the one saved for the profile in
    ``folder``, as Save would keep it); else what is wrong, in plain words, and what to
    do. The embedded default needs no test. ``pull_url``: a
    replica to pull from, tested too (it must be reachable, and a copy of the store)."""
    url = url.strip()
    if url in ("", EMBEDDED):
        return None
    try:
        u = parse(url)
        read = pull_from(u, pull_url) if pull_url.strip() else None
    except ValueError as exc:
        return str(exc)
    if not _postgres(u):
        password = None
    elif not password and u.password is None and "password" not in u.query \
            and folder is not None:
        password = credentials.get_password(folder, data_key)
    if password:
        u = u.set(password=password)
        read = read.set(password=password) if read is not None else None
    try:
        _checked(u, device_name.strip() or socket.gethostname(), read,
                 replica_down=f"The pull-from address {public_url(read)} cannot be used "
                 f"(until it can, pulls go to the central store itself):"
                 if read is not None else None).close()
    except SyncError as exc:
        return str(exc)
    except Exception as exc:  # a bug, or something unforeseen: say it, keep the details
        log.exception("testing the connection to %s", public_url(u))
        return explain(exc, u)
    return None
