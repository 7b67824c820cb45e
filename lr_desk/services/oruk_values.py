"""Values from an Open Referral UK record as the directory can keep them: plain text
(markup removed, broken characters replaced, cut to the column), web and email
addresses, phone numbers and ages checked (``ValueError`` in words: ``Notes`` collects
them, the field is left blank), and a record made storable as received (no NUL or half
a character; not nested deeper or larger than a synced change may be)."""

from __future__ import annotations

import html
import json
import re
import urllib.parse

from lr_desk.services.validation import MAX_TEXT, normalise_email, normalise_phone

# the columns' sizes (the central store checks them: sync.checks)
SIZES = {"name": 200, "phone": 32, "web": 300, "location": 200, "when_text": 200,
         "catchment": 500, "feed_id": 250, "role": 120, "email": 254, "contact": 120,
         "text": MAX_TEXT}
MAX_DEPTH = 14  # levels of nesting a record may have (a synced JSON value: 16)
MAX_RECORD = 400_000  # characters of JSON a record may take (a synced change: 1,000,000)
_CONTROL = dict.fromkeys(c for c in (*range(32), *range(127, 160)) if c not in (9, 10, 13))


def storable(value):
    """``value`` (a record, as received) with every string storable and synced: NUL
    dropped, half a character (a lone surrogate) replaced by \ufffd."""
    if isinstance(value, str):
        return _whole(value).replace("\x00", "")
    if isinstance(value, list):
        return [storable(v) for v in value]
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    return value


def _whole(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    return value


def too_big(record) -> str:
    """Why a record cannot be kept as received (too deep, too large), or ""."""
    level = [record]
    for _ in range(MAX_DEPTH):
        level = [c for v in level if isinstance(v, (dict, list))
                 for c in (v.values() if isinstance(v, dict) else v)]
    if any(isinstance(v, (dict, list)) and v for v in level):
        return f"it is nested more than {MAX_DEPTH} levels deep"
    if len(json.dumps(record, ensure_ascii=False)) > MAX_RECORD:
        return f"it is larger than {MAX_RECORD:,} characters"
    return ""


_SPECIAL = re.compile(r"[<&]|  ")


def text(value, most: int | None = None) -> str:
    """A feed's text as plain words: markup removed, spaces tidied, cut to ``most``."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return ""
    if value.isprintable() and not _SPECIAL.search(value):  # most of a feed: plain words
        value = value.strip()
        most = SIZES["text"] if most is None else most
        return value[: most - 1].rstrip() + "…" if len(value) > most else value
    if "<" in value:
        value = re.sub(r"<\s*(br|/p|/li|/div)\s*/?>", "\n", value, flags=re.IGNORECASE)
        value = re.sub(r"<[^>]+>", "", value)
    value = _whole(html.unescape(value)).translate(_CONTROL)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in value.split("\n")]
    value = "\n".join(line for line in lines if line)
    most = SIZES["text"] if most is None else most
    if len(value) > most:
        value = value[: most - 1].rstrip() + "…"
    return value


def one_line(value, most: int | None = None) -> str:
    return text(text(value).replace("\n", ", "), most)


def items(record, key: str) -> list[dict]:
    value = record.get(key) if isinstance(record, dict) else None
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def web(value) -> str:
    """A web address, or "" if the value is none (ValueError if it is not one)."""
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise ValueError("is not text")
    value = value.strip()
    parts = urllib.parse.urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or \
            "." not in parts.hostname or re.search(r"\s", value):
        raise ValueError(f"{value[:60]!r} is not a web address")
    if len(value) > SIZES["web"]:
        raise ValueError(f"is longer than {SIZES['web']} characters")
    return value


def email(value) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise ValueError("is not text")
    try:
        return normalise_email(value)
    except ValueError:
        raise ValueError(f"{value[:60]!r} is not an email address") from None


def phone(value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("is not text")
    cleaned = value.strip().strip("\"'").strip()
    try:
        return normalise_phone(cleaned)[: SIZES["phone"]]
    except ValueError:
        raise ValueError(f"{value[:40]!r} is not a phone number") from None


def age(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 130:
        raise ValueError(f"{str(value)[:20]!r} is not an age")
    return value


class Notes:
    """What is wrong with one record's fields: each left out, the rest imported."""

    def __init__(self):
        self.said: list[str] = []

    def value(self, check, raw, what: str, default=""):
        try:
            return check(raw)
        except ValueError as exc:
            self.said.append(f"its {what} {exc}: left blank")
            return default
