"""Device logins that cannot stop the other desks (PostgreSQL central store only).

A device's login is not a person: a lost laptop's may be in anyone's hands, with psycopg
straight to the server. What one login could do to every other desk, and what stops it:

- Hold the lock that orders appends. It was an advisory lock, which any role may take
  (session-level, for as long as it likes). Appends are now ordered by an EXCLUSIVE lock
  on the table ``central_order``, on which devices have no rights: only the SECURITY
  DEFINER trigger before each statement a device appends with takes it (at once if it is
  free or already this transaction's), and ``change_log_order()``, which that trigger calls
  when it is not and the owner's push calls. That waits a few seconds (its own
  ``lock_timeout``, whatever the session set); if the holder is a device idle in its
  transaction, or in one older than any push takes, it ends that session and tries
  again; otherwise the push fails with "the central store is busy" and the desk's sync
  tries later. A device that sets its own timeouts to 0 still holds the lock only as
  long as it keeps a push going, and no longer than HOLD seconds. Under the lock that
  trigger also sets ``central_next_seq`` (no rights for devices) to follow the log's
  last number, and each row a device appends takes the next; migration c3's check of
  the clock stamps runs after the statement, on all its rows in one query (a trigger
  call per row, with its queries, cost a push more than the insert itself).
- Open connections without end, or sit in them: each device login gets CONNECTION
  LIMIT and statement, lock and idle timeouts (a device may SET its own: the lock above
  does not rely on them).
- Create large objects (stored outside the log, they would fill the disk): EXECUTE on
  the functions that create or write one is revoked from PUBLIC in the store's database.
  Only their owner, a superuser, may; otherwise init says what the DBA should run.
- Connect to the other databases on the server (postgres, template1, ...). PostgreSQL
  has no per-role denial of CONNECT: every role has it through PUBLIC. Of the sound ways
  (pg_hba.conf ``reject`` lines for the device logins, or the grants), the grants are
  the one init can apply itself and re-apply to a database made later: on each other
  database where PUBLIC may connect and the init user may change that (its owner, or a
  superuser), CONNECT is revoked from PUBLIC and granted back to every role that is not
  a device login (``lr_device_...``) nor a superuser (who needs none), so that nobody who
  could connect before is shut out. A role made afterwards needs its own GRANT CONNECT on
  those databases: init's output says so. Where the init user may not, it says what the
  DBA should run instead.
- Change its own password (PostgreSQL lets every login do so, and has no hook in SQL to
  refuse it). What can be done: when the store's owner is a superuser, a fingerprint of
  each device's password verifier (pg_authid, which only a superuser reads) is kept at
  add-device, and a login whose verifier has changed since may neither append nor read:
  the password it chose is of no use with the store. The administrator gives it a new
  one with add-device --new-password. A device registered before is taken with the
  password it has at the first init that does this. A non-superuser owner cannot see
  pg_authid: init says so.

All of it is idempotent SQL that ``central init`` re-applies on every run (so a store
made before is tightened) and ``central add-device`` applies to the login it makes;
nothing here is a migration. Each step the init user has no right to is skipped and
described in a plain note instead. The SQL of the ordering lock, the login check and the
triggers on a device's appends is lr_desk.sync.append_triggers'.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lr_desk.sync import snapshot_store
from lr_desk.sync.append_triggers import (  # noqa: F401  (also named from here)
    BUSY,
    DEVICE_PREFIX,
    HOLD,
    PASSWORD_CHANGED,
    literal,
    store_sql,
)

CONNECTION_LIMIT = 4  # a desk needs one or two at a time
ROLE_SETTINGS = {  # what a device login's sessions start with
    "statement_timeout": "60s",
    "lock_timeout": "10s",
    "idle_in_transaction_session_timeout": "30s",
    "idle_session_timeout": "15min",  # a desk's idle pooled connection: re-made if ended
}
# The functions that create or write a large object (lo_import's are the superuser's
# already in PostgreSQL 15, but a DBA may have granted them).
LARGE_OBJECT_WRITERS = (
    "lo_creat(integer)", "lo_create(oid)", "lo_from_bytea(oid, bytea)", "lo_import(text)",
    "lo_import(text, oid)", "lo_put(oid, bigint, bytea)", "lowrite(integer, bytea)",
    "lo_truncate(integer, integer)", "lo_truncate64(integer, bigint)")


def _quote(conn, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _me(conn) -> tuple[str, bool, bool]:
    """The init user: its name, whether a superuser, whether it may create roles."""
    return tuple(conn.execute(text(
        "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles "
        "WHERE rolname = current_user")).one())


def _may(conn, statement: str, params: dict | None = None) -> bool:
    """Run ``statement`` if the init user may (in a savepoint): whether it did."""
    try:
        with conn.begin_nested():
            conn.execute(text(statement), params or {})
    except DBAPIError:
        return False
    return True


def harden_store(conn, hold: int = HOLD) -> list[str]:
    """Apply all of it to the store ``conn`` is on (in its transaction) and to every
    registered device's login. Returns plain notes on what the init user may not do."""
    user, superuser, _ = _me(conn)
    schema = _quote(conn, conn.scalar(text("SELECT current_schema()")))
    for statement in store_sql(schema, superuser, hold):
        conn.exec_driver_sql(statement.replace("%", "%%"))  # (no parameters: literal %)
    _read_policy(conn, schema)
    snapshot_store.read_policies(conn, schema)  # the first-sync snapshot's, alike
    _statement_triggers(conn, schema)
    notes: list[str] = []
    for role in conn.scalars(text(
            "SELECT d.role FROM device d JOIN pg_roles r ON r.rolname = d.role "
            "ORDER BY d.role")):
        notes += harden_device(conn, role)
    notes += _large_objects(conn, superuser)
    notes += _other_databases(conn, user, superuser)
    prepared = int(conn.scalar(text("SELECT current_setting('max_prepared_transactions')")))
    if prepared:
        notes.append(
            f"This server allows prepared transactions (max_prepared_transactions = "
            f"{prepared}): a device's login could leave one holding the lock that orders "
            "changes, which no timeout ends and no session can be ended to release. Unless "
            "something else on the server needs them, set max_prepared_transactions = 0.")
    if not superuser:
        notes.append(
            "A device's login can change its own password (PostgreSQL lets every login "
            "do so) and only a superuser can see that it happened: run lr-desk central "
            "init as a superuser for the store to refuse a login whose password was "
            "changed that way.")
    return list(dict.fromkeys(notes))  # one of each, in order


def _read_policy(conn, schema: str) -> None:
    """Devices read the log only while their password is the one add-device set. (ALTER
    POLICY locks the log against every reader: only when it is not so already.)"""
    qual = conn.scalar(text(
        "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy "
        "WHERE polname = 'devices_read' AND polrelid = CAST(:t AS regclass)"),
        {"t": f"{schema}.change_log"})
    if qual is not None and "change_log_login_ok" not in qual:
        conn.exec_driver_sql(f"ALTER POLICY devices_read ON {schema}.change_log "
                             f"USING ((SELECT {schema}.change_log_login_ok()))")


def _statement_triggers(conn, schema: str) -> None:
    """The triggers once per statement that appends (store_sql): each made only where it
    is not yet (CREATE TRIGGER locks the log against every push)."""
    log = f"{schema}.change_log"
    for name, when, added in (("change_log_device_statement", "BEFORE", ""),
                              ("change_log_device_stamps", "AFTER",
                               "REFERENCING NEW TABLE AS added ")):
        if not conn.scalar(text(
                "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = :n "
                "AND tgrelid = CAST(:t AS regclass))"), {"n": name, "t": log}):
            conn.exec_driver_sql(f"CREATE TRIGGER {name} {when} INSERT ON {log} {added}"
                                 f"FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{name}()")


def harden_device(conn, role: str, new_password: bool = False) -> list[str]:
    """Limits and timeouts for the device login ``role``; its password's fingerprint
    (``new_password``: add-device has just set it, else only if none is kept); the right
    for the owner to end its sessions. Plain notes on what the init user may not do."""
    user, superuser, createrole = _me(conn)
    q = _quote(conn, role)
    notes = []
    conn.exec_driver_sql(snapshot_store.device_grants(q))  # it may read the snapshot
    if superuser or createrole:
        conn.exec_driver_sql(f"ALTER ROLE {q} CONNECTION LIMIT {CONNECTION_LIMIT}")
        for name, value in ROLE_SETTINGS.items():
            conn.exec_driver_sql(f"ALTER ROLE {q} SET {name} = {literal(value)}")
    else:
        notes.append(f"{user} may not change logins (it is not a superuser and has no "
                     f"CREATEROLE): the device logins have no connection limit or timeouts.")
    if superuser:
        conflict = "DO UPDATE SET verifier = EXCLUDED.verifier" if new_password else \
            "DO NOTHING"
        conn.execute(text(
            "INSERT INTO central_device_login (role, verifier) SELECT rolname, "
            "encode(sha256(convert_to(rolpassword, 'UTF8')), 'hex') FROM pg_authid "
            f"WHERE rolname = :r ON CONFLICT (role) {conflict}"), {"r": role})
    elif not conn.scalar(text("SELECT pg_has_role(current_user, 'pg_signal_backend', "
                              "'USAGE') OR pg_has_role(current_user, :r, 'USAGE')"),
                         {"r": role}) and not _may(conn, f"GRANT {q} TO CURRENT_USER"):
        notes.append(
            f"{user} may not end a device's sessions: a device that holds the ordering "
            "lock without pushing makes the others wait (their syncs retry) until its "
            "own timeouts end it. A superuser can GRANT pg_signal_backend TO "
            f"{_quote(conn, user)}.")
    return notes


def _large_objects(conn, superuser: bool) -> list[str]:
    """Revoke EXECUTE on the large-object writers from PUBLIC, in this database (a
    function's rights are its database's). Only their owner, a superuser, may."""
    if superuser:
        for signature in LARGE_OBJECT_WRITERS:
            conn.exec_driver_sql(f"REVOKE EXECUTE ON FUNCTION pg_catalog.{signature} "
                                 "FROM PUBLIC")
    still = conn.scalars(text(
        "SELECT p.oid::regprocedure::text FROM pg_proc p "
        "WHERE p.oid = ANY(CAST(:sigs AS regprocedure[])) AND (p.proacl IS NULL OR EXISTS "
        "(SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0 "
        "AND a.privilege_type = 'EXECUTE'))"),
        {"sigs": [f"pg_catalog.{s}" for s in LARGE_OBJECT_WRITERS]}).all()
    if not still:
        return []
    order = [s.replace(" ", "") for s in LARGE_OBJECT_WRITERS]
    still = sorted(still, key=lambda s: order.index(s) if s in order else len(order))
    database = _quote(conn, conn.scalar(text("SELECT current_database()")))
    return [f"The device logins can still create large objects (which fill the server's "
            f"disk outside the log): a superuser should run, in the database {database}: "
            f"REVOKE EXECUTE ON FUNCTION {', '.join(still)} FROM PUBLIC;"]


def _other_databases(conn, user: str, superuser: bool) -> list[str]:
    """No CONNECT through PUBLIC on the server's other databases (see the module's
    docstring for why the grants): given back to every role but devices and superusers."""
    rows = conn.execute(text(
        "SELECT d.datname, (:su OR pg_has_role(current_user, d.datdba, 'USAGE')) "
        "FROM pg_database d WHERE d.datallowconn AND d.datname <> current_database() "
        "AND (d.datacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(d.datacl) a "
        "WHERE a.grantee = 0 AND a.privilege_type = 'CONNECT')) ORDER BY 1"),
        {"su": superuser}).all()
    if not rows:
        return []
    others = conn.scalars(text(
        "SELECT rolname FROM pg_roles WHERE NOT rolsuper AND rolname !~ '^pg_' "
        "AND rolname NOT LIKE :devices ORDER BY 1"),
        {"devices": DEVICE_PREFIX.replace("_", r"\_") + "%"}).all()
    mine, theirs = [r[0] for r in rows if r[1]], [r[0] for r in rows if not r[1]]
    for database in mine:
        db = _quote(conn, database)
        for role in others:
            conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {db} TO {_quote(conn, role)}")
        conn.exec_driver_sql(f"REVOKE CONNECT ON DATABASE {db} FROM PUBLIC")
    notes = []
    if mine:
        names = ", ".join(mine)
        notes.append(f"Only the roles that had it may connect to {names} now (device "
                     f"logins may not): a role made later needs GRANT CONNECT ON DATABASE "
                     f"to connect there.")
    if theirs:
        names = ", ".join(_quote(conn, d) for d in theirs)
        notes.append(
            f"The device logins can still connect to the databases {names} ({user} does "
            "not own them): the DBA should REVOKE CONNECT ON DATABASE ... FROM PUBLIC "
            "there (granting it to the roles that need it), or reject the lr_device_ "
            "logins there in pg_hba.conf.")
    return notes
