"""A push's batch is held in the PostgreSQL server's memory, not spilled to temporary
files: at the server's default work_mem (4 MB) a batch of 5,000 changes (its JSON, and
the triggers' tables of the rows appended) spilled some 6 MB to disk on every push
(EXPLAIN ANALYZE, 2026-12-07); CentralStore.push raises work_mem for its transaction."""

from __future__ import annotations

import time

import psycopg

from lr_desk.demo import fill_demo
from lr_desk.sync.central import CentralStore, init_central
from lr_desk.sync.push import BATCH, push_outbox

from .devices import new_device


def _temp_files(url: str) -> tuple[int, int]:
    """(files, bytes) written to temporary files in this database so far."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute("SELECT temp_files, temp_bytes FROM pg_stat_database "
                            "WHERE datname = current_database()").fetchone()


def test_a_full_batch_is_pushed_without_temporary_files(postgres_url, tmp_path):
    init_central(postgres_url)
    desk = new_device(tmp_path / "desk")
    try:
        fill_demo(desk, people=130, seed=2016)
        before = _temp_files(postgres_url)
        central = CentralStore(postgres_url)
        try:
            pushed = push_outbox(desk, central)
        finally:
            central.close()  # (a server process reports its statistics as it ends)
        assert pushed.changes >= BATCH and pushed.batches >= 2  # a full batch went
        after = before
        for _ in range(50):  # the ended backend's figures, once they are in
            after = _temp_files(postgres_url)
            if after != before:
                break
            time.sleep(0.1)
        assert after == before, f"{after[1] - before[1]:,} bytes of temporary files"
    finally:
        desk.close()
