"""Retention: who has had no contact for N years (exactly N included), across merged
records, leaving out the merged-away, the erased and the deleted; oldest first."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lr_desk import settings
from lr_desk.services import duplicates, retention
from lr_desk.services.reference import example_id
from lr_desk.store.clock import utcnow
from lr_desk.store.models import (
    Conversation,
    FollowUp,
    Person,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
)

TODAY = date(2025, 6, 11)
SERVICE = example_id("service", "Example Advice Centre (debt and benefits)",
                     "Benefits and debt drop-in")


def utc(local: datetime) -> datetime:
    """A local wall time as stored UTC."""
    return local.astimezone(UTC).replace(tzinfo=None)


class People:
    def __init__(self, store, advisor):
        self.store, self.advisor = store, advisor

    def person(self, name: str, registered: datetime = datetime(2010, 1, 4, 10)) -> str:
        with self.store.session() as s:
            p = Person(given_name=name, family_name="Test", registered_by=self.advisor.id,
                       created_at=utc(registered))
            s.add(p)
            s.flush()
            return p.id

    def conversation(self, person_id: str, at: datetime, deleted: bool = False) -> str:
        with self.store.session() as s:
            c = Conversation(person_id=person_id, occurred_at=at, site_code="walton",
                             advisor_id=self.advisor.id,
                             deleted_at=utcnow() if deleted else None)
            s.add(c)
            s.flush()
            return c.id

    def follow_up_done(self, person_id: str, done: datetime) -> None:
        with self.store.session() as s:
            s.add(FollowUp(person_id=person_id, due_date=done.date(), assigned_to=self.advisor.id,
                           done_at=utc(done), done_by=self.advisor.id, outcome="Spoke"))

    def referral_step(self, person_id: str, at: datetime) -> None:
        conv = self.conversation(person_id, datetime(2012, 1, 1, 10))
        with self.store.session() as s:
            rx = Prescription(person_id=person_id, conversation_id=conv,
                              advisor_id=self.advisor.id)
            s.add(rx)
            s.flush()
            item = PrescriptionItem(prescription_id=rx.id, kind="partner_service",
                                    service_id=SERVICE, title="Advice")
            s.add(item)
            s.flush()
            ref = Referral(person_id=person_id, item_id=item.id, service_id=SERVICE,
                           status="completed", status_at=utc(at))
            s.add(ref)
            s.flush()
            s.add(ReferralEvent(referral_id=ref.id, status="completed", at=utc(at),
                                advisor_id=self.advisor.id))

    def due(self, years: int) -> dict[str, retention.DueRow]:
        with self.store.session() as s:
            return {r.name: r for r in retention.due_for_review(s, years, TODAY)}


@pytest.fixture
def people(store, advisor) -> People:
    return People(store, advisor)


def test_exactly_n_years_is_listed_and_a_day_less_is_not(people):
    exactly = people.person("Exactly")
    people.conversation(exactly, datetime(2018, 6, 11, 16, 30))
    day_less = people.person("Dayless")
    people.conversation(day_less, datetime(2018, 6, 12, 9, 30))
    only_registered = people.person("Registered", registered=datetime(2018, 6, 11, 23, 30))
    registered_later = people.person("Later", registered=datetime(2018, 6, 12, 0, 30))

    due = people.due(7)
    assert set(due) == {"Exactly Test", "Registered Test"}
    assert due["Exactly Test"].last_contact == datetime(2018, 6, 11, 16, 30)
    assert due["Exactly Test"].years == 7
    assert due["Registered Test"].last_contact == datetime(2018, 6, 11, 23, 30)
    assert {r.person_id for r in due.values()} == {exactly, only_registered}
    assert day_less and registered_later


def test_follow_ups_done_and_referral_steps_are_contacts(people):
    followed = people.person("Followed")
    people.conversation(followed, datetime(2012, 3, 1, 10))
    people.follow_up_done(followed, datetime(2019, 1, 5, 11))
    referred = people.person("Referred")
    people.referral_step(referred, datetime(2020, 2, 2, 14))
    quiet = people.person("Quiet")
    people.conversation(quiet, datetime(2012, 3, 1, 10))

    assert set(people.due(7)) == {"Quiet Test"}
    due = people.due(5)
    assert set(due) == {"Quiet Test", "Followed Test", "Referred Test"}
    assert due["Followed Test"].last_contact == datetime(2019, 1, 5, 11)
    assert due["Referred Test"].last_contact == datetime(2020, 2, 2, 14)
    # oldest first
    assert [r.name for r in due.values()] == ["Quiet Test", "Followed Test", "Referred Test"]


def test_a_deleted_conversation_is_no_contact(people):
    person = people.person("Deleted")
    people.conversation(person, datetime(2012, 3, 1, 10))
    people.conversation(person, datetime(2024, 3, 1, 10), deleted=True)
    assert people.due(7)["Deleted Test"].last_contact == datetime(2012, 3, 1, 10)


def test_merged_records_count_for_the_survivor(store, advisor, people):
    survivor = people.person("Survivor")
    people.conversation(survivor, datetime(2011, 5, 5, 10))
    recent_twin = people.person("Recenttwin")
    old_pair = people.person("Oldpair")
    people.conversation(old_pair, datetime(2011, 5, 5, 10))
    old_twin = people.person("Oldtwin")
    with store.session() as s:
        duplicates.merge(s, survivor, recent_twin, advisor.id)
        duplicates.merge(s, old_pair, old_twin, advisor.id)
    # made later against the merged-away record, on a desk that had not heard of the merge
    people.conversation(recent_twin, datetime(2023, 9, 9, 10))
    people.conversation(old_twin, datetime(2013, 9, 9, 10))

    due = people.due(7)
    assert set(due) == {"Oldpair Test"}  # never a merged-away record itself
    assert due["Oldpair Test"].last_contact == datetime(2013, 9, 9, 10)


def test_erased_and_deleted_people_are_not_listed(store, people):
    erased = people.person("Erased")
    deleted = people.person("Deleted")
    people.person("Kept")
    with store.session() as s:
        s.get(Person, erased).erased_at = utcnow()
        s.get(Person, deleted).deleted_at = utcnow()
    assert set(people.due(7)) == {"Kept Test"}


def test_more_years_fewer_people(people):
    for year in (2012, 2016, 2020):
        person = people.person(f"From{year}")
        people.conversation(person, datetime(year, 1, 1, 10))
    assert set(people.due(1)) == {"From2012 Test", "From2016 Test", "From2020 Test"}
    assert set(people.due(8)) == {"From2012 Test", "From2016 Test"}
    assert set(people.due(12)) == {"From2012 Test"}
    assert set(people.due(20)) == set()


def test_years_before_and_the_setting():
    assert retention.years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert retention.years_before(date(2025, 6, 11), 8) == date(2017, 6, 11)
    assert retention.whole_years(date(2017, 6, 12), date(2025, 6, 11)) == 7
    assert retention.check_years(0) == "Choose between 1 and 50 years."
    assert retention.check_years(8) == ""
    assert settings.OPTIONS["retention_years"].default == retention.DEFAULT_YEARS == 8
