"""Why a person was found, in words for the advisor (the People list's "Found by")."""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from rapidfuzz.distance import OSA

from lr_desk.services.names import given_words, is_typo, tokens_of_name, typo_score, variants
from lr_desk.services.query import Query


class Entry(Protocol):
    given_name: str
    family_name: str
    preferred_name: str


def found_by(entry: Entry, names: list[str], q: Query) -> tuple[str, ...]:
    """What of the query this person matched, in words for the advisor: "name" for names
    as typed (or their start), "Stephen for “steven”" for a nickname or other spelling,
    "Halsall like “halsel”" for a typo; then date of birth, year of birth, postcode, phone."""
    parts: list[str] = []
    plain = False
    if names:
        shown = _shown_words(entry.given_name, entry.preferred_name, entry.family_name)
        for typed in names:
            if any(token.startswith(typed) for token in shown):
                plain = True
                continue
            given = given_words(entry.given_name, entry.preferred_name)
            if other := next((t for t in sorted(variants(typed)) if t in given), None):
                parts.append(f"{shown.get(other, other)} for “{typed}”")
                continue
            near = []
            for token in shown:
                edits = OSA.distance(typed, token, score_cutoff=2)
                if is_typo(typed, token, edits):
                    near.append((typo_score(typed, token, edits), token))
            if near:
                parts.append(f"{shown[max(near)[1]]} like “{typed}”")
    return (("name",) if plain else ()) + tuple(parts) + _other_parts(q)


@lru_cache(maxsize=65536)
def _shown_words(*names: str) -> dict[str, str]:
    """Each searchable word of these names -> the name it is shown as ("smith" ->
    "Smith-Jones"). (Read only: it is shared.)"""
    shown: dict[str, str] = {}
    for name in names:
        if name:
            for word in name.split():
                for token, _ in tokens_of_name(word):
                    shown.setdefault(token, word)
            for token, _ in tokens_of_name(name):
                shown.setdefault(token, name)
    return shown


def _other_parts(q: Query) -> tuple[str, ...]:
    return tuple(words for words, there in (
        ("date of birth", q.dates), ("year of birth", q.years), ("postcode", q.postcodes),
        ("phone", q.digits)) if there)
