"""The first-sync snapshot: a device's whole database at a log position, kept by the
store for new devices to load in bulk (lr_desk.sync.snapshot_store, snapshot_build).

Both: ``snapshot`` (where it is in the log, the desk schema it was made at, its key,
size, SHA-256, parts; ready once its last part is in) and ``snapshot_part`` (its file in
parts). An erasure appended deletes every snapshot made before it, in the same
transaction (a trigger: whoever appends).

PostgreSQL: PUBLIC has no right on either table; a device's login may SELECT both (given
by lr_desk.sync.harden at every init and add-device), under a read policy (row-level
security; harden ties it to the device's password, as for the log); the owner builds.
The parts are stored as they are (they are encrypted: compressing them gains nothing).

Revision ID: c11
Revises: c10
"""

import sqlalchemy as sa
from alembic import op

from lr_desk.sync.snapshot_store import TABLES, erasure_sql, erasure_undo_sql

revision = "c11"
down_revision = "c10"
branch_labels = None
depends_on = None


def _schema(bind) -> str | None:
    if bind.dialect.name != "postgresql":
        return None
    return bind.dialect.identifier_preparer.quote(
        bind.scalar(sa.text("SELECT current_schema()")))


def upgrade() -> None:
    op.create_table("snapshot",
                    sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("at_seq", sa.BigInteger, nullable=False),
                    sa.Column("store_revision", sa.String(32), nullable=False),
                    sa.Column("key", sa.String(64), nullable=False),
                    sa.Column("size", sa.BigInteger),
                    sa.Column("sha256", sa.String(64)),
                    sa.Column("parts", sa.Integer),
                    sa.Column("made_at", sa.DateTime(timezone=True)),
                    sa.Column("ready", sa.Boolean, nullable=False,
                              server_default=sa.false()))
    op.create_table("snapshot_part",
                    sa.Column("snapshot_id", sa.String(36),
                              sa.ForeignKey("snapshot.id", ondelete="CASCADE"),
                              primary_key=True),
                    sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
                    sa.Column("data", sa.LargeBinary, nullable=False))
    bind = op.get_bind()
    schema = _schema(bind)
    if schema is not None:
        op.execute("ALTER TABLE snapshot_part ALTER COLUMN data SET STORAGE EXTERNAL")
        for table in TABLES:
            op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY devices_read ON {table} FOR SELECT USING (true)")
    for statement in erasure_sql(schema):
        op.execute(statement)


def downgrade() -> None:
    for statement in erasure_undo_sql(_schema(op.get_bind())):
        op.execute(statement)
    op.drop_table("snapshot_part")
    op.drop_table("snapshot")
