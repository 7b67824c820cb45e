"""accounts on advisors, the audit log, consent, erasure

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

AUDITED = ("at", "advisor_id", "device_id", "action", "entity", "entity_id", "person_id",
           "detail", "created_at", "deleted_at")


def _synced_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("advisor") as batch:
        batch.add_column(sa.Column("username", sa.String(length=60), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("role", sa.String(length=16), nullable=False,
                                   server_default="advisor"))
        batch.add_column(sa.Column("password_hash", sa.String(length=200), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("advisor") as batch:  # the defaults were for rows already there
        for name in ("username", "role", "password_hash"):
            batch.alter_column(name, server_default=None)
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.create_table(
        "audit_event",
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("advisor_id", sa.String(length=36), nullable=True),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=True),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False),
        *_synced_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_index("ix_audit_event_person_id", "audit_event", ["person_id", "at"])
    op.create_index("ix_audit_event_advisor_id", "audit_event", ["advisor_id", "at"])
    op.create_index("ix_audit_event_action", "audit_event", ["action", "at"])
    # Append-only: a record, once written, is never changed or removed. (Writing the same
    # values again, as a sync may, is allowed: it changes nothing.)
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in AUDITED)
    op.execute(f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
               f"WHEN {changed} BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    op.execute("CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
               "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    op.create_table(
        "consent",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=True),
        sa.Column("ways", sa.String(length=60), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_synced_columns(),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_consent_person_id_person")),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"],
                                name=op.f("fk_consent_partner_id_partner")),
        sa.ForeignKeyConstraint(["recorded_by"], ["advisor.id"],
                                name=op.f("fk_consent_recorded_by_advisor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    op.create_index(op.f("ix_consent_person_id"), "consent", ["person_id"])
    op.create_table(
        "erasure",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=False),
        sa.Column("approved_by", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("record_ids", sa.JSON(), nullable=False),
        *_synced_columns(),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_erasure_person_id_person")),
        sa.ForeignKeyConstraint(["requested_by"], ["advisor.id"],
                                name=op.f("fk_erasure_requested_by_advisor")),
        sa.ForeignKeyConstraint(["approved_by"], ["advisor.id"],
                                name=op.f("fk_erasure_approved_by_advisor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure")),
    )
    op.create_index(op.f("ix_erasure_person_id"), "erasure", ["person_id"])
    op.create_table(
        "erased_row",
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_erased_row")),
    )
    # From now on every connection overwrites what it deletes (PRAGMA secure_delete, see
    # store.db); a file that has never held a person has nothing freed before that to
    # clear, so an erasure need not VACUUM it (see store.erase.wipe).
    op.execute("INSERT INTO sync_state (key, value) SELECT 'free_space_clean', 'true' "
               "WHERE NOT EXISTS (SELECT 1 FROM person) AND NOT EXISTS (SELECT 1 FROM draft)")


def downgrade() -> None:
    op.execute("DELETE FROM sync_state WHERE key = 'free_space_clean'")
    op.drop_table("erased_row")
    op.drop_table("erasure")
    op.drop_table("consent")
    op.drop_table("audit_event")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("erased_at")
    with op.batch_alter_table("advisor") as batch:
        batch.drop_column("password_hash")
        batch.drop_column("role")
        batch.drop_column("username")
