"""partners: named contacts, catch-ups, each service's capacity and eligibility, what
an Open Referral UK feed said of a row; a referral's reply deadline, override, the
person's view and letter; steps' kinds and decline reasons; service gaps; whether a
person receives benefits; an index of referrals by status and its time (those
awaiting a reply)

Rows already here take the models' defaults (taking referrals, a 14-day reply deadline,
catch-ups every 3 months, anyone eligible, a step forward).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None



def _synced() -> list[sa.Column]:
    """The columns every synced table has."""
    return [sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.Column("deleted_at", sa.DateTime(), nullable=True)]


_EMPTY = sa.text("''")
# table -> (name, type, nullable, server default for the rows already here)
_ADDED = {
    "partner": [
        ("catchup_every_months", sa.Integer(), False, sa.text("3")),
        ("feed_id", sa.String(length=250), False, _EMPTY),
        ("feed_record", sa.JSON(), True, None),
    ],
    "partner_service": [
        ("capacity", sa.String(length=12), False, sa.text("'taking'")),
        ("wait_weeks", sa.Integer(), True, None),
        ("paused_until", sa.Date(), True, None),
        ("capacity_confirmed_on", sa.Date(), True, None),
        ("takes", sa.Integer(), True, None),
        ("takes_per", sa.String(length=8), False, sa.text("'month'")),
        ("reply_days", sa.Integer(), True, None),
        ("reply_deadline_days", sa.Integer(), False, sa.text("14")),
        ("min_age", sa.Integer(), True, None),
        ("max_age", sa.Integer(), True, None),
        ("catchment", sa.String(length=500), False, _EMPTY),
        ("benefits_rule", sa.String(length=8), False, _EMPTY),
        ("once_only", sa.Boolean(), False, sa.text("0")),
        ("once_lookback_months", sa.Integer(), True, None),
        ("criteria", sa.Text(), False, _EMPTY),
        ("feed_id", sa.String(length=250), False, _EMPTY),
        ("feed_record", sa.JSON(), True, None),
    ],
    "person": [("on_benefits", sa.String(length=8), False, _EMPTY)],
    "referral": [
        ("reply_due", sa.Date(), True, None),
        ("override_warnings", sa.Text(), False, _EMPTY),
        ("override_reason", sa.Text(), False, _EMPTY),
        ("view", sa.String(length=12), False, _EMPTY),
        ("view_words", sa.Text(), False, _EMPTY),
        ("view_at", sa.DateTime(), True, None),
        ("letter_at", sa.DateTime(), True, None),
        ("letter_how", sa.String(length=8), False, _EMPTY),
        ("letter_by", sa.String(length=36), True, None),
    ],
    "referral_event": [
        ("kind", sa.String(length=12), False, sa.text("'step'")),
        ("from_status", sa.String(length=16), False, _EMPTY),
        ("reason_code", sa.String(length=24), False, _EMPTY),
    ],
}


def _table(name: str, *columns, fks=(), index: str) -> None:
    op.create_table(
        name, *columns, *_synced(),
        *(sa.ForeignKeyConstraint([col], [f"{to}.id"], name=op.f(f"fk_{name}_{col}_{to}"))
          for col, to in fks),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")))
    with op.batch_alter_table(name) as batch:
        batch.create_index(batch.f(f"ix_{name}_{index}"), [index], unique=False)


def upgrade() -> None:
    _table("partner_contact",
           sa.Column("partner_id", sa.String(length=36), nullable=False),
           sa.Column("name", sa.String(length=120), nullable=False),
           sa.Column("role", sa.String(length=120), nullable=False),
           sa.Column("phone", sa.String(length=32), nullable=False),
           sa.Column("email", sa.String(length=254), nullable=False),
           sa.Column("is_key", sa.Boolean(), nullable=False),
           sa.Column("feed_id", sa.String(length=250), nullable=False),
           fks=[("partner_id", "partner")], index="partner_id")
    _table("partner_catchup",
           sa.Column("partner_id", sa.String(length=36), nullable=False),
           sa.Column("planned_on", sa.Date(), nullable=False),
           sa.Column("held_on", sa.Date(), nullable=True),
           sa.Column("who", sa.Text(), nullable=False),
           sa.Column("notes", sa.Text(), nullable=False),
           sa.Column("advisor_id", sa.String(length=36), nullable=True),
           fks=[("advisor_id", "advisor"), ("partner_id", "partner")], index="partner_id")
    _table("service_gap",
           sa.Column("category", sa.String(length=32), nullable=False),
           sa.Column("site_code", sa.String(length=32), nullable=False),
           sa.Column("words", sa.Text(), nullable=False),
           sa.Column("advisor_id", sa.String(length=36), nullable=False),
           sa.Column("conversation_id", sa.String(length=36), nullable=True),
           sa.Column("recorded_at", sa.DateTime(), nullable=False),
           fks=[("advisor_id", "advisor"), ("conversation_id", "conversation")],
           index="conversation_id")
    with op.batch_alter_table("referral") as batch:  # those awaiting a reply
        batch.create_index(batch.f("ix_referral_status_status_at"), ["status", "status_at"],
                           unique=False)
    for table, columns in _ADDED.items():
        with op.batch_alter_table(table) as batch:
            for name, type_, nullable, default in columns:
                batch.add_column(sa.Column(name, type_, nullable=nullable,
                                           server_default=default))
            if table == "referral":
                batch.create_foreign_key(batch.f("fk_referral_letter_by_advisor"), "advisor",
                                         ["letter_by"], ["id"])
        with op.batch_alter_table(table) as batch:  # the defaults were for rows already here
            for name, _type, _nullable, default in columns:
                if default is not None:
                    batch.alter_column(name, server_default=None)


def downgrade() -> None:
    for table, columns in reversed(_ADDED.items()):
        with op.batch_alter_table(table) as batch:
            if table == "referral":
                batch.drop_constraint(batch.f("fk_referral_letter_by_advisor"),
                                      type_="foreignkey")
            for name, *_rest in reversed(columns):
                batch.drop_column(name)
    with op.batch_alter_table("referral") as batch:
        batch.drop_index(batch.f("ix_referral_status_status_at"))
    for name in ("service_gap", "partner_catchup", "partner_contact"):
        op.drop_table(name)
