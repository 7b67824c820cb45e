"""A day's work at one desk, offline, through lr_desk.services as an advisor would do it
(benchmarks/fifty_desks.py): people registered with a first drop-in, people from any desk
seen again (closing their open follow-up), prescription items with referrals (sent ones
with consent to share, given there and then), follow-ups, a referral moved on, a
follow-up done. Each save is its own transaction, as the forms save."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from lr_desk.demo.synth import Synth, at_time, to_utc, working_day
from lr_desk.demo.words import FIRST_STEPS, NEED_WEIGHTS, WHAT_MATTERS, WHY
from lr_desk.services import directory, dropin, people, referrals
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import Advisor, FollowUp, Person, Referral

NEEDS = list(NEED_WEIGHTS)


def _living(s, model, *where, limit: int = 200) -> list:
    return list(s.scalars(select(model.id).where(*where).order_by(model.id).limit(limit)))


def _drop_in(s, rng, person_id, adv, hub, when, services, open_fu) -> None:
    items = []
    for _ in range(rng.choice((0, 1, 1, 2))):
        if services and rng.random() < 0.7:
            status = rng.choice(("suggested", "agreed", "sent"))
            items.append({"kind": "partner_service", "service_id": rng.choice(services),
                          "why": rng.choice(WHY), "first_step": rng.choice(FIRST_STEPS),
                          "refer": rng.random() < 0.8, "referral_status": status,
                          "consent": status == "sent", "override_reason": "Agreed at desk."})
        else:
            items.append({"kind": "own_step", "title": "Walk to the park twice a week",
                          "why": rng.choice(WHY)})
    raw = {"conversation": {"date": when.strftime("%d/%m/%Y"), "time": when.strftime("%H:%M"),
                            "site_code": hub, "mode": "drop_in",
                            "needs": rng.sample(NEEDS, rng.choice((1, 2))),
                            "what_matters": rng.choice(WHAT_MATTERS)},
           "items": items}
    if rng.random() < 0.6:
        due = working_day(when.date() + timedelta(days=rng.choice((7, 14, 21))), forward=True)
        raw["follow_up"] = {"due_date": due.strftime("%d/%m/%Y"), "due_time": "10:30",
                            "way": rng.choice(("call", "drop_in", "text"))}
    if open_fu is not None:
        raw["close_follow_up"] = open_fu.id
    dropin.record_drop_in(s, person_id, adv, raw, today=when.date())


def day_of_work(store, rng: random.Random, day: date, hub: str, advisor: str,
                new_people: int = 2, returning: int = 2) -> int:
    """A desk's day offline, by its advisor (named ``advisor``), each save its own
    transaction (as the forms save): returns how many saves were made."""
    synth, saves = Synth(rng), 0
    with store.session() as s:
        adv = s.scalar(select(Advisor.id).where(Advisor.name == advisor))
        services = [row.service.id for row in directory.services(s)]
    times = sorted(at_time(day, rng) for _ in range(new_people + returning + 2))

    def save(when, do) -> None:
        nonlocal saves
        with store.session() as s:
            s.info["now"] = to_utc(when)
            try:
                with s.begin_nested():
                    saves += do(s)
            except (ValidationError, LookupError):  # e.g. moved on at another desk meanwhile
                pass

    for i in range(new_people):
        born = synth.date_of_birth(day)
        raw = {"given_name": synth.given_name(born), "family_name": synth.family_name(),
               "date_of_birth": born.strftime("%d/%m/%Y"), "postcode": synth.postcode(hub),
               "phone": synth.phone(drama=False), "referral_source": "self"}

        def register(s, raw=raw, when=times[i]):
            person = people.register(s, raw, adv, hub, today=day)
            _drop_in(s, rng, person.id, adv, hub, when, services, None)
            return 1
        save(times[i], register)
    for when in times[new_people:new_people + returning]:  # anyone, from any desk
        def visit(s, when=when):
            ids = _living(s, Person, Person.deleted_at.is_(None), Person.merged_into.is_(None))
            pid = rng.choice(ids)
            _drop_in(s, rng, pid, adv, hub, when, services, dropin.open_follow_up(s, pid))
            return 1
        save(when, visit)

    def step(s):
        # one of the referrals of people this desk registered
        ids = _living(s, Referral, Referral.status.in_(("sent", "accepted")),
                      Referral.person_id.in_(select(Person.id)
                                             .where(Person.registered_by == adv)))
        if ids:
            ref = s.get(Referral, rng.choice(ids))
            nxt = {"sent": "accepted", "accepted": "engaged"}[ref.status]
            referrals.set_status(s, ref.id, nxt, adv, note="Heard from the partner.")
        return len(ids) > 0
    save(times[-2], step)

    def follow_up(s):
        # one of this desk's advisor's follow-ups (a call made early)
        ids = _living(s, FollowUp, FollowUp.done_at.is_(None), FollowUp.deleted_at.is_(None),
                      FollowUp.assigned_to == adv)
        if ids:
            dropin.complete_follow_up(s, rng.choice(ids), adv, "Called: going well.")
        return len(ids) > 0
    save(times[-1], follow_up)
    return saves
