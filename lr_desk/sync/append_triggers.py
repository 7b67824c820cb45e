"""The SQL that orders, numbers and checks a device's appends (PostgreSQL central store).

Made by lr_desk.sync.harden on every ``central init`` (see its docstring for why each
part is there): the table whose lock orders appends and ``change_log_order()``, which
takes it for a push and ends a device's session that holds it without pushing; the check
that a device's password is still the one add-device set; and the triggers on each
statement a device appends with (the lock, the numbering, the clock stamps).
"""

from __future__ import annotations

WAIT = 3  # seconds a push waits for the ordering lock before asking who holds it
IDLE = 2  # seconds a holder may sit idle in its transaction (a push never does)
HOLD = 30  # seconds a holder's transaction may run: longer than any push takes
END_WAIT_MS = 5000  # how long to wait for a session ended to be gone
DEVICE_PREFIX = "lr_device_"  # lr_desk.sync.devices.role_name
BUSY = "the central store is busy"
PASSWORD_CHANGED = "was changed from outside lr-desk central add-device"
# As in migration c3: what a desk's clock writes (``^[0-9]{15}-[0-9]{5}-(.+)$``), and
# where the device id starts in it. Written as a match of its shape (``.`` takes any
# character, a newline too, as ``.+$`` does) and substr(): a substring() that captures
# cost a push of 5,000 changes ~100 ms more, a third of what PostgreSQL spent on it.
STAMP_SHAPE = "^[0-9]{15}-[0-9]{5}-."
STAMP_FROM = 23

_DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"


def literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def store_sql(schema: str, superuser: bool, hold: int = HOLD) -> list[str]:
    """The store's ordering lock, login check and numbering trigger (``schema``: the
    store's, quoted). ``superuser``: whether the owner may read pg_authid (the check of
    a device's password is only possible then). ``hold``: HOLD (tests shorten it)."""
    order, log, device = f"{schema}.central_order", f"{schema}.change_log", f"{schema}.device"
    logins = f"{schema}.central_device_login"
    numbers = f"{schema}.central_next_seq"
    device_like = literal(DEVICE_PREFIX.replace("_", "\\_") + "%")
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
            PERFORM setval({literal(numbers)},
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
            NEW.seq := nextval({literal(numbers)});
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
