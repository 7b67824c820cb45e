"""Memory: SQLite's caches together stay within SQLITE_HEAP_LIMIT however many
connections read a big encrypted store; ``memory.release`` lets go of cached source."""

from __future__ import annotations

import linecache
import os

import pytest
from sqlalchemy import text

from lr_desk.services import memory
from lr_desk.store import db
from lr_desk.store.db import Store

ROWS, ROW_BYTES = 12000, 1000  # some 12 MB of pages (no overflow pages: a row fits in one)


def fill(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("CREATE TABLE bulk (id INTEGER PRIMARY KEY, data BLOB)"))
        conn.execute(text("INSERT INTO bulk (data) VALUES (:data)"),
                     [{"data": os.urandom(ROW_BYTES)} for _ in range(ROWS)])


def read_on_three_connections(store: Store) -> int:
    """SQLite's memory while three connections, each having read the whole table
    (each one's cache may hold 32 MB), are open together."""
    conns = [store.engine.connect() for _ in range(3)]
    try:
        for conn in conns:
            assert conn.execute(text("SELECT sum(length(data)) FROM bulk")).scalar() == \
                ROWS * ROW_BYTES
        return memory.sqlite_heap_bytes()
    finally:
        for conn in conns:
            conn.close()


@pytest.fixture
def encrypted(tmp_path, monkeypatch):
    """A new encrypted store filled with ~12 MB; the process-wide limit put back after."""
    made = []

    def make(limit: int) -> Store:
        monkeypatch.setattr(db, "SQLITE_HEAP_LIMIT", limit)
        store = Store(tmp_path / f"enc{len(made)}.sqlite", key=os.urandom(32))
        made.append(store)
        fill(store)
        return store

    yield make
    for store in made:
        store.close()
    monkeypatch.undo()
    with Store(tmp_path / "plain.sqlite").engine.connect() as conn:  # (sets it again)
        assert conn.execute(text("PRAGMA soft_heap_limit")).scalar() == db.SQLITE_HEAP_LIMIT


def test_sqlite_memory_stays_within_the_limit_however_many_connections_read(encrypted):
    if memory.sqlite_heap_bytes() is None:
        pytest.skip("this SQLCipher build does not say how much memory it holds")
    limit = 4 * 2**20
    held = read_on_three_connections(encrypted(limit))
    assert held < limit + 2**20  # (a page or two over while one is read is allowed)


def test_without_the_limit_each_connection_keeps_its_own_cache(encrypted):
    """The check above can fail: the same reads with a limit far away hold the table's
    pages once per connection."""
    if memory.sqlite_heap_bytes() is None:
        pytest.skip("this SQLCipher build does not say how much memory it holds")
    held = read_on_three_connections(encrypted(1024 * 2**20))
    assert held > 2 * ROWS * ROW_BYTES


def test_every_connection_sets_the_limit(tmp_path):
    store = Store(tmp_path / "x.sqlite", key=os.urandom(32))
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA soft_heap_limit")).scalar() == db.SQLITE_HEAP_LIMIT
            assert conn.execute(text("PRAGMA cache_size")).scalar() == -db.ENCRYPTED_CACHE_KIB
    finally:
        store.close()


def test_release_lets_go_of_cached_source_lines():
    assert linecache.getlines(memory.__file__)  # (read once, then kept by linecache)
    assert memory.__file__ in linecache.cache
    memory.release()
    assert linecache.cache == {}
    assert linecache.getlines(memory.__file__)  # a traceback can still read it again
