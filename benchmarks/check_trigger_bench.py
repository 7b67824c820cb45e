"""Time the PostgreSQL store's check of every change (lr_desk.sync.checks_pg), on its own:
the check as this checkout makes it against the check as a git revision made it.

    python benchmarks/check_trigger_bench.py [--against REV] [--rounds N] [--dsn DSN]

Starts a throwaway PostgreSQL (sync_bench_common.Postgres; or uses ``--dsn``'s database,
which must hold a change_log), fills a device through the services and pushes the same
10,000 changes as sync_bench.py (fill_demo, cut_outbox, push_outbox), then copies them,
in the push's two statements of 5,000, into tables of the same columns in schemas of
their own: one with no trigger, one with the check ``--against`` makes (default: the
revision that last changed checks_pg.py before this checkout's), one with this
checkout's. Each round inserts each batch into each table, in a transaction rolled
back, alternating; the check's cost is the time with it less the time without, in the
same round. Prints medians per batch and per change, and checks that both refuse the
same changes in a set of wrong ones (their first, by number, and the words).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from sync_bench_common import Postgres, say  # noqa: E402

PATH = "lr_desk/sync/checks_pg.py"


def load_at(rev: str):
    """checks_pg as it was at a git revision (a module of its own; the rest of lr_desk
    as it is here)."""
    text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{PATH}"], check=True,
                          capture_output=True, text=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="checks-pg-"))
    (folder / "checks_pg_old.py").write_text(text)
    spec = importlib.util.spec_from_file_location("checks_pg_old", folder / "checks_pg_old.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def previous_rev() -> str:
    """The last commit that changed checks_pg.py, or the one before it if this checkout's
    file is that commit's (so the default compares against the check before)."""
    revs = subprocess.run(["git", "-C", str(ROOT), "log", "--format=%H", "-n", "2", "--",
                           PATH], check=True, capture_output=True, text=True).stdout.split()
    changed = subprocess.run(["git", "-C", str(ROOT), "diff", "--quiet", revs[0], "--", PATH],
                             check=False).returncode != 0
    return revs[0] if changed else revs[1]


def fill(pg: Postgres) -> str:
    from sync_bench import CHANGES_PER_DEMO_PERSON, FILL_MARGIN, cut_outbox

    from lr_desk.demo import fill_demo
    from lr_desk.profile import open_store
    from lr_desk.sync.central import CentralStore, init_central
    from lr_desk.sync.push import push_outbox

    work = Path(tempfile.mkdtemp(prefix="check-bench-"))
    device = open_store(work / "device")
    fill_demo(device, people=math.ceil(10_000 * FILL_MARGIN / CHANGES_PER_DEMO_PERSON),
              seed=2016)
    cut_outbox(device, 10_000)
    db = pg.create_db("checks")
    init_central(pg.url(db))
    central = CentralStore(pg.url(db))
    push_outbox(device, central)
    central.close()
    device.close()
    return pg.dsn(db)


def make_schema(conn, name: str, module) -> None:
    conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    conn.execute(f'CREATE SCHEMA "{name}"')
    conn.execute(f'CREATE TABLE "{name}".change_log (LIKE public.change_log INCLUDING DEFAULTS)')
    conn.execute(f'CREATE TABLE "{name}".desk_schema AS SELECT * FROM public.desk_schema')
    if module is not None:
        for statement in module.postgres_sql(f'"{name}"', per_statement=True):
            conn.execute(statement)


def insert(conn, schema: str, lo: int, hi: int) -> float:
    with conn.transaction(force_rollback=True):
        started = time.perf_counter()
        conn.execute(f'INSERT INTO "{schema}".change_log SELECT * FROM public.change_log '
                     f"WHERE seq BETWEEN {lo} AND {hi}")
        return time.perf_counter() - started


# Wrong changes (SQL set on one row of a batch): both checks must refuse them alike
WRONG = [
    "change_id = upper(change_id)",  # (a UUID still: nothing refused)
    "change_id = '{' || left(change_id, 34) || '}'",
    "entity_id = left(entity_id, 35) || 'g'",
    "entity_id = left(entity_id, 35) || '\u0663'",
    "hlc = '9' || substr(hlc, 2)",
    "hlc = left(hlc, 22) || E'\\x01'",
    "fields = fields || '{\"updated_at\": \"2027-02-30T00:00:00\"}'",
    "fields = fields || '{\"updated_at\": 5}'",
    "fields = fields || '{\"deleted_at\": \"2027-01-01T00:00:00.1\"}'",
    "fields = fields || '{\"nonsense\": 1}'",
    "seen = '{\"x\": [\"a\"], \"~by\": 5}'",
    "seen = jsonb_build_object('x', jsonb_build_array(repeat('a', 81)))",
    "seen = jsonb_build_object(repeat('k', 65), '[]'::jsonb)",
    "seen = '{\"x\": [\"a\", 1]}'",
    "seen = '{\"x\": [\"a\"], \"~by\": \"me\", \"y\": []}'",
    "schema_version = '9999'",
]


def refusal(conn, schema: str, lo: int, hi: int, row: int, wrong: str) -> str:
    """What the check in ``schema`` says of the batch with ``wrong`` done to one row."""
    with conn.transaction(force_rollback=True):
        conn.execute("CREATE TEMP TABLE batch ON COMMIT DROP AS SELECT * FROM public.change_log "
                     f"WHERE seq BETWEEN {lo} AND {hi}")
        conn.execute(f"UPDATE batch SET {wrong} WHERE seq = {row}")
        try:
            with conn.transaction():
                conn.execute(f'INSERT INTO "{schema}".change_log SELECT * FROM batch')
        except psycopg.Error as e:
            return e.diag.message_primary or str(e)
        return "taken"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", help="the git revision whose check to compare with")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--dsn", help="a database already holding the pushed change_log")
    args = parser.parse_args(argv)

    from lr_desk.sync import checks_pg

    rev = args.against or previous_rev()
    old = load_at(rev)
    pg = None
    try:
        if args.dsn:
            dsn = args.dsn
        else:
            pg = Postgres()
            say("starting a throwaway PostgreSQL, pushing 10,000 changes ...")
            pg.start()
            dsn = fill(pg)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SET work_mem = '16MB'")
            variants = {"none": None, "before": old, "now": checks_pg}
            for name, module in variants.items():
                make_schema(conn, f"bench_{name}", module)
            n = conn.execute("SELECT count(*) FROM public.change_log").fetchone()[0]
            batches = [(1, n // 2), (n // 2 + 1, n)]
            same = 0
            for i, wrong in enumerate(WRONG):
                lo, hi = batches[i % 2]
                row = lo + 37 * (i + 1)
                said = {name: refusal(conn, f"bench_{name}", lo, hi, row, wrong)
                        for name in ("before", "now")}
                same += said["before"] == said["now"]
                if said["before"] != said["now"]:
                    say(f"   DIFFERENT on {wrong}:\n     {said['before']}\n     {said['now']}")
            say(f"{same}/{len(WRONG)} wrong batches refused alike")
            times = {name: [] for name in variants}
            for _ in range(args.rounds):
                for lo, hi in batches:
                    for name in variants:
                        times[name].append(insert(conn, f"bench_{name}", lo, hi))
            base = statistics.median(times["none"])
            per = (n // 2)
            print(f"{n:,} changes in 2 statements, {args.rounds} rounds; against {rev[:10]}")
            print(f"insert with no check: median {base * 1000:.1f} ms a statement of {per:,}")
            costs = {}
            for name in ("before", "now"):
                costs[name] = statistics.median(t - b for t, b in zip(times[name], times["none"],
                                                                      strict=True))
                print(f"check {name:6s}: median {statistics.median(times[name]) * 1000:.1f} ms "
                      f"a statement; the check {costs[name] * 1000:.1f} ms "
                      f"({costs[name] / per * 1e6:.2f} us a change)")
            print(f"now / before: {costs['now'] / costs['before']:.2f}")
            return 0 if same == len(WRONG) else 1
    finally:
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    sys.exit(main())
