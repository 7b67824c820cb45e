"""For the erasure tests (here and in tests/sync, tests/ui): a person with something
distinctive in every personal field and every record under them, what reports count,
and where on disk (or in a central log) any of it is still to be found."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import text

from lr_desk.services import dropin, people, referrals
from lr_desk.services.reference import example_id
from lr_desk.store.models import Consent

TODAY = date(2025, 6, 11)
SERVICE = example_id("service", "Example Housing Trust", "Tenancy support")
# Every personal value holds one of these; none of them is anywhere else, nor can it
# turn up by chance. A desk's files also hold random text: signatures, public and sealed
# keys and password hashes in base64 (about 1,300 characters a run), clocks and times in
# digits, and binary pages. The free texts' mark used to be "Qx7", and the phone's secret
# its last six digits: "Qx7" turned up inside a manager account's signature
# ("iElkQx7au9/s...", in every desk's file and in the log), which the erasure tests took
# for an erased person's values left on disk (about 1 run in 200: 1,300 / 64**3). MARK
# has a "~", which base64, hex, digits and clocks never hold, and is too long for chance.
GIVEN, FAMILY = "Zephyrine", "Quillfeather"
MARK = "Qx7~quill"
PHONE = "07700 900461"
SECRETS = (GIVEN, FAMILY, MARK, "zq.quill@example.org", PHONE, PHONE.replace(" ", ""),
           "1983-04-17", "Zephy")


def person_form(**extra) -> dict:
    return {"given_name": GIVEN, "family_name": FAMILY, "preferred_name": "Zephy",
            "date_of_birth": "17/04/1983", "postcode": "L4 0TH", "phone": PHONE,
            "email": "zq.quill@example.org", "referral_source": "gp",
            "referral_source_detail": f"Dr {MARK} at the {MARK} practice", "service_user": True,
            "carer": True, "needs_interpreter": True, "interpreter_language": f"{MARK}ese",
            "communication_other": f"{MARK}: write things down", **extra}


def drop_in(mark: str) -> dict:
    """A whole drop-in, its every free text carrying ``mark``."""
    return {
        "conversation": {
            "date": "11/06/2025", "time": "10:15", "site_code": "walton", "mode": "drop_in",
            "what_matters": f"{mark} what matters: her dog Biscuit",
            "private_notes": f"{mark} private: lives with her sister",
            "escalated": True, "escalation_reason": "distress",
            "escalation_action": f"{mark} escalation: called the crisis line",
            "needs": ["housing", "social_isolation"],
        },
        "items": [
            {"kind": "own_step", "title": f"{mark} walk to the park with Biscuit",
             "why": f"{mark} why", "first_step": f"{mark} first step"},
            {"kind": "partner_service", "service_id": SERVICE, "title": "Tenancy help",
             "why": f"{mark} rent arrears", "first_step": f"{mark} call them", "refer": True,
             "referral_status": "agreed"},
        ],
        "follow_up": {"due_date": "18/06/2025", "due_time": "9:30", "way": "call"},
    }


def make_history(session, person_id: str, advisor_id: str, mark: str = MARK) -> None:
    """A drop-in with a prescription, a referral and a follow-up, then the referral's next
    step and the follow-up's outcome, and a consent, all with ``mark`` in their text."""
    done = dropin.record_drop_in(session, person_id, advisor_id, drop_in(mark), today=TODAY)
    referrals.set_status(session, done.referral_ids[0], "declined", advisor_id,
                         reason_code="other", reason=f"{mark} reason: moved away",
                         note=f"{mark} note")
    dropin.complete_follow_up(session, done.follow_up_id, advisor_id, f"{mark} outcome: ok")
    session.add(Consent(person_id=person_id, kind="keep", recorded_by=advisor_id,
                        note=f"{mark} consent note"))
    session.flush()


def rich_person(session, advisor_id: str, site: str = "walton") -> str:
    person = people.register(session, person_form(), advisor_id, site, today=TODAY)
    make_history(session, person.id, advisor_id)
    return person.id


REPORTS = {
    "people": "SELECT registered_site, referral_source, service_user, carer, needs_interpreter,"
              " needs_bsl, date(created_at), count(*) FROM person GROUP BY 1, 2, 3, 4, 5, 6, 7",
    "conversations": "SELECT site_code, mode, escalated, escalation_reason, date(occurred_at),"
                     " count(*) FROM conversation GROUP BY 1, 2, 3, 4, 5",
    "needs": "SELECT category, count(*) FROM conversation_need GROUP BY 1",
    "items": "SELECT kind, service_id, course_id, count(*) FROM prescription_item "
             "GROUP BY 1, 2, 3",
    "referrals": "SELECT status, service_id, count(*) FROM referral GROUP BY 1, 2",
    "steps": "SELECT status, count(*) FROM referral_event GROUP BY 1",
    "follow_ups": "SELECT way, done_at IS NOT NULL, count(*) FROM follow_up GROUP BY 1, 2",
    "consents": "SELECT kind, given, count(*) FROM consent GROUP BY 1, 2",
}


def report_counts(store) -> dict[str, list[tuple]]:
    """What reports count, by every category they count by."""
    with store.engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(text(sql))]
                for name, sql in REPORTS.items()}


def files_of(store) -> list[Path]:
    path = getattr(store, "path", store)
    return [p for p in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def found_in_files(store, secrets=SECRETS) -> dict[str, list[str]]:
    """Which of the secrets are in the raw bytes of a desk's database files (or of the
    SQLite file at a path); these test files are not encrypted: the bytes are the real
    check."""
    out = {}
    for path in files_of(store):
        data = path.read_bytes()
        hits = [s for s in secrets if s.encode() in data]
        if hits:
            out[path.name] = hits
    return out


def found_in_log(central, secrets=SECRETS) -> list[str]:
    """Which of the secrets any change in the central log still holds."""
    import json

    log = json.dumps([[c.fields, c.seen] for c in central.pull(0, 1_000_000)])
    return [s for s in secrets if s in log]
