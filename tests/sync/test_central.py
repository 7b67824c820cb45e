"""The central log: idempotent appends, commit order, pages."""

from __future__ import annotations

import multiprocessing
import random

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from lr_desk.store.clock import new_id
from lr_desk.sync.central import CENTRAL_SCHEMA, CentralStore, init_central


def change(n: int = 0, entity_id: str | None = None, stamp: str = "dev") -> dict:
    """A change as a desk makes one (a valid one: lr_desk.sync.checks); ``stamp`` is the
    desk's id in its clock stamp."""
    when = "2026-01-01T00:00:00.000000"
    return {"change_id": new_id(), "entity": "person", "entity_id": entity_id or new_id(),
            "op": "insert", "fields": {"given_name": f"P{n}", "family_name": "Log",
                                       "created_at": when, "updated_at": when},
            "hlc": f"{n:015d}-00000-{stamp}", "schema_version": "0002"}



def test_a_batch_is_appended_in_order_and_read_back_in_pages(central):
    batch = [change(n) for n in range(25)]
    assert central.push("device-a", batch) == [c["change_id"] for c in batch]
    assert central.head() == 25
    first, second = central.pull(0, limit=10), central.pull(10, limit=100)
    assert [c.seq for c in first] == list(range(1, 11))
    assert [c.change_id for c in first + second] == [c["change_id"] for c in batch]
    assert second[-1].fields["given_name"] == "P24"
    assert second[-1].device_id == "device-a"
    assert central.pull(25) == []


def test_pushing_the_same_batch_again_changes_nothing(central):
    batch = [change(n) for n in range(5)]
    central.push("device-a", batch)
    again = central.push("device-a", [*batch, change(99)])  # a retry after a lost answer
    assert again == [c["change_id"] for c in batch] + [again[-1]]
    log = central.pull(0)
    assert len(log) == 6 and len({c.change_id for c in log}) == 6
    assert [c.seq for c in log] == list(range(1, 7))


def test_init_is_safe_to_run_twice(central_url):
    init_central(central_url)
    init_central(central_url)
    store = CentralStore(central_url)
    try:
        assert store.head() == 0
    finally:
        store.close()


def _pusher(url: str, device: str, count: int, hold: float, lock: bool, seed: int) -> None:
    store = CentralStore(url, ordering_lock=lock)
    rng = random.Random(seed)
    try:
        for n in range(count):
            store._hold_before_commit = rng.random() * hold
            store.push(device, [change(n, stamp=device)])
    finally:
        store.close()


def _race(url: str, lock: bool, pushers: int = 10, each: int = 6,
          logins: list[tuple[str, str]] | None = None) -> tuple[list[str], set[str]]:
    """Ten processes push while this one pulls, as a device would, page after page
    (``logins``: each pusher's own URL and device name instead of ``url`` and dev-N)."""
    ctx = multiprocessing.get_context("spawn")
    logins = logins or [(url, f"dev-{i}") for i in range(pushers)]
    procs = [ctx.Process(target=_pusher, args=(at, device, each, 0.05, lock, i))
             for i, (at, device) in enumerate(logins)]
    for p in procs:
        p.start()
    reader = CentralStore(url)
    seen: list[str] = []
    cursor = 0
    try:
        while any(p.is_alive() for p in procs) or cursor < reader.head():
            for c in reader.pull(cursor, limit=3):
                seen.append(c.change_id)
                cursor = c.seq
        for p in procs:
            p.join()
            assert p.exitcode == 0
        for c in reader.pull(cursor):
            seen.append(c.change_id)
        log = {c.change_id for c in reader.pull(0, limit=100_000)}
    finally:
        reader.close()
    return seen, log


def test_a_device_pulling_while_ten_push_sees_every_change_once(central_url):
    init_central(central_url)
    seen, log = _race(central_url, lock=True)
    assert len(log) == 60
    assert sorted(seen) == sorted(log) and len(seen) == len(set(seen))


def test_a_server_that_defaults_to_repeatable_read_still_numbers_in_commit_order(
        postgres_url):
    """Under REPEATABLE READ a transaction's snapshot is taken by its first statement,
    before the ordering lock is granted, so max(seq) + 1 could be a number already
    taken: the store's connections run READ COMMITTED whatever the server's default."""
    import psycopg
    from sqlalchemy.engine import make_url

    init_central(postgres_url)
    database = make_url(postgres_url).database
    admin = make_url(postgres_url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False),
                         autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{database}" '
                     "SET default_transaction_isolation = 'repeatable read'")
    store = CentralStore(postgres_url)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW default_transaction_isolation").scalar() == \
                "repeatable read"  # the server's default...
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == \
                "read committed"  # ...is not what the store runs
    finally:
        store.close()
    seen, log = _race(postgres_url, lock=True)
    assert len(log) == 60
    assert sorted(seen) == sorted(log) and len(seen) == len(set(seen))


def test_without_the_ordering_lock_a_puller_misses_changes(postgres_url):
    """Sequence numbers handed out before commit (a plain bigserial) let a change that
    commits late slip behind a reader's cursor: the lock is what prevents it."""
    init_central(postgres_url)
    missed = []
    for _ in range(3):  # a race: give it a few chances to show
        seen, log = _race(postgres_url, lock=False)
        missed = sorted(log - set(seen))
        if missed:
            break
    assert missed, "expected the unlocked log to lose changes to a concurrent reader"


# --- the schema: versioned migrations ---------------------------------------------------

def test_the_known_schemas_are_the_migration_scripts_in_order():
    from alembic.script import ScriptDirectory

    from lr_desk.sync.central import MIGRATIONS, SCHEMAS

    scripts = ScriptDirectory(str(MIGRATIONS))
    assert [s.revision for s in reversed(list(scripts.walk_revisions()))] == list(SCHEMAS)
    assert scripts.get_current_head() == CENTRAL_SCHEMA


def test_init_creates_the_schema_and_records_its_revision(central_url):
    from lr_desk.sync.central import make_engine, read_schema

    assert init_central(central_url) == CENTRAL_SCHEMA
    engine = make_engine(central_url)
    try:
        with engine.connect() as conn:
            assert read_schema(conn) == CENTRAL_SCHEMA
            tables = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert {"central_meta", "change_log", "device", "central_version"} <= tables


def test_a_store_made_before_migrations_is_upgraded_and_keeps_its_log(central_url):
    """Stores made by the first init (tables straight from the metadata, schema "c1",
    no Alembic version table) are taken as they are."""
    from lr_desk.sync.central import change_log, make_engine, meta

    engine = make_engine(central_url)
    try:
        with engine.begin() as conn:
            meta.create(conn)
            change_log.create(conn)
            conn.execute(sa.insert(meta), [{"key": "schema", "value": "c1"},
                                           {"key": "store_id", "value": "the-old-one"}])
    finally:
        engine.dispose()
    old = CentralStore(central_url)
    try:
        old.push("device-a", [change(1), change(2)])
    finally:
        old.close()
    assert init_central(central_url) == CENTRAL_SCHEMA
    store = CentralStore(central_url)
    try:
        assert store.store_id() == "the-old-one"
        assert [c.fields["given_name"] for c in store.pull(0)] == ["P1", "P2"]
        store.push("device-a", [change(3)])
        assert store.head() == 3 and store.schema() == CENTRAL_SCHEMA
    finally:
        store.close()


def test_an_older_schema_is_upgraded_in_place(central_url):
    assert init_central(central_url, target="c1") == "c1"
    store = CentralStore(central_url)
    try:
        store.push("device-a", [change(1)])
        before = store.store_id()
        assert init_central(central_url) == CENTRAL_SCHEMA
        assert store.store_id() == before and store.head() == 1
    finally:
        store.close()


def test_init_refuses_a_store_from_a_newer_lr_desk(central_url):
    from lr_desk.sync.central import CentralSchemaError, make_engine, meta

    init_central(central_url)
    engine = make_engine(central_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.update(meta).where(meta.c.key == "schema").values(value="c99"))
    finally:
        engine.dispose()
    with pytest.raises(CentralSchemaError, match="newer lr_desk"):
        init_central(central_url)


def test_the_log_refuses_update_and_delete_even_from_its_owner(central):
    """The trigger, not only the grants: the administrator cannot rewrite history."""
    from lr_desk.sync.central import change_log

    central.push("device-a", [change(1)])
    for statement in (sa.update(change_log).values(op="delete"),
                      sa.delete(change_log),
                      sa.delete(change_log).where(change_log.c.seq == 1)):
        with pytest.raises(DBAPIError, match="append-only"), central.engine.begin() as conn:
            conn.execute(statement)
    assert len(central.pull(0)) == 1 and central.pull(0)[0].op == "insert"


def test_truncate_is_refused_too(postgres_url):
    init_central(postgres_url)
    store = CentralStore(postgres_url)
    try:
        store.push("device-a", [change(1)])
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE change_log")
        assert store.head() == 1
    finally:
        store.close()


def test_a_url_with_tls_settings_in_its_query_works(postgres_url):
    """TLS settings pass through the URL untouched (the throwaway server has no TLS)."""
    url = postgres_url + "?sslmode=disable&application_name=lr_desk_test"
    init_central(url)
    store = CentralStore(url)
    try:
        store.push("device-a", [change(1)])
        with store.engine.connect() as conn:
            assert conn.scalar(sa.text("SHOW application_name")) == "lr_desk_test"
            assert not conn.scalar(sa.text(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
        assert store.head() == 1
    finally:
        store.close()


def test_postgresql_urls_as_people_write_them_are_driven_by_psycopg(postgres_url):
    from lr_desk.sync.central import engine_url, public_url

    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    assert engine_url(plain).drivername == "postgresql+psycopg"
    assert engine_url(plain).query["connect_timeout"] == "10"
    assert engine_url(plain + "?connect_timeout=3").query["connect_timeout"] == "3"
    assert init_central(plain) == CENTRAL_SCHEMA
    assert public_url("postgresql://u:s3cret@h/db?sslmode=require") == \
        "postgresql://u@h/db?sslmode=require"
