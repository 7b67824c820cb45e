"""The demo's first set-up says how far it has got: fill_demo's and the set-up's progress
calls go forward, end at their total, name each stage, and come no faster than the
window can use; the demo made while telling is the demo made without."""

from __future__ import annotations

import shutil
from datetime import date, datetime

from sqlalchemy import select

from lr_desk.demo import fill_demo
from lr_desk.demo.progress import Steps
from lr_desk.profile import open_store
from lr_desk.services import demo_desk
from lr_desk.services.signin import Gate
from lr_desk.store.models import Conversation, Person

TODAY = date(2025, 6, 11)
NOW = datetime(2025, 6, 11, 10, 15)


def forward_to_the_end(calls: list[tuple[int, int, str]]) -> None:
    done = [d for d, _total, _what in calls]
    totals = {total for _d, total, _what in calls}
    assert len(totals) == 1, totals
    assert done == sorted(done), done  # never backwards
    assert done[0] == 0 and done[-1] == totals.pop()
    assert len(set(done)) >= 4  # it moves, not just start and end


def test_fill_demo_says_each_stage_going_forward_to_the_end(store):
    calls: list[tuple[int, int, str]] = []
    fill_demo(store, people=60, today=TODAY, now=NOW,
              progress=lambda *call: calls.append(call))
    forward_to_the_end(calls)
    said = [what for _d, _t, what in calls]
    stages = [next((i for i, w in enumerate(said) if w.startswith(start)), None)
              for start in ("Adding the directory", "Planning", "Adding people",
                            "Finishing", "The demo desk is ready")]
    assert None not in stages and stages == sorted(stages), said
    people = [w for w in said if w.startswith("Adding people")]
    assert people[0].startswith("Adding people: 0 of 60")
    counts = [int(w.split()[2]) for w in people]
    assert counts == sorted(counts) and counts[-1] > 50


def test_the_demo_made_while_telling_is_the_demo_made_without(store, tmp_path,
                                                                migrated_profile):
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    for f in migrated_profile.glob("lr_desk.sqlite*"):
        shutil.copy(f, other_folder / f.name)
    other = open_store(other_folder)
    try:
        fill_demo(store, people=40, today=TODAY, now=NOW)
        fill_demo(other, people=40, today=TODAY, now=NOW, progress=lambda *call: None)
        assert names(store) == names(other) and len(names(store)) > 80
    finally:
        other.close()


def test_a_filled_demo_says_it_is_ready_at_once(store):
    fill_demo(store, people=10, today=TODAY, now=NOW)
    calls: list[tuple[int, int, str]] = []
    fill_demo(store, people=10, today=TODAY, now=NOW,
              progress=lambda *call: calls.append(call))
    assert calls == [(1000, 1000, "The demo desk is ready")]


def test_steps_are_not_said_more_than_twenty_times_a_second_within_a_stage():
    ticks = iter([0.0, 0.01, 0.02, 0.07, 0.08, 0.09, 0.2, 0.21])
    calls: list[tuple[int, int, str]] = []
    step = Steps(lambda *call: calls.append(call), total=100, clock=lambda: next(ticks))
    step(0, "Adding the directory")  # 0.00: a new stage is always said
    step.part(10, 90, 1, 8, "Adding people: 1 of 8", "people")  # 0.01: new stage
    step.part(10, 90, 2, 8, "Adding people: 2 of 8", "people")  # 0.02: too soon
    step.part(10, 90, 3, 8, "Adding people: 3 of 8", "people")  # 0.07: said
    step.part(10, 90, 2, 8, "Adding people: 2 of 8", "people")  # 0.08: too soon
    step(5, "Finishing")  # 0.09: a new stage, but never backwards: at 40
    step(150, "Finishing")  # 0.2: never past the total
    step.end("Ready")  # 0.21: the end is always said
    assert calls == [(0, 100, "Adding the directory"), (20, 100, "Adding people: 1 of 8"),
                     (40, 100, "Adding people: 3 of 8"), (40, 100, "Finishing"),
                     (100, 100, "Finishing"), (100, 100, "Ready")]


def test_setting_up_the_demo_tells_the_fill_and_the_accounts_in_one_run(tmp_path):
    calls: list[tuple[int, int, str]] = []

    def fill(store, progress=None):  # the real fill, smaller
        fill_demo(store, people=30, today=TODAY, now=NOW, progress=progress)

    unlocked = Gate(tmp_path / "demo").set_up_demo(fill, lambda *call: calls.append(call))
    unlocked.store.close()
    forward_to_the_end(calls)
    said = [what for _d, _t, what in calls]
    assert said[0].startswith("Making the demo's database")
    assert any(w.startswith("Adding people") for w in said)
    accounts = said.index("Making the demo's sign-in accounts: advisor, manager and admin")
    assert calls[accounts][0] == demo_desk.ACCOUNTS_FROM
    assert said[-1] == "The demo desk is ready"
    # the fill's own steps sit between the database and the accounts
    fill_steps = [d for d, _t, w in calls[1:accounts]]
    assert all(demo_desk.FILL_FROM <= d <= demo_desk.ACCOUNTS_FROM for d in fill_steps)


def test_a_fill_that_hears_no_progress_is_still_called_as_before(tmp_path):
    stores = []
    Gate(tmp_path / "demo").set_up_demo(lambda store: stores.append(store) or fill_demo(
        store, people=5, today=TODAY, now=NOW)).store.close()
    assert len(stores) == 1


def names(store) -> list[tuple]:
    with store.session() as s:
        people = s.execute(select(Person.given_name, Person.family_name,
                                  Person.date_of_birth).order_by(Person.created_at)).all()
        conversations = s.execute(select(Conversation.occurred_at, Conversation.site_code)
                                  .order_by(Conversation.occurred_at)).all()
    return [tuple(p) for p in people] + [tuple(c) for c in conversations]
