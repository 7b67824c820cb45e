"""The check of every change appended, cheaper again, with the same answers.

PostgreSQL only (SQLite checks in CentralStore.push, in Python). The check is made again
here (checks_pg.remake, as c8, c10 and c12 made it), from the models as they are when
this runs: the query that finds the first wrong change of a statement now asks the same
question for less (checks_pg's notes say how: the store's time read once, ids cast to
uuid once their shape is right, the kinds of record a push holds most of tried first,
a time equal to created_at taken as checked with it, ``seen`` read by jsonb_each rather
than jsonpath). What is refused, and the words that say why, are as c12's.

Downgrade: the check stays (c12 would make it from the same code: it is this one).

Revision ID: c13
Revises: c12
"""

from alembic import op

from lr_desk.sync import checks_pg

revision = "c13"
down_revision = "c12"
branch_labels = None
depends_on = None


def upgrade() -> None:
    checks_pg.remake(op.get_bind(), per_statement=True)


def downgrade() -> None:
    pass  # (the check made here gives c12's answers: it stays)
