"""The desk's fast test matches each time of a page once (sync.screen._TIMES): a time
seen again is taken as the first was, and one that did not match is never taken, however
often it comes; a page is screened as the full check says, change by change."""

from __future__ import annotations

from lr_desk.sync import checks, screen

from .devices import new_device
from .test_screen import RECEIVED, VERSIONS, _pulled

NOW = checks.ms_of(RECEIVED) + checks.DESK_SLACK
GOOD = "2026-03-03T13:19:00.000000"
BAD = ["2026-02-30T13:19:00.000000", "2026-03-03T13:19:00.00000", "2026-03-03 13:19:00",
       GOOD + "\n", "2026-03-03T24:00:00"]


def test_a_time_again_is_taken_as_the_first_and_a_bad_one_never(tmp_path):
    desk = new_device(tmp_path / "desk")
    times = [GOOD, *BAD, GOOD, *BAD, None, GOOD]
    page = [_pulled({"fields": {"deleted_at": t}}, seq) for seq, t in enumerate(times, 1)]
    page += [_pulled({"fields": {"created_at": t, "updated_at": GOOD}}, len(page) + seq)
             for seq, t in enumerate(times, 1)]
    expected = {c.seq: checks.problem(c, VERSIONS, NOW) for c in page}
    # (created_at may not be null)
    valid = [t in (GOOD, None) for t in times] + [t == GOOD for t in times]
    assert [why is None for why in expected.values()] == valid
    with desk.engine.begin() as conn:
        s = screen.Screen(conn, VERSIONS, 0, references=False)
        accepted = s.run(page)
        kept = dict(conn.exec_driver_sql("SELECT seq, reason FROM set_aside").all())
    assert [c.seq for c in accepted] == [seq for seq, why in expected.items() if why is None]
    assert kept == {seq: why for seq, why in expected.items() if why is not None}
    assert sorted(screen._TIMES) == [GOOD]
    for bad in BAD:  # on its own too, after GOOD was matched
        c = _pulled({"fields": {"deleted_at": bad}})
        assert not screen._FAST["person"].ok(c, VERSIONS, NOW)
    assert all(checks._TIME.fullmatch(t) for t in screen._TIMES)
    with desk.engine.begin() as conn:  # a new page starts with none
        screen.Screen(conn, VERSIONS, 0, references=False).run([_pulled({}, 99)])
    assert GOOD not in screen._TIMES
    desk.close()
