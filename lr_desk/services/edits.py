"""Saving an edit form onto a record that may have changed since the form was opened
(a sync brought in another desk's change meanwhile).

Only the fields the advisor changed are written: a field left alone keeps whatever the
record holds now, so an old value on the form never reverts another desk's change. A
field both changed is written (the advisor's newest word wins here), and the value it
replaces, which this advisor never saw, is kept for review ("Needs review"), on every
device alike (see lr_desk.store.merge).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from lr_desk.services.validation import ValidationError

UNKNOWN = object()  # a form opened on a record whose values it cannot account for


def checked_or_none(validate, loaded: dict | None, *args, raw: dict | None = None):
    """The values a form was opened with, checked like the form: None if the form had
    none (every field that differs is written, as before forms remembered them).

    A record can hold values that no longer pass together (two desks' changes merged:
    an interpreter needed, and the language cleared elsewhere). Then the fields in error
    are checked as they are being saved (``raw``) and left out of the base, so they are
    written if they differ; failing even that, the base is UNKNOWN: what differs is
    written, and every value it replaces is kept for review (nothing another desk wrote
    is reverted silently)."""
    if loaded is None:
        return None
    try:
        return validate(loaded, *args)
    except ValidationError as first:
        if raw is not None:
            wrong = [k for k in first.errors if k in raw]
            try:
                base = validate({**loaded, **{k: raw[k] for k in wrong}}, *args)
            except ValidationError:
                return UNKNOWN
            for key in wrong:  # no telling what they were: written if they differ
                base.pop(key, None)
            return base
        return UNKNOWN


def apply_edit(session: Session, row: Any, clean: dict, base) -> bool:
    """Write a form's checked values ``clean`` onto ``row``; ``base`` is the form's values
    as it was opened (checked the same way), None to write every field that differs, or
    UNKNOWN. Returns whether anything changed."""
    changed = False
    unseen: set[str] = set()
    for key, value in clean.items():
        if isinstance(base, dict) and key in base and base[key] == value:
            continue  # not changed on this form: whatever is there now stays
        current = getattr(row, key)
        if current == value:
            continue
        if base is UNKNOWN or (isinstance(base, dict) and key in base
                               and current != base[key]):
            unseen.add(key)  # changed elsewhere since the form opened (or may have been)
        setattr(row, key, value)
        changed = True
    if unseen:
        session.info.setdefault("unseen", {}).setdefault(row.id, set()).update(unseen)
    return changed
