"""The demo profile's synthetic desk: a working day's worth of lists, with a history."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

import lr_desk
from lr_desk import settings
from lr_desk.demo import fill_demo
from lr_desk.demo.desk_finish import TERM
from lr_desk.services import desk, directory
from lr_desk.store.models import Conversation, FollowUp, Outbox, Person, Referral, ReferralEvent

TODAY = date(2025, 6, 11)


def test_fill_demo_makes_a_working_desk_with_a_past(store):
    fill_demo(store, people=80, today=TODAY)
    with store.session() as s:
        assert settings.get(s, "demo_filled")
        assert s.scalar(select(func.count()).select_from(Person)) == 80
        conversations = s.scalar(select(func.count()).select_from(Conversation))
        assert conversations > 80
        due = desk.follow_ups_due(s, TODAY)
        assert any(r.overdue for r in due) and any(not r.overdue for r in due)
        # the story's own times, not the time the demo was made
        first_event = s.scalar(select(func.min(ReferralEvent.at)))
        assert first_event < datetime(2025, 1, 1)
        assert s.scalar(select(func.max(Conversation.occurred_at))) <= datetime(2025, 6, 12)
        # written through the services: every row left its outbox entry
        assert s.scalar(select(func.count()).select_from(Outbox).where(
            Outbox.entity == "conversation")) == conversations
        assert "now" not in s.info


def test_fill_demo_runs_once(store):
    fill_demo(store, people=10, today=TODAY)
    fill_demo(store, people=10, today=TODAY)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 10
        assert s.scalar(select(func.count()).select_from(FollowUp)) >= 1


def test_the_demo_sits_a_newcomer_at_a_busy_desk(store):
    fill_demo(store, people=80, today=TODAY)
    with store.session() as s:
        advisor_id = settings.get(s, "advisor_id")
        assert advisor_id
        assert desk.follow_ups_due(s, TODAY, advisor_id=advisor_id)


def test_no_referral_history_goes_backwards(store):
    fill_demo(store, people=300, today=TODAY)
    rank = {"suggested": 0, "agreed": 1, "sent": 2}
    with store.session() as s:
        histories: dict[str, list[str]] = defaultdict(list)
        for ref_id, status in s.execute(select(ReferralEvent.referral_id, ReferralEvent.status)
                                        .order_by(ReferralEvent.at)):
            histories[ref_id].append(status)
        assert len(histories) == s.scalar(select(func.count()).select_from(Referral))
    for statuses in histories.values():
        ranks = [rank.get(status, 3) for status in statuses]
        assert ranks == sorted(ranks), statuses


@pytest.mark.parametrize("now", [datetime(2025, 6, 11, 9, 0), datetime(2025, 6, 11, 10, 0)])
def test_no_conversation_is_after_now(store, now):
    fill_demo(store, people=160, today=TODAY, now=now)
    with store.session() as s:
        assert s.scalar(select(func.max(Conversation.occurred_at))) <= now
        if now.hour >= 10:  # open: some people were seen this morning
            assert s.scalar(select(func.count()).select_from(Conversation).where(
                Conversation.occurred_at >= datetime(2025, 6, 11)))


def test_coming_back_closes_an_earlier_follow_up(store):
    fill_demo(store, people=300, today=TODAY)
    with store.session() as s:
        seen: dict[str, list[datetime]] = defaultdict(list)
        for person_id, at in s.execute(select(Conversation.person_id, Conversation.occurred_at)):
            seen[person_id].append(at)
        open_follow_ups = s.execute(
            select(FollowUp.person_id, FollowUp.due_date, Conversation.occurred_at)
            .join(Conversation, Conversation.id == FollowUp.conversation_id)
            .where(FollowUp.done_at.is_(None))).all()
    assert open_follow_ups
    for person_id, due, made_at in open_follow_ups:
        later = [at for at in seen[person_id] if at > made_at and at.date() >= due]
        assert not later, (due, later)


def test_the_demo_has_this_terms_courses_with_their_dates(store):
    fill_demo(store, people=10, today=TODAY)
    with store.session() as s:
        listing = directory.listing(s, TODAY)
    dated = [c for c in listing.courses if c.starts_on is not None]
    assert len(dated) == len(TERM)
    for c in dated:  # each starts on the day it meets, and ends after it starts
        assert c.starts_on.weekday() in directory.meeting_days(c.when_text)
        assert c.ends_on > c.starts_on and not c.is_example
    nexts = [directory.next_session(c, TODAY) for c in dated]
    assert all(n is not None and n >= TODAY for n in nexts)  # none over yet
    assert any(c.starts_on < TODAY for c in dated)  # one running already
    words = directory.course_next(min(dated, key=lambda c: c.starts_on), TODAY)
    assert words.endswith("10:00 to 12:00")


def test_the_demo_package_keeps_its_names_and_each_file_is_small():
    import lr_desk.demo as demo

    assert {"fill_demo", "build_dataset", "DATASET_MARKER"} <= set(demo.__all__)
    folder = Path(demo.__file__).parent
    sizes = {f.name: len(f.read_text(encoding="utf-8").splitlines())
             for f in folder.glob("*.py")}
    assert max(sizes.values()) <= 400, sizes


def test_the_desk_never_imports_the_demo():
    """The demo's data is handed in by the entry point (lr_desk.app), not imported by ui/
    (the UI tests that open the demo desk go through it)."""
    ui = Path(lr_desk.__file__).parent / "ui"
    importers = [f.name for f in ui.glob("*.py")
                 if re.search(r"^\s*(from|import) lr_desk\.demo\b|lr_desk import demo\b",
                              f.read_text(encoding="utf-8"), re.MULTILINE)]
    assert importers == []
