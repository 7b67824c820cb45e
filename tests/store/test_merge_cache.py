"""A page's merge runs with a page cache of at least MERGE_CACHE_KIB (SQLite's default
2 MB spilled mid-merge), and leaves the connection's own setting as it was."""

import os
from types import SimpleNamespace

import pytest

from lr_desk.store import merge_apply
from lr_desk.store.db import Store
from lr_desk.store.merge_apply import MERGE_CACHE_KIB

CHANGE = SimpleNamespace(change_id="c1", entity="person", entity_id="p1", op="insert",
                         fields={}, hlc="1-0-another-device", seen=None)


def _cache(conn) -> int:
    return conn.exec_driver_sql("PRAGMA cache_size").scalar()


@pytest.fixture
def during(monkeypatch):
    """The cache_size each merge ran with (the merge itself left out)."""
    seen: list[int] = []

    def merge(conn, theirs, done):
        seen.append(_cache(conn))
        return done

    monkeypatch.setattr(merge_apply, "_apply", merge)
    return seen


@pytest.mark.parametrize(("setting", "merged_with"), [
    (None, -MERGE_CACHE_KIB),  # SQLite's default, -2000 (KiB)
    (100, -MERGE_CACHE_KIB),  # in pages: 100 of 4 KiB
    (-64 * 1024, -64 * 1024),  # more than the merge needs: left alone
    (10_000, 10_000),  # 10,000 pages of 4 KiB: the same
])
def test_a_merge_has_the_cache_it_needs_and_gives_it_back(tmp_path, during, setting,
                                                          merged_with):
    store = Store(tmp_path / "x.sqlite")
    try:
        with store.engine.begin() as conn:
            if setting is not None:
                conn.exec_driver_sql(f"PRAGMA cache_size={setting}")
            before = _cache(conn)
            merge_apply.apply_changes(conn, [CHANGE], "this-device")
            assert during == [merged_with]
            assert _cache(conn) == before
    finally:
        store.close()


def test_an_encrypted_store_keeps_its_own_bigger_cache(tmp_path, during):
    store = Store(tmp_path / "x.sqlite", key=os.urandom(32))
    try:
        with store.engine.begin() as conn:
            before = _cache(conn)
            merge_apply.apply_changes(conn, [CHANGE], "this-device")
            assert during == [before] and before <= -MERGE_CACHE_KIB
    finally:
        store.close()


def test_nothing_to_merge_changes_nothing(tmp_path, during):
    store = Store(tmp_path / "x.sqlite")
    try:
        with store.engine.begin() as conn:
            own = SimpleNamespace(**{**vars(CHANGE), "entity": "no_such_table"})
            merge_apply.apply_changes(conn, [own], "this-device")
            assert during == [] and _cache(conn) == -2000
    finally:
        store.close()
