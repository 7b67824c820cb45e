"""The change log and the store's identity (what init made before migrations existed).

A store made then already has these tables: they are kept as they are.

Revision ID: c1
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "c1"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    if "central_meta" not in tables:
        op.create_table("central_meta",
                        sa.Column("key", sa.String(64), primary_key=True),
                        sa.Column("value", sa.String(200), nullable=False))
    if "change_log" not in tables:
        op.create_table(
            "change_log",
            sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("change_id", sa.String(36), nullable=False, unique=True),
            sa.Column("device_id", sa.String(36), nullable=False),
            sa.Column("entity", sa.String(64), nullable=False),
            sa.Column("entity_id", sa.String(36), nullable=False),
            sa.Column("op", sa.String(8), nullable=False),
            sa.Column("fields", JSON, nullable=False),
            sa.Column("seen", JSON),
            sa.Column("hlc", sa.String(80), nullable=False),
            sa.Column("schema_version", sa.String(32), nullable=False),
            sa.Column("received_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        )
    if bind.dialect.name == "postgresql":  # only for the test that shows why the lock is needed
        op.execute("CREATE SEQUENCE IF NOT EXISTS change_log_unordered_seq")
    from lr_desk.store.clock import new_id

    meta = sa.table("central_meta", sa.column("key"), sa.column("value"))
    if bind.scalar(sa.select(meta.c.value).where(meta.c.key == "store_id")) is None:
        op.execute(meta.insert().values(key="store_id", value=new_id()))


def downgrade() -> None:
    op.execute("DROP SEQUENCE IF EXISTS change_log_unordered_seq")
    op.drop_table("change_log")
    op.drop_table("central_meta")
