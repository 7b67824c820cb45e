"""outcomes: wellbeing measures (SWEMWBS and ONS4) a person answered, and the person's
NHS number (for a referrals export GP systems read)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wellbeing_measure",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("measure", sa.String(length=12), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("raw_total", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("site_code", sa.String(length=32), nullable=False),
        sa.Column("advisor_id", sa.String(length=36), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=True),
        sa.Column("follow_up_id", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["advisor_id"], ["advisor.id"],
                                name=op.f("fk_wellbeing_measure_advisor_id_advisor")),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"],
                                name=op.f("fk_wellbeing_measure_conversation_id_conversation")),
        sa.ForeignKeyConstraint(["follow_up_id"], ["follow_up.id"],
                                name=op.f("fk_wellbeing_measure_follow_up_id_follow_up")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_wellbeing_measure_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_measure")))
    with op.batch_alter_table("wellbeing_measure") as batch:
        batch.create_index(batch.f("ix_wellbeing_measure_person_id"), ["person_id"])
        batch.create_index(batch.f("ix_wellbeing_measure_taken_at"), ["taken_at"])
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("nhs_number", sa.String(length=10), nullable=False,
                                   server_default=sa.text("''")))
    with op.batch_alter_table("person") as batch:
        batch.alter_column("nhs_number", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("nhs_number")
    op.drop_table("wellbeing_measure")
