"""Measure lr_desk's sync against the budgets in DESIGN.md, on a throwaway PostgreSQL.

    python benchmarks/sync_bench.py [--quick] [--json [FILE]] [--runs N]
                                    [--first-sync-limit N | --no-first-sync]
                                    [--big-log N] [--profile] [--data-dir bench-data]

Starts its own PostgreSQL cluster (initdb + pg_ctl, as the postgres user when run as
root, on a free port, in a temporary folder that is removed at the end), then measures:

1. Push and pull of about 10,000 changes made through lr_desk's services on a device
   profile (``fill_demo``: people registered, drop-ins with needs, prescriptions,
   referrals and follow-ups, referral steps), with ``push_outbox`` into a fresh central
   store and ``engine.pull`` into a second, brand-new device; against a raw bulk insert
   (one psycopg ``executemany`` of the same rows, one transaction, into a plain table
   with the same columns) and a raw ``SELECT`` of the same rows, on the same server.
   Medians of ``--runs`` runs, each on a new database.
2. A sync with nothing to do (``sync_once`` on an up-to-date device), with the 10,000
   changes of (1) in the log and with ``--big-log`` (default 1,000,000) synthetic changes
   bulk-loaded with COPY (seq 1..N; the device's cursor is put at the head, as if it had
   pulled them). Median of ``--idle-runs``.
3. The first sync of the full ten-year dataset (bench-data/, made by bench.py) to a new
   device: every row of its synced tables becomes an insert change (as the outbox would
   write it), loaded in the order of SYNCED_MODELS then created_at, and ``engine.pull``
   runs in a child process (``open_store`` on a new folder), which reports its time, its
   peak memory (ru_maxrss) and then an idle sync against the full log. With
   ``--first-sync-limit N`` only the first N changes are loaded and the full time is
   extrapolated (and labelled so).

It only reports; nothing here fails on a slow machine. ``--profile`` also runs each pull
once under cProfile and prints the hot spots.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Boolean, Date, DateTime, select, update

from lr_desk.profile import open_store
from lr_desk.store import merge
from lr_desk.store.clock import HybridClock, new_id
from lr_desk.store.models import SYNCED_MODELS, Outbox, to_json
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync import central as central_module
from lr_desk.sync import engine as sync_engine
from lr_desk.sync.central import CHANGE_COLUMNS, CentralStore, init_central
from lr_desk.sync.push import push_outbox

ROOT = Path(__file__).resolve().parent.parent
# The sync tests' throwaway PostgreSQL cluster (tests/sync/pgcluster.py), shared.
sys.path.insert(0, str(ROOT / "tests" / "sync"))
import pgcluster  # noqa: E402

CHANGES_PER_DEMO_PERSON = 7633 / 400  # what fill_demo writes per person (seed 2016)
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


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def hot_spots(profile: cProfile.Profile, top: int = 18) -> dict:
    """The functions with the most own time and the most cumulative time."""
    stats = pstats.Stats(profile)
    total = stats.total_tt
    rows = []
    for (file, line, name), (_cc, ncalls, tt, ct, _callers) in stats.stats.items():
        where = f"{Path(file).name}:{line}({name})" if line else name
        if "site-packages" in file:
            where = f"{file.split('site-packages/')[-1]}:{line}({name})"
        elif "/lr_desk/" in file:
            where = f"lr_desk/{file.split('/lr_desk/')[-1]}:{line}({name})"
        rows.append((where, ncalls, tt, ct))
    by_own = sorted(rows, key=lambda r: r[2], reverse=True)[:top]
    mine = [r for r in rows if r[0].startswith("lr_desk/")]
    by_cum = sorted(mine, key=lambda r: r[3], reverse=True)[:top]

    def fmt(r):
        return {"function": r[0], "calls": r[1], "own_s": round(r[2], 3),
                "cumulative_s": round(r[3], 3), "own_pct": round(100 * r[2] / total, 1)}

    # where the SQL statements come from: the lr_desk callers of Connection.execute
    sites: dict[str, list] = {}
    for (file, _line, name), entry in stats.stats.items():
        if name == "execute" and file.endswith(("sqlalchemy/engine/base.py",
                                                 "sqlalchemy/orm/session.py")):
            for (cfile, cline, cname), (_c, nc, _t, ct) in entry[4].items():
                if "/lr_desk/" in cfile:
                    key = f"{Path(cfile).name}:{cline}({cname})"
                    slot = sites.setdefault(key, [0, 0.0])
                    slot[0] += nc
                    slot[1] += ct
    statements = [{"caller": k, "executes": n, "cumulative_s": round(t, 3)}
                  for k, (n, t) in sorted(sites.items(), key=lambda kv: -kv[1][1])][:top]
    return {"total_s": round(total, 3), "by_own_time": [fmt(r) for r in by_own],
            "lr_desk_by_cumulative": [fmt(r) for r in by_cum], "statements": statements}


def print_hot_spots(title: str, spots: dict) -> None:
    print(f"\n{title} (cProfile, {spots['total_s']} s profiled)")
    print("  most own time:")
    for r in spots["by_own_time"][:14]:
        print(f"    {r['own_s']:8.2f} s {r['own_pct']:5.1f}%  {r['calls']:>10,}  {r['function']}")
    print("  lr_desk functions by cumulative time:")
    for r in spots["lr_desk_by_cumulative"][:12]:
        print(f"    {r['cumulative_s']:8.2f} s           {r['calls']:>10,}  {r['function']}")
    if spots.get("statements"):
        print("  SQL statements by lr_desk call site (executes, time in them):")
        for r in spots["statements"][:10]:
            print(f"    {r['cumulative_s']:8.2f} s           {r['executes']:>10,}  {r['caller']}")


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


# --- 1. push and pull 10,000 changes ------------------------------------------------


def outbox_rows(store) -> list[dict]:
    """The device's outbox as the rows push_outbox sends (in its order)."""
    with store.session() as s:
        rows = s.scalars(select(Outbox).order_by(Outbox.seq)).all()
        return [{"change_id": r.change_id, "device_id": store.device_id, "entity": r.entity,
                 "entity_id": r.entity_id, "op": r.op, "fields": r.fields, "hlc": r.hlc,
                 "schema_version": r.schema_version, "seen": r.seen} for r in rows]


def raw_insert(dsn: str, table: str, rows: list[dict], like: str) -> float:
    """One executemany INSERT of the rows (seq 1..N), one transaction, committed."""
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
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", params)
        conn.commit()
        return time.perf_counter() - started


def raw_select(dsn: str, count: int) -> float:
    """One SELECT of the same rows from the log, in seq order, all fetched (JSON decoded)."""
    with psycopg.connect(dsn) as conn:
        conn.execute("SELECT 1").fetchone()
        started = time.perf_counter()
        rows = conn.execute(f"SELECT {', '.join(LOG_COLUMNS)} FROM change_log "
                            "WHERE seq > 0 ORDER BY seq").fetchall()
        seconds = time.perf_counter() - started
    assert len(rows) == count, (len(rows), count)
    return seconds


def bench_push_pull(pg: Postgres, work: Path, runs: int, target: int, profile: bool) -> dict:
    from lr_desk.demo import fill_demo

    say(f"1. push and pull: filling a device's outbox through the services (~{target:,}) ...")
    device_a = open_store(work / "device-a")
    people = max(10, round(target / CHANGES_PER_DEMO_PERSON))
    started = time.perf_counter()
    fill_demo(device_a, people=people, seed=2016)
    fill_s = time.perf_counter() - started
    rows = outbox_rows(device_a)
    n = len(rows)
    mix: dict[str, int] = {}
    for r in rows:
        key = f"{r['entity']} {r['op']}"
        mix[key] = mix.get(key, 0) + 1
    payload = sum(len(json.dumps(r["fields"])) for r in rows) / n
    say(f"   {n:,} changes from {people} people in {fill_s:.1f} s "
        f"(fields ~{payload:.0f} bytes of JSON each)")

    result: dict = {"changes": n, "people": people, "mix": mix,
                    "connects_as": "device logins (add_device: least rights, row-level "
                                   "security)" if hasattr(central_module, "add_device")
                                   else "the superuser",
                    "avg_fields_json_bytes": round(payload), "runs": []}
    if profile:  # first: a device's login exists once on the server
        db = pg.create_db("pushpull_profile")
        url = pg.url(db)
        init_central(url)
        with device_a.engine.begin() as conn:
            conn.execute(update(Outbox).values(sent_at=None))
        central = CentralStore(pg.device_url(db, device_a))
        prof = cProfile.Profile()
        prof.enable()
        push_outbox(device_a, central)
        prof.disable()
        result["profile_push"] = hot_spots(prof)
        device_c = open_store(work / "device-c-profile")
        central.close()
        central = CentralStore(pg.device_url(db, device_c))
        prof = cProfile.Profile()
        prof.enable()
        sync_engine.pull(device_c, central)
        prof.disable()
        result["profile_pull"] = hot_spots(prof)
        central.close()
        device_c.close()
        pg.drop_db(db)
    for i in range(runs):
        db = pg.create_db(f"pushpull_{i}")
        url = pg.url(db)
        init_central(url)
        with device_a.engine.begin() as conn:
            conn.execute(update(Outbox).values(sent_at=None))
        url_a = pg.device_url(db, device_a)
        writer = CentralStore(url_a)
        writer.head()  # a pooled connection open, as in an app that syncs every few minutes
        in_push = Timer(writer, "push")
        started = time.perf_counter()
        pushed = push_outbox(device_a, writer)
        push_s = time.perf_counter() - started
        assert pushed.changes == n, (pushed.changes, n)

        device_b = open_store(work / f"device-b-{i}")
        url_b = pg.device_url(db, device_b, "bootle")
        reader = CentralStore(url_b)
        reader.head()
        in_pull = Timer(reader, "pull")
        started = time.perf_counter()
        done = sync_engine.pull(device_b, reader)
        pull_s = time.perf_counter() - started
        assert done.pulled == n, (done.pulled, n)

        raw_plain_s = raw_insert(pg.dsn(db), "raw_plain", rows, "INCLUDING DEFAULTS")
        raw_keyed_s = raw_insert(pg.dsn(db), "raw_keyed", rows, "INCLUDING ALL")
        select_s = raw_select(pg.dsn(db), n)
        run = {"push_s": push_s, "push_central_s": in_push.seconds, "push_batches": pushed.batches,
               "pull_s": pull_s, "pull_fetch_s": in_pull.seconds, "pull_pages": in_pull.calls,
               "raw_insert_s": raw_plain_s, "raw_insert_keyed_s": raw_keyed_s,
               "raw_select_s": select_s}
        result["runs"].append(run)
        say(f"   run {i + 1}/{runs}: push {ms(push_s)} ms (raw insert {ms(raw_plain_s)} ms), "
            f"pull {ms(pull_s)} ms (raw select {ms(select_s)} ms)")
        writer.close()
        if i < runs - 1:
            reader.close()
            device_b.close()
            pg.drop_db(db)
        else:
            result["_keep"] = (device_a, device_b, reader, url_a)

    med = {k: statistics.median(r[k] for r in result["runs"]) for k in result["runs"][0]}
    result["median"] = {k: (ms(v) if k.endswith("_s") else v) for k, v in med.items()}
    result["ratio_push"] = round(med["push_s"] / med["raw_insert_s"], 2)
    result["ratio_pull"] = round(med["pull_s"] / med["raw_select_s"], 2)
    result["ratio_push_vs_keyed"] = round(med["push_s"] / med["raw_insert_keyed_s"], 2)
    result["ratio_combined"] = round((med["push_s"] + med["pull_s"])
                                     / (med["raw_insert_s"] + med["raw_select_s"]), 2)
    result["ratio_pull_fetch_only"] = round(med["pull_fetch_s"] / med["raw_select_s"], 2)

    return result


# --- 2. a sync with nothing to do ---------------------------------------------------


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


def copy_synthetic(dsn: str, n: int) -> float:
    """Bulk-load n made-up insert changes, seq 1..n, with COPY (the shapes of real rows)."""
    entities = [
        ("conversation", lambda i, at: {
            "person_id": new_id(), "occurred_at": at, "site_code": "walton", "mode": "drop_in",
            "advisor_id": FAKE_DEVICE, "what_matters": "Getting out of the house more",
            "private_notes": "", "escalated": False, "escalation_reason": "",
            "escalation_action": "", "created_at": at, "updated_at": at, "deleted_at": None}),
        ("conversation_need", lambda i, at: {
            "conversation_id": new_id(), "category": "housing", "created_at": at,
            "updated_at": at, "deleted_at": None}),
        ("referral_event", lambda i, at: {
            "referral_id": new_id(), "status": "sent", "at": at, "advisor_id": FAKE_DEVICE,
            "reason": "", "note": "", "created_at": at, "updated_at": at, "deleted_at": None}),
    ]
    start_ms = int(datetime(2016, 11, 22, tzinfo=UTC).timestamp() * 1000)
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        with conn.cursor() as cur, cur.copy(
                f"COPY change_log ({', '.join(LOG_COLUMNS)}) FROM STDIN") as copy:
            for i in range(1, n + 1):
                wall = start_ms + i * 300_000  # one change every five minutes
                at = datetime.fromtimestamp(wall / 1000, UTC).replace(tzinfo=None).isoformat(
                    timespec="microseconds")
                entity, make = entities[i % 3]
                copy.write_row((i, new_id(), FAKE_DEVICE, entity, new_id(), "insert",
                                json.dumps(make(i, at)), HybridClock.encode(wall, 0, FAKE_DEVICE),
                                SCHEMA_VERSION, None))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE change_log")
    return time.perf_counter() - started


def up_to_date(store, central) -> None:
    """Put a device's cursor at the head of the log, as if it had pulled everything."""
    with store.engine.begin() as conn:
        sync_engine.put_state(conn, "central_id", central.store_id())
        sync_engine.put_state(conn, "cursor", central.head())


def bench_idle(pg: Postgres, work: Path, kept, repeats: int, big: int) -> dict:
    device_a, device_b, reader, url_a = kept
    out = {}
    say(f"2. sync with nothing to do ({repeats} runs each) ...")
    out["log_10k_new_device"] = {"log": reader.head(), **idle_syncs(device_b, reader, repeats)}
    writer = CentralStore(url_a)
    out["log_10k_author_device"] = {"log": reader.head(), **idle_syncs(device_a, writer, repeats)}
    writer.close()
    say(f"   log {reader.head():,}: {out['log_10k_new_device']['median_ms']} ms")

    db = pg.create_db("idle_big")
    url = pg.url(db)
    init_central(url)
    say(f"   loading {big:,} synthetic changes with COPY ...")
    load_s = copy_synthetic(pg.dsn(db), big)
    device = open_store(work / "device-idle-big")
    central = CentralStore(pg.device_url(db, device))
    assert central.head() == big
    up_to_date(device, central)
    out["log_big"] = {"log": big, "load_s": round(load_s, 1),
                      **idle_syncs(device, central, repeats)}
    say(f"   log {big:,} (loaded in {load_s:.0f} s): {out['log_big']['median_ms']} ms")
    central.close()
    device.close()
    pg.drop_db(db)
    return out


# --- 3. first sync of the ten-year dataset ------------------------------------------


def dataset_tables(src: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Per synced table present in the dataset, the columns it has and its row count."""
    conn = __import__("sqlite3").connect(f"file:{src}?mode=ro", uri=True)
    try:
        cols, counts = {}, {}
        for entity in SYNCED_MODELS:
            have = [r[1] for r in conn.execute(f"PRAGMA table_info({entity})")]
            if have:
                cols[entity] = have
                counts[entity] = conn.execute(f"SELECT count(*) FROM {entity}").fetchone()[0]
        return cols, counts
    finally:
        conn.close()


def seeded_ids(work: Path) -> set[str]:
    """Ids every new device seeds itself (the example directory): not in anyone's outbox."""
    store = open_store(work / "device-seeded")
    try:
        with store.engine.connect() as conn:
            return {i for model in SYNCED_MODELS.values()
                    for i in conn.scalars(select(model.__table__.c.id))}
    finally:
        store.close()


def _reader(column):
    """The Python value SQLAlchemy would give for a column's raw SQLite value."""
    if isinstance(column.type, DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(column.type, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(column.type, Boolean):
        return lambda v: None if v is None else bool(v)
    return None


def copy_dataset(src: Path, dsn: str, limit: int | None, skip: set[str]) -> dict:
    """Every row of the dataset's synced tables as an insert change into the log (parents
    before children: SYNCED_MODELS order, then created_at), with COPY; at most ``limit``.
    ``fields`` is what the outbox writes for an insert: every column but the id, through
    ``to_json`` (columns this version has and the dataset lacks are None). A person merged
    into another is written as a desk writes it: inserted without merged_into, then an
    update setting it once both exist (the dataset's survivor may be registered later,
    and a desk sets aside a change pointing at a record not yet made: sync.references)."""
    import sqlite3

    cols, counts = dataset_tables(src)
    per_entity: dict[str, int] = {}
    seq = 0
    last_wall, counter = -1, 0
    started = time.perf_counter()
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        with psycopg.connect(dsn) as pg_conn:
            with pg_conn.cursor() as cur, cur.copy(
                    f"COPY change_log ({', '.join(LOG_COLUMNS)}) FROM STDIN") as copy:
                for entity, model in SYNCED_MODELS.items():
                    if entity not in cols or (limit is not None and seq >= limit):
                        continue
                    table = model.__table__
                    names = [c.name for c in table.columns if c.name != "id"]
                    present = [c for c in names if c in cols[entity]]
                    missing = {c: None for c in names if c not in cols[entity]}
                    readers = [(i, _reader(table.c[c])) for i, c in enumerate(present)]
                    readers = [(i, r) for i, r in readers if r is not None]
                    at = present.index("created_at")
                    rows = source.execute(f"SELECT id, {', '.join(present)} FROM {entity} "
                                          "ORDER BY created_at")
                    n = 0
                    made, merges = set(), []  # (people) the ids loaded; (id, into, updated)
                    for entity_id, *values in rows:
                        if entity_id in skip:
                            continue
                        for i, read in readers:
                            values[i] = read(values[i])
                        fields = {c: to_json(v) for c, v in zip(present, values, strict=True)}
                        fields.update(missing)
                        if entity == "person":
                            made.add(entity_id)
                            if fields["merged_into"] is not None:
                                merges.append((entity_id, fields["merged_into"],
                                               fields["updated_at"]))
                                fields["merged_into"] = None
                        wall = int(values[at].replace(tzinfo=UTC).timestamp() * 1000)
                        counter = counter + 1 if wall == last_wall and counter < 99_999 else 0
                        last_wall = wall
                        seq += 1
                        n += 1
                        copy.write_row((seq, new_id(), FAKE_DEVICE, entity, entity_id, "insert",
                                        json.dumps(fields),
                                        HybridClock.encode(wall, counter, FAKE_DEVICE),
                                        SCHEMA_VERSION, None))
                        if limit is not None and seq >= limit:
                            break
                    for entity_id, into, updated in merges:  # the merges, after everyone
                        if into not in made or (limit is not None and seq >= limit):
                            continue
                        counter, last_wall = ((counter + 1, last_wall) if counter < 99_999
                                              else (0, last_wall + 1))
                        seq += 1
                        n += 1
                        copy.write_row((seq, new_id(), FAKE_DEVICE, entity, entity_id, "update",
                                        json.dumps({"merged_into": into, "updated_at": updated}),
                                        HybridClock.encode(last_wall, counter, FAKE_DEVICE),
                                        SCHEMA_VERSION, None))
                    per_entity[entity] = n
                    say(f"   {entity:<18} {n:>10,} changes  "
                        f"[{time.perf_counter() - started:6.0f} s]")
            pg_conn.commit()
            pg_conn.autocommit = True
            pg_conn.execute("VACUUM ANALYZE change_log")
    finally:
        source.close()
    # every store seeds the example directory itself: those rows are in no outbox
    return {"loaded": seq, "per_entity": per_entity, "dataset_rows": counts,
            "dataset_changes": sum(counts.values()) - len(skip),
            "load_s": round(time.perf_counter() - started, 1)}


def pull_child(url: str, folder: str, idle_runs: int, profile_path: str | None) -> None:
    """In a child process: a brand-new device's first pull; prints JSON on stdout."""
    started = time.perf_counter()
    store = open_store(Path(folder))
    open_s = time.perf_counter() - started
    central = CentralStore(url)
    central.head()
    rss_before = rss_mb()
    in_fetch = Timer(central, "pull")
    per_entity: dict[str, list[float]] = {}
    real_apply = merge.apply_changes

    def apply_timed(conn, changes, own):  # where the merge time goes, per table
        t0 = time.perf_counter()
        try:
            return real_apply(conn, changes, own)
        finally:
            slot = per_entity.setdefault(changes[0].entity, [0, 0.0])
            slot[0] += len(changes)
            slot[1] += time.perf_counter() - t0

    merge.apply_changes = apply_timed
    samples: list[tuple[int, float, float]] = []
    last = [0.0]

    def progress(p) -> None:
        now = time.perf_counter() - t_pull
        if now - last[0] >= 30 or p.done == p.total:
            last[0] = now
            rss = rss_mb()
            samples.append((p.done, round(now, 1), round(rss)))
            say(f"   pulled {p.done:>10,}/{p.total:,}  {now:7.0f} s  "
                f"{p.done / max(now, 1e-9):8.0f}/s  rss {rss:6.0f} MB")

    prof = cProfile.Profile() if profile_path else None
    t_pull = time.perf_counter()
    if prof:
        prof.enable()
    done = sync_engine.pull(store, central, progress=progress)
    if prof:
        prof.disable()
    pull_s = time.perf_counter() - t_pull
    merge.apply_changes = real_apply
    peak = peak_rss_mb()
    rss_after = rss_mb()
    idle = idle_syncs(store, central, idle_runs) if idle_runs else None
    store.close()
    size = sum(p.stat().st_size for p in Path(folder).glob("lr_desk.sqlite*"))
    if prof:
        with open(profile_path, "w") as f:
            json.dump(hot_spots(prof, top=25), f)
    print(json.dumps({
        "pulled": done.pulled, "set_aside": done.set_aside, "pull_s": round(pull_s, 1),
        "open_store_s": round(open_s, 2),
        "fetch_s": round(in_fetch.seconds, 1), "pages": in_fetch.calls,
        "rate_per_s": round(done.pulled / pull_s), "rss_before_mb": round(rss_before),
        "rss_after_mb": round(rss_after), "peak_rss_mb": round(peak),
        "device_db_mb": round(size / 2**20), "samples": samples, "idle_sync": idle,
        "per_entity": {k: {"changes": n, "apply_s": round(s, 1),
                           "rate_per_s": round(n / s) if s else None}
                       for k, (n, s) in per_entity.items()},
    }))


def bench_first_sync(pg: Postgres, work: Path, src: Path, limit: int | None, idle_runs: int,
                     profile: bool) -> dict:
    if not src.exists():
        return {"skipped": f"no dataset at {src} (run benchmarks/bench.py once to build it)"}
    say(f"3. first sync of the dataset in {src.parent} "
        + (f"(first {limit:,} changes)" if limit else "(all of it)") + " ...")
    skip = seeded_ids(work)
    db = pg.create_db("first_sync")
    url = pg.url(db)
    init_central(url)
    loaded = copy_dataset(src, pg.dsn(db), limit, skip)
    total = loaded["dataset_changes"]
    say(f"   loaded {loaded['loaded']:,} of {total:,} changes in {loaded['load_s']:.0f} s; "
        "pulling into a new device (child process) ...")
    folder = work / "device-first-sync"
    new_device = open_store(folder)  # made here to register it; the child opens it again
    url = pg.device_url(db, new_device, "southport")
    new_device.close()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_pull-child", url, str(folder),
           "--idle-runs", str(idle_runs)]
    prof_path = work / "first-sync-profile.json"
    if profile:
        cmd += ["--_profile", str(prof_path)]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        out, _ = child.communicate()
    finally:
        if child.poll() is None:
            child.terminate()
            child.wait()
    if child.returncode != 0:
        return {"failed": f"the pull child exited with {child.returncode}", **loaded}
    result = {**loaded, **json.loads(out.strip().splitlines()[-1]), "limited": limit is not None}
    if result["set_aside"]:  # (a log no desk would write: the figures are not the real ones)
        say(f"   {result['set_aside']:,} changes were set aside: see the device's set_aside")
    if limit is not None and loaded["loaded"] < total:
        result["extrapolated_full_s"] = round(total / result["rate_per_s"])
    if profile and prof_path.exists():
        result["profile"] = json.loads(prof_path.read_text())
    pg.drop_db(db)
    shutil.rmtree(work / "device-first-sync", ignore_errors=True)
    return result


# --- the report ----------------------------------------------------------------------


def machine() -> dict:
    import platform

    import psutil

    load = os.getloadavg()
    try:  # which code was measured: the commit, and whether lr_desk/ had edits on top
        git = ["git", "-C", str(ROOT)]
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "lr_desk"],
                               capture_output=True, text=True, check=True).stdout.strip()
        code = head + (" + uncommitted changes in lr_desk/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        code = "unknown"
    return {"code": code, "python": sys.version.split()[0], "cpus": os.cpu_count(),
            "cpu": platform.processor() or platform.machine(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_avg_at_start": [round(x, 2) for x in load], "platform": platform.platform()}


def print_table(r: dict) -> None:
    lines = [("what", "measured", "baseline", "ratio / note", "budget")]
    if "push_pull" in r:
        p = r["push_pull"]
        m = p["median"]
        n = p["changes"]
        lines += [
            (f"push {n:,} changes (push_outbox)", f"{m['push_s']:.0f} ms",
             f"{m['raw_insert_s']:.0f} ms raw insert", f"{p['ratio_push']}x", "<= 3x"),
            ("  of which in CentralStore.push", f"{m['push_central_s']:.0f} ms", "", "", ""),
            ("  vs raw insert with the same keys", "",
             f"{m['raw_insert_keyed_s']:.0f} ms", f"{p['ratio_push_vs_keyed']}x", ""),
            (f"pull {n:,} changes (engine.pull, new device)", f"{m['pull_s']:.0f} ms",
             f"{m['raw_select_s']:.0f} ms raw select", f"{p['ratio_pull']}x", "<= 3x"),
            ("  of which fetching (CentralStore.pull)", f"{m['pull_fetch_s']:.0f} ms",
             f"{m['raw_select_s']:.0f} ms raw select", f"{p['ratio_pull_fetch_only']}x", ""),
            ("push + pull", f"{m['push_s'] + m['pull_s']:.0f} ms",
             f"{m['raw_insert_s'] + m['raw_select_s']:.0f} ms",
             f"{p['ratio_combined']}x", "<= 3x"),
        ]
    if "idle" in r:
        i = r["idle"]
        for key, label in (("log_10k_new_device", "idle sync, new device"),
                           ("log_10k_author_device", "idle sync, the device that pushed"),
                           ("log_big", "idle sync")):
            x = i[key]
            lines.append((f"{label}, log {x['log']:,}", f"{x['median_ms']} ms",
                          "", f"p95 {x['p95_ms']} ms", "< 100 ms"))
    if "first_sync" in r:
        f = r["first_sync"]
        if "skipped" in f or "failed" in f:
            lines.append(("first sync of the dataset", f.get("skipped") or f.get("failed"),
                          "", "", ""))
        else:
            label = "first sync, full dataset" if not f.get("extrapolated_full_s") else \
                f"first sync, first {f['loaded']:,} changes"
            lines.append((label, f"{f['pull_s']:.0f} s", f"{f['pulled']:,} changes",
                          f"{f['rate_per_s']:,}/s", "(time)"))
            if f.get("extrapolated_full_s"):
                total = f["dataset_changes"]
                lines.append((f"  EXTRAPOLATED to all {total:,}",
                              f"~{f['extrapolated_full_s'] / 60:.0f} min", "", "at that rate", ""))
            lines.append(("  peak memory of the pulling process", f"{f['peak_rss_mb']} MB",
                          f"{f['rss_before_mb']} MB before", f"{f['rss_after_mb']} MB after",
                          "(memory)"))
            lines.append(("  fetching (CentralStore.pull)", f"{f['fetch_s']:.0f} s",
                          f"{f['pages']:,} pages", "", ""))
            lines.append(("  device database afterwards", f"{f['device_db_mb']:,} MB", "", "", ""))
            if f.get("idle_sync"):
                lines.append((f"idle sync on that device, log {f['loaded']:,}",
                              f"{f['idle_sync']['median_ms']} ms", "",
                              f"p95 {f['idle_sync']['p95_ms']} ms", "< 100 ms"))
    widths = [max(len(str(row[c])) for row in lines) for c in range(5)]
    print()
    for k, row in enumerate(lines):
        print("  ".join(str(v).ljust(widths[c]) for c, v in enumerate(row)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))
    f = r.get("first_sync", {})
    if f.get("per_entity"):
        print("\nfirst sync, merge time per table (pages counted under the table of their "
              "first change):")
        for entity, x in f["per_entity"].items():
            print(f"  {entity:<18} {x['changes']:>10,} changes  {x['apply_s']:8.1f} s  "
                  f"{x['rate_per_s'] or 0:>8,}/s")
    p = r.get("push_pull", {})
    for key, title in (("profile_push", f"push of {p.get('changes', 0):,} changes"),
                       ("profile_pull", f"pull of {p.get('changes', 0):,} changes")):
        if key in p:
            print_hot_spots(title, p[key])
    if f.get("profile"):
        print_hot_spots(f"first sync pull of {f.get('pulled', 0):,} changes", f["profile"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a short run: 2 runs, 10 idle syncs, a 200,000-change big log, "
                             "first sync capped at 100,000 changes")
    parser.add_argument("--json", nargs="?", const="-", metavar="FILE",
                        help="also write the figures as JSON (to stdout without FILE)")
    parser.add_argument("--runs", type=int, help="push/pull runs (default 5; --quick 2)")
    parser.add_argument("--changes", type=int, default=10_000,
                        help="about how many changes to push and pull (default 10,000)")
    parser.add_argument("--idle-runs", type=int, help="idle syncs per case (default 20)")
    parser.add_argument("--big-log", type=int,
                        help="changes in the big log for the idle sync (default 1,000,000)")
    parser.add_argument("--first-sync-limit", type=int, metavar="N",
                        help="load only the first N changes of the dataset and extrapolate")
    parser.add_argument("--no-first-sync", action="store_true", help="skip the first sync")
    parser.add_argument("--data-dir", default=str(ROOT / "bench-data"),
                        help="the ten-year dataset made by benchmarks/bench.py")
    parser.add_argument("--profile", action="store_true",
                        help="also run each pull under cProfile and print the hot spots "
                             "(the profiled first sync is slower: pair with --first-sync-limit)")
    parser.add_argument("--no-fsync", action="store_true",
                        help="run PostgreSQL with fsync and synchronous_commit off")
    parser.add_argument("--_pull-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--_profile", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._pull_child:
        pull_child(*args._pull_child, args.idle_runs or 0, args._profile)
        return 0

    runs = args.runs or (2 if args.quick else 5)
    idle_runs = args.idle_runs or (10 if args.quick else 20)
    big = args.big_log or (200_000 if args.quick else 1_000_000)
    limit = args.first_sync_limit or (100_000 if args.quick else None)

    results: dict = {"machine": machine(), "args": vars(args) | {"runs": runs,
                                                                   "idle_runs": idle_runs,
                                                                   "big_log": big,
                                                                   "first_sync_limit": limit}}
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="lr-desk-syncbench-"))
    pg = Postgres(fsync=not args.no_fsync)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    try:
        say(f"starting a throwaway PostgreSQL from {pg.bindir} ...")
        pg.start()
        results["postgres"] = pg.describe()
        pp = bench_push_pull(pg, work, runs, args.changes, args.profile)
        kept = pp.pop("_keep")
        results["push_pull"] = pp
        results["idle"] = bench_idle(pg, work, kept, idle_runs, big)
        for thing in kept[:3]:
            thing.close()
        if not args.no_first_sync:
            results["first_sync"] = bench_first_sync(
                pg, work, Path(args.data_dir).resolve() / "lr_desk.sqlite", limit, idle_runs,
                args.profile)
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    results["bench_seconds"] = round(time.perf_counter() - started, 1)
    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print_table(results)
    m = results["machine"]
    print(f"\ncode {m['code']}; {m['cpus']} CPUs, {m['memory_gb']} GB, Python {m['python']}, "
          "PostgreSQL "
          f"{results['postgres']['version']} (fsync {results['postgres']['fsync']}, "
          f"shared_buffers {results['postgres']['shared_buffers']}); load average "
          f"{m['load_avg_at_start']} at start, {m['load_avg_at_end']} at end; "
          f"measured in {results['bench_seconds']} s")
    if args.json:
        text = json.dumps(results, indent=1, default=str)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text, encoding="utf-8")
            print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
