"""The demo profile's working desk: a dozen advisors, a few hundred people, two years of
conversations, prescriptions, referrals at every stage, and follow-ups due today, overdue
and coming up, wellbeing measured before and after (``demo.desk_outcomes``), written
through the services in one transaction (so the demo data is
validated like typed data and has outbox entries like real data)."""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dtime

from sqlalchemy import func, select

from lr_desk import settings
from lr_desk.demo.desk_finish import add_this_terms_courses, one_awaiting_reply
from lr_desk.demo.desk_outcomes import Kept, plan_outcomes
from lr_desk.demo.desk_outcomes import record as record_measure
from lr_desk.demo.directory import OVERRIDE_WHY, add_demo_directory
from lr_desk.demo.progress import Progress, Steps
from lr_desk.demo.synth import Synth, at_time, dict_weights, referral_steps, to_utc, working_day
from lr_desk.demo.words import (
    DECLINE_REASONS,
    ESCALATION_ACTIONS,
    FIRST_STEPS,
    FOLLOW_UP_OUTCOMES,
    HUB_WEIGHTS,
    ITEM_CATEGORY_WEIGHTS,
    NEED_WEIGHTS,
    OWN_STEPS,
    PRIVATE_NOTES,
    WHAT_MATTERS,
    WHY,
)
from lr_desk.services import advisors as advisor_service
from lr_desk.services import consent, directory, dropin, referrals
from lr_desk.services import people as people_service
from lr_desk.store.models import (
    FollowUp,
)

# the demo's decline words, by the reason on the list each is
DECLINED_BECAUSE = dict(zip(DECLINE_REASONS, ("outside_area", "not_eligible", "not_eligible",
                                              "no_capacity", "not_eligible"), strict=True))


# How far the fill has got at each stage, of progress.TOTAL (the people take the time)
PLANNING, PEOPLE, FINISHING = 10, 20, 980


def fill_demo(store, people: int = 400, seed: int = 2016, today: date | None = None,
              now: datetime | None = None, progress: Progress | None = None) -> None:
    """Fill a freshly opened demo store with a working desk, through the services.

    Deterministic for a seed, a ``today`` and a ``now`` (the ids are UUIDv7s, so they
    differ). ``now`` (default: the clock) caps the times of today's conversations; before
    opening time, "today's" visits happen on the weekday before. One
    transaction: either the whole desk is there and ``demo_filled`` is set, or nothing is.
    Does nothing if the store says it is already filled. ``progress(done, total, what)``,
    if given, hears how far it has got (``demo.progress``), on this thread.
    """
    now = now or datetime.now()
    today = today or now.date()
    rng = random.Random(seed)
    synth = Synth(rng)
    step = Steps(progress)
    with store.session() as s:
        if settings.get(s, "demo_filled"):
            step.end("The demo desk is ready")
            return
        step(0, "Adding the directory: partners and their services")
        add_demo_directory(s, today)  # partners with contacts, capacity and eligibility
        service_rows = directory.services(s)
        courses = directory.courses(s)
        by_category: dict[str, list] = defaultdict(list)
        for row in service_rows:
            by_category[row.service.category].append(row.service)
        step(PLANNING, "Planning two years of made-up visits")
        plan = _plan_demo(rng, synth, people, today, by_category, courses, now)
        measures, nhs = plan_outcomes(plan, seed)  # wellbeing answered, NHS numbers
        partner_of = {row.service.id: row.partner.id for row in service_rows}
        # referrals that will be sent: the person agrees to share with the partner first
        will_send = {payload[0] for _when, _order, kind, payload in plan
                     if kind == "status" and payload[1] == "sent"}
        sharing: set[tuple[str, str]] = set()  # (person, partner) agreed already

        # The services stamp times from s.info["now"]: the story's own times.
        hubs = list(HUB_WEIGHTS)
        advisor_ids: list[str] = []
        advisor_hub: list[str] = []
        s.info["now"] = to_utc(datetime.combine(today - timedelta(days=800), dtime(9, 0)))
        for i in range(12):
            hub = hubs[i % 3]
            born = synth.date_of_birth(today)
            name = f"{synth.given_name(born)} {synth.family_name()}"
            advisor_ids.append(advisor_service.create(s, name, hub).id)
            advisor_hub.append(hub)
        by_hub = {h: [i for i, x in enumerate(advisor_hub) if x == h] for h in hubs}

        kept = Kept()
        person_ids, follow_up_ids = kept.person_ids, kept.follow_up_ids
        conversation_advisor = kept.advisors
        referral_ids: dict[tuple[int, int], str] = {}
        story = sorted(plan + measures, key=lambda a: (a[0], a[1]))
        for done, (when, _order, kind, payload) in enumerate(story):
            step.part(PEOPLE, FINISHING, done, len(story),
                      f"Adding people: {len(person_ids)} of {people}, with their "
                      "conversations, plans and referrals", "people")
            s.info["now"] = to_utc(when)
            if kind == "register":
                key, raw, hub = payload
                adv = advisor_ids[by_hub[hub][key % len(by_hub[hub])]]
                person = people_service.register(s, {**raw, "nhs_number": nhs[key]}, adv, hub,
                                                 today=when.date())
                person_ids[key] = person.id
            elif kind == "drop_in":
                conv_key, person_key, raw, refer_keys = payload
                site = raw["conversation"]["site_code"]
                pool = by_hub.get(site) or list(range(len(advisor_ids)))
                adv = advisor_ids[pool[conv_key % len(pool)]]
                for ref_key in refer_keys:
                    item = raw["items"][ref_key[1]]
                    partner = partner_of[item["service_id"]]
                    if ((item["referral_status"] == "sent" or ref_key in will_send)
                            and (person_key, partner) not in sharing):
                        sharing.add((person_key, partner))
                        consent.record(s, person_ids[person_key], adv,
                                       {"kind": "share", "partner_id": partner},
                                       today=when.date())
                result = dropin.record_drop_in(s, person_ids[person_key], adv, raw,
                                               today=when.date())
                conversation_advisor[conv_key] = adv
                kept.conversation_ids[conv_key] = result.conversation_id
                for ref_key, ref_id in zip(refer_keys, result.referral_ids, strict=True):
                    referral_ids[ref_key] = ref_id
                if result.follow_up_id:
                    follow_up_ids[conv_key] = result.follow_up_id
            elif kind == "status":
                ref_key, status, reason, note = payload
                referrals.set_status(s, referral_ids[ref_key], status,
                                     conversation_advisor[ref_key[0]],
                                     reason_code=DECLINED_BECAUSE.get(reason, ""),
                                     reason=reason, note=note)
            elif kind == "follow_up_done":
                conv_key, outcome = payload
                dropin.complete_follow_up(s, follow_up_ids[conv_key],
                                          conversation_advisor[conv_key], outcome)
            elif kind == "wellbeing":
                record_measure(s, payload, kept)
        s.flush()
        s.info.pop("now")
        step(FINISHING, "Finishing: this term's courses, then saving it all")
        add_this_terms_courses(s, today)
        settings.put(s, "demo_filled", True)
        if not settings.get(s, "advisor_id"):
            # sit the newcomer at the desk of the advisor with the most on today
            busiest = s.scalar(
                select(FollowUp.assigned_to)
                .where(FollowUp.done_at.is_(None), FollowUp.due_date <= today)
                .group_by(FollowUp.assigned_to).order_by(func.count().desc()).limit(1))
            chosen = busiest or advisor_ids[0]
            settings.put(s, "advisor_id", chosen)
            settings.put(s, "site_code", advisor_hub[advisor_ids.index(chosen)])
        one_awaiting_reply(s, today, settings.get(s, "site_code"),
                            settings.get(s, "advisor_id"))
    step.end("The demo desk is ready")


def _plan_demo(rng: random.Random, synth: Synth, people: int, today: date,
               by_category: dict[str, list], courses: list,
               now: datetime | None = None) -> list[tuple]:
    """Every action of the demo's story as (when, order, kind, payload), in no order."""
    # today's visits: from opening time until 11:30, but never after ``now``
    opens, latest = 9 * 60 + 30, 11 * 60 + 30
    if now is not None and now.date() == today:
        latest = min(latest, now.hour * 60 + now.minute)
    visit_today = today if latest >= opens else working_day(today - timedelta(days=1))
    order = itertools.count()
    plan: list[tuple] = []
    item_cats = dict_weights({k: v for k, v in ITEM_CATEGORY_WEIGHTS.items()
                               if (k == "learning" and courses) or k == "other"
                               or by_category.get(k)})
    needs_w = dict_weights(NEED_WEIGHTS)
    earliest = today - timedelta(days=730)

    # Who is on the desk's lists today: a few people per role, the rest ordinary.
    n_role = max(1, people // 40)
    roles = (["due_today"] * n_role + ["overdue"] * (n_role + 2) + ["future"] * (2 * n_role) +
             (["seen_today"] * max(1, n_role // 2) if today.weekday() < 5 else []))
    roles += [""] * max(0, people - len(roles))
    rng.shuffle(roles)
    conv_key = itertools.count()

    for person_key, role in enumerate(roles[:people]):
        hub = synth.hub()
        visits = rng.choices((1, 2, 3, 4, 5, 6), cum_weights=(30, 55, 73, 85, 94, 100))[0]
        # the last conversation first, then earlier ones going back in time
        if role == "due_today":
            last = today - timedelta(days=rng.choice((7, 14, 21, 28)))
        elif role == "overdue":
            last = today - timedelta(days=rng.randint(10, 40))
        elif role == "future":
            last = today - timedelta(days=rng.randint(0, 10))
        elif role == "seen_today":
            last = today
        else:
            last = today - timedelta(days=int(730 * rng.random() ** 1.6) + 1)
        last = working_day(last) if role != "seen_today" else last
        if last == today:
            last = visit_today
        days = [last]
        for _ in range(visits - 1):
            prev = working_day(days[-1] - timedelta(days=rng.randint(7, 120)))
            if prev < earliest:
                break
            days.append(prev)
        days.reverse()
        times = [at_time(d, rng, opens, latest) if d == today else at_time(d, rng) for d in days]

        born = synth.date_of_birth(days[0])
        given = synth.given_name(born)
        raw_person = {
            "given_name": given,
            "family_name": synth.family_name(),
            "preferred_name": synth.preferred_name(given),
            "date_of_birth": born.strftime("%d/%m/%Y") if rng.random() < 0.95 else "",
            "postcode": synth.postcode(hub) if rng.random() < 0.92 else "",
            "phone": synth.phone(drama=True) if rng.random() < 0.85 else "",
            "referral_source": rng.choices(
                ("self", "gp", "pcn", "cpn", "partner", "consultant", "ot", "other"),
                cum_weights=(40, 58, 70, 80, 90, 94, 97, 100))[0],
            "service_user": rng.random() < 0.35,
            "carer": rng.random() < 0.12,
            "needs_large_print": rng.random() < 0.06,
            "needs_easy_read": rng.random() < 0.03,
        }
        if raw_person["referral_source"] == "gp":
            surgery = rng.choice(synth.streets)
            raw_person["referral_source_detail"] = f"Dr {synth.family_name()}, {surgery} Surgery"
        if rng.random() < 0.03:
            raw_person.update(needs_interpreter=True,
                              interpreter_language=rng.choice(("Polish", "Arabic", "Somali",
                                                               "Cantonese", "Tigrinya")))
        if rng.random() < 0.3:
            local = re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", given.lower())) or "me"
            raw_person["email"] = f"{local}{rng.randint(10, 999)}@example.com"
        plan.append((times[0], next(order), "register", (person_key, raw_person, hub)))

        for n, when in enumerate(times):
            key = next(conv_key)
            is_last = n == len(times) - 1
            site = hub
            r = rng.random()
            if r < 0.12:
                site = "telephone"
            elif r < 0.16:
                site = "video"
            elif r < 0.21:
                site = "peripatetic"
            mode = {"telephone": "telephone", "video": "video",
                    "peripatetic": "outreach"}.get(site, "drop_in")
            items, item_needs, refer_keys, steps = [], [], [], []
            if rng.random() < 0.6:
                for i in range(rng.choices((1, 2, 3), cum_weights=(45, 80, 100))[0]):
                    cat = synth.pick(item_cats)
                    item, refer = _demo_item(rng, cat, by_category, courses, when.date())
                    item_needs.append(cat)
                    if refer:
                        opening = rng.choices(("suggested", "agreed", "sent"),
                                              cum_weights=(45, 75, 100))[0]
                        item.update(refer=True, referral_status=opening,
                                    override_reason=OVERRIDE_WHY[key % len(OVERRIDE_WHY)])
                        ref_key = (key, i)
                        refer_keys.append(ref_key)
                        for s_when, status, reason, note in referral_steps(rng, opening, when,
                                                                           today):
                            steps.append((s_when, next(order), "status",
                                          (ref_key, status, reason, note)))
                    items.append(item)
            needs = list(dict.fromkeys(item_needs))
            while len(needs) < rng.choices((1, 2, 3), cum_weights=(40, 80, 100))[0]:
                need = synth.pick(needs_w)
                if need not in needs:
                    needs.append(need)
            conversation = {
                "date": when.strftime("%d/%m/%Y"), "time": when.strftime("%H:%M"),
                "site_code": site, "mode": mode, "needs": needs[:3],
                "what_matters": rng.choice(WHAT_MATTERS) if rng.random() < 0.8 else "",
                "private_notes": rng.choice(PRIVATE_NOTES) if rng.random() < 0.2 else "",
            }
            if rng.random() < 0.03:
                reason = rng.choice(list(ESCALATION_ACTIONS))
                conversation.update(escalated=True, escalation_reason=reason,
                                    escalation_action=ESCALATION_ACTIONS[reason])
            raw = {"conversation": conversation, "items": items}

            # a follow-up: the roles decide the last one; otherwise about half get one
            due = None
            done = False
            if is_last and role == "due_today":
                due = today
            elif is_last and role == "overdue":
                due = min(working_day(when.date() + timedelta(days=7), forward=True),
                          today - timedelta(days=1))
            elif is_last and role == "future":
                due = working_day(today + timedelta(days=rng.randint(1, 21)), forward=True)
            elif is_last and role == "seen_today":
                due = working_day(today + timedelta(days=rng.choice((7, 14))), forward=True)
            elif rng.random() < 0.45:
                due = working_day(when.date() + timedelta(days=rng.choice((7, 14, 21, 28))),
                               forward=True)
                if due < today:
                    done = rng.random() < (0.985 if (today - due).days > 30 else 0.8)
            if due is not None:
                raw["follow_up"] = {
                    "due_date": due.strftime("%d/%m/%Y"),
                    "due_time": rng.choice(("", "", "10:00", "10:30", "11:00", "14:00", "15:30")),
                    "way": rng.choices(("call", "drop_in", "video", "text"),
                                       cum_weights=(50, 80, 90, 100))[0],
                }
                if done:
                    plan.append((at_time(due, rng), next(order), "follow_up_done",
                                 (key, rng.choice(FOLLOW_UP_OUTCOMES))))
                else:  # came back on or after the due date: that visit closes it
                    back = next((t for t in times[n + 1:] if t.date() >= due), None)
                    if back is not None:
                        plan.append((back, next(order), "follow_up_done",
                                     (key, "Seen again at a later drop-in.")))
            plan.append((when, next(order), "drop_in", (key, person_key, raw, refer_keys)))
            plan.extend(steps)
    return plan


def _demo_item(rng: random.Random, category: str, by_category: dict[str, list], courses: list,
               day: date) -> tuple[dict, bool]:
    """One prescription item for a need category, and whether to refer it on."""
    item = {"why": rng.choice(WHY) if rng.random() < 0.8 else "",
            "first_step": rng.choice(FIRST_STEPS) if rng.random() < 0.8 else ""}
    if rng.random() < 0.3:
        item["target_date"] = (day + timedelta(days=rng.randint(14, 56))).strftime("%d/%m/%Y")
    if category == "learning" and courses:
        item.update(kind="course", course_id=rng.choice(courses).id, title="")
        return item, False
    services = by_category.get(category)
    if not services:
        item.update(kind="own_step", title=rng.choice(OWN_STEPS))
        return item, False
    service = rng.choice(services)
    kind = {"volunteering": "volunteering", "mental_wellbeing": "peer_support"}.get(
        category, "partner_service")
    item.update(kind=kind, service_id=service.id, title="")
    return item, rng.random() < 0.85

