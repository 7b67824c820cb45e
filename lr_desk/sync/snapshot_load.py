"""First sync from a snapshot: the device's side.

A new device's first sync would replay the whole central log (millions of changes at ten
years). The central store keeps a SNAPSHOT instead (sync.snapshot_build, snapshot_store):
the database of a device that pulled the log up to ``at_seq``, encrypted by SQLCipher
with a key of its own, in parts. A new device downloads it, loads it in bulk, then pulls
on from ``at_seq`` as any device does (engine.pull calls ``first_sync_from_snapshot``
when its cursor is 0).

Only a device that has nothing but what it could send (``eligible``): it has never
merged anything pulled, every change it made is sent (sync_once pushes first), and its
records are those changes and the shipped examples every device seeds. Its database must
be encrypted (SQLCipher attaches the snapshot; a plain file, from before encryption or a
test's, replays the log as before).

Download: the parts in order, appended to ``snapshot-<id>.part`` in the profile folder
(the bytes as stored: encrypted with the snapshot's key, nothing readable on disk);
beside it ``snapshot-<id>.json`` says how many whole parts it holds, written after they
are on disk, so a download stopped (Stop, a dropped connection, a kill) goes on from
there. Size and SHA-256 are checked at the end. A snapshot that has gone meanwhile (a
newer one replaced it, an erasure dropped it) is deleted here too, and the newest is
fetched instead, or, if there is none, the log is replayed.

Load (sync.snapshot_put): the file becomes the device's database page by page, with what
is the device's own written into it first; one transaction on the device's database. Once
the file has been checked, ``snapshot-<id>.json`` says so: a load killed part way is done
again from the same file, not downloaded again.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lr_desk.store.db import Store
from lr_desk.store.models import SYNCED_MODELS
from lr_desk.store.private import create_private
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync.central import CentralStore
from lr_desk.sync.progress import DOWNLOAD, Progress
from lr_desk.sync.push import pushed_upto, state
from lr_desk.sync.snapshot_put import Loaded, SnapshotError, load
from lr_desk.sync.snapshot_store import SnapshotInfo, latest_snapshot, snapshot_part

log = logging.getLogger(__name__)

SEEDED = ("partner", "partner_service", "course")  # the shipped examples (no clock)
WORTH = 5000  # a snapshot of no more changes than a page of pulling (engine.PAGE): replay
ATTEMPTS = 3  # snapshots gone while downloaded, before the log is replayed instead


class _Gone(Exception):
    """The snapshot being downloaded is no longer in the store (or came corrupted)."""


Report = Callable[[Progress], None] | None


def first_sync_from_snapshot(store: Store, central: CentralStore, progress: Report = None,
                             stop: Callable[[], bool] | None = None) -> Loaded | None:
    """Load the store's newest snapshot into this new device, if it is one, and there
    is a snapshot worth it (see the module's docstring). None: the log is to be replayed
    as before (or the download was stopped: ``stop()`` says so; it goes on next time)."""
    folder = store.path.parent
    central_id = central.store_id()
    for _ in range(ATTEMPTS):
        info = latest_snapshot(central) if eligible(store, central_id) else None
        if info is None or info.store_revision != SCHEMA_VERSION or info.at_seq <= WORTH:
            clear(folder)
            return None
        check_room(folder, info)
        try:
            path = download(folder, central, info, progress, stop)
        except _Gone:
            log.info("snapshot %s gone while it was downloaded: starting again", info.id)
            continue
        if path is None:
            return None  # stopped: the parts here are kept for next time
        try:
            loaded = load(store, path, info.key, central_id, info.at_seq, progress)
        except SnapshotError:
            log.warning("snapshot %s not loaded: replaying the log", info.id, exc_info=True)
            loaded = None
        clear(folder)
        return loaded
    clear(folder)
    return None


def eligible(store: Store, central_id: str) -> bool:
    """Whether this device has nothing but what it could send (a new device)."""
    if store.key is None:
        return False
    with store.engine.connect() as conn:
        pulled_from = state(conn, "central_id")
        if pulled_from is not None and (pulled_from != central_id or state(conn, "cursor", 0)):
            return False
        if conn.exec_driver_sql("SELECT 1 FROM outbox WHERE seq > ? LIMIT 1",
                                (pushed_upto(conn),)).first():
            return False
        for table in SYNCED_MODELS:
            examples = " AND id IN (SELECT entity_id FROM row_clock)" if table in SEEDED else ""
            if conn.exec_driver_sql(
                    f"SELECT 1 FROM {table} WHERE id NOT IN (SELECT entity_id FROM outbox)"
                    f"{examples} LIMIT 1").first():
                return False
    return True


def check_room(folder: Path, info: SnapshotInfo) -> None:
    """Raise OSError (ENOSPC, saying how much room it takes) unless the disk holding
    ``folder`` has room for what is still to come: the rest of the file, and as much
    again twice while it goes in (the database it becomes, and its write-ahead log).
    Better said now than after a long download, or as a replay filling the disk."""
    _parts, size, _checked = _had(folder, info)
    need = info.size - size + 2 * info.size
    free = shutil.disk_usage(folder).free
    if free < need:
        raise OSError(errno.ENOSPC, f"Getting this desk's records takes about "
                      f"{_size(need)} free where lr_desk keeps its data, and "
                      f"{_size(free)} is free.", str(folder))


def _size(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{max(n, 1e6) / 1e6:.0f} MB"


# --- the download -------------------------------------------------------------------


def part_file(folder: Path, snapshot_id: str) -> Path:
    return folder / f"snapshot-{snapshot_id}.part"


def _mark_file(folder: Path, snapshot_id: str) -> Path:
    return folder / f"snapshot-{snapshot_id}.json"


def clear(folder: Path, keep: str | None = None) -> None:
    """Delete the snapshot files here (but those of snapshot ``keep``)."""
    for path in folder.glob("snapshot-*.*"):  # (-journal: a load's, stopped part way)
        if path.suffix in (".part", ".json", ".tmp", ".part-journal") and (
                path.name.split(".")[0] != f"snapshot-{keep}"):
            path.unlink(missing_ok=True)


def _had(folder: Path, info: SnapshotInfo) -> tuple[int, int, bool]:
    """(whole parts, bytes, checked) of this snapshot already here (checked: the whole
    file came and was checked; since then only a load changes it)."""
    path, mark = part_file(folder, info.id), _mark_file(folder, info.id)
    try:
        had = json.loads(mark.read_text())
        parts, size, checked = int(had["parts"]), int(had["bytes"]), had.get("checked")
        if checked is True and (parts, size) == (info.parts, info.size) and path.exists():
            return parts, size, True
        if 0 <= parts <= info.parts and 0 <= size <= min(path.stat().st_size, info.size):
            return parts, size, False
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return 0, 0, False


def _note(folder: Path, snapshot_id: str, parts: int, size: int, checked: bool = False) -> None:
    mark = _mark_file(folder, snapshot_id)
    fresh = mark.with_suffix(".tmp")
    create_private(fresh)
    fresh.write_text(json.dumps({"parts": parts, "bytes": size, "checked": checked}))
    os.replace(fresh, mark)


_PG_PART = ("SELECT p.data FROM snapshot_part p JOIN snapshot s ON s.id = p.snapshot_id "
            "WHERE p.snapshot_id = %s AND p.n = %s AND s.ready")


def _part(central: CentralStore, snapshot_id: str, n: int) -> bytes | None:
    """snapshot_store.snapshot_part; from PostgreSQL in the binary protocol: bytea's text
    form is hex, twice the bytes, and was read at 20 MB/s against 150 MB/s so (8 MiB
    parts, loopback, 2026-12-06): minutes at ten years."""
    if not central.postgres:
        return snapshot_part(central, snapshot_id, n)

    def read(conn):
        cur = conn.connection.driver_connection.cursor(binary=True)
        try:
            cur.execute(_PG_PART, (snapshot_id, n))
            row = cur.fetchone()
        finally:
            cur.close()
        return None if row is None else bytes(row[0])
    return central._read(read)


def download(folder: Path, central: CentralStore, info: SnapshotInfo, progress: Report = None,
             stop: Callable[[], bool] | None = None) -> Path | None:
    """The snapshot's whole file, checked (None: stopped between two parts). Goes on
    from the whole parts already here. Raises _Gone if the snapshot has gone, or the
    file is not the one it should be (both files are deleted then)."""
    clear(folder, keep=info.id)
    path = part_file(folder, info.id)
    parts, size, checked = _had(folder, info)
    if checked:  # (a load was stopped part way: the file may hold this device's own)
        if progress:
            progress(Progress(size, info.size, DOWNLOAD))
        return path
    create_private(path)
    digest = hashlib.sha256()
    # The next part is read from the store while this one is written (the store's server
    # works beside this process: 2 cores). One part ahead at most: 8 MiB more in memory.
    with open(path, "r+b") as f, ThreadPoolExecutor(1, "snapshot-part") as ahead:
        f.truncate(size)
        while f.tell() < size:  # what was fetched before: into the digest
            digest.update(f.read(min(1 << 20, size - f.tell())))
        coming = ahead.submit(_part, central, info.id, parts) if parts < info.parts else None
        while parts < info.parts:
            if progress:
                progress(Progress(size, info.size, DOWNLOAD))
            if stop and stop():
                return None
            data = coming.result()
            if parts + 1 < info.parts and data is not None:
                coming = ahead.submit(_part, central, info.id, parts + 1)
            if data is None:
                f.close()
                clear(folder)
                raise _Gone
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            digest.update(data)
            parts, size = parts + 1, size + len(data)
            _note(folder, info.id, parts, size)
    if progress:
        progress(Progress(size, info.size, DOWNLOAD))
    if size != info.size or digest.hexdigest() != info.sha256:
        log.warning("snapshot %s downloaded is not the file it should be (%d bytes of %d)",
                    info.id, size, info.size)
        clear(folder)
        raise _Gone
    _note(folder, info.id, parts, size, checked=True)
    return path
