"""The check of every change appended knows desk schema 0008 (wellbeing measures,
the NHS number of a person).

PostgreSQL only: the check is made from the models as they are when a migration runs
(checks_pg.postgres_sql), so it is made again here, as c8 made it, for a store set up
before 0008; the new versions are recorded by every ``central init``. SQLite checks in
CentralStore.push, in Python, from the models of the code running it.

Revision ID: c10
Revises: c9
"""

from alembic import op

from lr_desk.sync import checks_pg
from lr_desk.sync.central_schema import record_versions

revision = "c10"
down_revision = "c9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    record_versions(bind)
    checks_pg.remake(bind, per_statement=True)


def downgrade() -> None:
    pass  # the check made here is c9's, with more: it refuses nothing c9 took
