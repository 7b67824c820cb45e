"""Making the first-sync snapshot, on the central store's side (``lr-desk central
snapshot``, run by the store's owner from a timer).

The BUILDER is a device: a real SQLCipher store (services.profiles.open_store, as every
new desk opens one) in a temporary folder, keyed with a random key that lives only in
memory, which pulls the log with the very code a device uses (lr_desk.sync.engine.pull).
So a snapshot is, by construction, what a full replay leaves on a new device: records,
clocks, conflicts, erasures, what was set aside. Its whole database is then exported by
SQLCipher (``sqlcipher_export``) into a new file encrypted with a fresh random 256-bit
key, whose parts go into the store (lr_desk.sync.snapshot_store): ready with the last
part, the older snapshots deleted then. Nothing readable is left on disk: the builder's
folder holds only encrypted files, and is removed when done.

An erasure appended while a snapshot is made drops it (what it holds may be erased):
the builder pulls on, past the erasure, and makes it again (a few times at most).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3

from lr_desk.profile import open_store
from lr_desk.store.cipher import pragma_key
from lr_desk.store.clock import new_id
from lr_desk.store.private import create_private
from lr_desk.store.schema import SCHEMA_VERSION
from lr_desk.sync import engine, snapshot_store
from lr_desk.sync.central import CentralStore
from lr_desk.sync.snapshot_store import PART_BYTES, SnapshotInfo

log = logging.getLogger(__name__)

ATTEMPTS = 3  # makings dropped by an erasure appended meanwhile, before giving up


@dataclass(frozen=True)
class BuildProgress:
    # "pull" (changes); a build after the first starts from the last snapshot, as a new
    # device does: "download" (bytes), "load"; then "export" (0 or 1 of 1), "store" (bytes)
    stage: str
    done: int
    total: int


class SnapshotError(RuntimeError):
    """A snapshot could not be made; the message says why in plain words."""


@dataclass(frozen=True)
class Built:
    info: SnapshotInfo
    made: bool  # False: the newest snapshot was up to date already (nothing made)


def build_snapshot(central: CentralStore, work: Path, part_bytes: int = PART_BYTES,
                   progress: Callable[[BuildProgress], None] | None = None,
                   page: int = engine.PAGE) -> SnapshotInfo:
    """Make a snapshot of the log as it is now, store it, and return it (or the newest
    one, if it is at the log's head already and of this desk schema). ``work``: a folder
    for the builder (it needs room for two copies of a desk's database)."""
    return refresh(central, work, part_bytes, progress, page).info


def refresh(central: CentralStore, work: Path, part_bytes: int = PART_BYTES,
            progress: Callable[[BuildProgress], None] | None = None,
            page: int = engine.PAGE) -> Built:
    """As build_snapshot, saying whether a snapshot was made."""
    why_not = snapshot_store.why_not_build(central)
    if why_not:
        raise SnapshotError(why_not)
    latest = snapshot_store.latest_snapshot(central)
    if (latest is not None and latest.store_revision == SCHEMA_VERSION
            and latest.at_seq >= central.head()):
        return Built(latest, made=False)
    Path(work).mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="lr-desk-snapshot-", dir=work))
    try:
        key = secrets.token_bytes(32)
        builder = open_store(folder / "builder", key=key)
        try:
            for _ in range(ATTEMPTS):
                engine.pull(builder, central, page=page,
                            progress=progress and (lambda p: progress(_stage(p))))
                at_seq = engine.cursor(builder, central.store_id())
                builder.engine.dispose()  # every change in the file: nothing held open
                info = _export(builder.path, key, folder / f"snapshot-{at_seq}.db",
                               at_seq, part_bytes, progress)
                outcome = _store(central, folder / f"snapshot-{at_seq}.db", info,
                                 part_bytes, progress)
                (folder / f"snapshot-{at_seq}.db").unlink()
                if outcome == "ready":
                    return Built(info, made=True)
                if outcome == "older":  # another build was quicker: its snapshot serves
                    newest = snapshot_store.latest_snapshot(central)
                    if newest is not None:
                        return Built(newest, made=False)
                log.info("snapshot at %d %s while it was stored: making it again",
                         at_seq, outcome)
        finally:
            builder.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    raise SnapshotError(
        f"The snapshot was dropped {ATTEMPTS} times while it was being stored (erasures "
        "were sent in meanwhile): run lr-desk central snapshot again later.")


def _stage(p) -> BuildProgress:
    """engine.pull's progress as the builder's: the log read ("pull"), or (a build after
    the first) the last snapshot fetched and loaded, as a new device does."""
    stage = getattr(p, "stage", "changes")
    return BuildProgress("pull" if stage == "changes" else stage, p.done, p.total)


def export(source: Path, source_key: bytes, dest: Path, dest_key: bytes) -> None:
    """Copy the whole SQLCipher database ``source`` into a new file ``dest``, encrypted
    with ``dest_key`` (sqlcipher_export: every table, index and the schema's version)."""
    create_private(dest)  # owner-only from the start (an empty file: a new database)
    conn = sqlcipher3.connect(str(source), isolation_level=None)
    try:
        conn.execute(f'PRAGMA key = "{pragma_key(source_key)}"')
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(f'ATTACH DATABASE ? AS snap KEY "{pragma_key(dest_key)}"', (str(dest),))
        conn.execute("SELECT sqlcipher_export('snap')")
        conn.execute("DETACH DATABASE snap")
    finally:
        conn.close()


def _export(source: Path, source_key: bytes, dest: Path, at_seq: int, part_bytes: int,
            progress: Callable[[BuildProgress], None] | None) -> SnapshotInfo:
    if progress:
        progress(BuildProgress("export", 0, 1))
    key = secrets.token_bytes(32)
    export(source, source_key, dest, key)
    digest, size = hashlib.sha256(), 0
    with open(dest, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    if progress:
        progress(BuildProgress("export", 1, 1))
    return SnapshotInfo(new_id(), at_seq, SCHEMA_VERSION, key, size, digest.hexdigest(),
                        parts=max(1, -(-size // part_bytes)))


def _store(central: CentralStore, path: Path, info: SnapshotInfo, part_bytes: int,
           progress: Callable[[BuildProgress], None] | None) -> str:
    """Put the file into the store, part by part (a transaction each: a part at a time in
    memory); the last with the snapshot made ready. snapshot_store.finish's outcome."""
    snapshot_store.begin(central, info)
    try:
        with open(path, "rb") as f:
            for n in range(info.parts):
                data = f.read(part_bytes)
                if n == info.parts - 1:
                    outcome = snapshot_store.finish(central, info, n, data)
                elif not snapshot_store.put_part(central, info.id, n, data):
                    return "gone"
                if progress:
                    progress(BuildProgress("store", min((n + 1) * part_bytes, info.size),
                                           info.size))
    except BaseException:
        try:  # what was stored of it is of no use
            snapshot_store.drop(central, info.id)
        except Exception:  # (the store out of reach: the next build's finish drops it)
            log.warning("could not drop the unfinished snapshot %s", info.id, exc_info=True)
        raise
    return outcome
