"""The sheet's translation catalogues brought up to date with the sheet's English words.

    python scripts/sheet_catalogues.py          write lr_desk/locale/sheet.pot, and add
                                                any new English words to every sheet.po
    python scripts/sheet_catalogues.py --check  exit 1 if any of them is out of date

The English words are ``lr_desk.sheets.words.template_words()`` (the sheet's fixed words,
the kinds of item and the ways of a catch-up, the shipped urgent help). Each
``lr_desk/locale/<code>/LC_MESSAGES/sheet.po`` keeps its header (who reviewed it, when,
the names of the language) and its translations; a word the sheet no longer uses is kept
at the end as an obsolete entry (``#~``), for the translator to reuse or delete. Only
needed when the sheet's English changes: correcting a translation needs only a text
editor (see the README).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.messages.pofile import read_po

from lr_desk.sheets import catalogues
from lr_desk.sheets.words import template_words

STANDARD = {"Project-Id-Version": "lr_desk take-home sheet", "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit"}
OURS = ("X-Language-Names", "X-Reviewed-By", "X-Reviewed-On")
TOP = """\
# The take-home sheet's fixed words in {name}, printed beside the English.
# Correct a translation here with any text editor (UTF-8); the next sheet printed shows
# it. Keep every {{placeholder}} as it is. When someone fluent in {name} has checked
# every line, put their name in X-Reviewed-By and the date (YYYY-MM-DD) in
# X-Reviewed-On: only then does the desk choose this translation by itself for a person
# whose recorded language is {name}; until then it prints only when the advisor chooses
# it, with a line saying it has not been checked.
"""
NOTES = {
    "Made with": "In the header, before the advisor's first name.",
    "For": "In the header, before the visitor's name.",
    "Phone": "In the header, before the hub's phone number.",
    "Open": "In the header, before the hub's opening hours.",
    "{phone}": "{phone} is the hub's phone number: keep it as it is.",
    "(continued)": "After an item's title, on its line, where the item goes on over a page: "
                   "keep it short (an abbreviation is fine).",
}


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def entry(msgid: str, msgstr: str, obsolete: bool = False) -> str:
    notes = [note for key, note in NOTES.items() if key == msgid or (key in msgid
             and key.startswith("{"))]
    lead = "#~ " if obsolete else ""
    lines = [f"#. {note}" for note in notes if not obsolete]
    lines += [f"{lead}msgid {quote(msgid)}", f"{lead}msgstr {quote(msgstr)}"]
    return "\n".join(lines)


def header(fields: dict[str, str]) -> str:
    body = "".join(f'"{key}: {value}\\n"\n' for key, value in fields.items())
    return f'msgid ""\nmsgstr ""\n{body}'.rstrip("\n")


def po_text(code: str, fields: dict[str, str], translated: dict[str, str],
            words: list[str]) -> str:
    name = (fields.get("X-Language-Names") or code).split(",")[0].strip()
    head = {**STANDARD, "Language": code, **{k: fields.get(k, "") for k in OURS}}
    parts = [TOP.format(name=name) + header(head)]
    parts += [entry(w, translated.get(w, "")) for w in words]
    parts += [entry(w, s, obsolete=True) for w, s in translated.items()
              if w not in words and s]
    return "\n\n".join(parts) + "\n"


def pot_text(words: list[str]) -> str:
    top = ("# The take-home sheet's fixed words: the template of every sheet.po\n"
           "# (written by scripts/sheet_catalogues.py; do not translate here).\n")
    return "\n\n".join([top + header(STANDARD), *(entry(w, "") for w in words)]) + "\n"


def translations(path: Path) -> dict[str, str]:
    with open(path, "rb") as fh:
        catalog = read_po(fh)
    found = {m.id: m.string for m in catalog if m.id and isinstance(m.id, str)}
    found.update({m.id: m.string for m in catalog.obsolete.values()
                  if isinstance(m.id, str)})
    return found


def updated() -> dict[Path, str]:
    """Every file as it should be now."""
    words = template_words()
    out = {catalogues.LOCALE_DIR / f"{catalogues.DOMAIN}.pot": pot_text(words)}
    for path in sorted(catalogues.LOCALE_DIR.glob(f"*/LC_MESSAGES/{catalogues.DOMAIN}.po")):
        code = path.parent.parent.name
        fields = {k: v for k, v in catalogues._headers(path).items()}
        fields = {key: fields.get(key.lower(), "") for key in OURS}
        out[path] = po_text(code, fields, translations(path), words)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say what is out of date")
    args = parser.parse_args()
    stale = [p for p, text in updated().items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"out of date: {path}")
        return 1 if stale else 0
    for path, text in updated().items():
        if path in stale:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
