"""What the central store has of a desk's outbox is one watermark (``pushed_upto``), moved
only after the store commits: never lost, never ahead, taken over from an older lr_desk's
marks, put back to the start for another store."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lr_desk.services import advisors
from lr_desk.sync import push

from .devices import another_central, new_device, writes
from .test_push import WAITING, eight_records

BATCH = 6


@pytest.fixture
def device(tmp_path):
    store = eight_records(tmp_path / "device")
    yield store
    store.close()


def _upto(store) -> int:
    with store.engine.connect() as conn:
        return push.pushed_upto(conn)


def _log(central) -> list[str]:
    return [c.change_id for c in central.pull(0, 10_000)]


def _marked_by_an_older_lr_desk(store, central, upto: int | None) -> None:
    """The desk as an lr_desk that marked each change sent left it: the changes up to
    ``upto`` (None: all) in the store and marked, and no watermark."""
    changes = [w for w in writes(store) if upto is None or w.seq <= upto]
    central.push(store.device_id, [{k: getattr(w, k) for k in push.FIELDS} for w in changes])
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE outbox SET sent_at = CURRENT_TIMESTAMP WHERE seq <= :upto"),
                     {"upto": changes[-1].seq})
        push.put_state(conn, "pushed_to", central.store_id())
        conn.execute(text("DELETE FROM sync_state WHERE key = :k"), {"k": push.PUSHED})


def test_the_watermark_moves_only_after_the_store_commits(device, central, monkeypatch):
    seqs = [w.seq for w in writes(device)]
    real_push = central.push
    seen = []

    def store_then_look(device_id, changes):
        acknowledged = real_push(device_id, changes)  # committed there
        seen.append((_upto(device), len(_log(central))))
        return acknowledged

    monkeypatch.setattr(central, "push", store_then_look)
    pushed = push.push_outbox(device, central, batch=BATCH)
    # at each store's commit, the watermark is still at the batch before
    assert seen == [(0, 6), (seqs[5], 12), (seqs[11], len(seqs))]
    assert pushed.batches == 3 and _upto(device) == seqs[-1]
    with device.engine.connect() as conn:  # no change marked one by one any more
        assert conn.scalar(text("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL")) == 0


def test_a_refused_or_failed_batch_leaves_the_watermark(device, central, monkeypatch):
    real_push = central.push
    calls = []

    def second_fails(device_id, changes):
        calls.append(len(changes))
        if len(calls) == 2:
            raise ConnectionError("no network")
        return real_push(device_id, changes)

    monkeypatch.setattr(central, "push", second_fails)
    with pytest.raises(ConnectionError):
        push.push_outbox(device, central, batch=BATCH)
    assert _upto(device) == writes(device)[BATCH - 1].seq


def test_a_crash_between_the_stores_commit_and_the_watermark_loses_and_repeats_nothing(
        device, central, monkeypatch):
    def crash(conn, seq):
        raise KeyboardInterrupt("the desk was switched off")

    monkeypatch.setattr(push, "_sent_upto", crash)
    with pytest.raises(KeyboardInterrupt):
        push.push_outbox(device, central, batch=BATCH)
    assert len(_log(central)) == BATCH  # the store has the first batch
    assert _upto(device) == 0 and push.waiting(device) == len(writes(device))
    monkeypatch.undo()
    push.push_outbox(device, central, batch=BATCH)  # sends it again: the store skips it
    assert _log(central) == [w.change_id for w in writes(device)]  # once each, in order
    assert push.waiting(device) == 0


def test_waiting_counts_what_is_past_the_watermark(device, central, monkeypatch):
    everything = writes(device)
    assert push.waiting(device) == len(everything) == WAITING
    assert push.waiting(device, staff_changes_only=True) == 8
    real_push = central.push

    def first_batch_only(device_id, changes):
        if _log(central):
            raise OSError("offline")
        return real_push(device_id, changes)

    monkeypatch.setattr(central, "push", first_batch_only)
    with pytest.raises(OSError):
        push.push_outbox(device, central, batch=BATCH)
    left = everything[BATCH:]
    assert push.waiting(device) == len(left)
    assert push.waiting(device, staff_changes_only=True) == \
        sum(w.entity != "audit_event" for w in left)
    with device.engine.begin() as conn:  # (only the watermark counts, not old marks)
        conn.execute(text("UPDATE outbox SET sent_at = CURRENT_TIMESTAMP"))
    assert push.waiting(device) == len(left)


def test_an_upgraded_desk_takes_over_its_marks(device, central):
    everything = writes(device)
    _marked_by_an_older_lr_desk(device, central, everything[9].seq)
    assert _upto(device) == everything[9].seq  # read from the marks
    assert push.waiting(device) == len(everything) - 10
    pushed = push.push_outbox(device, central)
    assert pushed.changes == len(everything) - 10  # the rest, and only the rest
    with device.engine.connect() as conn:  # taken once: kept in the sync state now
        assert push.state(conn, push.PUSHED) == everything[-1].seq
    assert _log(central) == [w.change_id for w in everything]


def test_an_upgraded_desk_that_had_sent_everything_sends_nothing(device, central):
    _marked_by_an_older_lr_desk(device, central, None)
    assert push.waiting(device) == 0
    assert push.push_outbox(device, central).changes == 0
    assert _upto(device) == writes(device)[-1].seq


def test_an_empty_outbox_has_sent_nothing(tmp_path, central):
    store = new_device(tmp_path / "empty")
    try:
        assert writes(store) == [] and _upto(store) == 0 and push.waiting(store) == 0
        assert push.push_outbox(store, central).changes == 0
        with store.session() as s:
            advisors.create(s, "New Advisor", "walton")
        made = push.waiting(store)
        assert made and push.push_outbox(store, central).changes == made
        assert _upto(store) == writes(store)[-1].seq == made
    finally:
        store.close()


def test_a_desk_moved_to_another_store_sends_everything_again(device, central, central_url,
                                                             tmp_path):
    everything = [w.change_id for w in writes(device)]
    push.push_outbox(device, central)
    assert push.waiting(device) == 0
    other = another_central(central_url, tmp_path)
    try:
        assert push.push_outbox(device, other).changes == len(everything)
        assert _log(other) == everything
        assert _upto(device) == writes(device)[-1].seq
        # and back: the first store is "another" now, sent all again (it skips them all)
        assert push.push_outbox(device, central).changes == len(everything)
        assert _log(central) == everything
    finally:
        other.close()


def test_send_again_puts_the_watermark_back_and_it_never_goes_back_by_itself(device, central):
    push.push_outbox(device, central)
    last = writes(device)[-1].seq
    with device.engine.begin() as conn:  # a slower second process marks an older batch
        push._sent_upto(conn, 3)
    assert _upto(device) == last
    push.send_again(device)
    assert _upto(device) == 0 and push.waiting(device) == len(writes(device))
