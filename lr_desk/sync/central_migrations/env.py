"""Alembic environment of the central store: runs on the engine lr_desk.sync.central_schema hands
in, in one transaction (PostgreSQL: under an advisory lock, so two inits at once run one
after the other; SQLite: BEGIN IMMEDIATE does the same). After the migrations the revision
reached is also written to central_meta, where a device (which may read nothing else)
checks it."""

from alembic import context
from sqlalchemy import text

from lr_desk.sync import central_schema

config = context.config


def run() -> None:
    engine = config.attributes["engine"]
    with engine.begin() as connection:  # commits only if every pending revision worked
        if connection.dialect.name == "postgresql":
            # (waits that long at most, for this lock and for every lock the migrations
            # take on the log: a device holding either cannot stall an upgrade for ever)
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{central_schema.MIGRATE_WAIT}'")
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": central_schema.MIGRATE_LOCK})
        context.configure(connection=connection, target_metadata=central_schema.metadata,
                          version_table=central_schema.VERSION_TABLE)
        with context.begin_transaction():  # already in one: Alembic adds none of its own
            context.run_migrations()
        central_schema.record_schema(connection, context.get_context().get_current_revision())


run()
