"""proofs of authority: accounts' signing keys, proofs on accounts and erasures, and the
desk's record of who may sign what as the log has made it (lr_desk.store.authority)

The accounts already here are taken as they are (they were accepted before proofs): the
state starts from them, and the devices that made or changed them are known (none of
them can set up a first admin again).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from lr_desk.store import authority

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("advisor") as batch:
        batch.add_column(sa.Column("public_key", sa.String(length=64), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("sealed_key", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("proof", sa.JSON(), nullable=True))
    with op.batch_alter_table("advisor") as batch:  # the default was for rows already there
        batch.alter_column("public_key", server_default=None)
    with op.batch_alter_table("erasure") as batch:
        batch.add_column(sa.Column("proof", sa.JSON(), nullable=True))
    op.create_table(
        "authority_account",
        sa.Column("advisor_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("clocks", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("advisor_id", name=op.f("pk_authority_account")),
    )
    op.create_table(
        "authority_device",
        sa.Column("device_id", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_authority_device")),
    )
    bind = op.get_bind()
    rows = bind.exec_driver_sql(
        "SELECT a.id, a.role, a.active, a.deleted_at, a.public_key, "
        "a.username <> '' OR a.password_hash <> '', c.base, c.fields "
        "FROM advisor a LEFT JOIN row_clock c ON c.entity_id = a.id").all()
    authority.seed(bind, rows)


def downgrade() -> None:
    op.drop_table("authority_device")
    op.drop_table("authority_account")
    with op.batch_alter_table("erasure") as batch:
        batch.drop_column("proof")
    with op.batch_alter_table("advisor") as batch:
        batch.drop_column("proof")
        batch.drop_column("sealed_key")
        batch.drop_column("public_key")
