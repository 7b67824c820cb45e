"""Migrations: the code's schema version is the Alembic head; every revision upgrades a
database made by the one before it without losing data; an upgrade backs the file up
first; and the models match what the migrations build."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

from lr_desk.profile import open_store
from lr_desk.store import db, schema
from lr_desk.store.db import Store, current_revision, head_revision, make_engine, migrate
from lr_desk.store.models import Base, Person
from lr_desk.store.schema import SCHEMA_VERSION


def revisions_in_order(migrations: Path = db.MIGRATIONS) -> list[str]:
    script = ScriptDirectory(str(migrations))
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def test_schema_version_is_the_alembic_head():
    assert head_revision() == SCHEMA_VERSION


def test_one_straight_line_of_revisions():
    script = ScriptDirectory(str(db.MIGRATIONS))
    assert len(script.get_heads()) == 1
    assert revisions_in_order()[-1] == head_revision()


# --- every revision, step by step, keeps the data -----------------------------------


def _value(column: sa.Column, n: int):
    """A plausible value for a column of any type, distinct per row."""
    t = column.type
    if isinstance(t, sa.Boolean):
        return True
    if isinstance(t, sa.Integer):
        return n
    if isinstance(t, sa.DateTime):
        return datetime(2020, 1, 2, 3, 4, 5)
    if isinstance(t, sa.Date):
        return date(1980, 3, 12)
    if isinstance(t, sa.JSON):
        return {"n": n}
    if isinstance(t, (sa.String, sa.Text)):
        length = getattr(t, "length", None) or 36
        return f"v{n:04d}-{column.name}"[:length]
    raise AssertionError(f"no test value for {column.table.name}.{column.name}: {t!r}")


def fill_every_table(engine: sa.Engine) -> dict[str, dict]:
    """Insert one row into every table (parents first, foreign keys pointing at them).
    Returns each table's row, by table name."""
    meta = sa.MetaData()
    meta.reflect(engine)
    rows: dict[str, dict] = {}
    with engine.begin() as conn:
        for n, table in enumerate(meta.sorted_tables):
            if table.name == "alembic_version":
                continue
            row = {}
            for column in table.columns:
                fks = list(column.foreign_keys)
                if fks:
                    target = fks[0].column
                    row[column.name] = rows[target.table.name][target.name]
                elif column.primary_key and isinstance(column.type, sa.Integer):
                    row[column.name] = 1
                else:
                    row[column.name] = _value(column, n)
            conn.execute(table.insert().values(**row))
            rows[table.name] = row
    return rows


def assert_rows_kept(engine: sa.Engine, rows: dict[str, dict]) -> None:
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        for name, row in rows.items():
            assert name in meta.tables, f"table {name} was dropped"
            table = meta.tables[name]
            # a column a later revision dropped or renamed is the migration's business;
            # every column still there must still hold its value
            kept = {k: v for k, v in row.items() if k in table.c}
            pk = [c.name for c in table.primary_key.columns]
            found = conn.execute(
                table.select().where(*(table.c[k] == row[k] for k in pk))).mappings().one()
            for key, value in kept.items():
                assert found[key] == value, f"{name}.{key} changed"


def test_every_revision_upgrades_the_previous_ones_data(tmp_path):
    revisions = revisions_in_order()
    path = tmp_path / "walk.sqlite"
    engine = make_engine(path)
    try:
        migrate(engine, path, tmp_path / "backups", target=revisions[0])
        assert current_revision(engine) == revisions[0]
        rows = fill_every_table(engine)
        assert "person" in rows and "outbox" in rows  # the filler reached the real tables
        assert_rows_kept(engine, rows)
        for rev in revisions[1:]:
            migrate(engine, path, tmp_path / "backups", target=rev)
            assert current_revision(engine) == rev
            assert_rows_kept(engine, rows)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()

    # and the current models read what the first revision's schema held
    engine = make_engine(path)
    try:
        with Session(engine) as s:
            person = s.get(Person, rows["person"]["id"])
            assert person is not None
            assert person.given_name == rows["person"]["given_name"]
    finally:
        engine.dispose()


# --- backups before an upgrade --------------------------------------------------------

NEXT = "9999_test_next"


def add_next_revision(tmp_path: Path, monkeypatch, upgrade: str) -> str:
    """Use a copy of the migrations with one more revision on top of the head, whose
    ``upgrade()`` body is ``upgrade`` (indented code; ``op`` and ``sa`` are imported).
    Returns the real head."""
    real_head = head_revision()
    copy = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "versions" / f"{NEXT}.py").write_text(f'''
from alembic import op
import sqlalchemy as sa

revision = "{NEXT}"
down_revision = "{real_head}"
branch_labels = None
depends_on = None


def upgrade():
{upgrade}


def downgrade():
    op.drop_table("test_next")
''')
    monkeypatch.setattr(db, "MIGRATIONS", copy)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", NEXT)  # as a real new revision would
    return real_head


@pytest.fixture
def migrations_with_a_next_revision(tmp_path, monkeypatch) -> str:
    """A copy of the migrations with one more (harmless) revision on top of the head, so
    an upgrade of an existing database can be tested however many real revisions exist.
    Returns the real head."""
    return add_next_revision(
        tmp_path, monkeypatch,
        '''    op.create_table("test_next", sa.Column("id", sa.Integer, primary_key=True))''')


def test_upgrading_an_existing_database_backs_it_up_first(tmp_path,
                                                          migrations_with_a_next_revision):
    old_head = migrations_with_a_next_revision
    folder = tmp_path / "profile"
    store = Store(folder / "lr_desk.sqlite", backup_dir=folder / "backups", migrate_to=old_head)
    assert store.last_backup is None
    with store.session() as s:
        s.add(Person(given_name="Kept", family_name="Safe"))
    store.close()

    upgraded = Store(folder / "lr_desk.sqlite", backup_dir=folder / "backups")
    try:
        assert current_revision(upgraded.engine) == NEXT
        saved = upgraded.last_backup
    finally:
        upgraded.close()
    assert saved is not None and saved.exists()
    assert list((folder / "backups").iterdir()) == [saved]
    conn = sqlite3.connect(saved)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # the copy is of the database as it was before the upgrade, data and all
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (old_head,)]
        assert conn.execute("SELECT given_name, family_name FROM person").fetchall() == [
            ("Kept", "Safe")]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "test_next" not in tables
    finally:
        conn.close()


def test_a_fresh_database_makes_no_backup(tmp_path):
    folder = tmp_path / "profile"
    store = open_store(folder)
    try:
        assert store.last_backup is None
    finally:
        store.close()
    backups = folder / "backups"
    assert not backups.exists() or list(backups.iterdir()) == []


def test_reopening_an_up_to_date_database_makes_no_backup(tmp_path):
    folder = tmp_path / "profile"
    open_store(folder).close()
    store = open_store(folder)
    try:
        assert store.last_backup is None
    finally:
        store.close()
    backups = folder / "backups"
    assert not backups.exists() or list(backups.iterdir()) == []


def test_old_backups_are_pruned(tmp_path, monkeypatch):
    path = tmp_path / "a.sqlite"
    sqlite3.connect(path).close()
    monkeypatch.setattr(db, "KEEP_BACKUPS", 3)
    made = [db.backup(path, tmp_path / "backups", f"n{i}") for i in range(5)]
    left = sorted((tmp_path / "backups").iterdir())
    assert len(left) == 3
    assert set(left) <= set(made)


# --- the models match the migrations ------------------------------------------------


def test_models_match_the_migrations(tmp_path):
    path = tmp_path / "m.sqlite"
    engine = make_engine(path)
    try:
        migrate(engine, path, tmp_path / "backups")
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True})
            assert compare_metadata(ctx, Base.metadata) == []
    finally:
        engine.dispose()


def test_0003_takes_the_clocks_of_what_was_written_before_from_the_outbox(tmp_path):
    """Everything a desk wrote before it could sync waits in the outbox: after the
    upgrade its values carry those clocks (not none, which any other desk's would beat)."""
    path = tmp_path / "old.sqlite"
    engine = make_engine(path)
    try:
        migrate(engine, path, tmp_path / "backups", target="0002")
        outbox = sa.table("outbox", *(sa.column(c) for c in (
            "change_id", "entity", "entity_id", "op", "fields", "hlc", "schema_version",
            "created_at")))
        with engine.begin() as conn:
            conn.execute(outbox.insert(), [
                {"change_id": f"c{n}", "entity": "person", "entity_id": entity, "op": op,
                 "fields": json.dumps(fields), "hlc": hlc, "schema_version": "0002",
                 "created_at": datetime(2026, 1, 1)}
                for n, (entity, op, fields, hlc) in enumerate([
                    ("p1", "insert", {"given_name": "A", "phone": ""}, "000000000000001-00000-d"),
                    ("p2", "insert", {"given_name": "B"}, "000000000000002-00000-d"),
                    ("p1", "update", {"phone": "1"}, "000000000000003-00000-d"),
                    ("p1", "update", {"phone": "2", "postcode": "L9"},
                     "000000000000004-00000-d")])])
        migrate(engine, path, tmp_path / "backups", target="0003")
        with engine.connect() as conn:
            clocks = {e: (base, json.loads(f) if f else None) for e, base, f in
                      conn.exec_driver_sql("SELECT entity_id, base, fields FROM row_clock")}
        assert clocks == {
            "p1": ("000000000000001-00000-d", {"phone": "000000000000004-00000-d",
                                               "postcode": "000000000000004-00000-d"}),
            "p2": ("000000000000002-00000-d", None)}
    finally:
        engine.dispose()
