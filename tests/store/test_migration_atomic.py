"""A migration is all or nothing: one that fails part-way (or leaves rows pointing
nowhere) leaves the database exactly as it was, so the next start works; and the engine
behaves as usual afterwards."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from lr_desk.store import db
from lr_desk.store.db import MigrationError, Store, current_revision, make_engine, migrate
from lr_desk.store.models import Person
from tests.store.test_migrations import NEXT, add_next_revision

# Half-way: a new table made, a table rebuilt by a batch operation (SQLite copies it
# through an _alembic_tmp_ table), and then a failure.
FAILS_HALF_WAY = '''\
    op.create_table("test_next", sa.Column("id", sa.Integer, primary_key=True))
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("test_extra", sa.String(10), nullable=True))
    raise RuntimeError("a bug half-way through the migration")'''

# A rebuild whose copy of the rows fails (a NOT NULL column that holds NULLs): the old
# table is still there, the _alembic_tmp_ one half-filled.
FAILS_IN_A_COPY = '''\
    op.create_table("test_next", sa.Column("id", sa.Integer, primary_key=True))
    with op.batch_alter_table("person") as batch:
        batch.alter_column("date_of_birth", existing_type=sa.Date(), nullable=False)'''

# Rows pointing nowhere (foreign keys are not enforced while migrating).
DANGLING = '''\
    op.create_table("test_next", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("person_id", sa.String(36), sa.ForeignKey("person.id")))
    op.execute("INSERT INTO test_next (id, person_id) VALUES (1, 'nobody')")'''

# Something in a revision that ends the migration's transaction, then a failure: only
# the backup can put the file back.
COMMITS_THEN_FAILS = '''\
    op.execute("COMMIT")
    op.create_table("test_next", sa.Column("id", sa.Integer, primary_key=True))
    raise RuntimeError("a bug after the transaction was ended")'''


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


def existing_database(folder: Path, real_head: str) -> Path:
    """A database at the real head holding one person (without a date of birth)."""
    path = folder / "lr_desk.sqlite"
    store = Store(path, backup_dir=folder / "backups", migrate_to=real_head)
    with store.session() as s:
        s.add(Person(given_name="Kept", family_name="Safe"))
    store.close()
    return path


@pytest.fixture
def file_at_restore(monkeypatch) -> list[list[str]]:
    """What the database file held each time a backup was put back: the transaction alone
    must have left it as it was, the restore being only the second line of defence."""
    seen: list[list[str]] = []
    real = db.restore

    def spy(saved: Path, db_path: Path, key: bytes | None = None) -> None:
        seen.append(dump(db_path))
        real(saved, db_path, key)

    monkeypatch.setattr(db, "restore", spy)
    return seen


def reopens_at(path: Path, folder: Path, revision: str) -> None:
    """The next start (with migrations that work) opens the file."""
    store = Store(path, backup_dir=folder / "backups", migrate_to=revision)
    try:
        assert current_revision(store.engine) == revision
    finally:
        store.close()


@pytest.mark.parametrize("upgrade", [FAILS_HALF_WAY, DANGLING],
                         ids=["fails-half-way", "dangling-foreign-key"])
def test_a_failed_migration_of_a_fresh_database_leaves_nothing(tmp_path, monkeypatch,
                                                               upgrade):
    real_head = add_next_revision(tmp_path, monkeypatch, upgrade)
    folder = tmp_path / "profile"
    path = folder / "lr_desk.sqlite"
    with pytest.raises(MigrationError, match="rolled back"):
        Store(path, backup_dir=folder / "backups")  # 0001, 0002 and the failing one
    assert tables(path) == set()  # not one table: no alembic_version, no _alembic_tmp_
    reopens_at(path, folder, real_head)


@pytest.mark.parametrize("upgrade", [FAILS_HALF_WAY, FAILS_IN_A_COPY, DANGLING],
                         ids=["fails-half-way", "fails-in-a-copy", "dangling-foreign-key"])
def test_a_failed_migration_of_an_existing_database_leaves_it_as_it_was(
        tmp_path, monkeypatch, file_at_restore, upgrade):
    real_head = add_next_revision(tmp_path, monkeypatch, upgrade)
    folder = tmp_path / "profile"
    path = existing_database(folder, real_head)
    before = dump(path)

    with pytest.raises(MigrationError) as info:
        Store(path, backup_dir=folder / "backups")
    assert f"from schema {real_head} to {NEXT}" in str(info.value)

    assert file_at_restore == [before]  # rolled back before the backup was put back
    assert dump(path) == before  # every table, row and the version, exactly
    assert not any(t.startswith("_alembic_tmp") for t in tables(path))
    reopens_at(path, folder, real_head)


def test_a_dangling_foreign_key_is_rolled_back(tmp_path, monkeypatch, file_at_restore):
    real_head = add_next_revision(tmp_path, monkeypatch, DANGLING)
    path = tmp_path / "a.sqlite"
    engine = make_engine(path)
    try:
        migrate(engine, path, tmp_path / "backups", target=real_head)
        before = dump(path)
        with pytest.raises(MigrationError) as info:
            migrate(engine, path, tmp_path / "backups")
        assert "pointing nowhere" in str(info.value.__cause__)
        assert file_at_restore == [before]
        assert current_revision(engine) == real_head
    finally:
        engine.dispose()
    assert "test_next" not in tables(path)


def test_what_escapes_the_transaction_is_undone_from_the_backup(tmp_path, monkeypatch):
    real_head = add_next_revision(tmp_path, monkeypatch, COMMITS_THEN_FAILS)
    folder = tmp_path / "profile"
    path = existing_database(folder, real_head)
    before = dump(path)

    with pytest.raises(MigrationError, match="restored from") as info:
        Store(path, backup_dir=folder / "backups")
    [saved] = (folder / "backups").iterdir()
    assert str(saved) in str(info.value)
    assert dump(path) == before
    reopens_at(path, folder, real_head)


def test_the_engine_is_as_usual_after_a_migration(tmp_path, monkeypatch):
    path = tmp_path / "a.sqlite"
    engine = make_engine(path)
    try:
        migrate(engine, path, tmp_path / "backups")
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            # the driver's own transaction handling, as on every other connection
            assert conn.connection.driver_connection.isolation_level == ""
        # and a failed migration leaves no connection in the pool half-changed
        add_next_revision(tmp_path, monkeypatch, FAILS_HALF_WAY)
        with pytest.raises(MigrationError):
            migrate(engine, path, tmp_path / "backups")
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.connection.driver_connection.isolation_level == ""
    finally:
        engine.dispose()
