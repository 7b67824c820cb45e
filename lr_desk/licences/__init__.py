"""What this build of the desk carries, under which licence, and where the text is.

Three kinds of part:
- software: lr_desk and every distribution its runtime requirements pull in, walked with
  importlib.metadata (so the desktop bundle, which carries every distribution's metadata
  folder, answers for what it really holds), each with its licence and licence files;
- inside: what those carry with a licence of its own (Qt, Python, SQLCipher, OpenSSL...);
- data: every file in lr_desk/data, with where it came from and its licence.

``parts()`` lists them for Help > About; ``check()`` lists what is wrong (a part with no
licence named or no text, a licence file missing, a data file no part covers) and is
what ``lr-desk --self-test`` runs.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import re
import sys
from dataclasses import dataclass, field
from email.message import Message
from fnmatch import fnmatchcase
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from lr_desk import __version__
from lr_desk.licences.catalogue import DATA, FALLBACK, INSIDE, NAMED, OWN_LICENCE, Entry
from lr_desk.resources import RESOURCES

ROOT = "lr_desk"
_LICENCE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE)", re.IGNORECASE)
_AUTHORS_FILE = re.compile(r"^AUTHORS", re.IGNORECASE)
# classifier and free-text names, made short
_TIDY = {
    "mit license": "MIT", "mit licence": "MIT", "mit": "MIT", "bsd license": "BSD",
    "apache software license": "Apache", "python software foundation license": "PSF",
    "gnu library or lesser general public license (lgpl)": "LGPL",
    "gnu lesser general public license v3 (lgplv3)": "LGPL-3.0",
    "isc license (iscl)": "ISC", "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
}


@dataclass(frozen=True)
class Part:
    name: str
    version: str
    licence: str
    kind: str  # "software", "inside" or "data"
    note: str  # where it comes from, in a line
    files: tuple[Path, ...] = ()  # its licence texts (and notices), in reading order
    statement: str = ""  # words shown before the files (or instead of them)
    covers: tuple[str, ...] = field(default=(), repr=False)  # data: files in lr_desk/data

    def text(self) -> str:
        """The statement and the text of every licence file that is there."""
        pieces = [self.statement] if self.statement else []
        seen = set()
        for path in self.files:
            try:
                body = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if " ".join(body.split()) in seen:  # the same words shipped twice
                continue
            seen.add(" ".join(body.split()))
            pieces.append(f"--- {path.name} ---\n\n{body.strip()}" if len(self.files) > 1 or
                          self.statement else body.strip())
        return "\n\n".join(pieces)

    def missing(self) -> list[Path]:
        return [path for path in self.files if not path.is_file()]


def key(name: str) -> str:
    """A distribution's name as the index compares them (PEP 503)."""
    return canonicalize_name(name)


@dataclass(frozen=True)
class Installed:
    """An installed distribution with its metadata read once (importlib.metadata parses
    it again on every access)."""
    dist: metadata.Distribution
    meta: Message

    @property
    def name(self) -> str:
        return self.meta["Name"]

    @property
    def version(self) -> str:
        return self.meta["Version"] or ""


@cache
def _installed() -> dict[str, Installed]:
    """Every installed distribution by key, read in one pass (the first on the path wins,
    as import finds it)."""
    found: dict[str, Installed] = {}
    for dist in metadata.distributions():
        meta = dist.metadata
        if meta["Name"]:
            found.setdefault(key(meta["Name"]), Installed(dist, meta))
    return found


def _distribution(name: str) -> Installed | None:
    return _installed().get(key(name))


def closure(root: str = ROOT) -> tuple[dict[str, Installed], list[str]]:
    """Every installed distribution ``root`` needs at run time (not ``root`` itself), by
    key, and the requirements that apply here but are not installed ("x (needed by y)").

    A requirement's extras are followed (psycopg[binary] brings psycopg-binary); one
    whose marker does not hold on this machine (read by ``packaging``) is left out."""
    found: dict[str, tuple[Installed, frozenset[str]]] = {}
    missing: list[str] = []
    queue: list[tuple[str, frozenset[str], str]] = [(root, frozenset(), "")]
    while queue:
        name, extras, needed_by = queue.pop(0)
        dist = _distribution(name)
        if dist is None:
            missing.append(f"{name} (needed by {needed_by})" if needed_by else
                           f"{name} (the desk itself)")
            continue
        seen = found.get(key(name))
        if seen is not None and extras <= seen[1]:
            continue
        extras = extras | (seen[1] if seen else frozenset())
        found[key(name)] = (dist, extras)
        for text in dist.meta.get_all("Requires-Dist") or ():
            try:
                requirement = Requirement(text)
            except InvalidRequirement:  # (a distribution's own mistake: not followed)
                continue
            marker = requirement.marker
            if marker is not None and not any(marker.evaluate({"extra": extra})
                                              for extra in (extras or {""})):
                continue
            queue.append((requirement.name, frozenset(key(e) for e in requirement.extras),
                          dist.name))
    found.pop(key(root), None)
    return {k: dist for k, (dist, _) in sorted(found.items())}, missing


def _listed(dist: metadata.Distribution) -> list[str]:
    """The paths a distribution lists (its RECORD, read as text: far quicker than
    dist.files for the few names wanted here)."""
    record = dist.read_text("RECORD")
    if record is None:
        return [str(item) for item in dist.files or ()]
    return [next(csv.reader([line]))[0] for line in record.splitlines()
            if line.strip() and re.search(r"(^|/)(LICEN|COPYING|NOTICE|AUTHORS)", line, re.I)]


def licence_name(dist: Installed) -> str:
    """License-Expression, else a short License field, else the License classifiers,
    else what NAMED says (distributions whose metadata names none)."""
    meta = dist.meta
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 60 and text.upper() != "UNKNOWN":
        return _TIDY.get(text.lower(), text)
    named = [c.rsplit("::", 1)[-1].strip() for c in meta.get_all("Classifier") or ()
             if c.startswith("License ::") and not c.endswith("OSI Approved")]
    if named:
        return " or ".join(dict.fromkeys(_TIDY.get(n.lower(), n) for n in named))
    return NAMED.get(key(meta["Name"]), "")


def licence_files(dist: Installed) -> tuple[Path, ...]:
    """The licence, copying and notice files a distribution ships that are there (its
    AUTHORS after them), in the metadata folder first."""
    found, authors = [], []
    for item in _listed(dist.dist):
        name = item.rpartition("/")[2]
        if name.endswith((".py", ".pyc", ".pyi")):
            continue
        if _LICENCE_FILE.match(name) or _AUTHORS_FILE.match(name):
            path = Path(str(dist.dist.locate_file(item)))
            if path.is_file():
                (authors if _AUTHORS_FILE.match(name) else found).append(
                    (".dist-info" not in item, item, path))
    return tuple(path for *_, path in sorted(found) + sorted(authors))


def _data(name: str) -> Path:
    return RESOURCES / name


def _this_desk() -> Part:
    dist = _distribution(ROOT)
    licence = (dist.meta.get("License") if dist else None) or OWN_LICENCE
    return Part("Life Rooms desk (lr_desk)", __version__, licence, "software",
                "this application, made for The Life Rooms",
                statement=f"lr_desk {__version__}: {licence}. Made for the pathways "
                          "advisors of The Life Rooms. Every other part below keeps its "
                          "own licence, as listed.")


def _software(dists: dict[str, Installed]) -> list[Part]:
    made = []
    for name, dist in dists.items():
        files = licence_files(dist)
        statement = ""
        if not files and name in FALLBACK:
            statement, texts = FALLBACK[name]
            files = tuple(_data(t) for t in texts)
        summary = (dist.meta.get("Summary") or "").strip()
        made.append(Part(dist.name, dist.version, licence_name(dist), "software",
                         summary, files, statement))
    return made


def _python() -> Part:
    version = platform.python_version()
    candidates = (Path(os.__file__).parent / "LICENSE.txt",
                  Path(sys.base_prefix) / "LICENSE.txt",
                  Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}."
                  f"{sys.version_info[1]}" / "LICENSE.txt")
    text = next((p for p in candidates if p.is_file()), None)
    statement = "" if text else (
        f"Python {version}. Copyright (c) 2001 Python Software Foundation; All Rights "
        "Reserved. Used under the PSF License Agreement (PSF-2.0): "
        "https://docs.python.org/3/license.html")
    return Part("Python", version, "PSF-2.0", "inside",
                "the Python interpreter and standard library that run the desk",
                (text,) if text else (), statement)


def _inside(entry: Entry, dists: dict[str, Installed]) -> Part | None:
    host = dists.get(key(entry.host)) if entry.host else None
    if entry.host and host is None:
        return None
    if entry.frozen_only and not getattr(sys, "frozen", False):
        return None
    if not sys.platform.startswith(entry.only_on):
        return None
    files = []
    for text in entry.texts:
        if text.startswith("dist:"):  # a file the host distribution ships, by name
            wanted = text.removeprefix("dist:")
            files += [p for p in licence_files(host) if p.name == wanted]
            if not any(p.name == wanted for p in files):
                files.append(Path(f"{entry.host}: {wanted}"))  # reported missing
        else:
            files.append(_data(text))
    version = host.version if entry.host_version and host else entry.version
    return Part(entry.name, version, entry.licence, "inside", entry.note,
                tuple(files), entry.statement)


def _data_part(entry: Entry) -> Part:
    statement = entry.statement
    if entry.quote:  # words the data file itself carries (a notice, a source)
        from_file, *paths = entry.quote
        shown = _load_quote(from_file, paths)
        statement = "\n\n".join(p for p in (statement, shown) if p)
    return Part(entry.name, entry.version, entry.licence or OWN_LICENCE, "data", entry.note,
                tuple(_data(t) for t in entry.texts), statement, entry.covers)


def _load_quote(from_file: str, paths: list[str]) -> str:
    try:
        found = json.loads(_data(from_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    lines = []
    for dotted in paths:
        value = found
        for step in dotted.split("."):
            value = value.get(step, "") if isinstance(value, dict) else ""
        if value:
            lines.append(str(value))
    return "\n\n".join(lines)


@cache
def parts() -> tuple[Part, ...]:
    """Every part, in the order About shows them: the desk, its software (by name),
    what is inside it, the data."""
    dists, _ = closure()
    inside = [_python(), *(p for e in INSIDE if (p := _inside(e, dists)) is not None)]
    return (_this_desk(), *_software(dists), *inside, *(_data_part(e) for e in DATA))


def data_files() -> list[str]:
    """Every file in lr_desk/data, as a path inside it ("fonts/LICENSE")."""
    return sorted(p.relative_to(RESOURCES).as_posix() for p in RESOURCES.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)


def uncovered(names: list[str], every: tuple[Part, ...]) -> list[str]:
    """Which of ``names`` (files in lr_desk/data) no part covers, by its patterns or as a
    licence text it shows."""
    shown = {path.resolve() for part in every for path in part.files}
    patterns = [pattern for part in every for pattern in part.covers]
    return [name for name in names
            if not any(fnmatchcase(name, pattern) for pattern in patterns)
            and (RESOURCES / name).resolve() not in shown]


def problems(every: tuple[Part, ...], not_installed: list[str], names: list[str]
             ) -> list[str]:
    """What is wrong, one line each: a requirement not installed, a part with no licence
    named, a licence file missing, a part with no text, a data file no part covers."""
    found = [f"{m}: no metadata found (not installed, or its .dist-info folder not "
             "bundled)" for m in not_installed]
    for part in every:
        if not part.licence.strip():
            found.append(f"{part.name}: no licence named")
        found += [f"{part.name}: licence file missing: {p}" for p in part.missing()]
        if not part.text().strip():
            found.append(f"{part.name}: no licence text")
    found += [f"lr_desk/data/{name}: no part says where it came from or its licence "
              "(add it to lr_desk/licences/catalogue.py DATA)"
              for name in uncovered(names, every)]
    return found


def check() -> list[str]:
    """What is wrong with the licences this build carries, one line each (empty: all
    well). What ``lr-desk --self-test`` runs."""
    return problems(parts(), closure()[1], data_files())
