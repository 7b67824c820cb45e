"""Search answered from the keys stored in the encrypted database (search_keys), for the
moments after sign-in while the in-memory ``SearchIndex`` is still being built: the same
people, scored the same way, in the same order, each keystroke a few range reads.

The stored keys of people changed since they were made (marked by triggers) are not
trusted: those people are read from the person table and keyed afresh for each search.
When many are marked (the first sync just brought everyone in), ``search`` answers None:
the in-memory index is then the only way. Plain Python, no Qt.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date
from operator import itemgetter

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services.found_by import found_by
from lr_desk.services.names import (
    EXACT,
    PART_WEIGHT,
    PREFIX,
    VARIANT,
    Spellings,
    typo_score,
    variants,
)
from lr_desk.services.query import Query, parse_query
from lr_desk.services.search import DEFAULT_LIMIT, Entry, Hit
from lr_desk.services.search_keys import (
    BORN,
    LAST_CHARACTER,
    NAME_ORDER,
    NAME_WORDS,
    PERSON_COLUMNS,
    PHONE,
    POSTCODE,
    Row,
    begins_a_word,
    chunks,
    join_adjacent,
    keys_of,
    people_found,
    score_names,
    stored_count,
    stored_phones,
    stored_rows,
    stored_words,
    vocabulary,
)
from lr_desk.store.models import Person, SearchDirty

MOST_CHANGED = 2000  # more people changed than this: the stored keys are not used
_PERSON_ORDER = itemgetter(1, 4)


def _best(scores: dict[str, float], order: dict[str, str],
          limit: int) -> list[tuple[str, float]]:
    """The ``limit`` best (person, score): highest score first, then in name order (as
    ``SearchIndex._best``). Scores come in few values: each value's people in turn."""
    counts = Counter(scores.values())
    if len(counts) > 8:
        return heapq.nsmallest(limit, scores.items(), key=lambda sv: (-sv[1], order[sv[0]]))
    best: list[tuple[str, float]] = []
    for value in sorted(counts, reverse=True):
        people = [person_id for person_id, v in scores.items() if v == value]
        best.extend((person_id, value) for person_id in
                    heapq.nsmallest(limit - len(best), people, key=order.__getitem__))
        if len(best) >= limit:
            break
    return best


class StoredSearch:
    """``search(text)`` as ``SearchIndex.search`` answers it, read from the stored keys
    in a session of its own (``sessions``: the store's session factory; ``scanning``: the
    store's, so the connection's page cache stays small and is given back after each)."""

    def __init__(self, sessions: Callable[[], Session],
                 scanning: Callable[[Session], AbstractContextManager] | None = None):
        self.Session = sessions
        self.scanning = scanning
        self._spellings: Spellings | None = None  # the stored name words, read once

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self.Session() as session, (
                self.scanning(session) if self.scanning else nullcontext()):
            yield session

    def count(self) -> int | None:
        """How many people search finds (None: too many changed to say quickly)."""
        with self._session() as session:
            view = _View(session, self)
            if view.changed is None:
                return None
            return (stored_count(session, NAME_ORDER, sorted(view.changed))
                    + sum(row[0] == NAME_ORDER for row in view.fresh))

    def search(self, text: str, limit: int = DEFAULT_LIMIT,
               today: date | None = None) -> tuple[list[Hit], int] | None:
        """Best matches first, and how many matched in all; None when too many people
        have changed since their keys were stored."""
        q = parse_query(text, today)
        if q.empty:
            return [], 0
        with self._session() as session:  # (one read transaction: one moment's people)
            view = _View(session, self)
            if view.changed is None:
                return None
            allowed = view.filter(q)
            used = q.names
            if q.names:
                scores = score_names(q.names, view.name_matches, allowed)
                if not scores and len(q.names) > 1:
                    joined = join_adjacent(q.names, view.starts_a_word)
                    if joined != q.names:
                        scores = score_names(joined, view.name_matches, allowed)
                        used = joined
            else:
                scores = dict.fromkeys(allowed or (), 1.0)
            best = _best(scores, view.order, limit)
            entries = view.entries([person_id for person_id, _ in best])
        hits = [Hit(entries[person_id], score, found_by(entries[person_id], used, q))
                for person_id, score in best]
        return hits, len(scores)

    def spellings(self, session: Session) -> Spellings:
        if self._spellings is None:
            spellings = Spellings()
            for word in vocabulary(session):
                spellings.add(word)
            self._spellings = spellings
        return self._spellings


class _View:
    """The stored keys as one search sees them: those of people changed since are set
    aside, and theirs made afresh from the person table."""

    def __init__(self, session: Session, search: StoredSearch):
        self.session = session
        self.search = search
        self.order: dict[str, str] = {}  # person_id -> their place in name order
        changed = list(session.scalars(select(SearchDirty.person_id).limit(MOST_CHANGED + 1)))
        self.changed: set[str] | None = set(changed) if len(changed) <= MOST_CHANGED else None
        self.fresh: list[Row] = []  # the changed people's keys, as they are now
        if self.changed:
            self.fresh = sorted(row for person in people_found(session, sorted(self.changed))
                                for row in keys_of(*person))
        self._fresh_words: Spellings | None = None

    def _kept(self, stored: Iterable[Row], fresh: list[Row]) -> list[Row]:
        """The stored rows of people not changed since, and the changed people's own."""
        changed = self.changed
        kept = [row for row in stored if row[1] not in changed] if changed else list(stored)
        kept += fresh
        self.order.update(map(_PERSON_ORDER, kept))
        return kept

    def rows(self, low: str, high: str) -> list[Row]:
        return self._kept(stored_rows(self.session, low, high),
                          [row for row in self.fresh if low <= row[0] < high])

    def words(self, words: set[str]) -> list[Row]:
        return self._kept(stored_words(self.session, list(words)),
                          [row for row in self.fresh if row[0] in words])

    # -- as SearchIndex does it ------------------------------------------------------

    def name_matches(self, token: str) -> dict[str, float]:
        """People with a name word like this one, with how well it matches (0-1): the
        best of what each of their words earns (``SearchIndex._name_matches``)."""
        scores: dict[str, float] = {}

        def credit(rows: Iterable[Row], score_of: Callable[[str], float]) -> None:
            last = whole = part = None
            get = scores.get
            for word, person_id, weight, _given, _order in rows:  # (mostly word by word)
                if word != last:
                    last, whole = word, score_of(word)
                    part = whole * PART_WEIGHT
                score = whole if weight == 1.0 else part
                if get(person_id, -1.0) < score:
                    scores[person_id] = score

        credit(self.rows(token, token + LAST_CHARACTER),
               lambda word: EXACT if word == token else PREFIX)
        near = dict(self.search.spellings(self.session).near(token))
        near.update(self._fresh_spellings().near(token))
        if near:
            credit(self.words(set(near)), lambda word: typo_score(token, word, near[word]))
        if others := variants(token):
            for _word, person_id, _weight, given, _order in self.words(set(others)):
                if given and scores.get(person_id, -1.0) < VARIANT:
                    scores[person_id] = VARIANT
        return scores

    def _fresh_spellings(self) -> Spellings:
        if self._fresh_words is None:
            self._fresh_words = Spellings()
            for row in self.fresh:
                if row[0] >= NAME_WORDS:
                    self._fresh_words.add(row[0])
        return self._fresh_words

    def filter(self, q: Query) -> set[str] | None:
        """People allowed by the non-name parts of the query (None: no such parts)."""
        allowed: set[str] | None = None

        def narrow(rows: list[Row]) -> None:
            nonlocal allowed
            found = {row[1] for row in rows}
            allowed = found if allowed is None else allowed & found

        for d in q.dates:
            key = BORN + d.isoformat()
            narrow(self.rows(key, key + "\0"))
        for year in q.years:
            key = f"{BORN}{year:04d}-"
            narrow(self.rows(key, key + LAST_CHARACTER))
        for pc in q.postcodes:
            narrow(self.rows(POSTCODE + pc, POSTCODE + pc + LAST_CHARACTER))
        for digits in q.digits:
            fresh = [row for row in self.fresh
                     if row[0].startswith(PHONE) and digits in row[0][len(PHONE):]]
            narrow(self._kept(stored_phones(self.session, digits), fresh))
        return allowed

    def starts_a_word(self, prefix: str) -> bool:
        return (any(row[0] >= NAME_WORDS and row[0].startswith(prefix) for row in self.fresh)
                or begins_a_word(self.session, prefix, self.changed or set()))

    def entries(self, ids: list[str]) -> dict[str, Entry]:
        return {row[0]: Entry(*row) for chunk in chunks(ids) for row in self.session.execute(
            select(*PERSON_COLUMNS).where(Person.id.in_(chunk)))}
