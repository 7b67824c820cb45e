"""Registered devices, and the log made append-only.

On PostgreSQL each device logs in as its own role (lr-desk central add-device grants it
the least it needs). Here: a trigger refuses UPDATE, DELETE and TRUNCATE on change_log
for everyone, its owner too; row-level security lets every role read the whole log but
append only changes carrying the device name registered for that role. The owner (the
administrator, not a device) is not subject to the policies: no FORCE. PUBLIC loses the
rights PostgreSQL gives it by default on the tables and the database. On SQLite, which
has no logins, the triggers alone.

Revision ID: c2
Revises: c1
"""

import sqlalchemy as sa
from alembic import op

revision = "c2"
down_revision = "c1"
branch_labels = None
depends_on = None

REFUSE = "the change log is append-only: it cannot be changed or emptied"


def upgrade() -> None:
    op.create_table(
        "device",
        sa.Column("name", sa.String(36), primary_key=True),
        sa.Column("site", sa.String(64), nullable=False),
        sa.Column("role", sa.String(63), unique=True),  # PostgreSQL: its login
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    if op.get_bind().dialect.name != "postgresql":
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER change_log_no_{event.lower()} BEFORE {event} ON "
                       f"change_log BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END")
        return
    op.execute(f"""
        CREATE FUNCTION change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{REFUSE} (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$""")
    op.execute("CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
               "ON change_log FOR EACH STATEMENT EXECUTE FUNCTION change_log_append_only()")
    op.execute("ALTER TABLE change_log ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY devices_read ON change_log FOR SELECT USING (true)")
    op.execute("CREATE POLICY devices_append_as_themselves ON change_log FOR INSERT "
               "WITH CHECK (device_id = (SELECT d.name FROM device d "
               "WHERE d.role = CURRENT_USER))")
    op.execute("REVOKE ALL ON change_log, central_meta, device FROM PUBLIC")
    # Connecting is granted to each device's role; not to every role on the server.
    op.execute("""
        DO $$ BEGIN
            EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'not the database owner: PUBLIC keeps its default rights on it';
        END $$""")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER change_log_no_update")
        op.execute("DROP TRIGGER change_log_no_delete")
    else:
        op.execute("DROP POLICY devices_append_as_themselves ON change_log")
        op.execute("DROP POLICY devices_read ON change_log")
        op.execute("ALTER TABLE change_log DISABLE ROW LEVEL SECURITY")
        op.execute("DROP TRIGGER change_log_append_only ON change_log")
        op.execute("DROP FUNCTION change_log_append_only()")
    op.drop_table("device")
