"""Every change appended is checked against its entity's schema (lr_desk.sync.checks).

Both: ``desk_schema``, the desk schema versions the store knows (a change must carry
one): filled here, and by every ``central init`` with the versions of the lr_desk that
runs it, so a newer lr_desk's init adds its own. Every login may read it (a desk tells
a genuine newer version from junk by it).

PostgreSQL: a trigger before each row appended (by anyone: a device's login, or the
owner) refuses a change that is not valid, with a plain message and SQLSTATE 22LR1
(checks_pg.postgres_sql, made from the models as they are when this runs). Changes the
log already holds are left as they are: every desk checks them again and sets aside
what it cannot apply.

SQLite, which has no logins: CentralStore.push checks in Python.

Revision ID: c5
Revises: c4
"""

import sqlalchemy as sa
from alembic import op

from lr_desk.sync import checks_pg
from lr_desk.sync.central_schema import record_versions

revision = "c5"
down_revision = "c4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("desk_schema",
                    sa.Column("version", sa.String(32), primary_key=True),
                    sa.Column("added_at", sa.DateTime, nullable=False,
                              server_default=sa.func.now()))
    bind = op.get_bind()
    record_versions(bind)
    if bind.dialect.name != "postgresql":
        return
    op.execute("GRANT SELECT ON desk_schema TO PUBLIC")
    schema = bind.dialect.identifier_preparer.quote(
        bind.scalar(sa.text("SELECT current_schema()")))
    # (through the driver as written: SQLAlchemy would take the regular expressions'
    # colons for parameters, and psycopg their percent signs)
    with bind.connection.dbapi_connection.cursor() as cursor:
        for statement in checks_pg.postgres_sql(schema):
            cursor.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.dialect.identifier_preparer.quote(
            bind.scalar(sa.text("SELECT current_schema()")))
        for statement in checks_pg.drop_sql(schema):
            op.execute(statement)
    op.drop_table("desk_schema")
