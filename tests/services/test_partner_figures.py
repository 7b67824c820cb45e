"""The partner page's figures against a small history counted by hand (the comments
say what each referral adds), on a real SQLite profile."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lr_desk.services import partners
from lr_desk.store.models import (
    Conversation,
    Partner,
    PartnerContact,
    PartnerService,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
)

# today is TODAY (Wed 11 Jun 2025): the load's months are Jul 2024 .. Jun 2025, and the
# period of the other figures begins on 1 Jul 2024


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour)


class History:
    """Partners, services and referrals written as a desk would hold them."""

    def __init__(self, store, person, advisor):
        self.store, self.person, self.advisor = store, person, advisor
        with store.session() as s:
            conversation = Conversation(person_id=person.id, occurred_at=at("2024-01-10"),
                                        site_code="walton", advisor_id=advisor.id)
            s.add(conversation)
            s.flush()
            rx = Prescription(person_id=person.id, conversation_id=conversation.id,
                              advisor_id=advisor.id)
            s.add(rx)
            s.flush()
            item = PrescriptionItem(prescription_id=rx.id, kind="partner_service",
                                    title="Advice")
            s.add(item)
            s.flush()
            self.item_id = item.id

    def partner(self, name: str, created: str = "2024-01-10", **values) -> str:
        with self.store.session() as s:
            p = Partner(name=name, created_at=at(created), **values)
            s.add(p)
            s.flush()
            return p.id

    def service(self, partner_id: str, name: str, **values) -> str:
        with self.store.session() as s:
            row = PartnerService(partner_id=partner_id, name=name, category="housing",
                                 **values)
            s.add(row)
            s.flush()
            return row.id

    def referral(self, service_id: str, made: str, *steps, deleted: bool = False,
                 **values) -> str:
        """``steps``: (status, day) or (status, day, kind)."""
        with self.store.session() as s:
            status, status_at = "suggested", at(made)
            ref = Referral(person_id=self.person.id, item_id=self.item_id,
                           service_id=service_id, created_at=at(made), **values)
            s.add(ref)
            s.flush()
            s.add(ReferralEvent(referral_id=ref.id, status="suggested", at=at(made),
                                advisor_id=self.advisor.id))
            for step in steps:
                name, day, kind = (*step, "step") if len(step) == 2 else step
                s.add(ReferralEvent(referral_id=ref.id, status=name, at=at(day), kind=kind,
                                    advisor_id=self.advisor.id))
                if kind != "chase":
                    status, status_at = name, at(day)
            ref.status, ref.status_at = status, status_at
            if deleted:
                ref.deleted_at = at(made)
            return ref.id


@pytest.fixture
def history(store, make_person, advisor):
    h = History(store, make_person(), advisor)
    p = h.partner("Walton Advice", catchup_every_months=3)
    h.p = p
    s1 = h.service(p, "Advice line", takes=10, takes_per="month")
    s2 = h.service(p, "Drop-in", takes=3, takes_per="week", capacity="waiting")
    s3 = h.service(p, "Group")
    h.s1, h.s2, h.s3 = s1, s2, s3
    other = h.service(h.partner("Another Partner"), "Elsewhere", takes=5)
    # R1: sent Jan 2025 (S1), accepted 7 days later, then completed; helped a lot
    h.referral(s1, "2025-01-06", ("agreed", "2025-01-06"), ("sent", "2025-01-08"),
               ("accepted", "2025-01-15"), ("engaged", "2025-02-01"),
               ("completed", "2025-03-01"), view="helped_lot")
    # R2: sent Feb (S1), declined 10 days later; referred over a warning
    h.referral(s1, "2025-02-03", ("sent", "2025-02-03"), ("declined", "2025-02-13"),
               override_reason="The only service near them")
    # R3: sent May (S1), accepted the next day, then not taken up: accepted; did not go
    h.referral(s1, "2025-05-02", ("sent", "2025-05-05"), ("accepted", "2025-05-06"),
               ("not_taken_up", "2025-05-20"), view="did_not_go")
    # R4: sent May (S2), chased, no answer yet
    h.referral(s2, "2025-05-12", ("sent", "2025-05-12"), ("sent", "2025-05-30", "chase"))
    # R5: sent Jun (S2), accepted 4 days later; an override; helped a bit
    h.referral(s2, "2025-06-02", ("sent", "2025-06-03"), ("accepted", "2025-06-07"),
               override_reason="  They asked for it  ", view="helped_bit")
    # R6: agreed, never sent, not taken up: not an answer
    h.referral(s2, "2025-03-03", ("agreed", "2025-03-03"), ("not_taken_up", "2025-03-10"))
    # R12: sent Apr (S2), accepted by mistake the next day, corrected to declined
    h.referral(s2, "2025-04-07", ("sent", "2025-04-07"), ("accepted", "2025-04-08"),
               ("declined", "2025-04-09", "correction"))
    # R7: all before the period (S3): sent Mar 2024, accepted 10 days later, completed
    h.referral(s3, "2024-03-04", ("sent", "2024-03-04"), ("accepted", "2024-03-14"),
               ("completed", "2024-05-01"))
    # R8: made before the period, sent in its first month (S1), declined 3 days later
    h.referral(s1, "2024-06-20", ("sent", "2024-07-02"), ("declined", "2024-07-05"))
    # R9: deleted; R10: another partner's
    h.referral(s1, "2025-04-01", ("sent", "2025-04-01"), deleted=True)
    h.referral(other, "2025-04-02", ("sent", "2025-04-02"), ("accepted", "2025-04-03"))
    return h


def test_load_month_by_month_against_capacity(store, history, today):
    with store.session() as s:
        f = partners.figures(s, history.p, today)
    assert f.months[0] == date(2024, 7, 1) and f.months[-1] == date(2025, 6, 1)
    assert len(f.months) == 12
    by_name = {x.name: x for x in f.services}
    assert list(by_name) == ["Advice line", "Drop-in", "Group"]
    #                                  J  A  S  O  N  D  J  F  M  A  M  J
    assert by_name["Advice line"].sent == [1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0]
    assert by_name["Drop-in"].sent == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]
    assert by_name["Group"].sent == [0] * 12
    assert f.sent_all == [1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 2, 1]
    assert by_name["Advice line"].per_month == 10
    assert by_name["Drop-in"].per_month == pytest.approx(13.0)  # 3 a week x 52 / 12
    assert by_name["Group"].per_month is None
    assert f.capacity_all == pytest.approx(23.0)
    assert by_name["Drop-in"].capacity == "waiting"


def test_figures_for_the_last_twelve_months(store, history, today):
    with store.session() as s:
        f = partners.figures(s, history.p, today)
    assert f.since == date(2024, 7, 1)
    assert f.made == 7  # R1-R6 and R12
    assert f.by_status == {"suggested": 0, "agreed": 0, "sent": 1, "accepted": 1,
                           "declined": 2, "engaged": 0, "completed": 1, "not_taken_up": 2}
    assert list(f.by_status) == list(partners.REFERRAL_STATUSES)
    assert (f.completed, f.not_taken_up) == (1, 2)
    # answered: R1, R3 (accepted before it was not taken up), R5 yes; R2, R12 no
    assert (f.answered, f.accepted) == (5, 3)
    assert f.acceptance_rate == pytest.approx(0.6)
    # days to reply: 7 (R1), 10 (R2), 1 (R3), 4 (R5), 1 (R12): the median is 4
    assert (f.replies, f.median_reply_days) == (5, 4)
    assert f.overrides == 2
    assert f.views == {"helped_lot": 1, "helped_bit": 1, "not_really": 0, "did_not_go": 1}
    assert f.views_given == 3


def test_figures_for_all_time(store, history, today):
    with store.session() as s:
        f = partners.figures(s, history.p, today, all_time=True)
    assert f.since is None and f.made == 9
    assert f.by_status["completed"] == 2 and f.by_status["declined"] == 3
    assert (f.answered, f.accepted) == (7, 4)  # and R7 yes, R8 no
    assert f.median_reply_days == 4  # 1 1 3 4 7 10 10
    # each status is counted for all time either way
    with store.session() as s:
        recent = partners.figures(s, history.p, today)
    assert recent.by_status_all == f.by_status


def test_a_partner_with_nothing_yet(store, history, today):
    p = history.partner("New Partner", created="2025-06-01")
    with store.session() as s:
        f = partners.figures(s, p, today)
        assert partners.figures(s, "no-such-partner", today) is None
    assert f.services == [] and f.sent_all == [0] * 12 and f.capacity_all is None
    assert (f.made, f.answered, f.acceptance_rate, f.median_reply_days) == (0, 0, None, None)
    assert f.key_contact is None and f.contacts == []
    assert f.next_catchup is not None and f.next_catchup.planned_on == date(2025, 9, 1)


def test_contacts_and_key_contact(store, history, today):
    with store.session() as s:
        s.add_all([PartnerContact(partner_id=history.p, name="Ria Shah", role="Manager",
                                  is_key=True, phone="0151 000 1234"),
                   PartnerContact(partner_id=history.p, name="Ben Cole", role="Volunteer")])
    with store.session() as s:
        f = partners.figures(s, history.p, today)
    assert [c.name for c in f.contacts] == ["Ria Shah", "Ben Cole"]
    assert f.key_contact.name == "Ria Shah"


def test_the_median_of_counted_values():
    assert partners._median([(1, 1), (3, 1)], 2) == 2
    assert partners._median([(2, 3), (9, 1)], 4) == 2
    assert partners._median([(1, 2), (5, 2)], 4) == 3
    assert partners._median([], 0) is None


def test_months_and_words(today):
    assert partners.month_starts(date(2025, 1, 31))[:2] == [date(2024, 2, 1), date(2024, 3, 1)]
    assert partners.since_words(date(2024, 7, 1), today) == "since 1 Jul 2024"
    assert partners.since_words(date(2025, 1, 1), today) == "since 1 Jan"
    assert partners.since_words(None, today) == "all time"
