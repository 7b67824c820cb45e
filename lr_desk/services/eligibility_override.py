"""Referring although the checks say not: allowed, with a reason, which is recorded with
the referral (``Referral.override_warnings``: the blocking warnings' words as the desk
said them; ``override_reason``: why the advisor went ahead) and counted.

The form asks for the reason as soon as a referral's service has a blocking warning
(``missing_reasons`` with the form's checker); the save checks again against the store
as it is then (``settle``), so a service that filled up meanwhile asks too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from lr_desk.services import eligibility
from lr_desk.services.validation import ValidationError, clean_text

ASK = "Please say why they are referred although the checks say not."


def missing_reasons(checker: eligibility.Checker, items: Sequence[dict]) -> dict[str, str]:
    """Field errors (``items.N.override_reason``) for each referral whose service has a
    blocking warning and no reason given."""
    errors = {}
    for i, item in enumerate(items):
        if not item.get("refer") or not item.get("service_id"):
            continue
        if checker.check(item["service_id"]).blocking and \
                not clean_text(item.get("override_reason") or ""):
            errors[f"items.{i}.override_reason"] = ASK
    return errors


def settle(session: Session, person_id: str, items: Sequence[dict],
           today: date) -> list[tuple[str, str]]:
    """For each item (cleaned by services.dropin): the (warnings, reason) to record with
    its referral, ("", "") where nothing is gone past. Raises ValidationError where a
    reason is needed and missing."""
    wanted = [i["service_id"] for i in items if i.get("refer") and i.get("service_id")]
    if not wanted:
        return [("", "")] * len(items)
    checker = eligibility.prepare(session, person_id, today, wanted)
    errors = missing_reasons(checker, items)
    if errors:
        raise ValidationError(errors)
    found = []
    for item in items:
        verdict = checker.check(item["service_id"]) if item.get("refer") and \
            item.get("service_id") else None
        if verdict is None or not verdict.blocking:
            found.append(("", ""))
        else:
            found.append((verdict.words(blocking_only=True),
                          clean_text(item.get("override_reason") or "")))
    return found
