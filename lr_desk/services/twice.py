"""People who may be registered twice (say at two hubs while offline): finding them.

A pair is listed only on signs that point at one person: the same date of birth and a
similar name; or the same (or a similar) name at the same phone number, or the same name
at the same postcode, with no date of birth that tells them apart. A family, a hostel or
a care home shares a phone and a postcode, with different names or birth dates: they are
not listed. Pairs an advisor has said are different people are left out. Merging them,
and undoing it, is ``services.duplicates``.

The whole desk is read in steps (one kind of sign, or one range of birth dates, at a
time) so that no step holds up a save for long: ``scan_steps`` says what the steps are,
``run_step`` runs one, ``listed`` makes the list from what they found; ``around`` finds
the pairs of a few people changed by a save or a pull without reading everyone.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import groupby

from rapidfuzz.distance import OSA
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from lr_desk.services import names
from lr_desk.services.validation import phone_digits
from lr_desk.store.models import NotDuplicate, Person

STEP_PEOPLE = 5000  # people read by one step of birth dates
MOST_AROUND = 500  # people changed at once checked on their own (more: read everyone)
FEW_NUMBERS = 8  # numbers looked for with LIKE (more: the column read once)
SHARED_LINE = 6  # more people than this on one number or address: a shared line or a hostel
LIVING = (Person.deleted_at.is_(None), Person.merged_into.is_(None))
_COLUMNS = (Person.id, Person.given_name, Person.family_name, Person.preferred_name,
            Person.date_of_birth, Person.postcode, Person.phone)


@dataclass
class DuplicatePair:
    a: Person
    b: Person
    why: str


@dataclass(frozen=True)
class Someone:
    """What tells people apart, folded for comparing."""

    id: str
    givens: frozenset[str]  # given and preferred name
    family: str
    dob: date | None
    postcode: str
    phone: str

    @classmethod
    def of(cls, row) -> Someone:
        pid, given, family, preferred, dob, postcode, phone = row
        givens = frozenset(n for n in (fold(given), fold(preferred)) if n)
        bare = (phone or "").replace(" ", "")
        digits = bare if bare.isdigit() and bare[:1] == "0" else phone_digits(phone)
        return cls(pid, givens, fold(family), dob if isinstance(dob, date) else None,
                   postcode_key(postcode), digits if len(digits) >= 7 else "")


@lru_cache(maxsize=50_000)  # (a desk's names repeat: a few thousand given and family names)
def fold(name: str) -> str:
    """A name for comparing: lower case, no accents, no apostrophes, hyphens as spaces."""
    text = name or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.casefold())
        text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace("-", " ").translate(_DROPPED).split())


_DROPPED = str.maketrans("", "", "'\u2019.,")


def sounds(given: str) -> str:
    """A first name as it sounds, near enough: Stephen and Steven, Jayne and Jane."""
    text = given.replace("ph", "f").replace("v", "f").replace("y", "i").replace("ck", "k")
    text = "".join(c for i, c in enumerate(text) if i == 0 or c != text[i - 1])
    return text.removesuffix("e") if len(text) > 3 else text


def postcode_key(postcode: str) -> str:
    return "".join((postcode or "").upper().split())


def _close(a: str, b: str, most: int) -> bool:
    if a == b:
        return True
    if not a or not b or min(len(a), len(b)) < 3:
        return False
    return OSA.distance(a, b, score_cutoff=most) <= most


def similar_given(a: str, b: str) -> bool:
    """Ann and Anne, Stephen and Steven, Sam and Samuel, Bill and William (a nickname or
    another spelling: services.names); not Patrick and Patricia."""
    if a == b or (min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a))):
        return True
    return _close(sounds(a), sounds(b), 1) or b in names.variants(a)


def similar_family(a: str, b: str) -> bool:
    """Halsall and Halsel (two slips in a long name, one in a short), Lloyd-Williams and
    Williams."""
    if _close(a, b, 2 if min(len(a), len(b)) >= 5 else 1):
        return True
    short, long_ = sorted((a.split(), b.split()), key=len)
    return bool(short) and len(long_) > 1 and set(short) <= set(long_)


def same_name(x: Someone, y: Someone) -> bool:
    return x.family == y.family and bool(x.givens & y.givens)


def similar_name(x: Someone, y: Someone) -> bool:
    """One slip away: the same family name and a similar first name, or the same first
    name and a similar family name, or the two typed the other way round."""
    if x.family == y.family:
        return any(similar_given(a, b) for a in x.givens for b in y.givens)
    if x.givens & y.givens:
        return similar_family(x.family, y.family)
    return x.family in y.givens and y.family in x.givens


def _swapped(a: date, b: date) -> bool:
    return a.year == b.year and a.day == b.month and a.month == b.day


def why(x: Someone, y: Someone) -> str | None:
    """Why two records may be one person, in words; None if nothing says so."""
    if not similar_name(x, y):
        return None
    name = "Same name" if same_name(x, y) else "Similar name"
    both = x.dob is not None and y.dob is not None
    same = [s for s, yes in (("date of birth", both and x.dob == y.dob),
                             ("postcode", bool(x.postcode) and x.postcode == y.postcode),
                             ("phone number", bool(x.phone) and x.phone == y.phone)) if yes]
    if "date of birth" in same:
        return f"{name}; same {_listed(same)}"
    if both and not _swapped(x.dob, y.dob):
        return None  # born on different days: two people (a father and son at one address)
    if not same or (name == "Similar name" and same == ["postcode"]):
        return None  # (a similar name at a postcode: a street of Smiths)
    slip = ["date of birth with day and month swapped"] if both else []
    return f"{name}; same {_listed(same)}" + (f"; {slip[0]}" if slip else "")


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _pairs_within(group: list[Someone], found: dict[tuple[str, str], str]) -> None:
    if len(group) > SHARED_LINE * 4:  # (a date of birth shared by a hundred people)
        group.sort(key=lambda s: s.family)
    for i, x in enumerate(group):
        for y in group[i + 1:]:
            reason = why(x, y)
            if reason:
                found.setdefault(pair_ids(x.id, y.id), reason)


def scan_steps(session: Session) -> list[tuple]:
    """The steps of reading the whole desk for pairs: phone numbers and postcodes (in a
    few parts on a big desk), then ranges of birth years of about ``STEP_PEOPLE``
    people each."""
    year = func.substr(Person.date_of_birth, 1, 4)
    steps: list[tuple] = []
    first, count, everyone = None, 0, 0
    for born, n in session.execute(select(year, func.count()).where(
            *LIVING, Person.date_of_birth.is_not(None)).group_by(year).order_by(year)):
        first, count, everyone = first or born, count + n, everyone + n
        if count >= STEP_PEOPLE:
            steps.append(("born", first, born))
            first, count = None, 0
    if first is not None:
        steps.append(("born", first, "9998"))
    # numbers and postcodes in parts, by their last character (which two that match share)
    parts = min(max(everyone // (STEP_PEOPLE * 6), 1), 5)  # (each part reads the table)
    return [*((kind, part, parts) for kind in ("phone", "postcode") for part in range(parts)),
            *steps]


_LIVING_SQL = "deleted_at IS NULL AND merged_into IS NULL"


def run_step(session: Session, step: tuple) -> dict[tuple[str, str], str]:
    """The pairs one step finds: (id, id) -> why."""
    found: dict[tuple[str, str], str] = {}
    if step[0] == "born":  # (born in the years first to last, or with no year at all)
        _, first, last = step  # (a range of the index on birth dates)
        rows = session.execute(select(*_COLUMNS).where(
            *LIVING, Person.date_of_birth >= date(int(first), 1, 1),
            Person.date_of_birth < date(int(last) + 1, 1, 1))
            .order_by(Person.date_of_birth))
        for _dob, group in groupby(rows, key=lambda r: r[4]):
            group = list(group)
            if len(group) > 1:
                _pairs_within([Someone.of(r) for r in group], found)
        return found
    # People sharing a number (or a postcode and family name), grouped here from the
    # bare column: quicker than SQL making each key twice.
    by_key: dict[str, list[str]] = defaultdict(list)
    kind, part, parts = step
    if kind == "phone":
        for pid, key in _numbers(session, part, parts):
            by_key[key].append(pid)
    else:
        for pid, postcode, family in session.connection().exec_driver_sql(
                f"SELECT id, postcode, family_name FROM person WHERE {_LIVING_SQL} "
                "AND postcode != '' AND unicode(upper(substr(postcode, -1))) % ? = ?",
                (parts, part)):
            by_key[f"{postcode_key(postcode)}|{family.lower()}"].append(pid)
    groups = [ids for ids in by_key.values() if 1 < len(ids) <= SHARED_LINE]
    wanted = sorted({i for ids in groups for i in ids})
    people = {r[0]: Someone.of(r) for i in range(0, len(wanted), 500) for r in
              session.execute(select(*_COLUMNS).where(Person.id.in_(wanted[i:i + 500])))}
    for ids in groups:
        _pairs_within([people[i] for i in ids if i in people], found)
    return found


def _numbers(session: Session, part: int = 0, parts: int = 1):
    """(id, the number's last ten digits) of everyone living with a number (in one part
    of them, by the number's last digit)."""
    for pid, phone in session.connection().exec_driver_sql(
            f"SELECT id, phone FROM person WHERE {_LIVING_SQL} AND phone != '' "
            "AND unicode(substr(phone, -1)) % ? = ?", (parts, part)):
        bare = phone.replace(" ", "")
        digits = bare if bare.isdigit() and bare[:1] == "0" else phone_digits(phone)
        if len(digits) >= 7:
            yield pid, digits[-10:]


def _on_numbers(session: Session, keys: set[str]) -> list[str]:
    return [pid for pid, key in _numbers(session) if key in keys]


def around(session: Session, person_ids: set[str]) -> dict[tuple[str, str], str]:
    """The pairs these people are in now (after a save or a pull changed them), from the
    people who share a birth date or a family name with them (on their indexes) or whose
    number ends as theirs does (a quick look along the phone column)."""
    ids = sorted(person_ids)
    them = [Someone.of(r) for i in range(0, len(ids), 500) for r in session.execute(
        select(*_COLUMNS).where(*LIVING, Person.id.in_(ids[i:i + 500])))]
    if not them:
        return {}
    raw = session.execute(select(Person.family_name, Person.postcode).where(
        Person.id.in_([x.id for x in them]), Person.postcode != "")).all()
    families = {form for name, _ in raw for form in (
        name, name.lower(), name.upper(), name.title(), name.capitalize())}
    wanted = [Person.date_of_birth.in_({x.dob for x in them if x.dob}),
              and_(Person.family_name.in_(families),  # (at their postcodes)
                   Person.postcode.in_({postcode for _, postcode in raw}))]
    # (the last three digits: a number is written with spaces, "0151 496 0 101" too)
    endings = {x.phone[-3:] for x in them if x.phone}
    if len(endings) > FEW_NUMBERS:  # one look along the column, the numbers read here
        wanted.append(Person.id.in_(_on_numbers(session, {x.phone[-10:] for x in them})))
    elif endings:
        wanted.append(or_(*(Person.phone.like(f"%{end}") for end in endings)))
    near: dict[object, dict[str, Someone]] = defaultdict(dict)  # by what they share
    for condition in wanted:  # (one query each: each takes its own index)
        for r in session.execute(select(*_COLUMNS).where(*LIVING, condition)):
            y = Someone.of(r)
            for key in (y.dob, y.family, y.phone[-4:] if y.phone else None):
                if key:
                    near[key][y.id] = y
    found: dict[tuple[str, str], str] = {}
    for x in them:
        others = {**near.get(x.dob or "", {}), **near.get(x.family, {}),
                  **near.get(x.phone[-4:] if x.phone else "", {})}
        for y in others.values():
            if y.id != x.id:
                reason = why(x, y)
                if reason:
                    found.setdefault(pair_ids(x.id, y.id), reason)
    return found


def listed(session: Session, found: dict[tuple[str, str], str]) -> list[DuplicatePair]:
    """The pairs found, as the list shows them: those said to be different people left
    out, each with the two records, by name."""
    dismissed = {pair_ids(a, b) for a, b in session.execute(
        select(NotDuplicate.person_a, NotDuplicate.person_b)
        .where(NotDuplicate.deleted_at.is_(None)))}
    found = {k: v for k, v in found.items() if k not in dismissed}
    people = {p.id: p for p in _load(session, {i for pair in found for i in pair})}
    pairs = [DuplicatePair(people[a], people[b], reason) for (a, b), reason in found.items()
             if a in people and b in people and not any(
                 people[i].merged_into or people[i].deleted_at for i in (a, b))]
    pairs.sort(key=lambda p: (p.a.family_name.lower(), p.a.given_name.lower(), p.a.id, p.b.id))
    return pairs


def pair_ids(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _load(session: Session, ids: set[str]) -> list[Person]:
    ids_list = sorted(ids)
    out: list[Person] = []
    for start in range(0, len(ids_list), 500):
        out.extend(session.scalars(select(Person).where(
            Person.id.in_(ids_list[start:start + 500]))))
    return out


def possible_duplicates(session: Session) -> list[DuplicatePair]:
    """Every pair of living people who may be one (see above), all steps at once."""
    found: dict[tuple[str, str], str] = {}
    for step in scan_steps(session):
        for pair, reason in run_step(session, step).items():
            found.setdefault(pair, reason)
    return listed(session, found)
