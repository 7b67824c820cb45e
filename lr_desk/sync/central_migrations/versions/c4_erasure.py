"""Erasure: the log blanks an erased person's information (see lr_desk.sync.redact).

Both: ``erased_row``, the records erased (a device may not read it).

PostgreSQL: the functions and triggers that, as an erasure is appended, blank the
personal values in every change to the records it names (and to records added under
them), and blank those of later changes to them as they arrive. The append-only rule
stays, with one exception checked row by row: an update by the table's owner (the
trigger functions, SECURITY DEFINER, with a fixed search_path, callable by no one) that
blanks an erased record's personal values and changes nothing else. A device gets no
new right.

SQLite: the push does the blanking (one machine, no logins); the trigger that refused
every update now lets through only one that changes the fields of an erased record.

The personal fields and the columns that put a record under another are taken from
lr_desk.store.erase when this runs: a later change to them needs a migration that makes
the functions again.

Revision ID: c4
Revises: c3
"""

import sqlalchemy as sa
from alembic import op

from lr_desk.sync.redact import REFUSE, postgres_sql

revision = "c4"
down_revision = "c3"
branch_labels = None
depends_on = None

KEPT = ("seq", "change_id", "device_id", "entity", "entity_id", "op", "hlc",
        "schema_version", "received_at", "seen")
OLD_REFUSE = "the change log is append-only: it cannot be changed or emptied"


def upgrade() -> None:
    op.create_table("erased_row",
                    sa.Column("entity_id", sa.String(36), primary_key=True),
                    sa.Column("erased_at", sa.DateTime, nullable=False,
                              server_default=sa.func.now()))
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in KEPT)
        op.execute("DROP TRIGGER change_log_no_update")
        op.execute(f"CREATE TRIGGER change_log_redact_only BEFORE UPDATE ON change_log "
                   f"WHEN {changed} OR NOT EXISTS (SELECT 1 FROM erased_row "
                   f"WHERE entity_id = OLD.entity_id) "
                   f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END")
        return
    op.execute("REVOKE ALL ON erased_row FROM PUBLIC")
    schema = bind.dialect.identifier_preparer.quote(
        bind.scalar(sa.text("SELECT current_schema()")))
    for statement in postgres_sql(schema):
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        op.execute("DROP TRIGGER change_log_redact_only")
        op.execute("CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log "
                   f"BEGIN SELECT RAISE(ABORT, '{OLD_REFUSE}'); END")
    else:
        op.execute(f"""
            CREATE OR REPLACE FUNCTION change_log_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{OLD_REFUSE} (% refused)', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$""")
        op.execute("DROP TRIGGER change_log_redact_only ON change_log")
        op.execute("DROP TRIGGER change_log_erased_append ON change_log")
        op.execute("DROP FUNCTION change_log_redact_only()")
        op.execute("DROP FUNCTION change_log_erased_append()")
        op.execute("DROP FUNCTION change_log_erase(text[])")
        op.execute("DROP FUNCTION change_log_redacted(text, jsonb)")
    op.drop_table("erased_row")
