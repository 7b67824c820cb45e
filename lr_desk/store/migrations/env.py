"""Alembic environment: migrations run on the engine handed in by lr_desk.store.db.

On SQLite the whole run (every pending revision, and the check of foreign keys after
it) is one real transaction: it commits only if all of it worked, and otherwise leaves
the file exactly as it was. The pysqlite driver on its own would commit before every
CREATE, ALTER or DROP, so this connection, and this connection only, is switched to the
driver's autocommit mode and the transaction is begun here with an explicit BEGIN (the
recipe in SQLAlchemy's pysqlite docs, "Serializable isolation / Savepoints /
Transactional DDL"). The connection is put back as it was before it returns to the pool.
"""

from alembic import context

from lr_desk.store.models import Base

config = context.config
target_metadata = Base.metadata


class ForeignKeysBroken(RuntimeError):
    """A migration left rows pointing nowhere (it was rolled back)."""


def run() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        dbapi = connection.connection.driver_connection
        isolation_level = dbapi.isolation_level
        dbapi.isolation_level = None  # no implicit BEGIN/COMMIT from the driver
        try:
            # SQLite changes a table by copying it; foreign keys are checked after, not
            # during (the pragma only takes effect outside a transaction: before BEGIN).
            dbapi.execute("PRAGMA foreign_keys=OFF")
            with connection.begin():  # commits on success, rolls back on any error
                connection.exec_driver_sql("BEGIN")
                # already in a transaction: Alembic adds none of its own, commits nothing
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=True,
                )
                with context.begin_transaction():
                    context.run_migrations()
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise ForeignKeysBroken(
                        f"a migration left rows pointing nowhere: {broken[:5]}")
        except BaseException:
            # the connection's state is not to be trusted: the pool makes a fresh one
            connection.invalidate()
            raise
        else:
            dbapi.execute("PRAGMA foreign_keys=ON")
            dbapi.isolation_level = isolation_level


run()
