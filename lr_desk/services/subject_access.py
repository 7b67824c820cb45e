"""A subject access request: everything this desk holds about one person, as JSON and
as a readable PDF, handed to them (UK GDPR article 15).

    gather(session, person_id) -> dict      the document (plain JSON values)
    to_json(document) -> bytes
    write_files(document, folder) -> ExportResult   the PDF and the JSON, no database
    record_export(session, person_id)       in the audit log, once they are written
    export(session, person_id, folder) -> ExportResult   all three in one

The document is gathered here; each value is written as ``subject_access_words`` says
(times, days, names in words), and the files by ``subject_access_files`` (whose names,
and ``person_name``, this module also gives: it is the export's public face).

What it holds: the person's details and those of every record merged into them (the
merged family: ``duplicates.family``), their conversations with the needs raised,
*advisors' private notes included* (a subject access request covers them), prescriptions
and their items, referrals with every step (and, where a referral was made although the
eligibility or load checks said not, what they said and the advisor's reason: both are
about the person, as a private note is), the person's own view of each, service gaps
noted at their conversations, follow-ups, the wellbeing measures they answered (every
question in its words, with their answer), consents, merges, erasures, values kept for
review after two desks changed the same thing, unsaved forms kept on this desk, and the
audit log's records about them. Records deleted on the desk are still held (a
deletion is kept as a mark, so every desk agrees) and so are included, marked with when
they were deleted. Advisors, hubs, partners, services and courses are named in words.

Nothing about anyone else: every record is chosen by the family's person ids (or by the
ids of records already chosen); partners, services and courses are looked up by the ids
those records hold, never joined to other people's records.

The JSON document (``FORMAT_VERSION`` 1; every key is always present, null when empty):

    about            format, format_version, made_at, made_by, made_on_desk, person_id,
                     record_ids (the family), notes (plain-words explanations)
    person           the details: id, given_name, family_name, preferred_name,
                     date_of_birth, postcode, phone, email, came_to_us, came_to_us_detail,
                     mersey_care_service_user, carer, needs_large_print, needs_easy_read,
                     needs_interpreter, interpreter_language, needs_bsl,
                     communication_other, receives_benefits, registered_at,
                     registered_at_site,
                     registered_by, updated_at, merged_into, erased_at, deleted_at
    merged_records   the same, for each record merged into the person
    conversations    id, person_record_id, occurred_at, site, mode, advisor,
                     what_matters, needs [names],
                     service_gaps [id, need, site, words, noted_by, noted_at, deleted_at],
                     private_notes, escalated, escalation_reason, escalation_action,
                     recorded_at, deleted_at
    prescriptions    id, person_record_id, conversation_id, made_at, advisor,
                     sheet_given_at, sheet_given_how, sheet_given_by, deleted_at,
                     items [id, position, kind, title, partner, service, course, why,
                            first_step, target_date, deleted_at]
    referrals        id, person_record_id, prescription_item_id, partner, service, status,
                     status_at, made_at, reply_due, checks_said, made_anyway_because,
                     your_view, your_view_in_your_words, view_given_at, letter_given_at,
                     letter_given_how, letter_given_by, deleted_at,
                     events [id, at, status, kind, corrected_from, decline_reason,
                             advisor, reason, note, deleted_at]
    follow_ups       id, person_record_id, conversation_id, due_date, due_time, way, site,
                     assigned_to, done_at, done_by, outcome, deleted_at
    wellbeing        id, person_record_id, measure, taken_at, site, asked_by,
                     conversation_id, follow_up_id, answers [question, answer], total,
                     metric_score, notice, deleted_at
    consents         id, person_record_id, kind, partner, ways [words], given,
                     recorded_at, recorded_by, note, deleted_at
    merges           id, at, merged_record_id, into_record_id, by, undone_at
    not_the_same_person  id, at, by (the other record is someone else's: not named)
    erasures         id, at, requested_by, approved_by
    values_kept_for_review  id, record, record_id, field, value, by, recorded_at, settled
    unsaved_forms    form, record_id, saved_at, contents
    audit            id, at, action, by, record, record_id, detail, desk

Dates are ISO 8601 ("2025-06-11"); times are ISO 8601 in this computer's local time with
its offset from UTC ("2025-06-11T10:15:00+01:00").
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lr_desk.services import audit, duplicates
from lr_desk.services.subject_access_files import (
    ExportResult,
    check_folder,
    file_stem,
    to_json,
    write_files,
)
from lr_desk.services.subject_access_words import (
    Names,
    day,
    gap,
    person_details,
    person_name,
    referral_more,
    step_more,
    utc_time,
    wall_time,
    wellbeing_row,
)
from lr_desk.store.models import (
    AUDIT_ACTIONS,
    CONSENT_KINDS,
    CONTACT_WAYS,
    ESCALATION_REASONS,
    FOLLOWUP_WAYS,
    ITEM_KINDS,
    MODES,
    REFERRAL_STATUSES,
    AuditEvent,
    Conflict,
    Consent,
    Conversation,
    ConversationNeed,
    Device,
    Draft,
    Erasure,
    FollowUp,
    NotDuplicate,
    Person,
    PersonMerge,
    Prescription,
    PrescriptionItem,
    Referral,
    ReferralEvent,
    ServiceGap,
    WellbeingMeasure,
)

__all__ = [
    "AUDIT_DETAIL", "FORMAT", "FORMAT_VERSION", "ExportResult", "check_folder", "export",
    "file_stem", "gather", "person_name", "record_export", "to_json", "write_files",
]

FORMAT = "lr_desk subject access export"
FORMAT_VERSION = 1
AUDIT_DETAIL = "subject access: pdf+json"

NOTES = [
    "This is everything The Life Rooms' desk holds about this person: their details, "
    "every conversation, prescription, referral, follow-up and consent, and the record "
    "of who looked at or changed their information.",
    "Advisors' private notes are included: a subject access request covers them. So is, "
    "where a referral was made although our checks said the service might not take it, "
    "what the checks said and the advisor's reason.",
    "Records that were deleted on the desk are still held (a deletion is kept as a mark, "
    "so that every desk agrees), so they are included, with when they were deleted.",
    "Where a person was registered twice and the records were merged, both records and "
    "everything recorded against either are included.",
    "Staff, hubs and partner organisations are named in words. Nothing about any other "
    "person is included.",
    "Times are local times (UK), with their offset from UTC in the JSON file.",
]
# The form a draft belongs to, by its key's start (see the ui's EditorDialog keys).
FORMS = {"person": "Their details", "dropin": "A drop-in",
         "referral-step": "A referral's next step", "follow-up-done": "A follow-up's outcome"}


# --- the document ------------------------------------------------------------------------


def gather(session: Session, person_id: str, made_by: str | None = None,
           now: datetime | None = None) -> dict:
    """Everything held about the person ``person_id`` is (the survivor, if the record was
    merged), as a JSON-ready dict (see the module's docstring)."""
    survivor_id = duplicates.survivor(session, person_id)
    person = session.get(Person, survivor_id)
    if person is None:
        raise LookupError("This person's record is no longer on this desk.")
    family = duplicates.family(session, survivor_id)
    names = Names(session)
    record_ids: set[str] = set(family)  # every record chosen, for what refers to them

    conversations = list(session.scalars(
        select(Conversation).where(Conversation.person_id.in_(family))
        .order_by(Conversation.occurred_at, Conversation.id)))
    conv_ids = [c.id for c in conversations]
    needs: dict[str, list[str]] = {}
    for need in session.scalars(select(ConversationNeed).where(
            ConversationNeed.conversation_id.in_(conv_ids))
            .order_by(ConversationNeed.created_at, ConversationNeed.id)):
        record_ids.add(need.id)
        if need.deleted_at is None:
            needs.setdefault(need.conversation_id, []).append(
                names.categories.get(need.category, need.category))
    gaps: dict[str, list[dict]] = {}
    for g in session.scalars(select(ServiceGap).where(ServiceGap.conversation_id.in_(conv_ids))
                             .order_by(ServiceGap.recorded_at, ServiceGap.id)):
        record_ids.add(g.id)
        gaps.setdefault(g.conversation_id, []).append(gap(g, names))

    prescriptions = list(session.scalars(
        select(Prescription).where(Prescription.person_id.in_(family))
        .order_by(Prescription.created_at, Prescription.id)))
    items = list(session.scalars(
        select(PrescriptionItem).where(PrescriptionItem.prescription_id.in_(
            [rx.id for rx in prescriptions]))
        .order_by(PrescriptionItem.position, PrescriptionItem.id)))
    referrals = list(session.scalars(
        select(Referral).where(Referral.person_id.in_(family))
        .order_by(Referral.created_at, Referral.id)))
    events = list(session.scalars(
        select(ReferralEvent).where(ReferralEvent.referral_id.in_([r.id for r in referrals]))
        .order_by(ReferralEvent.at, ReferralEvent.id)))
    follow_ups = list(session.scalars(
        select(FollowUp).where(FollowUp.person_id.in_(family))
        .order_by(FollowUp.due_date, FollowUp.id)))
    consents = list(session.scalars(
        select(Consent).where(Consent.person_id.in_(family))
        .order_by(Consent.recorded_at, Consent.id)))
    measures = list(session.scalars(
        select(WellbeingMeasure).where(WellbeingMeasure.person_id.in_(family))
        .order_by(WellbeingMeasure.taken_at, WellbeingMeasure.id)))
    for rows in (conversations, prescriptions, items, referrals, events, follow_ups, consents,
                 measures):
        record_ids.update(r.id for r in rows)

    services = names.services({i.service_id for i in items if i.service_id}
                              | {r.service_id for r in referrals})
    courses = names.courses({i.course_id for i in items if i.course_id})
    partners = names.partners({c.partner_id for c in consents if c.partner_id})

    def service(service_id: str | None) -> tuple[str | None, str | None]:
        return services.get(service_id, (None, None)) if service_id else (None, None)

    items_of: dict[str, list[dict]] = {}
    for i in items:
        partner, service_name = service(i.service_id)
        items_of.setdefault(i.prescription_id, []).append({
            "id": i.id, "position": i.position, "kind": ITEM_KINDS.get(i.kind, i.kind),
            "title": i.title, "partner": partner, "service": service_name,
            "course": courses.get(i.course_id) if i.course_id else None,
            "why": i.why, "first_step": i.first_step, "target_date": day(i.target_date),
            "deleted_at": utc_time(i.deleted_at)})
    events_of: dict[str, list[dict]] = {}
    for e in events:
        events_of.setdefault(e.referral_id, []).append({
            "id": e.id, "at": utc_time(e.at), "status": REFERRAL_STATUSES.get(e.status, e.status),
            **step_more(e), "advisor": names.advisor(e.advisor_id), "reason": e.reason,
            "note": e.note,
            "deleted_at": utc_time(e.deleted_at)})

    merges = list(session.scalars(
        select(PersonMerge).where(or_(PersonMerge.survivor_id.in_(family),
                                      PersonMerge.merged_id.in_(family)))
        .order_by(PersonMerge.created_at, PersonMerge.id)))
    not_same = list(session.scalars(
        select(NotDuplicate).where(or_(NotDuplicate.person_a.in_(family),
                                       NotDuplicate.person_b.in_(family)))
        .order_by(NotDuplicate.created_at, NotDuplicate.id)))
    erasures = list(session.scalars(
        select(Erasure).where(Erasure.person_id.in_(family)).order_by(Erasure.at, Erasure.id)))
    audit = list(session.scalars(  # every record about a person names them (person_id)
        select(AuditEvent).where(AuditEvent.person_id.in_(family))
        .order_by(AuditEvent.at, AuditEvent.id)))
    for rows in (merges, not_same, erasures):
        record_ids.update(r.id for r in rows)
    conflicts = _conflicts(session, record_ids)
    drafts = [d for d in session.scalars(select(Draft).order_by(Draft.updated_at, Draft.key))
              if d.key.rpartition(":")[2] in record_ids]
    merged_records = [session.get(Person, pid) for pid in family[1:]]
    device = session.scalar(select(Device.id))

    def in_family(pid: str) -> str | None:
        return pid if pid in family else None  # an undone merge's other side is someone else

    return {
        "about": {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "made_at": utc_time(now or datetime.now(UTC).replace(tzinfo=None)),
            "made_by": names.advisor(made_by or session.info.get("advisor_id")),
            "made_on_desk": device, "person_id": survivor_id, "record_ids": family,
            "notes": NOTES,
        },
        "person": person_details(person, names),
        "merged_records": [person_details(p, names) for p in merged_records],
        "conversations": [{
            "id": c.id, "person_record_id": c.person_id, "occurred_at": wall_time(c.occurred_at),
            "site": names.site(c.site_code), "mode": MODES.get(c.mode, c.mode),
            "advisor": names.advisor(c.advisor_id), "what_matters": c.what_matters,
            "needs": needs.get(c.id, []), "service_gaps": gaps.get(c.id, []),
            "private_notes": c.private_notes,
            "escalated": c.escalated,
            "escalation_reason": ESCALATION_REASONS.get(c.escalation_reason,
                                                        c.escalation_reason),
            "escalation_action": c.escalation_action, "recorded_at": utc_time(c.created_at),
            "deleted_at": utc_time(c.deleted_at)} for c in conversations],
        "prescriptions": [{
            "id": rx.id, "person_record_id": rx.person_id,
            "conversation_id": rx.conversation_id, "made_at": utc_time(rx.created_at),
            "advisor": names.advisor(rx.advisor_id), "sheet_given_at": utc_time(rx.sheet_at),
            "sheet_given_how": rx.sheet_how or None,
            "sheet_given_by": names.advisor(rx.sheet_by),
            "deleted_at": utc_time(rx.deleted_at),
            "items": items_of.get(rx.id, [])} for rx in prescriptions],
        "referrals": [{
            "id": r.id, "person_record_id": r.person_id, "prescription_item_id": r.item_id,
            "partner": service(r.service_id)[0], "service": service(r.service_id)[1],
            "status": REFERRAL_STATUSES.get(r.status, r.status),
            "status_at": utc_time(r.status_at), "made_at": utc_time(r.created_at),
            **referral_more(r, names), "deleted_at": utc_time(r.deleted_at),
            "events": events_of.get(r.id, [])} for r in referrals],
        "follow_ups": [{
            "id": f.id, "person_record_id": f.person_id, "conversation_id": f.conversation_id,
            "due_date": day(f.due_date), "due_time": f.due_time or None,
            "way": FOLLOWUP_WAYS.get(f.way, f.way), "site": names.site(f.site_code),
            "assigned_to": names.advisor(f.assigned_to), "done_at": utc_time(f.done_at),
            "done_by": names.advisor(f.done_by), "outcome": f.outcome,
            "deleted_at": utc_time(f.deleted_at)} for f in follow_ups],
        "wellbeing": [wellbeing_row(m, names) for m in measures],
        "consents": [{
            "id": c.id, "person_record_id": c.person_id,
            "kind": CONSENT_KINDS.get(c.kind, c.kind),
            "partner": partners.get(c.partner_id) if c.partner_id else None,
            "ways": [CONTACT_WAYS.get(w, w) for w in c.ways.split(",") if w],
            "given": c.given, "recorded_at": utc_time(c.recorded_at),
            "recorded_by": names.advisor(c.recorded_by), "note": c.note,
            "deleted_at": utc_time(c.deleted_at)} for c in consents],
        "merges": [{
            "id": m.id, "at": utc_time(m.created_at),
            "merged_record_id": in_family(m.merged_id),
            "into_record_id": in_family(m.survivor_id), "by": names.advisor(m.advisor_id),
            "undone_at": utc_time(m.undone_at)} for m in merges],
        "not_the_same_person": [{
            "id": n.id, "at": utc_time(n.created_at), "by": names.advisor(n.advisor_id)}
            for n in not_same],
        "erasures": [{
            "id": e.id, "at": utc_time(e.at), "requested_by": names.advisor(e.requested_by),
            "approved_by": names.advisor(e.approved_by)} for e in erasures],
        "values_kept_for_review": _conflict_rows(conflicts, names),
        "unsaved_forms": [{
            "form": FORMS.get(d.key.partition(":")[0], d.key.partition(":")[0]),
            "record_id": d.key.rpartition(":")[2], "saved_at": utc_time(d.updated_at),
            "contents": d.payload} for d in drafts],
        "audit": [{
            "id": a.id, "at": utc_time(a.at), "action": AUDIT_ACTIONS.get(a.action, a.action),
            "by": names.advisor(a.advisor_id), "record": a.entity or None,
            # a record moved to them by a merge since undone is someone else's now
            "record_id": a.entity_id if a.entity_id in record_ids else None,
            "detail": a.detail or None, "desk": a.device_id or None}
            for a in audit],
    }


def _conflicts(session: Session, record_ids: set[str]) -> list[Conflict]:
    ids, out = sorted(record_ids), []
    for start in range(0, len(ids), 500):
        out.extend(session.scalars(select(Conflict).where(
            Conflict.entity_id.in_(ids[start:start + 500]))))
    out.sort(key=lambda c: (c.recorded_at, c.id))
    return out


def _conflict_rows(conflicts: list[Conflict], names: Names) -> list[dict]:
    return [{"id": c.id, "record": c.entity, "record_id": c.entity_id, "field": c.field,
             "value": c.value, "by": names.advisor(c.by),
             "recorded_at": utc_time(c.recorded_at), "settled": c.resolved_hlc is not None}
            for c in conflicts]


def record_export(session: Session, person_id: str) -> None:
    """The export, in the audit log: once the files are written."""
    audit.record(session, "export", entity="person", entity_id=person_id,
                 person_id=person_id, detail=AUDIT_DETAIL)


def export(session: Session, person_id: str, folder: str | Path,
           now: datetime | None = None) -> ExportResult:
    """Gather, write both files, and record the export in the audit log (in the caller's
    transaction: no record if the files could not be written)."""
    result = write_files(gather(session, person_id, now=now), folder)
    record_export(session, result.person_id)
    return result
