"""The referral letter from the desk: open the person, choose the referral, Referral
letter…; the real PDF is previewed, saved and printed (to a file, and to the CUPS test
queue), and giving it is recorded on the referral and in the audit log. Without consent
to share with the partner it says why, and nothing is shown, written or recorded."""

from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader
from PySide6.QtCore import Qt
from sqlalchemy import select

from lr_desk.services import consent, dropin, people
from lr_desk.store.models import AuditEvent, PartnerService, Referral
from lr_desk.ui.letter import LetterPreview
from tests.ui.previews import (
    choose_in_history,
    file_printer,
    job_club,
    print_on_cups,
    save_in_dialog,
    skip_without_cups,
)
from tests.ui.screen import assert_fits
from tests.ui.test_accessibility import unnamed_controls

GIVEN = ("print_letter", "export")


def _person_with_a_referral(desk, share: bool = True) -> tuple[str, str]:
    """Someone referred to a job club at a drop-in (sent, with their consent to share
    when ``share``; else only suggested, and no consent); returns (person, referral)."""
    with desk.store.session() as s:
        adv = desk.window.desk.advisor_id
        person = people.register(s, {"given_name": "Siobhan", "family_name": "Kearney",
                                     "preferred_name": "Shiv", "phone": "07700 900456",
                                     "postcode": "L9 1AA"}, adv, "walton")
        service = job_club(s)
        if share:
            consent.record(s, person.id, adv, {"kind": "share",
                                               "partner_id": service.partner_id})
        result = dropin.record_drop_in(s, person.id, adv, {
            "conversation": {"site_code": "walton", "mode": "drop_in",
                             "what_matters": "Getting back to work", "needs": ["employment"],
                             "private_notes": "PRIVATE: worried about her son",
                             "escalated": True, "escalation_reason": "distress",
                             "escalation_action": "ESCALATED to the duty worker"},
            "items": [{"kind": "partner_service", "service_id": service.id, "refer": True,
                       "referral_status": "sent" if share else "suggested",
                       "why": "A CV that gets me interviews", "first_step": "Bring my old CV"}],
            "follow_up": {"due_date": (date.today() + timedelta(days=7)).strftime("%d/%m/%Y"),
                          "way": "call"}})
        return person.id, result.referral_ids[0]


def _open_letter(desk, qtbot, person_id) -> tuple:
    """Open their page, choose the referral in the history, press Ctrl+Shift+P."""
    page = choose_in_history(desk, qtbot, person_id, "referral", timeout=20_000)
    assert page.letter_button.isEnabled()
    with qtbot.waitSignal(page.letter_opened, timeout=20_000) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier |
                       Qt.KeyboardModifier.ShiftModifier)
    preview: LetterPreview = opened.args[0]
    assert preview.isVisible() and not preview.print_button.isEnabled()  # busy at first
    return page, preview


def _given(desk, referral_id) -> tuple:
    with desk.store.session() as s:
        ref = s.get(Referral, referral_id)
        events = [(e.action, e.detail) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == referral_id,
                                     AuditEvent.action.in_(GIVEN)))]
        return ref.letter_at, ref.letter_how, ref.letter_by, events


def test_preview_then_save_as_pdf(qtbot, desks, profile, tmp_path):
    desk = desks.start(profile)
    person_id, referral_id = _person_with_a_referral(desk)
    page, preview = _open_letter(desk, qtbot, person_id)
    qtbot.waitUntil(lambda: preview.pdf is not None, timeout=30_000)
    assert preview.document.pageCount() == 1 and preview.print_button.isEnabled()
    assert "Ready to print" in preview.status.text()
    assert unnamed_controls(preview) == []
    assert_fits(preview)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(preview.pdf)).pages)
    assert "Siobhan Kearney" in text and "A CV that gets me interviews" in text
    assert "PRIVATE" not in text and "ESCALATED" not in text
    assert "Getting back to work" not in text
    assert _given(desk, referral_id) == (None, "", None, [])  # looking is not giving

    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "letter for the job club"
    warning, given = save_in_dialog(qtbot, preview, target)
    assert "send it to the partner securely" in warning.lower()
    assert given == ["saved"]
    saved = target.with_name(target.name + ".pdf")
    assert saved.read_bytes() == preview.pdf
    assert preview.status.text().startswith("Saved to")
    at, how, by, events = _given(desk, referral_id)
    assert at is not None and how == "saved" and by == desk.window.desk.advisor_id
    assert events == [("export", "referral letter, saved as a PDF file")]
    # the person's history says so, on the referral's row
    qtbot.waitUntil(lambda: any("Letter saved" in e.detail and "Alex Advisor" in e.detail
                                for e in page.timeline.entries if e.kind == "referral"),
                    timeout=20_000)
    preview.close()


def test_print_through_qprinter_to_a_pdf_file(qtbot, desks, profile, tmp_path):
    desk = desks.start(profile)
    person_id, referral_id = _person_with_a_referral(desk)
    _page, preview = _open_letter(desk, qtbot, person_id)
    qtbot.waitUntil(lambda: preview.pdf is not None, timeout=30_000)
    out = tmp_path / "printed.pdf"
    printer = file_printer(out)
    with qtbot.waitSignal(preview.given, timeout=60_000) as given:
        preview.print_to(printer)
    assert given.args == ["printed"] and preview.status.text() == "Printed."
    assert len(PdfReader(out).pages) == 1
    _at, how, _by, events = _given(desk, referral_id)
    assert how == "printed" and events == [("print_letter", "referral letter")]
    preview.close()


def test_print_through_a_real_cups_queue(qtbot, desks, profile):
    out_dir, before = skip_without_cups()
    desk = desks.start(profile)
    person_id, referral_id = _person_with_a_referral(desk)
    _page, preview = _open_letter(desk, qtbot, person_id)
    qtbot.waitUntil(lambda: preview.pdf is not None, timeout=30_000)
    print_on_cups(qtbot, preview, out_dir, before)
    assert _given(desk, referral_id)[1] == "printed"
    preview.close()


def test_refused_without_consent_to_share(qtbot, desks, profile):
    desk = desks.start(profile)
    person_id, referral_id = _person_with_a_referral(desk, share=False)
    _page, preview = _open_letter(desk, qtbot, person_id)
    with qtbot.waitSignal(preview.refused, timeout=30_000) as refused:
        pass
    assert "Shiv has not agreed to share their information with" in refused.args[0]
    assert "Nothing was printed or saved" in preview.status.text()
    assert preview.pdf is None and preview.document.pageCount() == 0
    assert not preview.print_button.isEnabled() and not preview.save_button.isEnabled()
    assert "see the message above" in preview.print_button.toolTip()
    assert_fits(preview)
    with qtbot.waitSignal(preview.finished, timeout=10_000):  # Enter closes it
        qtbot.keyClick(preview, Qt.Key.Key_Return)
    assert _given(desk, referral_id) == (None, "", None, [])


def test_consent_withdrawn_after_opening_saves_nothing(qtbot, desks, profile, tmp_path):
    desk = desks.start(profile)
    person_id, referral_id = _person_with_a_referral(desk)
    _page, preview = _open_letter(desk, qtbot, person_id)
    qtbot.waitUntil(lambda: preview.pdf is not None, timeout=30_000)
    with desk.store.session() as s:  # (on another desk, say, and synced since)
        partner_id = s.get(PartnerService, s.get(Referral, referral_id).service_id).partner_id
        consent.record(s, person_id, desk.window.desk.advisor_id,
                       {"kind": "share", "partner_id": partner_id, "given": "withdrawn"})
    target = tmp_path / "letter.pdf"
    with qtbot.waitSignal(preview.refused, timeout=30_000) as refused:
        preview.save_to(target)
    assert "withdrew their consent" in refused.args[0]
    assert not target.exists() and not preview.save_button.isEnabled()
    assert _given(desk, referral_id) == (None, "", None, [])
    preview.close()


def test_a_referral_removed_meanwhile_is_said_plainly(qtbot, desks, profile):
    desk = desks.start(profile)
    person_id, referral_id = _person_with_a_referral(desk)
    page = desk.window.open_person(person_id)
    qtbot.waitUntil(lambda: page.view is not None, timeout=20_000)
    with desk.store.session() as s:  # (removed on another desk, not yet heard of here)
        ref = s.get(Referral, referral_id)
        ref.deleted_at = ref.status_at
    row = next(i for i, e in enumerate(page.timeline.entries) if e.kind == "referral")
    page.table.setCurrentIndex(page.timeline.index(row, 0))
    reported: list = []
    desk.tasks.failed.connect(lambda message, _bug: reported.append(message))
    preview = page.open_letter()
    qtbot.waitUntil(lambda: "no longer here" in preview.status.text(), timeout=30_000)
    assert "Nothing was printed or saved" in preview.status.text()
    assert not preview.print_button.isEnabled() and reported == []
    preview.close()
