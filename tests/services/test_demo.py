"""The demo profile's synthetic desk: a working day's worth of lists, with a history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from lr_desk import settings
from lr_desk.demo import fill_demo
from lr_desk.services import desk
from lr_desk.store.models import Conversation, FollowUp, Outbox, Person, ReferralEvent

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
