"""What the sync benchmark's parts share (benchmarks/sync_bench.py): small helpers, the
throwaway PostgreSQL cluster it measures on, and the idle syncs it times."""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

import psycopg

from lr_desk.sync import central as central_module
from lr_desk.sync import engine as sync_engine
from lr_desk.sync.central import CHANGE_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
# The sync tests' throwaway PostgreSQL cluster (tests/sync/pgcluster.py), shared.
sys.path.insert(0, str(ROOT / "tests" / "sync"))
import pgcluster  # noqa: E402

LOG_COLUMNS = ("seq", *CHANGE_COLUMNS)  # the change_log columns a pull reads
FAKE_DEVICE = "00000000-0000-7000-8000-0000000be4c8"  # the dataset's made-up author

# --- small helpers -------------------------------------------------------------------


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Timer:
    """Total time spent in one method of one object (wrapped on the instance only)."""

    def __init__(self, obj, name: str):
        self.seconds, self.calls = 0.0, 0
        original = getattr(obj, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        setattr(obj, name, timed)


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def backend_cpu(pid: int) -> float | None:
    """Seconds of CPU a process has run for (its /proc schedstat: the throwaway server
    runs on this machine), or None where that cannot be read."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


class Cpu:
    """The CPU time this process and the server processes connected to one database
    spend from ``start()`` to ``seconds()``. A busy machine stretches wall-clock times
    (a process waits its turn for a core); CPU time is the work itself, so section 1's
    ratios are also given in CPU time. None where the server's processes cannot be read.
    (Server processes started and ended between the two are not seen: keep connections
    open across, as the benchmark's CentralStores do.)"""

    def __init__(self, dsn: str):
        self.dsn = dsn
        self.client = 0.0
        self.server: dict[int, float | None] = {}

    def _server(self) -> dict[int, float | None]:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            pids = [pid for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")]
        return {pid: backend_cpu(pid) for pid in pids}

    def start(self) -> Cpu:
        self.server, self.client = self._server(), time.process_time()
        return self

    def seconds(self) -> float | None:
        client = time.process_time() - self.client
        now = self._server()
        if any(v is None for v in now.values()):
            return None
        return client + sum(v - (self.server.get(pid) or 0.0) for pid, v in now.items())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- a throwaway PostgreSQL ----------------------------------------------------------


class Postgres:
    """A PostgreSQL cluster of its own in a temporary folder, trust auth on 127.0.0.1."""

    def __init__(self, fsync: bool = True):
        reason = pgcluster.why_not()
        if reason:
            sys.exit(reason)
        options = "-c max_connections=50 -c max_wal_size=4GB"
        if not fsync:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self.cluster = pgcluster.Cluster("lr-desk-syncbench-pg-", options)
        self.bindir = self.cluster.bindir
        self.roles: dict[str, list[str]] = {}  # database -> the device logins made for it

    @property
    def port(self) -> int:
        return self.cluster.port

    def start(self) -> None:
        self.cluster.start()

    def stop(self) -> None:
        self.cluster.stop()

    def dsn(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def url(self, db: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def create_db(self, name: str) -> str:
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_db(self, name: str) -> None:
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in self.roles.pop(name, []):  # logins are the cluster's, not the db's
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')

    def device_url(self, db: str, store, site: str = "walton") -> str:
        """The URL a registered device syncs with: its own login, with the least rights
        and row-level security (``add_device``), where this lr_desk registers devices;
        otherwise the superuser's."""
        add = getattr(central_module, "add_device", None)
        if add is None:
            return self.url(db)
        new = add(self.url(db), store.device_id, site)
        if new.role:
            self.roles.setdefault(db, []).append(new.role)
        return new.url

    def describe(self) -> dict:
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            settings = {k: conn.execute(f"SHOW {k}").fetchone()[0]
                        for k in ("shared_buffers", "fsync", "synchronous_commit",
                                  "max_wal_size", "work_mem")}
        return {"version": version, "connection": "TCP 127.0.0.1, trust auth", **settings}



def idle_syncs(store, central, repeats: int) -> dict:
    for _ in range(2):  # warm: connections open, statements compiled
        sync_engine.sync_once(store, central)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        done = sync_engine.sync_once(store, central)
        times.append(time.perf_counter() - started)
        assert done.pushed == 0 and done.pulled == 0, done
    return {"median_ms": ms(statistics.median(times)), "p95_ms": ms(pct(times, 95)),
            "max_ms": ms(max(times)), "runs": repeats}


