"""The sheet's translations: one gettext catalogue per language, read at run time.

``lr_desk/locale/<code>/LC_MESSAGES/sheet.po`` holds the sheet's fixed words (the msgids:
``words.template_words()``) in one language, read with Babel's ``read_po`` each time the
file changes: the service corrects a translation in a text editor and the next sheet
printed shows it, with no compile step and no code change. Its header says

    Language: ar
    X-Language-Names: Arabic, Arabi          (what people write for it, for matching)
    X-Reviewed-By: (who checked it: a fluent speaker; empty = not yet checked)
    X-Reviewed-On: (the date they checked it, YYYY-MM-DD; empty = not yet checked)

A catalogue is reviewed only when both are filled in. Only a reviewed catalogue is
chosen from the person's recorded language by itself; one not yet checked prints only
when the advisor chooses it (``for_sheet``), and the sheet then says the translation has
not been checked. A catalogue that cannot be read is left out, with a line in the log:
the English sheet still prints. A translation that drops a ``{placeholder}`` of its
English, or is marked fuzzy, is not used (that line prints in English only).

The shipped catalogues are inside the program, which on a managed PC no one but the
installer may change. So a catalogue may also be put outside it (``paths.
translation_dirs()``: the account's data folder, then the machine's, where IT deploys):
there it corrects the shipped one of the same language, or adds a language, read by the
same rules. The first folder that has a language's file decides: a broken file there
leaves the language out (English prints), it does not bring back the uncorrected one.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

from lr_desk import paths

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "sheet"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")

_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[int, int], Catalogue | None]] = {}


@dataclass(frozen=True)
class Catalogue:
    code: str  # "ar", "ckb"
    name: str  # the English name the desk shows: "Arabic"
    names: tuple[str, ...]  # what people write for it: "Arabic", "Arabi"
    reviewed_by: str
    reviewed_on: str
    rtl: bool  # its words read right to left
    path: Path
    words: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewed_by and self.reviewed_on)

    @property
    def label(self) -> str:
        """What the desk's Language list shows: 'Arabic (not yet checked)'."""
        return self.name if self.reviewed else f"{self.name} (not yet checked)"

    def __call__(self, english: str) -> str:
        """``english`` in this language; "" when it has no translation here."""
        return self.words.get(english, "")


def _headers(path: Path) -> dict[str, str]:
    """The header entry's fields (Babel keeps only the standard ones), read as written."""
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        head = fh.read(8192)
    block = re.search(r'^msgid ""\s*\nmsgstr ((?:"(?:[^"\\]|\\.)*"\s*\n?)+)', head, re.M)
    if block is None:
        return out
    joined = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block.group(1)))
    for line in joined.replace("\\n", "\n").split("\n"):
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip().lower()] = value.strip().replace('\\"', '"')
    return out


def _right_to_left(words: dict[str, str]) -> bool:
    """Most of its letters are in a right-to-left script."""
    rtl = ltr = 0
    for text in words.values():
        for ch in text:
            kind = unicodedata.bidirectional(ch)
            rtl += kind in ("R", "AL")
            ltr += kind == "L"
    return rtl > ltr


def _load(path: Path) -> Catalogue | None:
    code = path.parent.parent.name
    try:
        headers = _headers(path)
        with open(path, "rb") as fh:
            catalog = read_po(fh, abort_invalid=True)
    except Exception as exc:  # a broken file is the service's to mend: never a crash
        log.warning("The sheet's %s translation (%s) cannot be read and is left out: %s",
                    code, path, exc)
        return None
    words: dict[str, str] = {}
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or message.fuzzy:
            continue
        string = message.string if isinstance(message.string, str) else ""
        if not string.strip():
            continue
        if set(PLACEHOLDER.findall(message.id)) != set(PLACEHOLDER.findall(string)):
            log.warning("The sheet's %s translation of %r is left out: it should keep %s",
                        code, message.id, ", ".join(PLACEHOLDER.findall(message.id)))
            continue
        words[message.id] = string.strip()
    if not words:
        log.warning("The sheet's %s translation (%s) has no words and is left out", code, path)
        return None
    names = tuple(n.strip() for n in headers.get("x-language-names", "").split(",")
                  if n.strip()) or (code,)
    return Catalogue(code=code, name=names[0], names=names,
                     reviewed_by=headers.get("x-reviewed-by", ""),
                     reviewed_on=headers.get("x-reviewed-on", ""),
                     rtl=_right_to_left(words), path=path, words=words)


def load(path: Path) -> Catalogue | None:
    """The catalogue in ``path``, read again only when the file has changed; None (and a
    line in the log) when it cannot be used."""
    try:
        info = path.stat()
        stamp = (info.st_mtime_ns, info.st_size)
    except OSError:
        return None
    with _lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    found = _load(path)
    if found is not None and LOCALE_DIR not in path.parents:
        log.info("The sheet's %s translation is read from %s (outside the program: it "
                 "takes the place of any shipped one)", found.name, path)
    with _lock:
        _cache[path] = (stamp, found)
    return found


def folders() -> list[Path]:
    """Where catalogues are read from, the first to have a language's file winning:
    the folders outside the program (``paths.translation_dirs()``), then the shipped."""
    return [*paths.translation_dirs(), LOCALE_DIR]


def _paths() -> list[Path]:
    """Each language's catalogue file, from the first folder that has one."""
    found: dict[str, Path] = {}
    for folder in folders():
        try:
            for path in sorted(folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
                found.setdefault(path.parent.parent.name, path)
        except OSError:
            continue
    return [found[code] for code in sorted(found)]


def available() -> list[Catalogue]:
    """Every catalogue that can be used, by English name."""
    found = [c for c in (load(p) for p in _paths()) if c is not None]
    return sorted(found, key=lambda c: c.name.casefold())


def find(code: str) -> Catalogue | None:
    """The catalogue for a language code ("ar"), or None."""
    if not code or not re.fullmatch(r"[A-Za-z_@-]+", code):
        return None
    for folder in folders():
        path = folder / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return load(path)
    return None


def _plain(text: str) -> str:
    """Lower case, accents and punctuation gone, spaces single: 'Português' -> 'portugues'."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def match(recorded: str, catalogues: list[Catalogue] | None = None) -> Catalogue | None:
    """The catalogue for a language as the desk recorded it (free text): forgiving of
    case, spaces, accents and brackets. 'farsi', 'Persian' and 'Farsi (Dari)' -> fa;
    'Kurdish (Sorani)' -> ckb. The whole text first, then each part of it (split at
    brackets, commas, slashes and dashes); None when nothing matches."""
    if not recorded or not recorded.strip():
        return None
    catalogues = available() if catalogues is None else catalogues
    known: dict[str, Catalogue] = {}
    for catalogue in catalogues:
        for name in (*catalogue.names, catalogue.code):
            known.setdefault(_plain(name), catalogue)
    tries = [recorded, *re.split(r"[()\[\],;/|\-]+", recorded)]
    for attempt in tries:
        found = known.get(_plain(attempt))
        if found is not None:
            return found
    return None


def for_sheet(recorded: str, chosen: str | None = None) -> Catalogue | None:
    """The language the sheet prints beside the English. ``chosen`` None: the person's
    recorded language, only if its catalogue has been checked; "" : English only; a code:
    that catalogue (the advisor chose it, checked or not)."""
    if chosen is not None:
        return find(chosen)
    found = match(recorded)
    return found if found is not None and found.reviewed else None
