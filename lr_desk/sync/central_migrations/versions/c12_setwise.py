"""A push's checks, set-wise and cheaper: the erasure check once per statement, and the
check of every change a third cheaper, with the same answers.

PostgreSQL only (SQLite does both in CentralStore.push, in Python).

- The erasure check (lr_desk.sync.redact_setwise): c4's trigger before each row a change
  to a person's records is appended (a PL/pgSQL call and a look-up each) becomes one
  trigger after each statement, over all its rows (a transition table): one join with
  erased_row; only a statement that touches an erased record writes anything (it notes
  and blanks, in its own transaction, what c4's would have, and records added under
  those in any order, as desks do).
- The check of every change (lr_desk.sync.checks_pg, made again here as c8 made it):
  each field's JSON type is looked up once (a simple CASE on it, where each field was
  looked up three or four times), a change's and a record's id are matched as UUIDs by
  LIKE and ltrim rather than a regular expression, and the function runs with
  ``jit = off`` (over a statement of 10,000 rows the planner priced its query above
  jit_above_cost, and compiling it took about a second, twice what running it does).

Revision ID: c12
Revises: c11
"""

import sqlalchemy as sa
from alembic import op

from lr_desk.sync import checks_pg, redact_setwise

revision = "c12"
down_revision = "c11"
branch_labels = None
depends_on = None


def _run(statements) -> None:
    # (through the driver as written: SQLAlchemy would take colons for parameters)
    with op.get_bind().connection.dbapi_connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _schema(bind) -> str:
    return bind.dialect.identifier_preparer.quote(
        bind.scalar(sa.text("SELECT current_schema()")))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _run(redact_setwise.setwise_sql(_schema(bind)))
    checks_pg.remake(bind, per_statement=True)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _run(redact_setwise.rowwise_sql(_schema(bind)))
    # (the check made here gives c11's answers: it stays)
