"""What the sync benchmark (benchmarks/sync_bench.py) compares lr_desk's push and pull
with, in the same run: a raw bulk insert and select of the same rows on the same server,
and (``--pouchdb DIR``) PouchDB doing the same work over loopback.

DIR is a folder where the peer is set up as ../shared/peers/pouchdb/README.md says
(``npm init -y && npm install pouchdb express-pouchdb express@4``, and its bench.js):
a PouchDB (leveldb) device replicates N change-sized documents to a PouchDB server
(express-pouchdb) over HTTP on 127.0.0.1, then a second device pulls them. It is run once
after each lr_desk push/pull run, with N the number of changes lr_desk moved, so both
see the same machine at the same moment.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb
from sync_bench_common import LOG_COLUMNS, backend_cpu


def _cpu(conn, client: float, server: float | None) -> float | None:
    """CPU seconds since (client, server) were read, this process's and ``conn``'s server
    process's (see sync_bench_common.Cpu)."""
    now = backend_cpu(conn.info.backend_pid)
    if now is None or server is None:
        return None
    return time.process_time() - client + now - server


def raw_insert(dsn: str, table: str, rows: list[dict], like: str) -> tuple[float, float | None]:
    """One executemany INSERT of the rows (seq 1..N), one transaction, committed: its
    seconds, wall-clock and CPU (None where the server's cannot be read)."""
    cols = ", ".join(LOG_COLUMNS)
    marks = ", ".join(["%s"] * len(LOG_COLUMNS))
    params = [(i, r["change_id"], r["device_id"], r["entity"], r["entity_id"], r["op"],
               Jsonb(r["fields"]), r["hlc"], r["schema_version"],
               None if r["seen"] is None else Jsonb(r["seen"]))
              for i, r in enumerate(rows, 1)]
    with psycopg.connect(dsn) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE TABLE {table} (LIKE change_log {like})")
        conn.commit()
        cpu = time.process_time(), backend_cpu(conn.info.backend_pid)
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", params)
        conn.commit()
        return time.perf_counter() - started, _cpu(conn, *cpu)


SELECT_REPEATS = 3  # raw selects timed a run (after one not counted): their median


def raw_select(dsn: str, count: int) -> tuple[float, float | None, float]:
    """A SELECT of the same rows from the log, in seq order, all fetched (JSON decoded):
    its seconds, wall-clock and CPU, the median of SELECT_REPEATS on one connection after
    one more not counted; and that first one's seconds, for the record. (One select on a
    new connection swung 105-268 ms between the runs of one benchmark, 147-477 ms in
    others: a single select is at the mercy of whatever else the machine runs at that
    moment. The first select on a connection is also a little slower, some 5-10 ms of
    ~100, as lr_desk's pull, on a connection that has read the log already, is not. The
    median of three then stayed within 93-110 ms in a run; no select is made slower.)"""
    sql = f"SELECT {', '.join(LOG_COLUMNS)} FROM change_log WHERE seq > 0 ORDER BY seq"
    timed = []
    with psycopg.connect(dsn) as conn:
        started = time.perf_counter()
        conn.execute(sql).fetchall()  # warm-up, not counted
        warm_up = time.perf_counter() - started
        for _ in range(SELECT_REPEATS):
            cpu = time.process_time(), backend_cpu(conn.info.backend_pid)
            started = time.perf_counter()
            rows = conn.execute(sql).fetchall()
            timed.append((time.perf_counter() - started, _cpu(conn, *cpu)))
            assert len(rows) == count, (len(rows), count)
    cpus = [c for _, c in timed]
    return (statistics.median(s for s, _ in timed),
            None if None in cpus else statistics.median(cpus), warm_up)


class Peer:
    """PouchDB's bench.js in ``folder``, run with node; ``run(n)`` gives its figures."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder).resolve()
        self.script = self.folder / "bench.js"
        self.node = shutil.which("node")
        if self.node is None:
            raise SystemExit("--pouchdb: node is not installed (apt install nodejs npm)")
        if not self.script.is_file() or not (self.folder / "node_modules" / "pouchdb").is_dir():
            raise SystemExit(f"--pouchdb: {self.folder} has no bench.js and node_modules/"
                             "pouchdb: set it up as ../shared/peers/pouchdb/README.md says")
        self.runs: list[dict] = []

    def run(self, n: int) -> dict:
        done = subprocess.run([self.node, str(self.script), str(n)], cwd=self.folder,
                              capture_output=True, text=True, timeout=600, check=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        self.runs.append(figures)
        return figures

    def summary(self, lr_push_s: float, lr_pull_s: float) -> dict:
        """Medians of the peer's runs, and how many times lr_desk's (medians) they are."""
        push = statistics.median(r["push_s"] for r in self.runs)
        pull = statistics.median(r["pull_s"] for r in self.runs)
        return {"runs": self.runs, "push_ms": round(push * 1000, 1),
                "pull_ms": round(pull * 1000, 1),
                "push_times_lr_desk": round(push / lr_push_s, 2),
                "pull_times_lr_desk": round(pull / lr_pull_s, 2),
                "push_pull_times_lr_desk": round((push + pull) / (lr_push_s + lr_pull_s), 2)}
