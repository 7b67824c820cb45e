"""Find a person by anything typed: name, date of birth, postcode or phone, in any order.

An in-memory index, built once from the store and kept up to date on each save, answers
each keystroke in a few milliseconds over 100,000 people. It forgives case, accents,
spacing, apostrophes and small typos (edit distance 1 for short names, 2 for long ones).
Plain Python, no Qt: the UI runs it on a worker thread.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lr_desk.services.validation import MONTHS, parse_date, phone_digits
from lr_desk.store.models import Person

DEFAULT_LIMIT = 50


_DROPPED = str.maketrans("", "", "'’`.")


@lru_cache(maxsize=65536)  # names repeat a great deal: most calls are a look-up
def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name."""
    return _unaccent(text).translate(_DROPPED)


def _unaccent(text: str) -> str:
    """Lower case without accents; punctuation kept (the query needs its dots for dates)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


PART_WEIGHT = 0.95  # "williams" ranks plain Williams above Lloyd-Williams


def name_tokens(*names: str) -> dict[str, float]:
    """The searchable words of a person's names, each with its weight: a whole word 1.0,
    a part of a hyphenated word a little less. A name of several words is also a word
    without its spaces ("Van der Berg": "vanderberg"), as people often type it so."""
    tokens: dict[str, float] = {}
    for name in names:
        if name:
            for token, weight in _tokens_of_name(name):
                if tokens.get(token, 0.0) < weight:
                    tokens[token] = weight
    return tokens


@lru_cache(maxsize=65536)
def _tokens_of_name(name: str) -> tuple[tuple[str, float], ...]:
    out: list[tuple[str, float]] = []
    words = fold(name).split()
    for word in words:
        parts = [p for p in word.split("-") if p]
        if len(parts) == 1:
            out.append((parts[0], 1.0))
        elif parts:
            out.append(("".join(parts), 1.0))
            out.extend((part, PART_WEIGHT) for part in parts)
    if len(words) > 1:
        joined = "".join(words).replace("-", "")
        if joined:
            out.append((joined, 1.0))
    return tuple(out)


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


@dataclass(slots=True)
class Query:
    names: list[str]
    dates: list[date]
    years: list[int]
    postcodes: list[str]  # folded: "l9 2af" for a full postcode, "l9 " for an outward code
    digits: list[str]  # phone fragments

    @property
    def empty(self) -> bool:
        return not (self.names or self.dates or self.years or self.postcodes or self.digits)


MAX_QUERY = 200  # characters looked at: more is never a search, only a paste gone wrong

# Only ASCII digits count as digits (re.ASCII): int() and dates can't read other scripts'.
_DATE_PATTERNS = [
    # 1980-03-12, 1980/03/12, 1980.03.12
    (re.compile(r"\b(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})\b", re.ASCII), "{0}-{1}-{2}"),
    # 12/03/1980, 12-3-80, 1.2.85
    (re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b", re.ASCII), "{0}/{1}/{2}"),
    # 12 03 1980: spaces only with a four-digit year, and not inside a run of digit groups
    (re.compile(r"(?<!\d)(?<!\d\s)\b(\d{1,2})\s+(\d{1,2})\s+(\d{4})\b", re.ASCII),
     "{0}/{1}/{2}"),
    # 12 Mar 1980, 12th March, 1980
    (re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:" + "|".join(MONTHS) +
                r")[a-z]*\.?,?\s+(?:\d{4}|\d{2})\b", re.ASCII), None),
]
# the start of a date still being typed: 14/ 14/0 14/02/ 14.02.19 14-02-198
_PARTIAL_DATE = re.compile(r"\d{1,2}[/.\-](?:\d{1,2}(?:[/.\-]\d{0,3})?)?", re.ASCII)
# ... or with spaces, at the end of what was typed: 14 02 1, 14 02 198
_PARTIAL_SPACED_DATE = re.compile(r"(?<!\d)(?<!\d\s)\b(\d{1,2})\s+(\d{1,2})\s+\d{1,3}\s*$",
                                  re.ASCII)
_AS_SPACES = str.maketrans(",()-/", "     ")  # after dates: 0151-478-6556, (0151) 478 6556
_PHONE = re.compile(r"\+?\d[\d\s]{5,}\d", re.ASCII)
OUTWARD = re.compile(r"[a-z]{1,2}\d[a-z\d]?", re.ASCII)
_POSTCODE = re.compile(r"\b([a-z]{1,2}\d[a-z\d]?)\s*(\d[a-z]{2})\b", re.ASCII)


def _digits(token: str) -> bool:
    return token.isascii() and token.isdigit()


def parse_query(text: str, today: date | None = None) -> Query:
    q = Query([], [], [], [], [])
    # dates first, while their dots are still there ("1.2.85"; fold would make it "1285")
    rest = _unaccent(text[:MAX_QUERY]).replace(",", " ")
    for pattern, layout in _DATE_PATTERNS:
        for m in list(pattern.finditer(rest)):
            try:
                q.dates.append(parse_date(layout.format(*m.groups()) if layout else m.group(0),
                                          today))
            except ValueError:
                continue
            rest = rest.replace(m.group(0), " ", 1)
    # a date half typed is left out rather than required, so results don't blank meanwhile
    if (m := _PARTIAL_SPACED_DATE.search(rest)) and _day_month(m.group(1), m.group(2)):
        rest = rest[:m.start()]
    rest = " ".join(t for t in rest.split() if not _PARTIAL_DATE.fullmatch(t))
    rest = rest.translate(_DROPPED).translate(_AS_SPACES)
    for m in _POSTCODE.finditer(rest):
        q.postcodes.append(f"{m.group(1)} {m.group(2)}")
        rest = rest.replace(m.group(0), " ", 1)
    # a phone number typed with spaces (or brackets and dashes, now spaces): join the groups
    for m in list(_PHONE.finditer(rest)):
        if _digits(m.group(0)) and len(m.group(0)) == 8 and _compact_date(m.group(0), today):
            continue  # 12031980: a date of birth, left for the token loop below
        if len(digits := phone_digits(m.group(0))) >= 3:  # "+44 (0)7" is just "07" so far
            q.digits.append(digits)
        rest = rest.replace(m.group(0), " ", 1)
    names: dict[str, None] = {}  # in order, each once
    for token in rest.split():
        if _digits(token):
            if len(token) == 4 and 1900 <= int(token) <= 2100:
                q.years.append(int(token))
            elif len(token) == 8 and (born := _compact_date(token, today)):
                q.dates.append(born)
            elif len(token) >= 3:
                q.digits.append(token)
        elif token[0].isascii() and token[0].isalpha() and any(map(_digits, token)):
            q.postcodes.append(f"{token} " if OUTWARD.fullmatch(token) else token)
        else:
            names.update((t, None) for t in name_tokens(token) if t)
    q.names = list(names)
    return q


def _day_month(day: str, month: str) -> bool:
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


def _compact_date(token: str, today: date | None) -> date | None:
    try:
        return parse_date(token, today)
    except ValueError:
        return None


class SearchIndex:
    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}
        self._slot_of: dict[str, int] = {}
        self._free: list[int] = []
        self._sort_key: dict[int, tuple[str, str]] = {}
        self._postings: dict[str, dict[int, float]] = {}  # token -> slot -> weight
        self._vocab: list[str] = []  # sorted, for prefix look-ups
        self._by_dob: dict[date, set[int]] = defaultdict(set)
        self._postcodes: list[tuple[str, int]] = []  # sorted (postcode, slot)
        self._phones: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.entries)

    # -- building --------------------------------------------------------------------

    @classmethod
    def build(cls, session: Session) -> SearchIndex:
        from lr_desk.services.duplicates import in_a_merge_loop  # (it imports this module)

        index = cls()
        # People merged into others are found as the survivor. (In the rare loop of two
        # desks merging a pair each way round, one of the pair stands for both.)
        shown = Person.merged_into.is_(None)
        loops = in_a_merge_loop(session)
        rows = session.execute(
            select(
                Person.id, Person.given_name, Person.family_name, Person.preferred_name,
                Person.date_of_birth, Person.postcode, Person.phone,
            ).where(Person.deleted_at.is_(None), Person.erased_at.is_(None),
                    or_(shown, Person.id.in_(loops)) if loops else shown)
        )
        for row in rows:
            index._add(Entry(*row), sort=False)
        index._vocab.sort()
        index._postcodes.sort()
        return index

    def upsert_person(self, person: Person) -> None:
        self.upsert(Entry(person.id, person.given_name, person.family_name,
                          person.preferred_name, person.date_of_birth, person.postcode,
                          person.phone))
        if (person.deleted_at is not None or person.merged_into is not None
                or person.erased_at is not None):  # (nothing left to find them by)
            self.remove(person.id)

    def upsert(self, entry: Entry) -> None:
        self.remove(entry.person_id)
        self._add(entry, sort=True)

    def remove(self, person_id: str) -> None:
        slot = self._slot_of.pop(person_id, None)
        if slot is None:
            return
        entry = self.entries.pop(slot)
        del self._sort_key[slot]
        for token in name_tokens(entry.given_name, entry.family_name, entry.preferred_name):
            postings = self._postings[token]
            postings.pop(slot, None)
            if not postings:
                del self._postings[token]
                del self._vocab[bisect.bisect_left(self._vocab, token)]
        if entry.date_of_birth:
            self._by_dob[entry.date_of_birth].discard(slot)
        key = (_postcode_key(entry.postcode), slot)
        i = bisect.bisect_left(self._postcodes, key)
        if i < len(self._postcodes) and self._postcodes[i] == key:
            del self._postcodes[i]
        self._phones.pop(slot, None)
        self._free.append(slot)

    def _add(self, entry: Entry, sort: bool) -> None:
        slot = self._free.pop() if self._free else len(self.entries)
        self.entries[slot] = entry
        self._slot_of[entry.person_id] = slot
        self._sort_key[slot] = (fold(entry.family_name), fold(entry.given_name))
        tokens = name_tokens(entry.given_name, entry.family_name, entry.preferred_name)
        for token, weight in tokens.items():
            postings = self._postings.setdefault(token, {})
            if not postings:
                if sort:
                    bisect.insort(self._vocab, token)
                else:
                    self._vocab.append(token)
            postings[slot] = weight
        if entry.date_of_birth:
            self._by_dob[entry.date_of_birth].add(slot)
        if entry.postcode:
            key = (_postcode_key(entry.postcode), slot)
            if sort:
                bisect.insort(self._postcodes, key)
            else:
                self._postcodes.append(key)
        if entry.phone:
            self._phones[slot] = phone_digits(entry.phone)

    # -- searching -------------------------------------------------------------------

    def _name_matches(self, token: str) -> dict[int, float]:
        """Slots whose name has a token like this one, with how well it matches (0-1)."""
        scores: dict[int, float] = {}

        def credit(vocab_token: str, score: float) -> None:
            for slot, weight in self._postings.get(vocab_token, {}).items():
                if scores.get(slot, 0.0) < score * weight:
                    scores[slot] = score * weight

        i = bisect.bisect_left(self._vocab, token)
        while i < len(self._vocab) and self._vocab[i].startswith(token):
            vocab_token = self._vocab[i]
            credit(vocab_token, 1.0 if vocab_token == token else 0.9)
            i += 1
        if len(token) >= 4:
            max_edits = 1 if len(token) < 7 else 2
            for vocab_token, dist, _ in process.extract(
                token, self._vocab, scorer=OSA.distance,  # a swap of two letters is one edit
                score_cutoff=max_edits, limit=None,
            ):
                if dist:
                    credit(vocab_token, 0.8 - 0.1 * dist)
        return scores

    def _filter(self, q: Query) -> set[int] | None:
        """Slots allowed by the non-name parts of the query (None: no such parts)."""
        allowed: set[int] | None = None

        def narrow(slots: set[int]) -> None:
            nonlocal allowed
            allowed = slots if allowed is None else allowed & slots

        for d in q.dates:
            narrow(set(self._by_dob.get(d, ())))
        for year in q.years:
            narrow({s for d, slots in self._by_dob.items() if d.year == year for s in slots})
        for pc in q.postcodes:
            i = bisect.bisect_left(self._postcodes, (pc, -1))
            found = set()
            while i < len(self._postcodes) and self._postcodes[i][0].startswith(pc):
                found.add(self._postcodes[i][1])
                i += 1
            narrow(found)
        for digits in q.digits:
            narrow({s for s, phone in self._phones.items() if digits in phone})
        return allowed

    def _score_names(self, names: list[str], allowed: set[int] | None) -> dict[int, float]:
        """Slots matching every name word, with the sum of how well each matched."""
        scores: dict[int, float] | None = None
        for token in names:
            matches = self._name_matches(token)
            if allowed is not None:
                matches = {s: v for s, v in matches.items() if s in allowed}
            if scores is None:
                scores = matches
            else:
                scores = {s: v + matches[s] for s, v in scores.items() if s in matches}
            if not scores:
                return {}
        return scores or {}

    def _join_adjacent(self, names: list[str]) -> list[str]:
        """Join each word to the one before it while together they begin a known name
        word: ["mary", "mc", "donald"] -> ["mary", "mcdonald"]. A few bisects."""
        out = [names[0]]
        for word in names[1:]:
            if self._begins_a_word(out[-1] + word):
                out[-1] += word
            else:
                out.append(word)
        return out

    def _begins_a_word(self, prefix: str) -> bool:
        i = bisect.bisect_left(self._vocab, prefix)
        return i < len(self._vocab) and self._vocab[i].startswith(prefix)

    def search(self, text: str, limit: int = DEFAULT_LIMIT,
               today: date | None = None) -> tuple[list[Hit], int]:
        """Best matches first, and how many matched in all."""
        q = parse_query(text, today)
        if q.empty:
            return [], 0
        allowed = self._filter(q)
        if q.names:
            scores = self._score_names(q.names, allowed)
            if not scores and len(q.names) > 1:
                # "mc donald" for McDonald, "van der berg" for Vanderberg: once more, joined
                joined = self._join_adjacent(q.names)
                if joined != q.names:
                    scores = self._score_names(joined, allowed)
        else:
            scores = dict.fromkeys(allowed or (), 1.0)
        best = heapq.nsmallest(limit, scores.items(),
                               key=lambda sv: (-sv[1], self._sort_key[sv[0]]))
        return [Hit(self.entries[s], v) for s, v in best], len(scores)



def _postcode_key(postcode: str) -> str:
    """'L9 2AF' -> 'l9 2af' (stored postcodes are already normalised with one space)."""
    return " ".join(postcode.casefold().split())
