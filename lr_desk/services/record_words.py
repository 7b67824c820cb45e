"""Records and their fields in the words staff use, never as the database names them.

Read by the audit log ("Changed phone number and postcode") and by Needs review (which
field of which record two desks disagreed on, and the two values). Every column of every
synced record has its words here: a test walks the models so none is left out.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from lr_desk.store.clock import local_time
from lr_desk.store.models import (
    BENEFITS,
    BENEFITS_RULES,
    CAPACITY,
    CAPACITY_PERIODS,
    CONSENT_KINDS,
    CONTACT_WAYS,
    DECLINE_REASONS,
    DELIVERY,
    ERASURE_REASONS,
    FOLLOWUP_WAYS,
    ITEM_KINDS,
    MODES,
    REFERRAL_EVENT_KINDS,
    REFERRAL_SOURCES,
    REFERRAL_STATUSES,
    REFERRAL_VIEWS,
    ROLES,
    WELLBEING_MEASURES,
)

# Which kind of record, as a heading ("Follow-up") and in a sentence ("the follow-up").
KINDS = {
    "person": ("Person's details", "their details"),
    "conversation": ("Conversation", "the conversation"),
    "conversation_need": ("Need raised", "a need raised"),
    "prescription": ("Social prescription", "the social prescription"),
    "prescription_item": ("Prescription item", "an item of a social prescription"),
    "referral": ("Referral", "the referral"),
    "referral_event": ("Referral step", "a step of a referral"),
    "follow_up": ("Follow-up", "the follow-up"),
    "person_merge": ("Merge of two records", "a merge of two records"),
    "not_duplicate": ("Not the same person", "a note that two records are different people"),
    "consent": ("Consent", "a consent"),
    "erasure": ("Erasure", "an erasure"),
    "advisor": ("Staff account", "a staff account"),
    "partner": ("Partner", "a partner"),
    "partner_service": ("Partner service", "a partner's service"),
    "partner_contact": ("Partner's contact", "a contact at a partner"),
    "partner_catchup": ("Catch-up with a partner", "a catch-up with a partner"),
    "service_gap": ("Service gap", "a note of a need no service could meet"),
    "course": ("Course", "a course"),
    "wellbeing_measure": ("Wellbeing measure", "a wellbeing measure"),
    "audit_event": ("Audit record", "an audit record"),
    # not a record: a file made (services.gp_export), named in the audit log
    "gp_referrals": ("GP referrals file", "the GP referrals file"),
}

# Every field, as a few words that fit "Changed ... and ...".
_EVERY = {"id": "record number", "created_at": "time it was made",
          "updated_at": "time it was last changed", "deleted_at": "deletion"}
FIELDS: dict[str, dict[str, str]] = {
    "advisor": {
        "name": "name", "home_site": "home hub", "active": "whether they can sign in",
        "username": "username", "role": "role", "password_hash": "password",
        "public_key": "signing key", "sealed_key": "locked signing key",
        "proof": "manager's or admin's approval"},
    "person": {
        "given_name": "first name", "family_name": "last name",
        "preferred_name": "preferred name", "date_of_birth": "date of birth",
        "postcode": "postcode", "phone": "phone number", "email": "email address",
        "referral_source": "how they came to us", "referral_source_detail":
        "who referred them", "service_user": "whether they use Mersey Care services",
        "carer": "whether they are a carer", "needs_large_print": "large print",
        "needs_easy_read": "easy read", "needs_interpreter": "interpreter needed",
        "interpreter_language": "interpreter's language", "needs_bsl": "BSL interpreter",
        "communication_other": "other communication needs",
        "on_benefits": "whether they receive benefits", "nhs_number": "NHS number",
        "registered_site": "hub they registered at", "registered_by": "who registered them",
        "merged_into": "record they are merged into", "erased_at": "erasure"},
    "partner": {
        "name": "name", "phone": "phone number", "web": "web address",
        "key_contact": "key contact", "key_contact_phone": "key contact's phone number",
        "key_contact_email": "key contact's email address", "notes": "notes",
        "is_example": "whether it is an example",
        "catchup_every_months": "how often catch-ups are planned",
        "feed_id": "number in the Open Referral feed",
        "feed_record": "record as the Open Referral feed gave it"},
    "partner_contact": {
        "partner_id": "partner", "name": "name", "role": "role", "phone": "phone number",
        "email": "email address", "is_key": "whether they are the key contact",
        "feed_id": "number in the Open Referral feed"},
    "partner_catchup": {
        "partner_id": "partner", "planned_on": "date planned", "held_on": "date held",
        "who": "who was there", "notes": "notes", "advisor_id": "who recorded it"},
    "partner_service": {
        "partner_id": "partner", "name": "name", "category": "kind of need it meets",
        "description": "description", "delivery": "where it is delivered",
        "site_code": "hub", "location": "place", "when_text": "days and times",
        "phone": "phone number", "web": "web address", "is_example": "whether it is an example",
        "capacity": "whether it is taking referrals", "wait_weeks": "typical wait",
        "paused_until": "date it is paused until",
        "capacity_confirmed_on": "date its capacity was last confirmed",
        "takes": "how many new referrals it can take", "takes_per": "taken a week or a month",
        "reply_days": "how long it usually takes to reply",
        "reply_deadline_days": "days it has to reply", "min_age": "youngest age",
        "max_age": "oldest age", "catchment": "area it covers",
        "benefits_rule": "who it is for, by benefits", "once_only": "whether it is once only",
        "once_lookback_months": "how far back once only looks",
        "criteria": "other criteria", "feed_id": "number in the Open Referral feed",
        "feed_record": "record as the Open Referral feed gave it"},
    "service_gap": {
        "category": "need", "site_code": "where", "words": "what was needed, in words",
        "advisor_id": "advisor", "conversation_id": "conversation",
        "recorded_at": "when it was noted"},
    "course": {
        "title": "title", "provider": "who runs it", "site_code": "hub",
        "starts_on": "start date", "ends_on": "end date", "when_text": "days and times",
        "description": "description", "is_example": "whether it is an example"},
    "conversation": {
        "person_id": "person it is about", "occurred_at": "date and time",
        "site_code": "where it took place", "mode": "how it took place",
        "advisor_id": "advisor", "what_matters": "what matters to them",
        "private_notes": "private notes", "escalated": "whether it was escalated",
        "escalation_reason": "reason for escalating", "escalation_action":
        "what was done about it"},
    "conversation_need": {"conversation_id": "conversation", "category": "need"},
    "prescription": {
        "person_id": "person it is for", "conversation_id": "conversation",
        "advisor_id": "advisor", "sheet_at": "when the take-home sheet was given",
        "sheet_how": "how the take-home sheet was given",
        "sheet_by": "who gave the take-home sheet"},
    "prescription_item": {
        "prescription_id": "social prescription", "position": "place in the list",
        "kind": "kind of item", "service_id": "partner's service", "course_id": "course",
        "title": "title", "why": "why", "first_step": "first step",
        "target_date": "target date"},
    "referral": {
        "person_id": "person it is for", "item_id": "prescription item",
        "service_id": "partner's service", "status": "status",
        "status_at": "when the status changed", "reply_due": "date a reply is due",
        "override_warnings": "what the checks said when it was made anyway",
        "override_reason": "why it was made anyway",
        "view": "their view of whether it helped", "view_words": "their view in their words",
        "view_at": "when they gave their view",
        "letter_at": "when the referral letter was given",
        "letter_how": "how the referral letter was given",
        "letter_by": "who gave the referral letter"},
    "referral_event": {
        "referral_id": "referral", "kind": "kind of step", "from_status": "status corrected",
        "reason_code": "reason given", "status": "status", "at": "date and time",
        "advisor_id": "advisor", "reason": "reason", "note": "note"},
    "follow_up": {
        "person_id": "person it is for", "conversation_id": "conversation",
        "due_date": "date due", "due_time": "time due", "way": "way of following up",
        "site_code": "hub", "assigned_to": "who it is for", "done_at": "when it was done",
        "done_by": "who did it", "outcome": "outcome"},
    "person_merge": {
        "survivor_id": "record kept", "merged_id": "record merged into it",
        "advisor_id": "advisor", "moved": "records moved", "undone_at": "undoing"},
    "not_duplicate": {"person_a": "one record", "person_b": "the other record",
                      "advisor_id": "advisor"},
    "audit_event": {
        "at": "time", "advisor_id": "who", "device_id": "desk", "action": "what was done",
        "entity": "kind of record", "entity_id": "record", "person_id": "person",
        "detail": "detail"},
    "consent": {
        "person_id": "person it is for", "kind": "what it is consent to",
        "partner_id": "partner", "ways": "ways to contact them",
        "given": "whether it is given", "recorded_at": "when it was recorded",
        "recorded_by": "who recorded it", "note": "note"},
    "wellbeing_measure": {
        "person_id": "person who answered", "measure": "which measure",
        "answers": "answers", "raw_total": "total of the answers",
        "taken_at": "when it was asked", "site_code": "where it was asked",
        "advisor_id": "advisor", "conversation_id": "conversation",
        "follow_up_id": "follow-up"},
    "erasure": {
        "person_id": "person", "requested_by": "who asked", "approved_by": "manager who approved",
        "at": "time", "reason": "reason", "record_ids": "records erased",
        "proof": "manager's approval"},
}
for _fields in FIELDS.values():
    for _name, _words in _EVERY.items():
        _fields.setdefault(_name, _words)

# Changes that say more as a deed than as "changed <field>" (a field on its own or with
# the others it is written with).
DEEDS = {
    ("follow_up", "done_at"): "marked it done",
    ("referral", "status"): "moved it on to a new status",
    ("person_merge", "undone_at"): "undid the merge",
    ("prescription", "sheet_at"): "gave the take-home sheet",
    ("referral", "letter_at"): "gave the referral letter",
    ("referral", "view"): "recorded their view of whether it helped",
    ("partner_catchup", "held_on"): "recorded the catch-up as held",
    ("advisor", "password_hash"): "changed the password",
    ("person", "erased_at"): "erased their information",
    ("deleted_at", ""): "restored it",  # a change (not a delete) to deleted_at
}
# Written alongside a deed, and said by it.
GOES_WITH = {
    ("follow_up", "done_at"): {"done_by", "outcome"},
    ("referral", "status"): {"status_at"},
    ("prescription", "sheet_at"): {"sheet_how", "sheet_by"},
    ("referral", "letter_at"): {"letter_how", "letter_by"},
    ("referral", "view"): {"view_words", "view_at"},
    ("partner_catchup", "held_on"): {"who", "notes"},
    ("advisor", "password_hash"): {"sealed_key", "public_key", "proof"},
}


def kind(entity: str) -> str:
    """The kind of record as a heading: "Follow-up"."""
    return KINDS.get(entity, (entity.replace("_", " ").capitalize(), ""))[0]


def field_label(entity: str, name: str) -> str:
    """A field as a heading: "Phone number"."""
    words = field_words(entity, name)
    return words[:1].upper() + words[1:]


def field_words(entity: str, name: str) -> str:
    """A field in a sentence: "phone number" (never a database name)."""
    words = FIELDS.get(entity, {}).get(name) or _EVERY.get(name)
    if words:
        return words
    bare = name.removesuffix("_id").replace("_", " ").strip()
    return bare or "a detail"


def listed(words: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    words = [w for w in dict.fromkeys(words) if w]
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def change_words(entity: str, names: list[str]) -> str:
    """What a change to these fields did, as a sentence: "Changed phone number and
    postcode", "Marked it done", "Restored it"."""
    names = [n for n in names if n not in ("updated_at", "created_at")]
    deeds, said = [], set()
    for name in names:
        deed = DEEDS.get((entity, name)) or (DEEDS[("deleted_at", "")]
                                            if name == "deleted_at" else None)
        if deed:
            deeds.append(deed)
            said |= {name} | GOES_WITH.get((entity, name), set())
    rest = [field_words(entity, n) for n in names if n not in said]
    parts = deeds + ([f"changed {listed(rest)}"] if rest else [])
    text = listed(parts) or "changed nothing that is shown"
    return text[:1].upper() + text[1:]


# Values in words: the choices a field holds by code, and dates as people write them.
GIVEN_HOW = {"printed": "Printed", "saved": "Saved as a PDF file"}
CHOICES = {
    ("person", "referral_source"): REFERRAL_SOURCES, ("conversation", "mode"): MODES,
    ("prescription_item", "kind"): ITEM_KINDS, ("referral", "status"): REFERRAL_STATUSES,
    ("referral_event", "status"): REFERRAL_STATUSES, ("follow_up", "way"): FOLLOWUP_WAYS,
    ("partner_service", "delivery"): DELIVERY, ("consent", "kind"): CONSENT_KINDS,
    ("consent", "ways"): CONTACT_WAYS, ("erasure", "reason"): ERASURE_REASONS,
    ("advisor", "role"): ROLES, ("prescription", "sheet_how"): GIVEN_HOW,
    ("referral", "letter_how"): GIVEN_HOW, ("person", "on_benefits"): BENEFITS,
    ("referral", "view"): REFERRAL_VIEWS, ("referral_event", "kind"): REFERRAL_EVENT_KINDS,
    ("referral_event", "from_status"): REFERRAL_STATUSES,
    ("referral_event", "reason_code"): DECLINE_REASONS,
    ("partner_service", "capacity"): CAPACITY,
    ("partner_service", "takes_per"): CAPACITY_PERIODS,
    ("partner_service", "benefits_rule"): BENEFITS_RULES,
    ("wellbeing_measure", "measure"): WELLBEING_MEASURES,
}
# Where a choice left empty says something of its own.
EMPTY = {("person", "on_benefits"): "Not asked",
         ("partner_service", "benefits_rule"): BENEFITS_RULES[""]}


def value_words(entity: str, name: str, value: Any) -> str:
    """A field's value as staff read it: "Yes", "Sent", "4 Mar 2025", "(empty)". Times
    are stored in UTC and shown in local time."""
    if value is None or value == "" or value == []:
        return EMPTY.get((entity, name), "(empty)")
    if value is True or value is False:
        return "Yes" if value else "No"
    choices = CHOICES.get((entity, name))
    if choices is not None and isinstance(value, str):
        return ", ".join(choices.get(v.strip(), v.strip()) for v in value.split(","))
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            value = datetime.fromisoformat(value) if len(value) > 10 else \
                date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return local_time(value).strftime("%-d %b %Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%-d %b %Y")
    if isinstance(value, dict) and (entity, name) == ("wellbeing_measure", "answers"):
        text = "; ".join(f"question {k}: {v}" for k, v in
                         sorted(value.items(), key=lambda kv: (len(str(kv[0])), str(kv[0]))))
        return text[:1].upper() + text[1:]
    return str(value)
