"""What a device's change may not choose for itself: its number, and whose clock stamped it.

PostgreSQL. A trigger before each row a device's login appends to change_log:
- gives the change the next sequence number, under the same advisory lock as
  CentralStore.push (which computes the same number), so no device can take a number
  out of order, or the largest there is (after which no other desk could append);
- checks the clock stamp: the merge decodes every stamp it pulls, and breaks ties by the
  device id in it ("<15 digits wall ms>-<5 digits counter>-<device id>"). A device's
  first push binds its login to that id (device.stamp_id); after that no other id will
  do, and no device may take an id another device is bound to or has used in the log.
  Devices that pushed before this revision are bound by it, where their changes carry
  one id that no other device used.
The owner's appends (the administrator's, and the tests') are left as they were.

The function is SECURITY DEFINER because a device may not UPDATE device (the binding),
with a fixed search_path and every table named with its schema; inside it current_user
is the function's owner, so the device is found by session_user, which a device's login
cannot change (it is a member of no role, and not a superuser). Nobody may call it
other than as the trigger.

Also: before PostgreSQL 15 every login may create objects in the schema public (one could
plant a table or function there to catch others' queries); PUBLIC loses that right.

SQLite, which has no logins: the column only, so the schema is the same.

Revision ID: c3
Revises: c2
"""

import sqlalchemy as sa
from alembic import op

from lr_desk.sync.central_schema import ORDER_LOCK

revision = "c3"
down_revision = "c2"
branch_labels = None
depends_on = None

# What a desk's clock writes (lr_desk.store.clock.HybridClock.encode), the device id caught.
STAMP = "^[0-9]{15}-[0-9]{5}-(.+)$"
# Where the device id starts in a stamp: after 15 digits, a dash, 5 digits and a dash.
STAMP_FROM = 23


def upgrade() -> None:
    op.add_column("device", sa.Column("stamp_id", sa.String(80), nullable=True))
    op.create_index("ux_device_stamp_id", "device", ["stamp_id"], unique=True)
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    q = bind.dialect.identifier_preparer.quote
    schema = q(bind.scalar(sa.text("SELECT current_schema()")))
    device, log = f"{schema}.device", f"{schema}.change_log"
    op.execute(f"""
        CREATE FUNCTION {schema}.change_log_device_append() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            me record;
            stamp text;
            other text;
        BEGIN
            SELECT name, stamp_id INTO me FROM {device} WHERE role = session_user;
            IF NOT FOUND THEN
                RETURN NEW;  -- not a device: the owner, numbering its own appends
            END IF;
            IF current_setting('transaction_isolation') <> 'read committed' THEN
                RAISE EXCEPTION 'lr_desk: a device appends in READ COMMITTED transactions '
                    'only (a snapshot older than the ordering lock would misnumber it)'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            PERFORM pg_advisory_xact_lock({ORDER_LOCK});
            NEW.seq := (SELECT COALESCE(MAX(seq), 0) + 1 FROM {log});
            NEW.received_at := now();
            stamp := substring(NEW.hlc FROM '{STAMP}');
            IF stamp IS NULL THEN
                RAISE EXCEPTION 'lr_desk: the clock stamp % is not one lr_desk makes', NEW.hlc
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF me.stamp_id IS NOT NULL THEN
                IF me.stamp_id <> stamp THEN
                    RAISE EXCEPTION 'lr_desk: the device "%" stamps its changes with its own '
                        'device stamp %, not %', me.name, me.stamp_id, stamp
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END IF;
            -- the first push binds the device to its stamp, if no other device has it
            SELECT name INTO other FROM {device} WHERE stamp_id = stamp;
            IF NOT FOUND THEN
                SELECT device_id INTO other FROM {log}
                WHERE substr(hlc, {STAMP_FROM}) = stamp AND device_id <> me.name LIMIT 1;
            END IF;
            IF other IS NOT NULL THEN
                RAISE EXCEPTION 'lr_desk: the device stamp % belongs to the device "%", not '
                    'to "%"', stamp, other, me.name USING ERRCODE = 'insufficient_privilege';
            END IF;
            UPDATE {device} SET stamp_id = stamp WHERE name = me.name;
            RETURN NEW;
        END $$""")
    op.execute(f"REVOKE ALL ON FUNCTION {schema}.change_log_device_append() FROM PUBLIC")
    op.execute(f"CREATE TRIGGER change_log_device_append BEFORE INSERT ON {log} "
               f"FOR EACH ROW EXECUTE FUNCTION {schema}.change_log_device_append()")
    # Devices that have pushed already: bound to their one stamp, if no other device used it.
    op.execute(f"""
        WITH used AS (
            SELECT DISTINCT device_id, substr(hlc, {STAMP_FROM}) AS stamp FROM {log}
            WHERE hlc ~ '{STAMP}'),
        one AS (SELECT device_id, min(stamp) AS stamp FROM used GROUP BY device_id
                HAVING count(*) = 1),
        unshared AS (SELECT stamp FROM used GROUP BY stamp HAVING count(*) = 1)
        UPDATE {device} d SET stamp_id = one.stamp FROM one JOIN unshared USING (stamp)
        WHERE d.name = one.device_id AND d.role IS NOT NULL""")
    op.execute("""
        DO $$ BEGIN
            IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') THEN
                REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            END IF;
            EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema());
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'not the schema''s owner: PUBLIC keeps CREATE on it';
        END $$""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER change_log_device_append ON change_log")
        op.execute("DROP FUNCTION change_log_device_append()")
    op.drop_index("ux_device_stamp_id", "device")
    op.drop_column("device", "stamp_id")
