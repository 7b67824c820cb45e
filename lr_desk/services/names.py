"""Names as search reads them: folded words, nicknames and other spellings, and typos.

- ``fold`` and ``name_tokens``: the words of a name, case, accents and apostrophes aside.
- ``variants``: the other names a given name goes by: nicknames (lr_desk/data/nicknames.csv,
  Apache-2.0, read both ways: "bill" finds William, "william" finds Bill; less the few
  pairs name_variants.json sets aside, such as Bill/Robert), the desk's own list of UK
  spellings (lr_desk/data/name_variants.json: Steven/Stephen, Sean/Shaun...) and the demo
  names' nicknames (lr_desk/data/names.json).
- ``Spellings``: the name words of the index by length, to find the ones a typed word is a
  typo away from (at most one edit for a word of four letters, two from five up).

How well a word matched, best first (``score`` of a hit adds these up over the typed words):
exact 1.0, the start of a name 0.9, a nickname or other spelling 0.85, a typo 0.61-0.78.
"""

from __future__ import annotations

import csv
import unicodedata
from collections import defaultdict
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from lr_desk.resources import RESOURCES, load_json

EXACT = 1.0
PREFIX = 0.9
VARIANT = 0.85
TYPO = 0.75  # one edit; each further edit 0.1 less (see typo_score)
PART_WEIGHT = 0.95  # "williams" ranks plain Williams above Lloyd-Williams

_DROPPED = str.maketrans("", "", "'’`.")


@lru_cache(maxsize=65536)  # names repeat a great deal: most calls are a look-up
def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name."""
    return unaccent(text).translate(_DROPPED)


def unaccent(text: str) -> str:
    """Lower case without accents; punctuation kept (the query needs its dots for dates)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_tokens(*names: str) -> dict[str, float]:
    """The searchable words of a person's names, each with its weight: a whole word 1.0,
    a part of a hyphenated word a little less. A name of several words is also a word
    without its spaces ("Van der Berg": "vanderberg"), as people often type it so."""
    tokens: dict[str, float] = {}
    for name in names:
        if name:
            for token, weight in tokens_of_name(name):
                if tokens.get(token, 0.0) < weight:
                    tokens[token] = weight
    return tokens


@lru_cache(maxsize=65536)
def tokens_of_name(name: str) -> tuple[tuple[str, float], ...]:
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


@lru_cache(maxsize=65536)
def given_words(given: str, preferred: str) -> frozenset[str]:
    """The words of a given and preferred name: the ones a nickname may stand for."""
    return frozenset(t for name in (given, preferred) if name for t, _ in tokens_of_name(name))


# -- nicknames and other spellings -----------------------------------------------------


@lru_cache(maxsize=1)
def _variant_table() -> dict[str, frozenset[str]]:
    pairs: set[tuple[str, str]] = set()
    with open(RESOURCES / "nicknames.csv", encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) == 3 and row[1] == "has_nickname":
                pairs.add((fold(row[0]), fold(row[2])))
    ours = load_json("name_variants.json")
    for a, b in ours["not_the_same"]:
        pairs.discard((a, b))
        pairs.discard((b, a))
    for group in ours["groups"]:
        words = [fold(w) for w in group]
        pairs.update((a, b) for a in words for b in words)
    for formal, nickname in load_json("names.json")["given_names"]["nicknames"].items():
        pairs.add((fold(formal), fold(nickname)))
    table: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        if a != b and a and b:
            table[a].add(b)
            table[b].add(a)
    return {word: frozenset(others) for word, others in table.items()}


def variants(word: str) -> frozenset[str]:
    """The other names someone called ``word`` (folded) may be registered under."""
    return _variant_table().get(word, frozenset())


# -- typos -----------------------------------------------------------------------------


def max_edits(word: str) -> int:
    """Typos forgiven in a typed word: none under four letters (too many names are one
    letter from "ann"), one in a word of four, two from five letters up."""
    n = len(word)
    return 0 if n < 4 else 1 if n < 5 else 2


def is_typo(typed: str, word: str, edits: int) -> bool:
    """Whether ``word``, ``edits`` from ``typed``, is a typo of it: two edits only
    between words of five letters or more that begin alike ("halsel": Halsall; not
    "jones": Jane, nor "donald": McDonald)."""
    return 0 < edits <= max_edits(min(typed, word, key=len)) and (
        edits == 1 or typed[:1] == word[:1])


def typo_score(typed: str, word: str, edits: int) -> float:
    """How well ``word`` matches ``typed``, ``edits`` apart (an optimal string alignment:
    a swap of two letters is one edit). A letter left out or added ranks above one
    changed ("dyle": Doyle above Dale), and keeping the first letter above losing it
    (Dale above Kyle); all below a nickname."""
    changed = Indel.distance(typed, word) - edits  # 0 when every edit adds or drops a letter
    return (TYPO - 0.1 * (edits - 1) - 0.02 * min(changed, 2)
            + (0.03 if typed[:1] == word[:1] else 0.0))


class Spellings:
    """The index's name words by length, for typo look-ups. Only words of the lengths a
    typo can reach are compared (in rapidfuzz's C loop), and the answer for each typed word
    is kept until the words change: as a name is typed, the words before it cost nothing."""

    def __init__(self) -> None:
        self._by_length: dict[int, dict[str, None]] = defaultdict(dict)
        self._lists: dict[int, list[str]] = {}
        self._cache: dict[str, list[tuple[str, int]]] = {}

    def add(self, word: str) -> None:
        self._by_length[len(word)][word] = None
        self._changed(len(word))

    def discard(self, word: str) -> None:
        self._by_length[len(word)].pop(word, None)
        self._changed(len(word))

    def _changed(self, length: int) -> None:
        self._lists.pop(length, None)
        if self._cache:
            self._cache.clear()

    def near(self, typed: str) -> list[tuple[str, int]]:
        """The words that are a typo of ``typed`` (``is_typo``), with their distance."""
        found = self._cache.get(typed)
        if found is not None:
            return found
        k = max_edits(typed)
        found = []
        if k:
            for length in range(len(typed) - k, len(typed) + k + 1):
                words = self._lists.get(length)
                if words is None:
                    words = self._lists[length] = list(self._by_length.get(length, ()))
                if words:
                    found.extend((word, dist) for word, dist, _ in process.extract(
                        typed, words, scorer=OSA.distance, score_cutoff=k, limit=None)
                        if is_typo(typed, word, dist))
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[typed] = found
        return found
