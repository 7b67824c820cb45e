"""The sync benchmark's part 3 (benchmarks/sync_bench.py): the first sync of the ten-year
dataset to a new device. Every row of the dataset's synced tables becomes an insert change
in a throwaway central store (COPY), and a brand-new device pulls them in a child process
(``sync_bench.py --_pull-child``), which reports its time and peak memory."""

from __future__ import annotations

import cProfile
import json
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from sqlalchemy import Boolean, Date, DateTime, select
from sync_bench_common import (
    FAKE_DEVICE,
    LOG_COLUMNS,
    Postgres,
    Timer,
    idle_syncs,
    peak_rss_mb,
    rss_mb,
    say,
)
from sync_bench_report import hot_spots

from lr_desk.profile import open_store
from lr_desk.store import merge
from lr_desk.store.clock import HybridClock, new_id
from lr_desk.store.models import SYNCED_MODELS, to_json
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync import engine as sync_engine
from lr_desk.sync.central import CentralStore, init_central

MAIN = Path(__file__).resolve().with_name("sync_bench.py")  # runs the pull child


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


def _default(column):
    """What a column the dataset lacks holds on a desk that gained it (its default: an
    NHS number added later is "", which the central store's checks want, not null)."""
    default = column.default
    if default is not None and default.is_scalar:
        return to_json(default.arg)
    return None


def copy_dataset(src: Path, dsn: str, limit: int | None, skip: set[str]) -> dict:
    """Every row of the dataset's synced tables as an insert change into the log (parents
    before children: SYNCED_MODELS order, then created_at), with COPY; at most ``limit``.
    ``fields`` is what the outbox writes for an insert: every column but the id, through
    ``to_json`` (columns this version has and the dataset lacks hold their default). A
    person merged into another is written as a desk writes it: inserted without
    merged_into, then an update setting it once both exist (the dataset's survivor may
    be registered later, and a desk sets aside a change pointing at a record not yet
    made: sync.references)."""
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
                    missing = {c: _default(table.c[c]) for c in names
                               if c not in cols[entity]}
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
    cmd = [sys.executable, str(MAIN), "--_pull-child", url, str(folder),
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


