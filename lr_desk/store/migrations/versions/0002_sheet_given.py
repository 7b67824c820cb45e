"""the take-home sheet: when it was printed or saved, and by whom

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("prescription") as batch:
        batch.add_column(sa.Column("sheet_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("sheet_how", sa.String(length=8), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("sheet_by", sa.String(length=36), nullable=True))
        batch.create_foreign_key(op.f("fk_prescription_sheet_by_advisor"), "advisor",
                                 ["sheet_by"], ["id"])
    with op.batch_alter_table("prescription") as batch:  # the default only filled old rows
        batch.alter_column("sheet_how", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("prescription") as batch:
        batch.drop_constraint(op.f("fk_prescription_sheet_by_advisor"), type_="foreignkey")
        batch.drop_column("sheet_by")
        batch.drop_column("sheet_how")
        batch.drop_column("sheet_at")
