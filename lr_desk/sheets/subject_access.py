"""A subject access export as a readable PDF (reportlab platypus; no Qt).

    render_bytes(document) -> bytes

``document`` is ``lr_desk.services.subject_access.gather``'s: every section and every
field of it is printed (nothing is chosen here, so the PDF holds what the JSON holds),
with the fields named in words, dates and times written out, yes/no for true/false, and
records nested in their parents (a prescription's items, a referral's steps); the audit
log's records a line each. Record identifiers (and items' positions: they are printed in
order) are left to the JSON file, which the PDF says.

It uses the take-home sheet's fonts and text handling (``lr_desk.sheets.text``), so
names and notes in any script (right-to-left ones shaped and ordered) print as typed.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from reportlab.lib.pagesizes import A4
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from lr_desk.services.sheet import MONTHS
from lr_desk.services.subject_access_words import person_name
from lr_desk.sheets.flow import NumberedCanvas
from lr_desk.sheets.fonts import markup
from lr_desk.sheets.look import ACCENT, FONT, INK, MARGIN, PAGE_H, PAGE_W, WIDTH
from lr_desk.sheets.look import style as _style
from lr_desk.sheets.text import RTL, ensure_fonts
from lr_desk.sheets.text import text as _text

TITLE = "Everything The Life Rooms holds about you"
PAGE_HEAD = "The Life Rooms: subject access export. Confidential."

# Sections in the order printed: key, heading, what to say when there is nothing.
SECTIONS = (
    ("person", "Your details", ""),
    ("merged_records", "Other records of yours, merged into this one",
     "None: you were registered once."),
    ("conversations", "Conversations", "None recorded."),
    ("prescriptions", "Social prescriptions", "None recorded."),
    ("referrals", "Referrals to partner organisations", "None recorded."),
    ("follow_ups", "Follow-ups", "None recorded."),
    ("wellbeing", "Wellbeing questions you answered", "None recorded."),
    ("consents", "Consents", "None recorded."),
    ("merges", "Records merged", "None."),
    ("not_the_same_person", "Records an advisor checked were someone else's",
     "None."),
    ("erasures", "Information erased at your request", "None."),
    ("values_kept_for_review", "Values kept for review (changed on two desks at once)",
     "None."),
    ("unsaved_forms", "Unsaved forms kept on this desk", "None."),
    ("audit", "Who looked at or changed your information (the audit log)", "None recorded."),
)
LABELS = {
    "given_name": "Given name", "family_name": "Family name",
    "preferred_name": "Preferred name", "date_of_birth": "Date of birth",
    "postcode": "Postcode", "phone": "Phone", "email": "Email", "nhs_number": "NHS number",
    "came_to_us": "How you came to us", "came_to_us_detail": "Who referred you",
    "mersey_care_service_user": "Mersey Care service user", "carer": "Carer",
    "needs_large_print": "Large print", "needs_easy_read": "Easy read",
    "needs_interpreter": "Interpreter", "interpreter_language": "Interpreter's language",
    "needs_bsl": "British Sign Language", "communication_other": "Other communication needs",
    "registered_at": "Registered", "registered_at_site": "Registered at",
    "registered_by": "Registered by", "updated_at": "Last changed",
    "erased_at": "Erased", "deleted_at": "Deleted on the desk",
    "occurred_at": "When", "site": "Where", "mode": "How", "advisor": "Advisor",
    "what_matters": "What matters to you", "needs": "Needs raised",
    "private_notes": "Advisor's private notes", "escalated": "Escalated",
    "escalation_reason": "Why escalated", "escalation_action": "What was done",
    "recorded_at": "Recorded", "made_at": "Made",
    "sheet_given_at": "Take-home sheet given", "sheet_given_how": "Sheet given how",
    "sheet_given_by": "Sheet given by", "items": "Items", "kind": "What kind", "title": "What",
    "partner": "Partner organisation", "service": "Service", "course": "Course",
    "why": "Why", "first_step": "First step", "target_date": "By when",
    "status": "Status", "status_at": "Status since", "events": "Steps",
    "at": "When", "reason": "Reason", "note": "Note",
    "due_date": "Due", "due_time": "Time", "way": "How", "assigned_to": "With",
    "done_at": "Done", "done_by": "Done by", "outcome": "Outcome",
    "ways": "Ways", "given": "Given", "recorded_by": "Recorded by",
    "by": "By", "undone_at": "Undone", "requested_by": "Requested by",
    "approved_by": "Approved by", "record": "Kind of record", "field": "Field",
    "value": "Value", "settled": "Settled", "form": "Form", "saved_at": "Saved",
    "contents": "What was typed", "action": "What", "detail": "Detail",
    "receives_benefits": "Benefits", "service_gaps": "Needs no service could meet",
    "need": "Need", "words": "What was needed", "noted_by": "Noted by", "noted_at": "Noted",
    "reply_due": "Reply due by", "checks_said": "What our checks said",
    "made_anyway_because": "Referred anyway because",
    "your_view": "Your view of whether it helped", "your_view_in_your_words": "In your words",
    "view_given_at": "View given", "letter_given_at": "Referral letter given",
    "letter_given_how": "Letter given how", "letter_given_by": "Letter given by",
    "corrected_from": "Corrected from", "decline_reason": "Why declined",
    "measure": "Questions", "taken_at": "When", "asked_by": "Asked by", "answers": "Answers",
    "question": "Question", "answer": "Your answer", "total": "Total of your answers",
    "metric_score": "Score", "notice": "Copyright",
}

# one of a list of nested records
ONE = {"items": "Item", "events": "Step", "service_gaps": "Need no service could meet",
       "answers": "Question"}


def _hidden(key: str) -> bool:
    """Identifiers (in the JSON), and an item's position (the order they are printed in)."""
    return key in ("id", "merged_into", "desk", "position") or key.endswith("_id")


def when(text: str) -> str:
    """'2025-06-11T10:15:00+01:00' -> '11 June 2025, 10:15'; a date alone without a time."""
    try:
        if "T" in text:
            stamp = datetime.fromisoformat(text)
            return f"{stamp.day} {MONTHS[stamp.month - 1]} {stamp.year}, {stamp:%H:%M}"
        d = date.fromisoformat(text)
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    except ValueError:
        return text


def _is_time(key: str) -> bool:
    return key in ("at", "date_of_birth", "reply_due") or key.endswith(("_at", "_date"))


def _label(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").capitalize()


class _Looks:
    def __init__(self):
        self.body = _style("sar-body", 10.5, 14.5, after=1.5)
        self.nested = [_style(f"sar-body-{n}", 10.5, 14.5, after=1.5) for n in range(1, 5)]
        for n, style in enumerate(self.nested, 1):
            style.leftIndent = 12 * n
        self.title = _style("sar-title", 19, 24, bold=True, color=ACCENT, after=6)
        self.intro = _style("sar-intro", 10.5, 14.5, after=4)
        self.heading = _style("sar-heading", 14, 18, bold=True, color=ACCENT, before=14,
                              after=4, keep_with_next=True)
        self.record = _style("sar-record", 11, 15, bold=True, before=7, after=2,
                             keep_with_next=True)
        self.sub = [_style(f"sar-sub-{n}", 10.5, 14.5, bold=True, before=3, after=1,
                           keep_with_next=True) for n in range(1, 5)]
        for n, style in enumerate(self.sub, 1):
            style.leftIndent = 12 * n

    def text(self, depth: int):
        return self.body if depth == 0 else self.nested[min(depth, 4) - 1]

    def subtitle(self, depth: int):
        return self.record if depth == 0 else self.sub[min(depth, 4) - 1]


_LOOKS: _Looks | None = None


def _looks() -> _Looks:
    global _LOOKS
    if _LOOKS is None:
        _LOOKS = _Looks()
    return _LOOKS


def _value(key: str, value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and _is_time(key):
        return when(value)
    return str(value)


def _fields(record: dict, depth: int, look: _Looks) -> list[Flowable]:
    """Every field with a value, in the document's order; nested records under their
    field's name. Plain fields in a row make one paragraph, a line each (a paragraph per
    field would take a ten-year history's PDF twice as long); right-to-left ones a
    paragraph of their own, laid out by the sheet's ``text``."""
    out: list[Flowable] = []
    lines: list[str] = []

    def field(label: str, text: str) -> None:
        if RTL.search(text):
            flush()
            out.append(_text(text, look.text(depth), label))
        else:
            lines.append(f"<b>{markup(label, True)}</b> {markup(text).replace(chr(10), '<br/>')}")

    def flush() -> None:
        if lines:
            out.append(Paragraph("<br/>".join(lines), look.text(depth)))
            lines.clear()

    for key, value in record.items():
        if _hidden(key) or value is None or value == "" or value == [] or value == {}:
            continue
        if isinstance(value, dict):
            flush()
            out.append(Paragraph(_label(key), look.subtitle(depth + 1)))
            out.extend(_fields(value, depth + 1, look))
        elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
            flush()
            for n, child in enumerate(value, 1):
                out.append(Paragraph(f"{ONE.get(key, _label(key))} {n}",
                                     look.subtitle(depth + 1)))
                if isinstance(child, dict):
                    out.extend(_fields(child, depth + 1, look))
                else:
                    out.append(_text(_value(key, child), look.text(depth + 1)))
        elif isinstance(value, list):
            field(f"{_label(key)}:", ", ".join(_value(key, v) for v in value))
        else:
            field(f"{_label(key)}:", _value(key, value))
    flush()
    return out


def _record_title(section: str, record: dict, n: int) -> str:
    """A line naming one record: its kind and its date."""
    stamp = next((record[k] for k in ("occurred_at", "made_at", "due_date", "recorded_at",
                                      "at", "saved_at", "registered_at", "taken_at")
                  if isinstance(record.get(k), str)), None)
    kind = {"conversations": "Conversation", "prescriptions": "Social prescription",
            "referrals": "Referral", "follow_ups": "Follow-up", "consents": "Consent",
            "merges": "Merge", "not_the_same_person": "Checked",
            "erasures": "Erasure", "values_kept_for_review": "Value kept",
            "unsaved_forms": "Unsaved form", "wellbeing": "Wellbeing questions",
            "merged_records": "Record"}.get(section, "Record")
    return f"{n}. {kind}" + (f", {when(stamp)}" if stamp else "")


# The kinds of record the audit log names, in words.
RECORDS = {
    "person": "their details", "conversation": "a conversation",
    "conversation_need": "a need raised", "prescription": "a prescription",
    "prescription_item": "a prescription item", "referral": "a referral",
    "referral_event": "a referral's step", "follow_up": "a follow-up",
    "consent": "a consent", "person_merge": "a merge", "not_duplicate": "a check of two records",
    "erasure": "an erasure", "service_gap": "a need no service could meet",
    "wellbeing_measure": "wellbeing questions answered",
}


def _audit_line(record: dict) -> str:
    """One audit record in a line: when, what, to which kind of record, by whom, detail."""
    line = f"{when(record['at'])}: {record['action']}" if record.get("at") else record["action"]
    if record.get("record"):
        line += f" ({RECORDS.get(record['record'], record['record'].replace('_', ' '))})"
    if record.get("by"):
        line += f", by {record['by']}"
    if record.get("detail"):
        line += f". {record['detail']}"
    return line


def _story(document: dict, look: _Looks) -> list[Flowable]:
    about, name = document["about"], person_name(document)
    story: list[Flowable] = [
        Paragraph(TITLE, look.title),
        _text(name or "(name erased)", look.record, "For:"),
    ]
    if about.get("made_at"):
        story.append(_text(when(about["made_at"]), look.intro, "Made:"))
    if about.get("made_by"):
        story.append(_text(about["made_by"], look.intro, "Made by:"))
    story.append(Paragraph("About this export", look.heading))
    for note in about.get("notes", []):
        story.append(_text(note, look.intro))
    story.append(_text("The JSON file made with this PDF holds the same information for a "
                       "computer to read, with each record's identifier.", look.intro))
    for key, heading, none in SECTIONS:
        rows = document.get(key)
        story.append(Paragraph(heading, look.heading))
        if isinstance(rows, dict):
            story.extend(_fields(rows, 0, look))
        elif not rows:
            story.append(Paragraph(none, look.body))
        elif key == "audit":  # many, and alike: a line each
            story.extend(_text(_audit_line(record), look.body) for record in rows)
        else:
            for n, record in enumerate(rows, 1):
                story.append(Paragraph(_record_title(key, record, n), look.record))
                story.extend(_fields(record, 0, look))
    return story


def _page_head(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8.5)
    canvas.setFillColor(INK)
    canvas.drawString(MARGIN, PAGE_H - MARGIN + 4, PAGE_HEAD)
    canvas.setStrokeColor(ACCENT)
    canvas.line(MARGIN, PAGE_H - MARGIN, PAGE_W - MARGIN, PAGE_H - MARGIN)
    canvas.restoreState()


def render_bytes(document: dict) -> bytes:
    """The export as PDF bytes, A4, 'Page N of M' on each page."""
    ensure_fonts()
    look = _looks()
    buffer = io.BytesIO()
    bottom = MARGIN + 16
    frame = Frame(MARGIN, bottom, WIDTH, PAGE_H - MARGIN - 6 - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(buffer, pagesize=A4, title="Subject access export",
                          author="The Life Rooms", subject="Everything held about one person",
                          creator="lr_desk")
    doc.addPageTemplates([PageTemplate("sar", frames=[frame], onPage=_page_head)])
    doc.build(_story(document, look), canvasmaker=NumberedCanvas)
    return buffer.getvalue()
