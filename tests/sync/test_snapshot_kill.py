"""A new desk's first sync from a snapshot killed (SIGKILL, a real child process) during
the download and during the load: the desk is left as it was, or with whole parts to go
on from, and a second sync ends exactly as a full replay (see test_snapshot_load.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from lr_desk.sync import snapshot_load
from lr_desk.sync.engine import cursor, sync_once
from lr_desk.sync.progress import DOWNLOAD, LOAD, Progress

from .devices import records
from .test_snapshot_load import (  # noqa: F401  (device, shared: fixtures)
    PART,
    device,
    first_download,
    new_desk_of_its_own,
    replayed,
    shared,
    state_of,
)

# A new desk's first sync in a child process; its progress hook says where it is and
# waits there (at the stage and count the test names) for the test to kill it.
CHILD = """
import sys, time
from pathlib import Path
from lr_desk.profile import open_store
from lr_desk.sync import snapshot_load
from lr_desk.sync.central import CentralStore
from lr_desk.sync.engine import sync_once

folder, url, stage, at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
key = bytes.fromhex(sys.stdin.readline().strip())
snapshot_load.WORTH = 0
store, central = open_store(Path(folder), key=key), CentralStore(url)

def progress(p):
    if p.stage == stage and p.done >= at:
        print("here", p.done, flush=True)
        time.sleep(600)

sync_once(store, central, progress=progress)
print("finished", flush=True)
"""


def killed_at(store, central, stage: str, at: int) -> None:
    """Run the desk's first sync in a child process and kill it (SIGKILL) once it is at
    ``stage``, ``at`` done."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store.path.parent), str(central.url), stage,
         str(at)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2])
    try:
        child.stdin.write(store.key.hex() + "\n")
        child.stdin.close()
        line = child.stdout.readline()
        assert line.startswith("here"), line
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=60)
        child.stdout.close()


def test_killed_during_the_download_it_goes_on_from_the_parts_it_has(
        device, central, shared):  # noqa: F811
    info, replay = shared
    new = device("new")
    new_desk_of_its_own(new)
    killed_at(new, central, DOWNLOAD, 3 * PART)
    assert cursor(new, central.store_id()) == 0
    assert snapshot_load.part_file(new.path.parent, info.id).stat().st_size >= 3 * PART
    seen: list[Progress] = []
    sync_once(new, central, progress=seen.append)
    assert first_download(seen).done == 3 * PART
    assert state_of(new) == replayed(replay, central)


def test_killed_during_the_load_the_desk_is_as_it_was_and_loads_it_next_time(
        device, central, shared):  # noqa: F811
    info, replay = shared
    new = device("new")
    own = new_desk_of_its_own(new)
    before = records(new)
    # killed once pages are copied: the device's own are in the file by then
    killed_at(new, central, LOAD, 1)
    assert cursor(new, central.store_id()) == 0  # nothing of the load stayed
    assert records(new) == before and records(new)["advisor"][own]
    assert snapshot_load.part_file(new.path.parent, info.id).stat().st_size >= info.size
    seen: list[Progress] = []
    sync_once(new, central, progress=seen.append)
    assert [p.done for p in seen if p.stage == DOWNLOAD] == [info.size]  # none again
    assert state_of(new) == replayed(replay, central)
