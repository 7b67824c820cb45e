"""The store's check of every change appended runs once per statement, not per row.

PostgreSQL only (SQLite checks in CentralStore.push). c5's check was a PL/pgSQL call
before each row: with a push of 10,000 changes that was 10,000 calls, the largest part
of a push's time (the budget is 3x a raw insert). Now a trigger after each statement
that appends looks at all its rows in one query (checks_pg.postgres_sql with
per_statement: the same conditions, made from the models as they are when this runs)
and, if any is wrong, says what is wrong with the first, by number, in the same plain
words and SQLSTATE, and the whole statement is undone: nothing of the push is stored,
as before. A device's login appends as before; it cannot avoid the check (only the
table's owner may switch a trigger off).

Revision ID: c8
Revises: c7
"""

from alembic import op

from lr_desk.sync import checks_pg

revision = "c8"
down_revision = "c7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    checks_pg.remake(op.get_bind(), per_statement=True)


def downgrade() -> None:
    checks_pg.remake(op.get_bind(), per_statement=False)
