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


def checked_or_none(validate, loaded: dict | None, *args) -> dict | None:
    """The values a form was opened with, checked like the form (None if there are none,
    or they no longer pass: then every field that differs is written)."""
    if loaded is None:
        return None
    try:
        return validate(loaded, *args)
    except ValidationError:
        return None


def apply_edit(session: Session, row: Any, clean: dict, base: dict | None) -> bool:
    """Write a form's checked values ``clean`` onto ``row``; ``base`` is the form's values
    as it was opened (checked the same way), or None to write every field that differs.
    Returns whether anything changed."""
    changed = False
    unseen: set[str] = set()
    for key, value in clean.items():
        if base is not None and key in base and base[key] == value:
            continue  # not changed on this form: whatever is there now stays
        current = getattr(row, key)
        if current == value:
            continue
        if base is not None and key in base and current != base[key]:
            unseen.add(key)  # changed elsewhere since the form opened, and here too
        setattr(row, key, value)
        changed = True
    if unseen:
        session.info.setdefault("unseen", {}).setdefault(row.id, set()).update(unseen)
    return changed
