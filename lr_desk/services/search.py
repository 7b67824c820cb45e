"""Find a person by anything typed: name, date of birth, postcode or phone, in any order.

An in-memory index, built once from the store and kept up to date on each save, answers
each keystroke in a few milliseconds over 100,000 people. It forgives case, accents,
spacing and apostrophes, finds nicknames and other spellings of given names (Bill for
William, Steven for Stephen) and typos (one edit in a word of four letters, two from five
up: "halsel" for Halsall), and says of each person found why they matched. Exact names and
the starts of names rank first, then nicknames and spellings, then typos
(lr_desk/services/names.py). Plain Python, no Qt: the UI runs it on a worker thread.
"""

from __future__ import annotations

import bisect
import heapq
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from itertools import islice

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services.duplicates import in_a_merge_loop
from lr_desk.services.found_by import found_by
from lr_desk.services.names import (
    EXACT,
    PART_WEIGHT,
    PREFIX,
    VARIANT,
    Spellings,
    fold,
    given_words,
    name_tokens,
    typo_score,
    variants,
)
from lr_desk.services.query import Query, parse_query
from lr_desk.services.search_keys import (
    LAST_CHARACTER,
    Entry,
    Hit,
    NameOrders,
    join_adjacent,
    name_order,
    postcode_key,
    score_names,
)
from lr_desk.services.validation import phone_digits
from lr_desk.store.models import Person

__all__ = ["DEFAULT_LIMIT", "PART_WEIGHT", "Entry", "Hit", "Query", "SearchIndex", "fold",
           "name_tokens", "parse_query"]

DEFAULT_LIMIT = 50
_GAP = 1 << 32  # between neighbours' ranks, as built: room for 32 people put between


class SearchIndex:
    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}
        self._slot_of: dict[str, int] = {}
        self._free: list[int] = []
        self._order: list[int] = []  # every slot, in name order (search_keys.name_order)
        self._rank = array("q")  # slot -> a number rising through _order, with gaps
        self._postings: dict[str, list[int]] = {}  # token -> slots with it in a name
        self._parts: dict[str, set[int]] = {}  # where it is half a name (weight PART_WEIGHT)
        self._given: dict[str, list[int]] = {}  # token -> slots with it in a given name
        self._vocab: list[str] = []  # sorted, for prefix look-ups
        self._by_dob: dict[date, tuple[int, ...]] = {}
        self._postcodes: list[str] = []  # postcode_key of each of _pc_slots, sorted
        self._pc_slots = array("I")  # the slot of each of _postcodes
        self._phones: list[str] = []  # slot -> phone digits ("": none)
        self._phone_found: dict[str, set[int]] = {}  # digits -> slots: the last few looked up
        self._spellings = Spellings()  # the words of _vocab by length, for typos

    def __len__(self) -> int:
        return len(self.entries)

    # -- building --------------------------------------------------------------------

    @classmethod
    def build(cls, session: Session) -> SearchIndex:
        index = cls()
        variants("")  # read the nickname lists now, on the worker, not at the first key
        # People merged into others are found as the survivor. (In the rare loop of two
        # desks merging a pair each way round, one of the pair stands for both.)
        loops = in_a_merge_loop(session)
        in_a_loop = f" OR id IN ({', '.join('?' * len(loops))})" if loops else ""
        cursor = session.connection().connection.cursor()  # (the driver's: rows as tuples)
        cursor.execute(
            "SELECT id, given_name, family_name, preferred_name, date_of_birth, postcode, "
            "phone FROM person WHERE deleted_at IS NULL AND erased_at IS NULL AND "
            f"(merged_into IS NULL{in_a_loop})", loops)
        # Names, dates and postcodes repeat: each value is kept once (at 100,000 people
        # some 10 MB less), not once for every row the driver made it for; and the rows
        # are read 5,000 at a time, not all held at once.
        same: dict = {}
        once = same.setdefault
        dates: dict[str | None, date | None] = {None: None}
        while rows := cursor.fetchmany(5000):
            for pid, given, family, preferred, born, postcode, phone in rows:
                if born not in dates:
                    dates[born] = date.fromisoformat(born)
                index._add(Entry(pid, once(given, given), once(family, family),
                                 once(preferred, preferred), dates[born],
                                 once(postcode, postcode), phone), sort=False, once=once)
        cursor.close()
        index._finish()
        return index

    def upsert_person(self, person: Person) -> None:
        self.upsert(Entry(person.id, person.given_name, person.family_name,
                          person.preferred_name, person.date_of_birth, person.postcode,
                          person.phone))
        if (person.deleted_at is not None or person.merged_into is not None
                or person.erased_at is not None):  # (nothing left to find them by)
            self.remove(person.id)

    def refresh(self, session: Session, person_ids: Iterable[str]) -> None:
        """Bring the index in step with these people as the database now has them (a
        save's, or a sync's): found as they are now, or no longer found."""
        ids = sorted(person_ids)
        found = {p.id: p for i in range(0, len(ids), 500) for p in session.scalars(
            select(Person).where(Person.id.in_(ids[i:i + 500])))}
        for person_id in ids:
            if person_id in found:
                self.upsert_person(found[person_id])
            else:
                self.remove(person_id)

    def upsert(self, entry: Entry) -> None:
        self.remove(entry.person_id)
        self._add(entry, sort=True)

    def remove(self, person_id: str) -> None:
        slot = self._slot_of.pop(person_id, None)
        if slot is None:
            return
        rank = self._rank  # (rising through _order, one number per slot: found exactly)
        del self._order[bisect.bisect_left(self._order, rank[slot], key=rank.__getitem__)]
        entry = self.entries.pop(slot)
        for token in name_tokens(entry.given_name, entry.family_name, entry.preferred_name):
            postings = self._postings[token]
            postings.remove(slot)
            if (parts := self._parts.get(token)) is not None:
                parts.discard(slot)
                if not parts:
                    del self._parts[token]
            if not postings:
                del self._postings[token]
                del self._vocab[bisect.bisect_left(self._vocab, token)]
                self._spellings.discard(token)
        for token in given_words(entry.given_name, entry.preferred_name):
            slots = self._given[token]
            slots.remove(slot)
            if not slots:
                del self._given[token]
        born = entry.date_of_birth
        if born and (same_day := tuple(s for s in self._by_dob.pop(born, ()) if s != slot)):
            self._by_dob[born] = same_day
        key = postcode_key(entry.postcode)
        i = bisect.bisect_left(self._postcodes, key)
        while i < len(self._postcodes) and self._postcodes[i] == key:
            if self._pc_slots[i] == slot:  # (past others at the same postcode)
                del self._postcodes[i]
                del self._pc_slots[i]
                break
            i += 1
        if slot < len(self._phones):
            self._phones[slot] = ""
        self._phone_found.clear()
        self._free.append(slot)

    def _name_order(self, slot: int) -> str:
        entry = self.entries[slot]
        return name_order(entry.given_name, entry.family_name, entry.person_id)

    @property
    def _sort_key(self) -> NameOrders:  # slot -> name order key, made when asked (not kept)
        return NameOrders(self._name_order)

    def _add(self, entry: Entry, sort: bool, once=None) -> None:
        slot = self._free.pop() if self._free else len(self.entries)
        self.entries[slot] = entry
        self._slot_of[entry.person_id] = slot
        if sort:
            i = bisect.bisect_right(self._order, self._name_order(slot), key=self._name_order)
            self._order.insert(i, slot)
            self._place(i, slot)
        else:
            self._order.append(slot)
        tokens = name_tokens(entry.given_name, entry.family_name, entry.preferred_name)
        for token, weight in tokens.items():
            postings = self._postings.setdefault(token, [])
            if not postings:
                if sort:
                    bisect.insort(self._vocab, token)
                else:
                    self._vocab.append(token)
                self._spellings.add(token)
            postings.append(slot)
            if weight != 1.0:
                self._parts.setdefault(token, set()).add(slot)
        for token in given_words(entry.given_name, entry.preferred_name):
            self._given.setdefault(token, []).append(slot)
        if born := entry.date_of_birth:
            self._by_dob[born] = (*self._by_dob.get(born, ()), slot)
        if entry.postcode:
            key = postcode_key(entry.postcode)
            if once is not None:  # (building: one string for everyone at a postcode)
                key = once(key, key)
            if sort:
                i = bisect.bisect_right(self._postcodes, key)
                self._postcodes.insert(i, key)
                self._pc_slots.insert(i, slot)
            else:
                self._postcodes.append(key)
                self._pc_slots.append(slot)
        if entry.phone:
            if slot >= len(self._phones):
                self._phones.extend([""] * (slot + 1 - len(self._phones)))
            self._phones[slot] = phone_digits(entry.phone)
            self._phone_found.clear()

    # -- searching -------------------------------------------------------------------

    def _name_matches(self, token: str) -> dict[int, float]:
        """Slots whose name has a word like this one, with how well it matches (0-1)."""
        by_score: dict[float, list[str]] = defaultdict(list)  # score -> vocabulary words
        words = self._vocab[bisect.bisect_left(self._vocab, token):
                            bisect.bisect_left(self._vocab, token + LAST_CHARACTER)]
        if words and words[0] == token:
            by_score[EXACT].append(token)
            del words[0]
        if words:
            by_score[PREFIX] = words
        for word, edits in self._spellings.near(token):
            by_score[typo_score(token, word, edits)].append(word)
        # Everyone a score's words name (and, apart, those they are half a hyphenated name
        # of) scores alike: credited best first, each person keeps the first (best) score
        # they get. The sets are made in C: a common name's thousands cost little.
        groups: list[tuple[float, Iterable[int]]] = []
        postings, halves = self._postings, self._parts
        for score, found in by_score.items():
            groups.append((score, set().union(*(
                set(postings[w]).difference(halves[w]) if w in halves else postings[w]
                for w in found))))
            if parts := [halves[w] for w in found if w in halves]:
                groups.append((score * PART_WEIGHT, set().union(*parts)))
        # a nickname or other spelling stands for a given name, not a family name
        groups.extend((VARIANT, self._given[other]) for other in variants(token)
                      if other in self._given)
        groups.sort(key=lambda g: -g[0])
        scores: dict[int, float] = {}
        for score, slots in groups:  # (set.difference looks up each of the few in the many)
            scores.update(dict.fromkeys(set(slots).difference(scores) if scores else slots,
                                        score))
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
            i = bisect.bisect_left(self._postcodes, pc)
            j = bisect.bisect_left(self._postcodes, pc + LAST_CHARACTER, i)
            narrow(set(self._pc_slots[i:j]))
        for digits in q.digits:
            narrow(self._with_phone(digits))
        return allowed

    def _with_phone(self, digits: str) -> set[int]:
        """Slots whose phone number has these digits in it (a set not to be changed). As
        a number is typed, each keystroke looks only among those the last one found."""
        among: Iterable[int] = range(len(self._phones))
        for before, slots in self._phone_found.items():
            if before in digits and len(slots) < len(among):
                among = slots
        phones = self._phones
        found = {s for s in among if digits in phones[s]}  # (digits: never "")
        if len(self._phone_found) >= 16:
            self._phone_found.clear()
        self._phone_found[digits] = found
        return found

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
        used = q.names
        if q.names:
            scores = score_names(q.names, self._name_matches, allowed)
            if not scores and len(q.names) > 1:
                # "mc donald" for McDonald, "van der berg" for Vanderberg: once more, joined
                joined = join_adjacent(q.names, self._begins_a_word)
                if joined != q.names:
                    scores = score_names(joined, self._name_matches, allowed)
                    used = joined
        else:
            scores = dict.fromkeys(allowed or (), 1.0)
        hits = [Hit(self.entries[slot], score, found_by(self.entries[slot], used, q))
                for slot, score in self._best(scores, limit)]
        return hits, len(scores)

    def _best(self, scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best (slot, score): highest score first, then in name order.
        Scores come in few values (exact, start of a name...), counted in C: each value's
        people are taken in turn. Where they are many ("j": 17,000 people), the first in
        name order are found by walking everyone in name order until there are enough."""
        counts = Counter(scores.values())
        rank = self._rank
        if len(counts) > 8:  # many values, each few people: one pass instead
            return heapq.nsmallest(limit, scores.items(), key=lambda sv: (-sv[1], rank[sv[0]]))
        best: list[tuple[int, float]] = []
        for value in sorted(counts, reverse=True):
            room = limit - len(best)
            if counts[value] * 20 >= len(self._order) and counts[value] > room:
                get = scores.get
                walk = (slot for slot in self._order if get(slot) == value)
                best.extend((slot, value) for slot in islice(walk, room))
            else:
                slots = [slot for slot, v in scores.items() if v == value]
                best.extend((slot, value) for slot in
                            heapq.nsmallest(room, slots, key=rank.__getitem__))
            if len(best) >= limit:
                break
        return best

    def _place(self, i: int, slot: int) -> None:
        """Rank the slot just put at _order[i] between its neighbours: numbers to rank by,
        not 100,000 sort-key strings kept (15 MB). Numbered again when a gap runs out."""
        rank, order = self._rank, self._order
        if slot >= len(rank):
            rank.frombytes(bytes(8 * (slot + 1 - len(rank))))
        low = rank[order[i - 1]] if i > 0 else None
        high = rank[order[i + 1]] if i + 1 < len(order) else None
        if low is not None and high is not None:
            if high - low < 2:
                return self._number()
            rank[slot] = (low + high) // 2
        else:  # (first or last: a whole gap away)
            rank[slot] = low + _GAP if low is not None else high - _GAP if high is not None else 0

    def _number(self) -> None:
        rank = self._rank = array("q", bytes(8 * (len(self.entries) + len(self._free))))
        for place, slot in enumerate(self._order):
            rank[slot] = place * _GAP

    def _finish(self) -> None:
        """Sort what was added unsorted while building."""
        self._vocab.sort()
        by_postcode = sorted(range(len(self._postcodes)), key=self._postcodes.__getitem__)
        self._postcodes = [self._postcodes[i] for i in by_postcode]
        self._pc_slots = array("I", [self._pc_slots[i] for i in by_postcode])
        self._order.sort(key=self._name_order)
        self._number()

