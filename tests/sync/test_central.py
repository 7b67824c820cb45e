"""The central log: idempotent appends, commit order, pages."""

from __future__ import annotations

import multiprocessing
import random

import pytest

from lr_desk.store.clock import new_id
from lr_desk.sync.central import CentralStore, init_central


def change(n: int = 0, entity_id: str | None = None) -> dict:
    return {"change_id": new_id(), "entity": "person", "entity_id": entity_id or new_id(),
            "op": "insert", "fields": {"given_name": f"P{n}", "n": n},
            "hlc": f"{n:015d}-00000-dev", "schema_version": "0002"}


@pytest.fixture
def central(central_url):
    init_central(central_url)
    store = CentralStore(central_url)
    yield store
    store.close()


def test_a_batch_is_appended_in_order_and_read_back_in_pages(central):
    batch = [change(n) for n in range(25)]
    assert central.push("device-a", batch) == [c["change_id"] for c in batch]
    assert central.head() == 25
    first, second = central.pull(0, limit=10), central.pull(10, limit=100)
    assert [c.seq for c in first] == list(range(1, 11))
    assert [c.change_id for c in first + second] == [c["change_id"] for c in batch]
    assert second[-1].fields == {"given_name": "P24", "n": 24}
    assert second[-1].device_id == "device-a"
    assert central.pull(25) == []


def test_pushing_the_same_batch_again_changes_nothing(central):
    batch = [change(n) for n in range(5)]
    central.push("device-a", batch)
    again = central.push("device-a", [*batch, change(99)])  # a retry after a lost answer
    assert again == [c["change_id"] for c in batch] + [again[-1]]
    log = central.pull(0)
    assert len(log) == 6 and len({c.change_id for c in log}) == 6
    assert [c.seq for c in log] == list(range(1, 7))


def test_init_is_safe_to_run_twice(central_url):
    init_central(central_url)
    init_central(central_url)
    store = CentralStore(central_url)
    try:
        assert store.head() == 0
    finally:
        store.close()


def _pusher(url: str, device: str, count: int, hold: float, lock: bool, seed: int) -> None:
    store = CentralStore(url, ordering_lock=lock)
    rng = random.Random(seed)
    try:
        for n in range(count):
            store._hold_before_commit = rng.random() * hold
            store.push(device, [change(n)])
    finally:
        store.close()


def _race(url: str, lock: bool, pushers: int = 10, each: int = 6) -> tuple[list[str], set[str]]:
    """Ten processes push while this one pulls, as a device would, page after page."""
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_pusher, args=(url, f"dev-{i}", each, 0.05, lock, i))
             for i in range(pushers)]
    for p in procs:
        p.start()
    reader = CentralStore(url)
    seen: list[str] = []
    cursor = 0
    try:
        while any(p.is_alive() for p in procs) or cursor < reader.head():
            for c in reader.pull(cursor, limit=3):
                seen.append(c.change_id)
                cursor = c.seq
        for p in procs:
            p.join()
            assert p.exitcode == 0
        for c in reader.pull(cursor):
            seen.append(c.change_id)
        log = {c.change_id for c in reader.pull(0, limit=100_000)}
    finally:
        reader.close()
    return seen, log


def test_a_device_pulling_while_ten_push_sees_every_change_once(central_url):
    init_central(central_url)
    seen, log = _race(central_url, lock=True)
    assert len(log) == 60
    assert sorted(seen) == sorted(log) and len(seen) == len(set(seen))


def test_without_the_ordering_lock_a_puller_misses_changes(postgres_url):
    """Sequence numbers handed out before commit (a plain bigserial) let a change that
    commits late slip behind a reader's cursor: the lock is what prevents it."""
    init_central(postgres_url)
    missed = []
    for _ in range(3):  # a race: give it a few chances to show
        seen, log = _race(postgres_url, lock=False)
        missed = sorted(log - set(seen))
        if missed:
            break
    assert missed, "expected the unlocked log to lose changes to a concurrent reader"
