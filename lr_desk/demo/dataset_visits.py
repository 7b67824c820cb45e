"""The benchmark dataset's conversations and everything made in them (needs,
prescriptions and their items, referrals with their histories, follow-ups), in time
order, written in chunks as they are made."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import TYPE_CHECKING

from sqlalchemy import insert

from lr_desk.demo.synth import dict_weights, referral_steps, working_day
from lr_desk.demo.words import (
    ESCALATION_ACTIONS,
    FIRST_STEPS,
    FOLLOW_UP_OUTCOMES,
    ITEM_CATEGORY_WEIGHTS,
    NEED_WEIGHTS,
    OWN_STEPS,
    PRIVATE_NOTES,
    WHAT_MATTERS,
    WHY,
)
from lr_desk.store.clock import new_id
from lr_desk.store.models import (
    Conversation,
    ConversationNeed,
    FollowUp,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
)

if TYPE_CHECKING:
    from lr_desk.demo.dataset import Build

CHUNK = 20_000


def chunks(rows: list[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def write_conversations(b: Build, visit_keys: list[int], shift: int, person_ids: list[str],
                        home: list[str], active_by: dict[str, list[list[str]]],
                        service_by_cat: dict[str, list[tuple[str, str]]],
                        course_list: list) -> dict[str, int]:
    """Write every conversation in ``visit_keys``; the rows written, by table."""
    s, rng, today, day0, days, midnight, say = (b.s, b.rng, b.today, b.day0, b.days,
                                                 b.midnight, b.say)
    hubs = b.hubs
    tables = {name: [] for name in ("conversation", "conversation_need", "prescription",
                                    "prescription_item", "referral", "referral_event",
                                    "follow_up")}
    models = {"conversation": Conversation, "conversation_need": ConversationNeed,
              "prescription": Prescription, "prescription_item": PrescriptionItem,
              "referral": Referral, "referral_event": ReferralEvent,
              "follow_up": FollowUp}
    totals = dict.fromkeys(tables, 0)

    def flush() -> None:
        for name, buffer in tables.items():  # parents before children
            if buffer:
                s.execute(insert(models[name].__table__), buffer)
                totals[name] += len(buffer)
                buffer.clear()
        s.commit()

    item_cats, item_cum = dict_weights(ITEM_CATEGORY_WEIGHTS)
    need_cats, need_cum = dict_weights(NEED_WEIGHTS)
    covid_from = (date(2020, 3, 23) - day0).days
    covid_to = (date(2021, 6, 21) - day0).days
    statuses_open = ("suggested", "agreed", "sent")
    conv_rows = tables["conversation"]
    need_rows = tables["conversation_need"]
    rx_rows = tables["prescription"]
    item_rows = tables["prescription_item"]
    ref_rows = tables["referral"]
    event_rows = tables["referral_event"]
    fu_rows = tables["follow_up"]
    mask = (1 << shift) - 1
    rand = rng.random

    def pick(options: list[str]) -> str:
        return options[int(rand() * len(options))]
    for key in visit_keys:
        p = key & mask
        minute = key >> shift
        d = minute // 1440
        when = midnight[d] + timedelta(minutes=minute % 1440)
        hub = home[p]
        r = rand()
        if covid_from <= d <= covid_to:
            site = "telephone" if r < 0.6 else "video" if r < 0.8 else hub
        else:
            site = ("telephone" if r < 0.08 else "video" if r < 0.10 else
                    "peripatetic" if r < 0.15 else
                    rng.choice(hubs) if r < 0.20 else hub)
        mode = {"telephone": "telephone", "video": "video",
                "peripatetic": "outreach"}.get(site, "drop_in")
        pool = active_by["remote" if site not in active_by else site][d // 30]
        adv = pool[int(rand() * len(pool))]
        cid = new_id()
        escalated = rand() < 0.02
        reason = rng.choice(("distress", "safeguarding", "clinical")) if escalated else ""
        conv_rows.append({
            "id": cid, "created_at": when, "updated_at": when, "deleted_at": None,
            "person_id": person_ids[p], "occurred_at": when, "site_code": site,
            "mode": mode, "advisor_id": adv,
            "what_matters": pick(WHAT_MATTERS) if rand() < 0.8 else "",
            "private_notes": pick(PRIVATE_NOTES) if rand() < 0.15 else "",
            "escalated": escalated, "escalation_reason": reason,
            "escalation_action": ESCALATION_ACTIONS[reason] if escalated else "",
        })
        needs: list[str] = []
        if rand() < 0.5:  # a prescription
            rx = new_id()
            rx_rows.append({"id": rx, "created_at": when, "updated_at": when,
                            "deleted_at": None, "person_id": person_ids[p],
                            "conversation_id": cid, "advisor_id": adv})
            n_items = 1 if (r := rand()) < 0.35 else 2 if r < 0.7 else 3 if r < 0.9 else 4
            for position in range(n_items):
                cat = item_cats[bisect.bisect(item_cum, rand() * item_cum[-1])]
                if cat not in needs:
                    needs.append(cat)
                service_id = course_id = None
                refer = False
                if cat == "learning":
                    kind = "course"
                    course_id, title = course_list[int(rand() * len(course_list))]
                elif cat == "other" or not service_by_cat.get(cat):
                    kind, title = "own_step", OWN_STEPS[int(rand() * len(OWN_STEPS))]
                else:
                    options = service_by_cat[cat]
                    service_id, title = options[int(rand() * len(options))]
                    kind = {"volunteering": "volunteering",
                            "mental_wellbeing": "peer_support"}.get(cat, "partner_service")
                    refer = rand() < 0.75
                item_id = new_id()
                item_rows.append({
                    "id": item_id, "created_at": when, "updated_at": when,
                    "deleted_at": None, "prescription_id": rx, "position": position,
                    "kind": kind, "service_id": service_id, "course_id": course_id,
                    "title": title,
                    "why": pick(WHY) if rand() < 0.7 else "",
                    "first_step": pick(FIRST_STEPS) if rand() < 0.7 else "",
                    "target_date": (days[d] + timedelta(days=28)) if rand() < 0.2 else None,
                })
                if refer:
                    ref_id = new_id()
                    opening = statuses_open[int(rand() * 3)]
                    status, status_at = opening, when
                    event_rows.append({
                        "id": new_id(), "created_at": when, "updated_at": when,
                        "deleted_at": None, "referral_id": ref_id, "status": opening,
                        "at": when, "advisor_id": adv, "reason": "", "note": ""})
                    steps = referral_steps(rng, opening, when, today)
                    ref_rows.append({
                        "id": ref_id, "created_at": when,
                        "updated_at": steps[-1][0] if steps else when,
                        "deleted_at": None, "person_id": person_ids[p],
                        "item_id": item_id, "service_id": service_id,
                        "status": steps[-1][1] if steps else status,
                        "status_at": steps[-1][0] if steps else status_at,
                    })
                    for s_when, s_status, s_reason, s_note in steps:
                        event_rows.append({
                            "id": new_id(), "created_at": s_when, "updated_at": s_when,
                            "deleted_at": None, "referral_id": ref_id,
                            "status": s_status, "at": s_when, "advisor_id": adv,
                            "reason": s_reason, "note": s_note})
        want = 1 if (r := rand()) < 0.45 else 2 if r < 0.8 else 3
        while len(needs) < want:
            need = need_cats[bisect.bisect(need_cum, rand() * need_cum[-1])]
            if need not in needs:
                needs.append(need)
        for need in needs[:3]:
            need_rows.append({"id": new_id(), "created_at": when, "updated_at": when,
                              "deleted_at": None, "conversation_id": cid,
                              "category": need})
        if rand() < 0.3:  # a follow-up
            due = working_day(days[d] + timedelta(days=(7, 14, 21, 28)[int(rand() * 4)]),
                           forward=True)
            age = (today - due).days
            done = age > 0 and rand() < (0.995 if age > 60 else 0.75)
            done_at = (datetime.combine(due, dtime(10 + int(rand() * 6), 15))
                       if done else None)
            fu_rows.append({
                "id": new_id(), "created_at": when, "updated_at": done_at or when,
                "deleted_at": None, "person_id": person_ids[p], "conversation_id": cid,
                "due_date": due, "due_time": "" if rand() < 0.6 else "10:30",
                "way": ("call", "call", "drop_in", "video", "text")[int(rand() * 5)],
                "site_code": site, "assigned_to": adv, "done_at": done_at,
                "done_by": adv if done else None,
                "outcome": pick(FOLLOW_UP_OUTCOMES) if done else "",
            })
        if len(conv_rows) >= CHUNK:
            flush()
            if totals["conversation"] % 100_000 == 0:
                say(f"conversations {totals['conversation']:,} of {len(visit_keys):,}")
    flush()
    return totals
