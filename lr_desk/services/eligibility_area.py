"""A service's catchment, read from the words the directory keeps ("Sefton, L4, L5 9"),
and a person's postcode checked against it.

A catchment lists council areas (services.districts.AUTHORITIES, or Merseyside or the
Liverpool City Region for several), postcode areas ("CH"), districts ("L4") and sectors
("L5 9"), separated by commas, semicolons, slashes or "and". A person is inside when
their postcode is in one of the districts or sectors listed, or in one of the council
areas. Where the desk cannot tell (no postcode, a district shared by two councils, one
it does not know), it says so, never refusing on a guess. Pure: no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lr_desk.services.districts import AUTHORITIES, DISTRICTS, GROUPS

_SPLIT = re.compile(r"\s*(?:[,;/\n]|\band\b|&)\s*", re.IGNORECASE)
_AREA = re.compile(r"^[A-Z]{1,2}$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s+([0-9])$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*(?:([0-9])([A-Z]{2}))?$")
_NOISE = re.compile(r"\b(?:city of|metropolitan|borough|council|residents?|only|area)\b",
                    re.IGNORECASE)
_NAMES = {re.sub(r"[^a-z]", "", a.lower()): a for a in AUTHORITIES}
_JOINED = [(re.compile(re.escape(a), re.IGNORECASE), a.replace(" and ", " \0 "))
           for a in AUTHORITIES if " and " in a]  # "Cheshire West and Chester": one name


@dataclass(frozen=True)
class Catchment:
    """A catchment read: what it names, in its own order, for the words shown."""

    text: str
    authorities: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()  # postcode areas: "CH"
    districts: frozenset[str] = frozenset()  # "L4"
    sectors: frozenset[str] = frozenset()  # "L5 9"
    names: tuple[str, ...] = ()  # as shown: "Sefton", "L4", "L5 9"
    unknown: tuple[str, ...] = ()  # words it has that the desk cannot check

    def __bool__(self) -> bool:
        return bool(self.authorities or self.areas or self.districts or self.sectors)

    @property
    def only_councils(self) -> bool:
        return bool(self.authorities) and not (self.areas or self.districts or self.sectors)

    def label(self) -> str:
        """'Sefton residents only', 'For Sefton, L4 and L5 9 only'."""
        if self.only_councils:
            return f"{and_list(self.names)} residents only"
        return f"For {and_list(self.names)} only"


def and_list(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@lru_cache(maxsize=4096)
def parse(text: str) -> Catchment:
    """Read a catchment's words (empty: anyone, anywhere)."""
    authorities, areas, districts, sectors = set(), set(), set(), set()
    names: list[str] = []
    unknown: list[str] = []
    whole = text or ""
    for pattern, kept in _JOINED:
        whole = pattern.sub(kept, whole)
    for raw in _SPLIT.split(whole):
        token = " ".join(raw.replace("\0", "and").split())
        if not token:
            continue
        upper = token.upper()
        plain = " ".join(_NOISE.sub(" ", token).split())
        key = re.sub(r"[^a-z]", "", plain.lower())
        group = GROUPS.get(plain.lower())
        if group:
            authorities.update(group)
            names.append(plain)
        elif key in _NAMES:
            authorities.add(_NAMES[key])
            names.append(_NAMES[key])
        elif _DISTRICT.match(upper):
            districts.add(upper)
            names.append(upper)
        elif m := _SECTOR.match(upper):
            sector = f"{m.group(1)} {m.group(2)}"
            sectors.add(sector)
            names.append(sector)
        elif _AREA.match(upper):
            areas.add(upper)
            names.append(upper)
        else:
            unknown.append(token)
    return Catchment(text, frozenset(authorities), frozenset(areas), frozenset(districts),
                     frozenset(sectors), tuple(dict.fromkeys(names)), tuple(unknown))


@dataclass(frozen=True)
class Place:
    """Where a person's postcode puts them: district, sector (when the postcode is
    whole) and the council areas the district is in (empty: not in the table)."""

    postcode: str
    district: str = ""
    sector: str = ""
    councils: tuple[str, ...] = ()

    @property
    def area(self) -> str:
        return re.match(r"[A-Z]+", self.district).group(0) if self.district else ""


def place(postcode: str) -> Place | None:
    """The place of a postcode ("l4 1ab", "L4"); None when it is not one."""
    text = " ".join((postcode or "").upper().split())
    m = _POSTCODE.match(text)
    if not m:
        return None
    district = m.group(1)
    sector = f"{district} {m.group(2)}" if m.group(2) else ""
    whole = f"{sector}{m.group(3)}" if sector else district
    return Place(whole, district, sector, DISTRICTS.get(district, ()))


@dataclass(frozen=True)
class AreaResult:
    blocking: bool
    text: str


def check(catchment: Catchment, postcode: str) -> AreaResult | None:
    """None when the person is inside (or the catchment is anyone); otherwise why not,
    or why the desk cannot tell."""
    if not catchment:
        return None
    label = catchment.label()
    listed = and_list(catchment.names)
    if not (postcode or "").strip():
        return AreaResult(False, f"No postcode: cannot check the catchment ({listed})")
    where = place(postcode)
    if where is None:
        return AreaResult(False, f"Postcode {postcode.strip()} not recognised: cannot check "
                                 f"the catchment ({listed})")
    if where.district in catchment.districts or where.area in catchment.areas or \
            (where.sector and where.sector in catchment.sectors):
        return None
    partly = sorted(s for s in catchment.sectors if s.split()[0] == where.district)
    if partly and not where.sector:
        return AreaResult(False, f"Only part of {where.district} is in the catchment "
                                 f"({and_list(partly)}): check their full postcode")
    councils = where.councils
    if catchment.authorities:
        if not councils:
            return AreaResult(False, f"Cannot tell which council area {where.district} is "
                                     f"in: check they live in "
                                     f"{and_list(sorted(catchment.authorities))}")
        inside = [c for c in councils if c in catchment.authorities]
        if inside and len(inside) == len(councils):
            return None
        if inside:
            others = [c for c in councils if c not in catchment.authorities]
            return AreaResult(False, f"{where.district} is partly in {and_list(inside)}, "
                                     f"partly in {and_list(others)}: check they live in "
                                     f"{and_list(inside)}")
        return AreaResult(True, f"{label}: this person's postcode ({where.district}) is in "
                                f"{' or '.join(councils)}")
    if councils:
        return AreaResult(True, f"{label}: this person's postcode ({where.district}) is in "
                                f"{' or '.join(councils)}")
    return AreaResult(True, f"{label}: this person's postcode is {where.postcode}")
