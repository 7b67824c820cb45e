"""The search index's words, kept in the encrypted database (tables search_key and
search_dirty, migration 0009), so the Find box answers from the first keystroke after
sign-in, while the in-memory index (lr_desk.services.search) is still being built.

Each person has one row per folded name word (its weight, and whether it is in a given
name, for nicknames), one for their place in name order (``NAME_ORDER``), and one each for
their date of birth, postcode and phone digits, as keys with a prefix below every name
word; each row carries the person's place in name order, so a range of rows is all a
search needs to rank them. Triggers on person mark who changed, by any path (a save, a
sync, an erasure: an erased person's rows go in the erasure's own transaction);
``fix_up`` makes the marked people's rows again, a batch at a time. Plain Python, no Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from lr_desk.services.duplicates import in_a_merge_loop
from lr_desk.services.names import fold, given_words, name_tokens
from lr_desk.services.validation import phone_digits
from lr_desk.store.models import Person, SearchDirty, SearchKey

NAME_ORDER = "\x01n"  # one row a person: counts them
BORN = "\x01d"  # + the ISO date of birth
POSTCODE = "\x01p"  # + the postcode, folded
PHONE = "\x01t"  # + the phone's digits
NAME_WORDS = "\x02"  # every name word sorts after this (and every key before it)
FIX_UP_BATCH = 500  # people keyed in one transaction: a save waits no longer than that
IN_CHUNKS = 500  # ids in one IN (...)
LAST_CHARACTER = "\U0010ffff"  # after every word that starts with what was typed

PERSON_COLUMNS = (Person.id, Person.given_name, Person.family_name, Person.preferred_name,
                  Person.date_of_birth, Person.postcode, Person.phone)
Row = tuple[str, str, float, bool, str]  # token, person_id, weight, given, name order


@dataclass(slots=True)
class Entry:
    person_id: str
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date | None
    postcode: str
    phone: str

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.given_name
        if self.preferred_name and self.preferred_name != self.given_name:
            return f"{first} ({self.given_name}) {self.family_name}"
        return f"{first} {self.family_name}"


@dataclass(slots=True)
class Hit:
    entry: Entry
    score: float
    why: tuple[str, ...] = ()  # what matched, in words: "name", "Stephen for “steven”"...

    @property
    def why_text(self) -> str:
        return ", ".join(self.why)


class NameOrders:
    """slot -> name order key, each made when asked (``SearchIndex._sort_key``)."""

    def __init__(self, of: Callable[[int], str]) -> None:
        self._of = of

    def __getitem__(self, slot: int) -> str:
        return self._of(slot)


def postcode_key(postcode: str) -> str:
    """'L9 2AF' -> 'l9 2af' (stored postcodes are already normalised with one space)."""
    return " ".join(postcode.casefold().split())


def name_order(given_name: str, family_name: str, person_id: str) -> str:
    """Where a person comes in name order: family name, given name, folded; their id
    last, so two people of the same name always come in the same order."""
    return f"{fold(family_name)}\0{fold(given_name)}\0{person_id}"


def keys_of(person_id: str, given_name: str, family_name: str, preferred_name: str,
            date_of_birth: date | None, postcode: str, phone: str) -> list[Row]:
    """The rows a person is found by (as ``SearchIndex`` indexes them)."""
    order = name_order(given_name, family_name, person_id)
    given = given_words(given_name, preferred_name)
    rows = [(token, person_id, weight, token in given, order) for token, weight in
            name_tokens(given_name, family_name, preferred_name).items()]
    rows.append((NAME_ORDER, person_id, 1.0, False, order))
    if date_of_birth:
        rows.append((BORN + date_of_birth.isoformat(), person_id, 1.0, False, order))
    if postcode:
        rows.append((POSTCODE + postcode_key(postcode), person_id, 1.0, False, order))
    if phone:
        rows.append((PHONE + phone_digits(phone), person_id, 1.0, False, order))
    return rows


def chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    return (ids[i:i + IN_CHUNKS] for i in range(0, len(ids), IN_CHUNKS))


def people_found(session: Session, ids: Sequence[str]) -> list[tuple]:
    """The rows (``PERSON_COLUMNS``) of those of these people search finds: not deleted,
    erased or merged into someone else (unless one of a loop of merges, as
    ``SearchIndex.build`` has them)."""
    rows = [row for chunk in chunks(ids) for row in session.execute(
        select(*PERSON_COLUMNS, Person.merged_into).where(
            Person.id.in_(chunk), Person.deleted_at.is_(None), Person.erased_at.is_(None)))]
    if any(row[-1] is not None for row in rows):
        loops = set(in_a_merge_loop(session))
        rows = [row for row in rows if row[-1] is None or row[0] in loops]
    return [tuple(row[:-1]) for row in rows]


def changed_count(session: Session) -> int:
    """People whose stored keys are to be made again."""
    return session.scalar(select(func.count()).select_from(SearchDirty)) or 0


def fix_up(session: Session, batch: int = FIX_UP_BATCH) -> int:
    """Make the stored keys of up to ``batch`` changed people again, in the session's
    transaction (the caller commits); how many were made. The first statement takes
    the write lock, so nothing changes between reading who changed and writing."""
    ids = list(session.scalars(text(
        "DELETE FROM search_dirty WHERE person_id IN "
        "(SELECT person_id FROM search_dirty LIMIT :n) RETURNING person_id"), {"n": batch}))
    if not ids:
        return 0
    for chunk in chunks(ids):
        session.execute(delete(SearchKey).where(SearchKey.person_id.in_(chunk)))
    rows = sorted(row for person in people_found(session, ids) for row in keys_of(*person))
    if rows:  # (in key order, straight to the driver: a tenth of the time through the ORM)
        session.connection().exec_driver_sql(
            "INSERT INTO search_key (token, person_id, weight, given, name_order) "
            "VALUES (?, ?, ?, ?, ?)", rows)
    return len(ids)


def begins_a_word(session: Session, prefix: str, changed: set[str]) -> bool:
    """Whether a stored name word of someone not changed since begins with ``prefix``."""
    rows = session.connection().exec_driver_sql(
        "SELECT person_id FROM search_key WHERE token >= ? AND token < ?",
        (prefix, prefix + LAST_CHARACTER))
    return any(person_id not in changed for (person_id,) in rows)



_ROWS = "SELECT token, person_id, weight, given, name_order FROM search_key WHERE "


def _fetch(session: Session, where: str, params: tuple) -> list[Row]:
    """Rows read straight from the driver: a common first letter's 20,000 rows cost a
    fifth of what they do through the ORM's result rows."""
    return session.connection().exec_driver_sql(_ROWS + where, params).fetchall()


def stored_rows(session: Session, low: str, high: str) -> list[Row]:
    """The stored rows whose token is from ``low`` up to (not including) ``high``."""
    return _fetch(session, "token >= ? AND token < ?", (low, high))


def stored_words(session: Session, words: Sequence[str]) -> list[Row]:
    """The stored rows of these exact tokens."""
    return [row for chunk in chunks(sorted(words)) for row in _fetch(
        session, f"token IN ({', '.join('?' * len(chunk))})", tuple(chunk))]


def stored_phones(session: Session, digits: str) -> list[Row]:
    """The stored phone rows with these digits in them."""
    return _fetch(session, "token >= ? AND token < ? AND instr(substr(token, ?), ?) > 0",
                  (PHONE, PHONE[:-1] + chr(ord(PHONE[-1]) + 1), len(PHONE) + 1, digits))


def vocabulary(session: Session) -> list[str]:
    """Every stored name word (some perhaps of people changed since)."""
    return [word for (word,) in session.connection().exec_driver_sql(
        "SELECT DISTINCT token FROM search_key WHERE token >= ?", (NAME_WORDS,))]


def stored_count(session: Session, token: str, leaving_out: Sequence[str] = ()) -> int:
    """How many stored rows have this token, leaving out these people's."""
    counted = session.connection().exec_driver_sql(
        "SELECT count(*) FROM search_key WHERE token = ?", (token,)).scalar() or 0
    for chunk in chunks(sorted(leaving_out)):
        counted -= session.connection().exec_driver_sql(
            f"SELECT count(*) FROM search_key WHERE token = ? AND person_id IN "
            f"({', '.join('?' * len(chunk))})", (token, *chunk)).scalar() or 0
    return counted


__all__ = ["BORN", "NAME_ORDER", "PHONE", "POSTCODE", "Entry", "Hit", "NameOrders", "Row",
           "begins_a_word", "changed_count", "fix_up", "keys_of", "name_order", "people_found",
           "postcode_key", "stored_count", "stored_phones", "stored_rows", "stored_words",
           "vocabulary"]


def score_names(names: list[str], name_matches: Callable[[str], dict],
                allowed: set | None) -> dict:
    """Who matches every name word (by ``name_matches(word)``: who -> how well), with
    the sum of how well each matched; only those in ``allowed`` when it is given. The
    index and the stored words score alike through this."""
    scores: dict | None = None
    for token in names:
        matches = name_matches(token)
        if allowed is not None:
            matches = {s: v for s, v in matches.items() if s in allowed}
        if scores is None:
            scores = matches
        else:
            scores = {s: v + matches[s] for s, v in scores.items() if s in matches}
        if not scores:
            return {}
    return scores or {}


def join_adjacent(names: list[str], begins_a_word: Callable[[str], bool]) -> list[str]:
    """Join each word to the one before it while together they begin a known name
    word: ["mary", "mc", "donald"] -> ["mary", "mcdonald"]."""
    out = [names[0]]
    for word in names[1:]:
        if begins_a_word(out[-1] + word):
            out[-1] += word
        else:
            out.append(word)
    return out
