"""Alembic environment: migrations run on the engine handed in by lr_desk.store.db."""

from alembic import context

from lr_desk.store.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        # SQLite changes a table by copying it; foreign keys are checked after, not during
        # (the pragma only takes effect outside a transaction).
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"a migration left rows pointing nowhere: {broken[:5]}")


run()
