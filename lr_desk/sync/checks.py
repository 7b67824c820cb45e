"""What a valid change is: one statement, read from the models, that the central store
and every desk check each change against.

A device's login is not a person (DESIGN.md, trust boundaries). Whatever a device appends
to the log is checked here before it is stored: by the SQLite store in CentralStore.push,
in Python; by PostgreSQL in the database itself, with the trigger migration c5 makes from
the same description (checks_pg.postgres_sql), so a device's own login cannot go round it.
Every desk checks each change again before applying it (a log from before the checks may
still hold bad ones: sync.screen); one it cannot apply is set aside, with the reason, for
an admin, and the pull carries on with the rest.

A valid change:
- ``op`` "insert" or "update"; ``entity`` a synced table (models.SYNCED_MODELS);
  ``change_id`` and ``entity_id`` UUIDs;
- ``fields`` a JSON object of that table's columns (never its id): each value of its
  column's JSON type (a date "YYYY-MM-DD" and a time "YYYY-MM-DDTHH:MM:SS[.ffffff]", as
  models.to_json writes them; an integer within a billion), text no longer than its
  column (MAX_TEXT for a Text), with no NUL or lone surrogate; null only where the column
  may be; an insert holds every column that has no default; at most MAX_CHANGE of JSON;
- ``seen`` null, or an object of field -> list of clock stamps ("~" keys: one string);
- ``hlc`` a clock stamp as store.clock.HybridClock.encode writes one, at most AHEAD in
  front of the store's time (a desk measures from the change's received_at, allowing
  DESK_SLACK more: the store may keep that in its own time zone);
- ``schema_version`` one the central store knows (its table ``desk_schema``, which every
  ``central init`` fills with the versions of the lr_desk running it: record_versions).
A push holds at most MAX_BATCH changes and MAX_BATCH_BYTES of fields.

Choices (a referral's status and the like) are not closed here: a newer lr_desk may add
one without a new schema, and the screens show a value they do not know as it is.

Every desk sets aside the same changes: the decision depends only on the change, on what
the store says (received_at, the versions it knows) and on the log before it, never on
the desk's clock or settings. So desks still converge.

Stateful checks (proofs of authority) are registered in sync.screen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String, Text

from lr_desk.store import merge
from lr_desk.store.models import SYNCED_MODELS
from lr_desk.store.schema import SCHEMA_VERSION

OPS = ("insert", "update")
MAX_TEXT = 50_000  # a Text column (services.validation.MAX_TEXT)
MAX_ID = 36  # a column that holds a record's id (a UUID)
MAX_INT = 10**9  # an integer column (a position in a list)
MAX_CHANGE = 1_000_000  # bytes of a change's fields (or its seen) as JSON
MAX_SEEN = 1000  # clock stamps for one field in ``seen``
# levels of nesting in a JSON column's value (Python's json reads about a thousand, and
# a desk that could not read a change could not pull past it)
MAX_DEPTH = 16
MAX_BATCH = 10_000  # changes in one push (a desk sends push.BATCH at a time)
MAX_BATCH_BYTES = 64_000_000  # bytes of fields in one push
AHEAD = 24 * 3600 * 1000  # ms a clock stamp may be ahead of the store's time
DESK_SLACK = 24 * 3600 * 1000  # ms more a desk allows (received_at's time zone)
ID_LISTS = frozenset({"record_ids", "moved"})  # JSON columns: entity -> [ids]

UUID_RE = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# wall ms, counter, device id (no control characters; PostgreSQL's text holds no NUL),
# MAX_STAMP characters in all (a bounded repetition would cost PostgreSQL 10 µs a change)
STAMP_RE = "^([0-9]{15})-[0-9]{5}-[^\\x01-\\x1f\\x7f]+$"
MAX_STAMP = 80
# A real day as date.fromisoformat reads one, YYYY-MM-DD (year 1 to 9999; 29 February in
# leap years only): one regular expression, the same for PostgreSQL (checks_pg).
_DAY = ("(?:(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
        "-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
        "|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
        "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26]|0[48])00)"
        "-02-29)")
DATE_RE = f"^{_DAY}$"
TIME_RE = f"^{_DAY}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]{{6}})?$"
_UUID, _STAMP = re.compile(UUID_RE), re.compile(STAMP_RE.replace("x01", "x00"))
_DATE, _TIME = re.compile(DATE_RE), re.compile(TIME_RE)
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")  # NUL, lone surrogates: no column holds them


class Refused(ValueError):
    """A change that may not be stored or applied; the message says which, and why, in
    plain words."""


# --- the description, from the models ----------------------------------------------


@dataclass(frozen=True)
class Column:
    """What one field of a change may hold."""

    name: str
    kind: str  # string | boolean | integer | date | datetime | object | ids
    nullable: bool
    limit: int = 0  # characters, for a string

    def words(self) -> str:
        """What the field should be, for a message."""
        what = {"string": f"text of at most {self.limit:,} characters",
                "boolean": "true or false", "integer": "a whole number",
                "date": "a date (YYYY-MM-DD)", "datetime": "a time (YYYY-MM-DDTHH:MM:SS)",
                "object": "a set of named values", "ids": "lists of record ids by kind"}
        return what[self.kind] + (" or null" if self.nullable else "")


def _column(col) -> Column:
    t = col.type
    if col.foreign_keys:
        return Column(col.name, "string", col.nullable, MAX_ID)
    if isinstance(t, Boolean):
        return Column(col.name, "boolean", col.nullable)
    if isinstance(t, Integer):
        return Column(col.name, "integer", col.nullable)
    if isinstance(t, DateTime):
        return Column(col.name, "datetime", col.nullable)
    if isinstance(t, Date):
        return Column(col.name, "date", col.nullable)
    if isinstance(t, JSON):
        return Column(col.name, "ids" if col.name in ID_LISTS else "object", col.nullable)
    if isinstance(t, Text):
        return Column(col.name, "string", col.nullable, MAX_TEXT)
    if isinstance(t, String):
        return Column(col.name, "string", col.nullable, t.length or MAX_TEXT)
    raise TypeError(f"no check for {col.table.name}.{col.name} ({t!r})")


@dataclass(frozen=True)
class Entity:
    name: str
    columns: dict[str, Column]  # every field a change may hold (not the id)
    required: tuple[str, ...]  # on insert: no default to fall back on (merge writes NULL)


def _entity(name: str, model) -> Entity:
    columns = {c.name: _column(c) for c in model.__table__.columns if c.name != "id"}
    names, defaults, _to, _from = merge.STORAGE[name]
    nullable = {c.name: c.nullable for c in model.__table__.columns}
    required = tuple(n for n, d in zip(names, defaults, strict=True)
                     if n != "id" and d is None and not nullable[n])
    return Entity(name, columns, required)


ENTITIES: dict[str, Entity] = {name: _entity(name, m) for name, m in SYNCED_MODELS.items()}


def desk_versions() -> list[str]:
    """The schema versions this lr_desk knows: its local migrations, "0001" up to its own
    (a test keeps this equal to the scripts)."""
    return [f"{n:04d}" for n in range(1, int(SCHEMA_VERSION) + 1)]


# --- the check ---------------------------------------------------------------------


def _ok(col: Column, value: Any) -> bool:
    kind = col.kind
    if kind == "string":
        return type(value) is str and len(value) <= col.limit and not _BAD_CHARS.search(value)
    if kind == "boolean":
        return type(value) is bool
    if kind == "integer":
        return type(value) is int and -MAX_INT < value < MAX_INT
    if kind == "date":
        return type(value) is str and _DATE.fullmatch(value) is not None
    if kind == "datetime":
        return type(value) is str and _TIME.fullmatch(value) is not None
    if kind == "object":
        return type(value) is dict and _shallow(value) and _size(value) <= MAX_CHANGE
    return (type(value) is dict and _size(value) <= MAX_CHANGE  # ids
            and all(type(ids) is list and all(type(i) is str and len(i) <= MAX_ID
                                               for i in ids) for ids in value.values()))


def _shallow(value: Any) -> bool:
    """No more than MAX_DEPTH levels below ``value`` (as jsonpath's .** counts them)."""
    level = [value]
    for _ in range(MAX_DEPTH):
        level = [c for v in level if isinstance(v, (dict, list))
                 for c in (v.values() if isinstance(v, dict) else v)]
        if not level:
            return True
    return not any(isinstance(v, (dict, list)) and v for v in level)


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def field_problem(entity: str, op: str, fields: Any) -> str | None:
    """What is wrong with a change's fields, in plain words (None: nothing)."""
    spec = ENTITIES[entity]
    if type(fields) is not dict:
        return f"its fields are {_shown(fields)}, not a set of named values (a JSON object)"
    columns = spec.columns
    for name, value in fields.items():
        col = columns.get(name)
        if col is None:
            return f"{_shown(name)} is not a field of {entity}"
        if value is None:
            if not col.nullable:
                return f"{name} is null: it should be {col.words()}"
        elif not _ok(col, value):
            return f"{name} is {_shown(value)}: it should be {col.words()}"
    if op == "insert":
        missing = [n for n in spec.required if n not in fields]
        if missing:
            return f"a new {entity} needs {', '.join(missing)}, which it does not have"
    return None


def seen_problem(seen: Any) -> str | None:
    """What is wrong with a change's ``seen`` (see store.merge), or None."""
    if seen is None:
        return None
    if type(seen) is not dict:
        return f"its seen is {_shown(seen)}, not a set of named values"
    for name, value in seen.items():
        if len(name) > 64:
            return f"its seen names a field {_shown(name)}"
        if name.startswith("~"):
            if value is not None and (type(value) is not str or len(value) > 80):
                return f"its seen[{name!r}] is {_shown(value)}, not one clock stamp or id"
        elif (type(value) is not list or len(value) > MAX_SEEN
              or not all(type(h) is str and len(h) <= 80 for h in value)):
            return f"its seen[{_shown(name)}] is {_shown(value)}, not a list of clock stamps"
    return None


def problem(c: Mapping | Any, versions: Collection[str], now_ms: int) -> str | None:
    """What is wrong with a change (a dict as pushed, or a pulled central.Change), in
    plain words, or None. ``versions``: the schema versions the store knows; ``now_ms``:
    the store's time, in ms since 1970 (a clock stamp may be AHEAD in front of it)."""
    get = c.get if isinstance(c, Mapping) else lambda k, _c=c: getattr(_c, k, None)
    op, entity, hlc = get("op"), get("entity"), get("hlc")
    if op not in OPS:
        return f"its kind {_shown(op)} is not insert or update"
    if entity not in ENTITIES:
        return f"{_shown(entity)} is not a kind of record lr_desk keeps"
    for key in ("change_id", "entity_id"):
        if type(get(key)) is not str or not _UUID.fullmatch(get(key)):
            return f"its {key.replace('_', ' ')} {_shown(get(key))} is not a UUID"
    stamp = _STAMP.fullmatch(hlc) if type(hlc) is str and len(hlc) <= MAX_STAMP else None
    if stamp is None:
        return f"its clock stamp {_shown(hlc)} is not one lr_desk makes"
    if int(stamp.group(1)) > now_ms + AHEAD:
        return (f"its clock stamp {hlc} is more than a day ahead of the central store's "
                "time (is that computer's clock right?)")
    why = field_problem(entity, op, get("fields")) or seen_problem(get("seen"))
    if why is None and get("schema_version") not in versions:
        why = (f"it was written by lr_desk schema {_shown(get('schema_version'))}, which "
               "the central store does not know")
    return why


def _json(value: Any) -> tuple[Any, int]:
    """A JSON column's value as pushed (text from the outbox, or already a value), and
    its size as JSON text."""
    if isinstance(value, str):
        try:
            return json.loads(value), len(value)
        except ValueError:
            return _NOT_JSON, len(value)
    return value, (0 if value is None else _size(value))


class _NotJson:
    def __repr__(self) -> str:
        return "text that is not JSON"


_NOT_JSON = _NotJson()


def check_push(batch: list[dict], versions: Collection[str] | None, now_ms: int,
               each: bool = True) -> None:
    """Raise Refused, naming the change and what is wrong with it, if anything in a
    push is not a valid change, or the push is too big. ``versions``: what the store
    knows (None: a store from before it kept them: this lr_desk's); ``each`` False:
    the size of the batch only (PostgreSQL checks each change itself)."""
    if len(batch) > MAX_BATCH:
        raise Refused(f"The central store takes at most {MAX_BATCH:,} changes at a time "
                      f"({len(batch):,} were sent): nothing was stored.")
    if not each:
        return
    versions = desk_versions() if versions is None else versions
    total = 0
    for c in batch:
        fields, size = _json(c.get("fields"))
        seen, seen_size = _json(c.get("seen"))
        total += size + seen_size
        why = None
        if size > MAX_CHANGE or seen_size > MAX_CHANGE:
            why = f"it is bigger than {MAX_CHANGE:,} bytes"
        why = why or problem({**c, "fields": fields, "seen": seen}, versions, now_ms)
        if why:
            raise Refused(refused(c.get("change_id"), c.get("entity"), c.get("entity_id"),
                                  why))
    if total > MAX_BATCH_BYTES:
        raise Refused(f"The central store takes at most {MAX_BATCH_BYTES:,} bytes of "
                      "changes at a time: nothing was stored.")


def refused(change_id: Any, entity: Any, entity_id: Any, why: str) -> str:
    return (f"The central store refused the change {_shown(change_id)} to {_shown(entity)} "
            f"{_shown(entity_id)}: {why}. Nothing of this push was stored.")


# --- on the desk (sync.screen screens a pulled page) ---------------------------------


def ms_of(stamp: datetime | None) -> int | None:
    """A naive time the store recorded, in ms since 1970 (taken as UTC)."""
    if stamp is None:
        return None
    return int((stamp - datetime(1970, 1, 1)).total_seconds() * 1000)


def newer(version: Any, versions: Collection[str] | None) -> bool:
    """A genuine newer version: one the store knows (a newer lr_desk's init recorded it),
    later than this desk's. Without the store's list (a store from before it), any
    number later than this desk's."""
    if versions is not None and version not in versions:
        return False
    try:
        return int(version) > int(SCHEMA_VERSION)
    except (TypeError, ValueError):
        return False
