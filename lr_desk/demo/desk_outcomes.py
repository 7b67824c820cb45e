"""The demo desk's outcome measures and NHS numbers (``demo.outcomes``: the same rules as
the ten-year dataset's), planned from the demo's story and kept through the services
(``services.wellbeing.record``), each with the conversation or the follow-up it was
answered at, at that time."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from lr_desk.demo.outcomes import Contact, Measure, NhsNumbers, plan_measures, who_answers
from lr_desk.services import wellbeing

LATER = 10**9  # a measure's place in the plan: after what it was answered at


@dataclass
class Kept:
    """What the demo's loop has written so far, by the plan's keys."""

    person_ids: dict[int, str] = field(default_factory=dict)
    conversation_ids: dict[int, str] = field(default_factory=dict)
    follow_up_ids: dict[int, str] = field(default_factory=dict)
    advisors: dict[int, str] = field(default_factory=dict)  # by conversation key


def plan_outcomes(plan: list[tuple], seed: int) -> tuple[list[tuple], dict[int, str]]:
    """The measures as plan actions ``(when, order, "wellbeing", Measure)``, each after
    what it was answered at, and each person's NHS number ("" for a few) by person key.
    Its own generator: the rest of the demo stays as it was."""
    rng = random.Random(f"demo outcomes {seed}")
    people: list[int] = []
    site_of: dict[int, str] = {}
    person_of: dict[int, int] = {}
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for when, _order, kind, payload in sorted(plan, key=lambda a: (a[0], a[1])):
        if kind == "register":
            people.append(payload[0])
        elif kind == "drop_in":
            conv_key, person_key, raw, _refer = payload
            site_of[conv_key] = raw["conversation"]["site_code"]
            person_of[conv_key] = person_key
            contacts[person_key].append(Contact(when, "conversation", conv_key,
                                                site_of[conv_key], conv_key))
        elif kind == "follow_up_done":
            conv_key = payload[0]
            contacts[person_of[conv_key]].append(Contact(when, "follow_up", conv_key,
                                                         site_of[conv_key], conv_key))
    numbers = NhsNumbers(rng)
    nhs = {person: numbers.maybe() for person in people}
    swemwbs, ons4_alone = who_answers(rng, people)
    measures = plan_measures(rng, contacts, swemwbs, ons4_alone)
    return ([(m.contact.when, LATER + i, "wellbeing", m) for i, m in enumerate(measures)],
            nhs)


def record(s: Session, m: Measure, kept: Kept) -> None:
    """Keep one planned measure, now (the story's time)."""
    c = m.contact
    wellbeing.record(
        s, kept.person_ids[m.person], m.measure, m.answers, kept.advisors[c.advisor], c.site,
        conversation_id=kept.conversation_ids[c.ref] if c.kind == "conversation" else None,
        follow_up_id=kept.follow_up_ids[c.ref] if c.kind == "follow_up" else None)
