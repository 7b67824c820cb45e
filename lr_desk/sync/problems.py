"""Problems with the central store in plain words, with what to do about them; and
telling "offline" (the store cannot be reached: try later) from every other problem.
(Out of lr_desk.sync.connect, which names them too, as before.)"""

from __future__ import annotations

import socket

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from lr_desk.sync.engine import SyncError


class Unreachable(SyncError):
    """The central store could not be reached (offline, server down): try again later."""


_OFFLINE_DNS = ("could not translate host name", "failed to resolve host",
                "name or service not known", "temporary failure in name resolution",
                "nodename nor servname", "no address associated with hostname")
_OFFLINE_REFUSED = ("connection refused",)
_OFFLINE_NETWORK = ("timeout expired", "timed out", "network is unreachable",
                    "no route to host", "host is unreachable")
_OFFLINE_LOST = ("server closed the connection unexpectedly", "connection reset",
                 "could not receive data from server", "could not send data to server",
                 "ssl syscall error", "eof detected", "the connection is closed",
                 "the connection is lost", "consuming input failed",
                 "terminating connection due to administrator command",
                 "the database system is starting up", "the database system is shutting down",
                 "the database system is in recovery mode")
_OFFLINE = _OFFLINE_DNS + _OFFLINE_REFUSED + _OFFLINE_NETWORK + _OFFLINE_LOST
_KEPT = "Your work is kept here and is sent when the central store can be reached."


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _detail(exc: BaseException) -> str:
    orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    return str(orig).strip()


def is_offline(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) means the store could not be reached over the
    network, as opposed to any other problem: for "Offline" rather than an error."""
    for e in _chain(exc):
        if isinstance(e, Unreachable):
            return True
        if isinstance(e, SyncError):
            continue  # it said what it was; its cause may still be a network error
        if isinstance(e, (ConnectionError, TimeoutError, socket.gaierror, socket.herror)):
            return True
        if isinstance(e, DBAPIError) and e.connection_invalidated:
            return True
        # SQLAlchemy's wrapper, or a driver's own error met outside SQLAlchemy (psycopg's)
        driver = type(e).__name__ in ("OperationalError", "InterfaceError")
        if (isinstance(e, DBAPIError) or driver) and \
                any(p in _detail(e).lower() for p in _OFFLINE):
            return True
    return False


def problem(exc: BaseException, url: str | URL | None = None) -> SyncError:
    """``exc`` as a SyncError in plain words: Unreachable when offline."""
    cls = Unreachable if is_offline(exc) else SyncError
    return cls(explain(exc, url))


def explain(exc: BaseException, url: str | URL | None = None) -> str:
    """A problem with the central store in plain words, with what to do about it."""
    if isinstance(exc, SyncError):
        return str(exc)
    u = make_url(url) if url is not None else None
    host = (u.host if u is not None else None) or "the server"
    port = (u.port if u is not None else None) or 5432
    # Met on a store already open, a problem comes without the address: say no "?".
    user = u.username if u is not None else None
    login = f'the login "{user}"' if user else "this desk's login"
    Login = login[0].upper() + login[1:]
    database = u.database if u is not None else None
    detail = _detail(exc)
    d = detail.lower()

    def has(*words: str) -> bool:
        return any(w in d for w in words)

    if has(*_OFFLINE_DNS):
        return (f"Cannot find the server {host}: this computer may be offline, or the "
                f"server's name in the address is wrong. {_KEPT}")
    if has(*_OFFLINE_REFUSED):
        return (f"The server {host}:{port} is not accepting connections: it may be down, or "
                f"the port in the address is wrong. {_KEPT}")
    if has(*_OFFLINE_NETWORK):
        return (f"Cannot reach the server {host}:{port}: this computer seems to be offline, "
                f"or a firewall is in the way. {_KEPT}")
    if has("starting up", "shutting down", "recovery mode", "administrator command"):
        return f"The central store's server is restarting: sync tries again shortly. {_KEPT}"
    if has(*_OFFLINE_LOST):
        return f"The connection to the central store was lost. {_KEPT}"
    if has("password authentication failed"):
        return (f"The central store refused the password for {login}: enter the "
                "password lr-desk central add-device printed for this device (the "
                "administrator can make a new one with add-device --new-password).")
    if has("no password supplied", "fe_sendauth"):
        return f"The central store needs the password of {login}: enter it."
    if has("role") and has("does not exist"):
        who = f'no login "{user}"' if user else "no such login"
        return (f"There is {who} on the central store's server: check the user name in "
                "the address (the one lr-desk central add-device printed).")
    if has("database") and has("does not exist"):
        which = f'no database "{database}"' if database else "no such database"
        return f"There is {which} on {host}: check the address."
    if has("no pg_hba.conf entry") and has("no encryption"):
        return ("The server does not accept unencrypted connections from this computer: "
                "add ?sslmode=require (better, sslmode=verify-full with the server's "
                "certificate) to the address. If it still fails, ask the administrator to "
                "let this computer, login and database in (pg_hba.conf).")
    if has("no pg_hba.conf entry"):
        return ("The server does not let this computer, login or database connect: ask the "
                "administrator to allow it (pg_hba.conf).")
    if has("invalid response to ssl negotiation", "expected authentication request",
           "received invalid response"):
        return (f"Something other than PostgreSQL answers at {host}:{port}: check the server "
                "and port in the address.")
    if has("does not support ssl"):
        return ("The address asks for an encrypted connection (sslmode=...), but the server "
                "does not offer one: ask the administrator to switch on TLS.")
    if has("sslmode"):
        return ("The address's sslmode is not one PostgreSQL knows: use disable, prefer, "
                "require, verify-ca or verify-full.")
    first = detail.splitlines()[0] if detail else type(exc).__name__
    if has("certificate", "ssl"):
        return (f"The encrypted connection to {host} could not be set up ({first}): "
                "check sslrootcert in the address, or ask the administrator for the "
                "server's certificate.")
    if has("invalid connection option", "invalid uri query parameter", "invalid dsn",
           "invalid integer value"):
        return (f"The address has a setting PostgreSQL does not take ({first}): "
                "check what follows the ? in it.")
    if has("central store is busy"):  # lr_desk.sync.harden: the ordering lock was held
        return ("The central store is busy with another desk's changes: sync tries again "
                f"shortly. {_KEPT}")
    if has("lock timeout"):  # a lock held too long: by another desk, or an init
        return ("The central store is busy: another desk or an lr-desk central init held "
                "it for too long. Nothing was changed: try again in a few minutes.")
    if has("changed from outside lr-desk central add-device"):  # lr_desk.sync.harden
        return (f"The central store no longer accepts {login}: its password was changed "
                "from outside lr_desk. Ask the administrator for a new one (lr-desk central "
                "add-device --new-password) and enter it here.")
    if has("too many connections for role"):  # lr_desk.sync.harden's CONNECTION_LIMIT
        return (f"{Login} has as many connections to the central store as it may: close "
                "lr_desk on any other computer that uses it, or try again later (the "
                "connections of a desk that stopped are closed after a quarter of an hour).")
    if has("too many connections", "remaining connection slots"):
        return "The central store's server has too many connections just now: try again soon."
    if has("row-level security"):
        return (f'The central store refused changes sent under another device\'s name: the '
                f"device name in the settings must be the one registered for {login}.")
    if has("append-only"):
        return ("The central store refused to change its log, which only ever grows: this "
                "is a bug in lr_desk; please report it.")
    if has("device stamp"):  # migration c3: a login's changes carry one desk's id
        return ("The central store refused this desk's changes: its login is already used "
                "by another copy of lr_desk (another computer, or this desk's profile set "
                "up again). Ask the administrator to register this desk as a new device "
                "(lr-desk central add-device) and enter its login and password here.")
    if has("clock stamp", "read committed transactions"):
        return ("The central store refused a change from this desk as malformed: this is a "
                "bug in lr_desk; please report it.")
    if has("permission denied"):
        return (f"{Login} may not use the central store: the administrator "
                "registers this device with lr-desk central add-device, which prints the "
                "login to use.")
    if has("no such table", "undefinedtable") or (has("relation") and has("does not exist")):
        return ("That is not a central store yet: the administrator sets it up with "
                "lr-desk central init URL.")
    if has("unable to open database file"):
        file = f"the central store file {database}" if database else "the central store file"
        return (f"Cannot open {file}: check the path, and that this computer can reach "
                "the folder it is in.")
    if has("file is not a database", "not a database"):
        return f"{database or 'The file'} is not a central store (it is not an SQLite database)."
    if has("database is locked"):
        return "The central store file is busy: try again in a moment."
    return f"The central store could not be used: {first}"
