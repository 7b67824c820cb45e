"""Pushing the outbox: everything reaches the central log once, whatever fails on the way."""

from __future__ import annotations

import pytest

from lr_desk.services import advisors, people
from lr_desk.sync import push

from .devices import new_device, writes


def eight_records(folder):
    """A desk with eight records written (an advisor and seven people), none sent."""
    store = new_device(folder)
    with store.session() as s:
        adv = advisors.create(s, "Alex Advisor", "walton")
        for n in range(7):
            people.register(s, {"given_name": f"Person{n}", "family_name": "Test"}, adv.id,
                            "walton")
    return store


@pytest.fixture
def device(tmp_path):
    store = eight_records(tmp_path / "device")
    yield store
    store.close()


# Eight records, and the audit record of each.
WAITING = 16


def test_the_outbox_reaches_the_log_in_order_and_is_marked_sent(device, central):
    assert push.waiting(device) == WAITING
    result = push.push_outbox(device, central, batch=6)
    assert (result.changes, result.batches) == (WAITING, 3)
    assert push.waiting(device) == 0
    log = central.pull(0)
    assert [c.entity for c in log if c.entity != "audit_event"] == ["advisor"] + ["person"] * 7
    assert [c.entity_id for c in log if c.entity != "audit_event"] == \
        [c.fields["entity_id"] for c in log if c.entity == "audit_event"]
    assert {c.device_id for c in log} == {device.device_id}
    assert push.push_outbox(device, central).changes == 0  # nothing left to do


def test_a_crash_after_the_store_commits_sends_nothing_twice(device, central, monkeypatch):
    real_push = central.push

    def commit_then_lose_the_answer(device_id, changes):
        real_push(device_id, changes)
        raise ConnectionError("the connection dropped before the answer came")

    monkeypatch.setattr(central, "push", commit_then_lose_the_answer)
    with pytest.raises(ConnectionError):
        push.push_outbox(device, central)
    assert push.waiting(device) == WAITING  # not marked: the device never heard
    monkeypatch.setattr(central, "push", real_push)
    push.push_outbox(device, central)  # the retry
    log = central.pull(0)
    assert len(log) == WAITING and len({c.change_id for c in log}) == WAITING
    assert push.waiting(device) == 0


def test_a_failed_push_leaves_everything_waiting(device, central, monkeypatch):
    def offline(device_id, changes):
        raise ConnectionError("no network")

    monkeypatch.setattr(central, "push", offline)
    with pytest.raises(ConnectionError):
        push.push_outbox(device, central)
    assert push.waiting(device) == WAITING
    assert central.head() == 0


def test_a_batch_partly_in_the_log_appends_only_the_rest_numbered_after_the_last(device,
                                                                                 central):
    changes = [{k: getattr(w, k) for k in push.FIELDS} for w in writes(device)]
    central.push(device.device_id, changes[3:7])
    central.push(device.device_id, changes)  # sent again, with what came before and after
    log = central.pull(0)
    assert [c.seq for c in log] == list(range(1, WAITING + 1))  # no gaps, none twice
    assert [c.change_id for c in log] == [c["change_id"] for c in changes[3:7] + changes[:3]
                                          + changes[7:]]
