"""The fifty-desk load test (benchmarks/fifty_desks.py) at a small scale: six desks, two
working days, on a PostgreSQL of its own, desks in a pool of worker processes. Only its
correctness is asserted, never its timings: every desk ends with the same records, no
desk's pulls skipped or repeated a change, every change from another desk was applied
once, and the central log holds exactly what the desks pushed. Then the checks are shown
to catch what they are there for: a page a desk never pulled, a page pulled twice, a desk
whose records differ, a push the log does not hold."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

from . import pgcluster

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import fifty_desks


@pytest.fixture(scope="module")
def load(tmp_path_factory):
    reason = pgcluster.why_not()
    if reason:
        pytest.skip(reason)
    return fifty_desks.run(tmp_path_factory.mktemp("fifty"), devices=6, rounds=2, workers=2,
                           seed=7, timeout=600, say=lambda _m: None, keep=True)


def test_every_desk_ends_the_same_and_no_change_is_missed_or_doubled(load):
    found = load["checks"]
    assert found["devices_identical"], found["tables_differing"]
    assert found["cursor_gaps"] == 0 and found["cursor_went_back"] == 0
    assert found["pulled_twice"] == 0
    assert found["devices_not_at_head"] == 0
    assert found["devices_applied_wrong_count"] == 0
    assert found["set_aside"] == 0
    assert found["log_equals_pushed"], found
    assert found["all_correct"]
    # real work went through the services and the store: every desk did its days
    days = load["day_rounds"]
    assert days["device_syncs"] == 6 * 2
    assert days["saves"] >= 6 * 2 * 4  # at least its people and their drop-ins
    assert days["changes_appended"] > 0 and days["changes_pulled"] > days["changes_appended"]
    assert found["log_head"] == found["log_changes"] == found["pushed_total"]


def _recheck(load, alter) -> dict:
    kept = copy.deepcopy(load["kept"])
    alter(kept)
    return fifty_desks.checks(load["log"], kept["desks"], kept["per_device"], kept["final"])


def _pages(kept, desk=2):
    return next(s for s in kept["per_device"][desk] if len(s["pages"]) > 0)["pages"]


def test_the_checks_catch_a_skipped_page(load):
    def skip(kept):
        after, first, last, count = _pages(kept)[0]
        _pages(kept)[0] = (after, first + 1, last, count - 1)  # one change never handed over
    found = _recheck(load, skip)
    assert found["cursor_gaps"] == 1 and found["devices_not_at_head"] == 1


def test_the_checks_catch_a_cursor_that_jumps(load):
    def jump(kept):  # a later sync starting past where the last one ended
        later = [s for s in kept["per_device"][5] if s["pages"]][-1]["pages"]
        after, first, last, count = later[0]
        later[0] = (after + 1, first + 1, last, count - 1)
    found = _recheck(load, jump)
    assert found["cursor_gaps"] == 1 and found["devices_not_at_head"] == 1
    assert not found["all_correct"]


def test_the_checks_catch_a_page_pulled_twice(load):
    def twice(kept):
        pages = _pages(kept)
        pages.append(pages[-1])
    found = _recheck(load, twice)
    assert found["pulled_twice"] > 0 and found["cursor_went_back"] == 1
    assert not found["all_correct"]


def test_the_checks_catch_a_desk_that_differs_or_applied_too_much(load):
    def differ(kept):
        kept["final"][3]["digest"]["person"] = "0" * 64
        kept["per_device"][1][-1]["pulled"] += 1
    found = _recheck(load, differ)
    assert not found["devices_identical"] and found["tables_differing"] == ["person"]
    assert found["devices_applied_wrong_count"] == 1
    assert not found["all_correct"]


def test_the_checks_catch_a_push_the_log_does_not_hold(load):
    def lost(kept):
        kept["per_device"][4][-2]["pushed"] += 1
    found = _recheck(load, lost)
    assert not found["log_equals_pushed"] and not found["all_correct"]
