"""A page's ids and clock stamps are tested together (sync.screen._ids_and_stamps_ok):
it says yes only when every change passes the per-change tests of the fast path, and a
page screened that way ends as the full check says, change by change."""

from __future__ import annotations

import dataclasses
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from lr_desk.store import authority
from lr_desk.sync import checks, screen
from lr_desk.sync.central import Change

from .devices import new_device
from .test_checks import CASES
from .test_screen import MORE, RECEIVED, VERSIONS, _pulled

NOW = checks.ms_of(RECEIVED) + checks.DESK_SLACK


def _one_by_one(changes: list, now_ms: int) -> bool:
    """The per-change tests the page's test stands for (sync.screen._Fast.ok's)."""
    return bool(changes) and all(
        type(c.change_id) is str and checks._UUID.fullmatch(c.change_id)
        and type(c.entity_id) is str and checks._UUID.fullmatch(c.entity_id)
        and type(c.hlc) is str and len(c.hlc) <= checks.MAX_STAMP
        and checks._STAMP.fullmatch(c.hlc) and int(c.hlc[:15]) <= now_ms + checks.AHEAD
        for c in changes)


def _uuid_like(draw_text: str, good: str) -> st.SearchStrategy:
    return st.one_of(st.just(good), st.just(good.upper()), st.just(good[:-1]),
                     st.just(good + "0"), st.just(good[:8] + "\n" + good[9:]),
                     st.just(good[:35] + "\n"), st.just(good[:8] + "0" + good[9:]),
                     st.just(good[:-1] + "g"), st.just(good[:-1] + "é"),
                     st.just(good[:-1] + "\ud800"), st.text(max_size=40), st.just(7),
                     st.just(draw_text))


@st.composite
def _ids(draw) -> str:
    good = str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1))))
    return draw(_uuid_like(draw(st.text(alphabet="0123456789abcdef-\n", max_size=74)), good))


@st.composite
def _stamps(draw) -> str:
    ms = draw(st.sampled_from([NOW, NOW + checks.AHEAD, NOW + checks.AHEAD + 1, 10**14]))
    device = draw(st.text(min_size=1, max_size=70))
    good = f"{ms:015d}-{draw(st.integers(0, 99999)):05d}-{device}"
    return draw(st.one_of(st.just(good), st.just(good + "\n" + good),
                          st.just("1" + good), st.text(max_size=30), st.just(None)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_ids(), _ids(), _stamps()), max_size=6))
def test_the_page_test_is_every_change_test(rows):
    changes = [Change(seq, change_id, "d", "person", entity_id, "insert", {}, hlc, "0001",
                      None, RECEIVED)
               for seq, (change_id, entity_id, hlc) in enumerate(rows, 1)]
    assert screen._ids_and_stamps_ok(changes, NOW) == _one_by_one(changes, NOW)


def test_ids_that_only_line_up_together_are_not_uuids():
    good = str(uuid.uuid4())
    shifted = [good[:-1], "0" + good]  # 35 and 37 characters: 74 in all, dashes in line
    assert not any(checks._UUID.fullmatch(i) for i in shifted)
    assert not screen._uuids(shifted)
    assert screen._uuids([good, good.upper()])


def test_two_stamps_in_one_are_not_a_stamp():
    good = f"{NOW:015d}-00001-d"
    page = [_pulled({}, 1), _pulled({}, 2)]
    assert screen._ids_and_stamps_ok(page, NOW)
    page[1] = dataclasses.replace(page[1], hlc=f"{good}\n{good}")
    assert not _one_by_one(page, NOW)
    assert not screen._ids_and_stamps_ok(page, NOW)
    page[1] = dataclasses.replace(page[1], hlc=f"{NOW + checks.AHEAD + 1:015d}-00001-d")
    assert not screen._ids_and_stamps_ok(page, NOW)


def test_a_page_of_good_changes_is_screened_as_the_full_check_says(tmp_path):
    """A page whose ids and stamps all pass (so only the rest is tested change by
    change): accepted as the full check says, the others set aside with its words."""
    desk = new_device(tmp_path / "desk")
    page = [_pulled(case, seq) for seq, (_, case, _) in enumerate(CASES + MORE, 1)
            if case.get("entity") not in authority.PROVEN]
    page = [c for c in page if _one_by_one([c], NOW)]
    assert screen._ids_and_stamps_ok(page, NOW)
    expected = {c.seq: checks.problem(c, VERSIONS, NOW) for c in page}
    assert any(why is None for why in expected.values())
    assert any(why is not None for why in expected.values())
    with desk.engine.begin() as conn:
        s = screen.Screen(conn, VERSIONS, 0, references=False)
        accepted = s.run(page)
        kept = dict(conn.exec_driver_sql("SELECT seq, reason FROM set_aside").all())
    assert [c.seq for c in accepted] == [seq for seq, why in expected.items() if why is None]
    assert kept == {seq: why for seq, why in expected.items() if why is not None}
    desk.close()
