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
described in a plain note instead.
"""

from __future__ import annotations

from sqlalchemy import text

CONNECTION_LIMIT = 4  # a desk needs one or two at a time
ROLE_SETTINGS = {  # what a device login's sessions start with
    "statement_timeout": "60s",
    "lock_timeout": "10s",
    "idle_in_transaction_session_timeout": "30s",
    "idle_session_timeout": "15min",  # a desk's idle pooled connection: re-made if ended
}
WAIT = 3  # seconds a push waits for the ordering lock before asking who holds it
IDLE = 2  # seconds a holder may sit idle in its transaction (a push never does)
HOLD = 30  # seconds a holder's transaction may run: longer than any push takes
END_WAIT_MS = 5000  # how long to wait for a session ended to be gone
DEVICE_PREFIX = "lr_device_"  # lr_desk.sync.central.role_name
BUSY = "the central store is busy"
PASSWORD_CHANGED = "was changed from outside lr-desk central add-device"
# The functions that create or write a large object (lo_import's are the superuser's
# already in PostgreSQL 15, but a DBA may have granted them).
LARGE_OBJECT_WRITERS = (
    "lo_creat(integer)", "lo_create(oid)", "lo_from_bytea(oid, bytea)", "lo_import(text)",
    "lo_import(text, oid)", "lo_put(oid, bigint, bytea)", "lowrite(integer, bytea)",
    "lo_truncate(integer, integer)", "lo_truncate64(integer, bigint)")
# As in migration c3: what a desk's clock writes (``^[0-9]{15}-[0-9]{5}-(.+)$``), and
# where the device id starts in it. Written as a match of its shape (``.`` takes any
# character, a newline too, as ``.+$`` does) and substr(): a substring() that captures
# cost a push of 5,000 changes ~100 ms more, a third of what PostgreSQL spent on it.
STAMP_SHAPE = "^[0-9]{15}-[0-9]{5}-."
STAMP_FROM = 23

_DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"


def _quote(conn, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def store_sql(schema: str, superuser: bool, hold: int = HOLD) -> list[str]:
    """The store's ordering lock, login check and numbering trigger (``schema``: the
    store's, quoted). ``superuser``: whether the owner may read pg_authid (the check of
    a device's password is only possible then). ``hold``: HOLD (tests shorten it)."""
    order, log, device = f"{schema}.central_order", f"{schema}.change_log", f"{schema}.device"
    logins = f"{schema}.central_device_login"
    numbers = f"{schema}.central_next_seq"
    device_like = _literal(DEVICE_PREFIX.replace("_", "\\_") + "%")
    # Whether a device's password is still the one add-device set (pg_authid is the
    # superuser's: without it there is nothing to compare with).
    if superuser:
        joins = (f"LEFT JOIN {logins} l ON l.role = session_user "  # (name = name: indexed)
                 "LEFT JOIN pg_authid a ON a.rolname = session_user")
        same = ("(l.role IS NULL OR l.verifier IS NOT DISTINCT FROM "
                "encode(sha256(convert_to(a.rolpassword, 'UTF8')), 'hex'))")
    else:
        joins, same = "", "true"
    changed = (f"RAISE EXCEPTION 'lr_desk: the password of the login % {PASSWORD_CHANGED}: "
               "the administrator gives this device a new one with lr-desk central "
               "add-device --new-password', session_user "
               "USING ERRCODE = 'insufficient_privilege'")
    return [
        # Locked by change_log_order() only, never written; devices have no rights on it.
        f"CREATE TABLE IF NOT EXISTS {order} ()",
        f"REVOKE ALL ON {order} FROM PUBLIC",
        f"COMMENT ON TABLE {order} IS 'lr_desk: locked while a push appends, to number "
        "changes in commit order'",
        # A fingerprint of each device's password verifier as add-device set it.
        f"CREATE TABLE IF NOT EXISTS {logins} (role name PRIMARY KEY, verifier text)",
        f"REVOKE ALL ON {logins} FROM PUBLIC",
        f"""CREATE OR REPLACE FUNCTION {schema}.change_log_login_ok() RETURNS boolean
        LANGUAGE plpgsql STABLE {_DEFINER} AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM {device} d {joins}
                       WHERE d.role = session_user AND NOT {same}) THEN
                {changed};
            END IF;
            RETURN true;
        END $$""",
        # called in the read policy, as the device: it says nothing but about itself
        f"GRANT EXECUTE ON FUNCTION {schema}.change_log_login_ok() TO PUBLIC",
        f"""CREATE OR REPLACE FUNCTION {schema}.change_log_order() RETURNS void
        LANGUAGE plpgsql {_DEFINER} SET lock_timeout = '{WAIT}s' AS $$
        DECLARE
            holder record;
            ended boolean := false;
        BEGIN
            BEGIN
                LOCK TABLE {order} IN EXCLUSIVE MODE;
                RETURN;
            EXCEPTION WHEN lock_not_available THEN
                NULL;  -- held for WAIT seconds: by whom?
            END;
            PERFORM pg_stat_clear_snapshot();
            FOR holder IN
                SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'relation' AND l.relation = '{order}'::regclass
                  AND l.granted AND a.usename IN (SELECT role FROM {device})
                  AND ((a.state LIKE 'idle in transaction%'
                        AND a.state_change < clock_timestamp() - interval '{IDLE} s')
                       OR a.xact_start < clock_timestamp() - interval '{hold} s')
            LOOP
                -- a device not pushing, or for longer than any push: its session ends
                PERFORM pg_terminate_backend(holder.pid, {END_WAIT_MS});
                ended := true;
            END LOOP;
            IF ended THEN
                BEGIN
                    LOCK TABLE {order} IN EXCLUSIVE MODE;
                    RETURN;
                EXCEPTION WHEN lock_not_available THEN
                    NULL;
                END;
            END IF;
            RAISE EXCEPTION 'lr_desk: {BUSY}: another desk is sending its changes; '
                'the sync tries again shortly' USING ERRCODE = 'lock_not_available';
        END $$""",
        f"REVOKE ALL ON FUNCTION {schema}.change_log_order() FROM PUBLIC",
        # The numbers a device's appends get: set to follow the log's last, under the
        # ordering lock, before each statement a device appends with (devices have no
        # rights on it: only the triggers below use it).
        f"CREATE SEQUENCE IF NOT EXISTS {numbers} AS bigint",
        f"REVOKE ALL ON SEQUENCE {numbers} FROM PUBLIC",
        # Once per statement a device appends with (before its rows): the checks that
        # concern the push as a whole, the ordering lock, and where its numbers start.
        f"""CREATE OR REPLACE FUNCTION {schema}.change_log_device_statement() RETURNS trigger
        LANGUAGE plpgsql {_DEFINER} AS $$
        BEGIN
            IF session_user NOT LIKE {device_like} THEN
                RETURN NULL;  -- not a device: the owner, who has taken the lock itself
            END IF;
            IF current_setting('transaction_isolation') <> 'read committed' THEN
                RAISE EXCEPTION 'lr_desk: a device appends in READ COMMITTED transactions '
                    'only (a snapshot older than the ordering lock would misnumber it)'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF EXISTS (SELECT 1 FROM {device} d {joins}
                       WHERE d.role = session_user AND NOT {same}) THEN
                {changed};
            END IF;
            BEGIN  -- held already (an earlier statement), or free: no waiting, no asking
                LOCK TABLE {order} IN EXCLUSIVE MODE NOWAIT;
            EXCEPTION WHEN lock_not_available THEN
                PERFORM {schema}.change_log_order();
            END;
            -- (a query now sees every append committed before the lock was had)
            PERFORM setval({_literal(numbers)},
                           (SELECT COALESCE(MAX(seq), 0) + 1 FROM {log}), false);
            RETURN NULL;
        END $$""",
        f"REVOKE ALL ON FUNCTION {schema}.change_log_device_statement() FROM PUBLIC",
        # Before each row a device appends: its number, the next after the statement's
        # start (whatever number the device gave), and when the store received it.
        f"""CREATE OR REPLACE FUNCTION {schema}.change_log_device_append() RETURNS trigger
        LANGUAGE plpgsql {_DEFINER} AS $$
        BEGIN
            IF session_user NOT LIKE {device_like} THEN
                RETURN NEW;  -- not a device: the owner, numbering its own appends
            END IF;
            NEW.seq := nextval({_literal(numbers)});
            NEW.received_at := now();
            RETURN NEW;
        END $$""",
        # After each statement a device appends with: migration c3's check of the clock
        # stamps, on all its rows in one query: the stamp of a device's first push binds
        # it (if no other device has it); every change it sends carries that one.
        f"""CREATE OR REPLACE FUNCTION {schema}.change_log_device_stamps() RETURNS trigger
        LANGUAGE plpgsql {_DEFINER} AS $$
        DECLARE
            me record;
            wrong record;
            other text;
            first text;
        BEGIN
            IF session_user NOT LIKE {device_like} THEN
                RETURN NULL;
            END IF;
            SELECT d.name, d.stamp_id INTO me FROM {device} d WHERE d.role = session_user;
            IF NOT FOUND THEN
                RETURN NULL;  -- no device's login: row-level security let nothing in
            END IF;
            -- the stamp of the statement's first change (NULL: not one lr_desk makes)
            first := (SELECT b.hlc FROM added b ORDER BY b.seq LIMIT 1);
            first := CASE WHEN first ~ '{STAMP_SHAPE}' THEN substr(first, {STAMP_FROM}) END;
            SELECT a.hlc, CASE WHEN a.hlc ~ '{STAMP_SHAPE}' THEN substr(a.hlc, {STAMP_FROM})
                          END AS stamp INTO wrong FROM added a
            WHERE NOT a.hlc ~ '{STAMP_SHAPE}'
               OR substr(a.hlc, {STAMP_FROM}) IS DISTINCT FROM COALESCE(me.stamp_id, first)
            ORDER BY a.seq LIMIT 1;
            IF FOUND AND wrong.stamp IS NULL THEN
                RAISE EXCEPTION 'lr_desk: the clock stamp % is not one lr_desk makes',
                    wrong.hlc USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF me.stamp_id IS NULL THEN
                -- the first push binds the device to its first change's stamp, if no
                -- other device has it
                me.stamp_id := first;
                IF me.stamp_id IS NULL THEN
                    RETURN NULL;  -- (nothing appended)
                END IF;
                SELECT name INTO other FROM {device} WHERE stamp_id = me.stamp_id;
                IF NOT FOUND THEN
                    SELECT device_id INTO other FROM {log}
                    WHERE substr(hlc, {STAMP_FROM}) = me.stamp_id AND device_id <> me.name
                    LIMIT 1;
                END IF;
                IF other IS NOT NULL THEN
                    RAISE EXCEPTION 'lr_desk: the device stamp % belongs to the device "%", '
                        'not to "%"', me.stamp_id, other, me.name
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                UPDATE {device} SET stamp_id = me.stamp_id WHERE name = me.name;
            END IF;
            IF wrong.stamp IS NOT NULL THEN
                RAISE EXCEPTION 'lr_desk: the device "%" stamps its changes with its own '
                    'device stamp %, not %', me.name, me.stamp_id, wrong.stamp
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NULL;
        END $$""",
        f"REVOKE ALL ON FUNCTION {schema}.change_log_device_stamps() FROM PUBLIC",
        f"REVOKE ALL ON FUNCTION {schema}.change_log_device_append() FROM PUBLIC",
    ]


def _me(conn) -> tuple[str, bool, bool]:
    """The init user: its name, whether a superuser, whether it may create roles."""
    return tuple(conn.execute(text(
        "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles "
        "WHERE rolname = current_user")).one())


def _may(conn, statement: str, params: dict | None = None) -> bool:
    """Run ``statement`` if the init user may (in a savepoint): whether it did."""
    from sqlalchemy.exc import DBAPIError

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
    if superuser or createrole:
        conn.exec_driver_sql(f"ALTER ROLE {q} CONNECTION LIMIT {CONNECTION_LIMIT}")
        for name, value in ROLE_SETTINGS.items():
            conn.exec_driver_sql(f"ALTER ROLE {q} SET {name} = {_literal(value)}")
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
