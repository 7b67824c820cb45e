"""A new desk's first sync from the central store's snapshot, as the advisor sees it in the
status bar: "Getting the records: … of …" with the progress bar and Stop, stopped and
carried on with Sync now, then "Loading the records…" (no Stop: it cannot stop half
way), then Synced, with the records on the desk and found by search. A real desk, a real
central store (a SQLite file) with a real snapshot (lr_desk.sync.snapshot_build)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from lr_desk.store.models import Person
from lr_desk.sync import snapshot_load
from lr_desk.sync.engine import cursor
from lr_desk.sync.snapshot_build import build_snapshot
from lr_desk.ui.sync import PROBLEM, SYNCED
from tests.ui.test_sync_status import (  # noqa: F401  (other_device: a fixture)
    LONG,
    central_at,
    connect_profile,
    letters,
    other_device,
    shared_store,
    wait_for,
)

PART = 256 * 1024  # (a snapshot of 400 people: about 1.1 MB, five parts)


@pytest.fixture
def held_download(monkeypatch):
    """Hold the download after its first two parts until the test lets go (``set()``), so
    that the desk is seen getting the records whatever the speed of the machine."""
    gate = threading.Event()
    real = snapshot_load.snapshot_part

    def part(central, snapshot_id, n):
        if n >= 2:
            gate.wait(LONG / 1000)
        return real(central, snapshot_id, n)

    monkeypatch.setattr(snapshot_load, "snapshot_part", part)
    yield gate
    gate.set()


def shown_as_it_changes(desk) -> list[tuple[str, bool, bool]]:
    """What the status bar showed at each change: (words, bar shown, Stop shown)."""
    part = desk.window.sync_status
    shown: list[tuple[str, bool, bool]] = []
    desk.sync.status_changed.connect(lambda s: shown.append(
        (part.label.text(), not part.bar.isHidden(), not part.stop_button.isHidden())))
    return shown


def test_a_new_desk_gets_the_records_from_the_snapshot_and_shows_how_far(
        qtbot, desks, profile, tmp_path, other_device, held_download,  # noqa: F811
        monkeypatch):
    monkeypatch.setattr(snapshot_load, "WORTH", 0)  # (a test's store is small)
    url = shared_store(tmp_path)
    other = other_device(url)
    count = 400
    other.register(*(f"Pat{letters(n)} Lee" for n in range(count)))
    other.sync()
    with central_at(url) as central:
        info = build_snapshot(central, tmp_path / "work", part_bytes=PART)
    other.register("Nia Jones")  # after the snapshot: pulled as changes
    other.sync()
    connect_profile(profile, url)

    desk = desks.start(profile)  # its first sync starts by itself
    part = desk.window.sync_status
    qtbot.waitUntil(lambda: desk.sync.status.text.startswith("Getting the records")
                    and desk.sync.status.done == 2 * PART // 1024, timeout=LONG)  # 2 parts
    assert part.label.text() == (f"Getting the records: {2 * PART / 10**6:.1f} MB of "
                                 f"{info.size / 10**6:.1f} MB")
    assert not part.bar.isHidden() and not part.stop_button.isHidden()
    assert (part.bar.value(), part.bar.maximum()) == (desk.sync.status.done,
                                                      info.size // 1024)
    qtbot.mouseClick(part.stop_button, Qt.MouseButton.LeftButton)
    held_download.set()
    wait_for(qtbot, desk, PROBLEM)
    assert "stopped" in part.label.text()
    assert part.bar.isHidden() and part.stop_button.isHidden()
    folder = desk.store.path.parent
    # the part under way when Stop was pressed is kept too: it stops between parts
    assert snapshot_load.part_file(folder, info.id).stat().st_size == 3 * PART

    shown = shown_as_it_changes(desk)
    qtbot.mouseClick(part.sync_button, Qt.MouseButton.LeftButton)  # carries on
    wait_for(qtbot, desk, SYNCED)
    getting = [s for s in shown if s[0].startswith("Getting")]
    loading = [s for s in shown if s[0] == "Loading the records…"]
    assert getting and all(bar and stop for _, bar, stop in getting)
    assert getting[0][0].startswith(f"Getting the records: {3 * PART / 10**6:.1f} MB")
    assert loading and all(bar and not stop for _, bar, stop in loading)
    assert shown.index(getting[-1]) < shown.index(loading[0])
    assert part.bar.isHidden() and part.stop_button.isHidden()

    with central_at(url) as central:
        assert cursor(desk.store, central.store_id()) == central.head() > info.at_seq
    with desk.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == count + 1
    assert not list(folder.glob("snapshot-*"))
    model = desk.window.people.model
    for name, given in ((f"Pat{letters(count - 1)} Lee", f"Pat{letters(count - 1)}"),
                        ("Nia Jones", "Nia")):
        desk.window.find()
        desk.window.query.clear()
        qtbot.keyClicks(desk.window.query, name)
        qtbot.waitUntil(lambda g=given: bool(model.hits) and model.hits[0].entry.given_name == g,
                        timeout=LONG)
