"""Screening a pulled page on a desk: what it applies, and what it sets aside.

Every desk checks each pulled change again before applying it (a log from before the
store's checks may still hold bad ones): its shape (sync.checks, the same statement the
store checks) and then the stateful checks registered here (proofs of authority:
store.authority). One it cannot apply is set aside (the local table ``set_aside``, with
the reason, for an admin: services.set_aside) and the pull carries on with the rest.

A pull checks tens of thousands of changes, nearly all of them good, so the shape is
first checked by a fast test made once per kind of record (``_Fast``: the field tests
written out as one function, no call or dispatch per field, a NUL looked for rather than
matched in ASCII text, a change's repeated time matched once, a small seen not measured):
it only ever says yes to a change the full check (checks.problem) passes. Any other
change goes through the full check, which decides, and says why in plain words. So the
decisions are the full check's, whatever the fast test says (tests/sync/test_screen.py).
The stateful checks run only on the kinds of record they govern (store.authority: advisor
and erasure).

The hook for stateful checks:

    from lr_desk.sync import screen

    @screen.stateful(entities={"advisor"})  # (None: every change)
    def authority(screen: screen.Screen, change) -> None:
        if not proven(screen.conn, change):
            raise checks.Refused("no proof that an admin made this account")

Each check registered runs on every pulled change of those entities whose shape passed,
in log order, inside the local transaction that applies the page: ``screen.conn`` reads
the desk as it was before the page, ``screen.accepted`` holds the page's changes accepted
so far (applied together after the screening). Raising Refused sets the change aside with
that reason, as a bad shape is. A check must depend only on the log (what is applied,
what came earlier in the page), never on the desk's clock or its own settings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from lr_desk.store import authority, erase
from lr_desk.store.clock import utcnow
from lr_desk.store.merge_rows import APPEND_ONLY
from lr_desk.sync import checks, references
from lr_desk.sync.checks import MAX_CHANGE, Refused

Check = Callable[["Screen", Any], None]
STATEFUL: list[Check] = []
_GOVERNS: dict[Check, frozenset[str] | None] = {}  # a check -> the entities it looks at


def stateful(check: Check | None = None, *, entities: Collection[str] | None = None):
    """Register a stateful check (see the module's docstring), for the changes to
    ``entities`` (None: all); returns it unchanged. Used bare or with ``entities``."""
    def register(check: Check) -> Check:
        _GOVERNS[check] = None if entities is None else frozenset(entities)
        if check not in STATEFUL:
            STATEFUL.append(check)
        return check
    return register if check is None else register(check)


PageHook = Callable[["Screen", list], None]
PAGE_HOOKS: list[PageHook] = []


def page_hook(hook: PageHook) -> PageHook:
    """Register ``hook(screen, changes)``, run once with the whole page (a list, of any
    shape) before it is screened: for a stateful check that looks up what it needs for
    the page at once rather than a query per change (sync.references)."""
    if hook not in PAGE_HOOKS:
        PAGE_HOOKS.append(hook)
    return hook


# --- the fast test of a change's shape ----------------------------------------------


_ABSENT = object()


# Times that passed checks._TIME in this page (a page's changes carry a few times over
# and over: each matched once). Only ever holds a time that matched; emptied a page.
_TIMES: set[str] = set()


def _time_ok(v: str) -> bool:
    if checks._TIME.fullmatch(v) is None:
        return False
    _TIMES.add(v)
    return True


def _test(col: checks.Column) -> str:
    """Python that is true only for a value ``v`` checks._ok takes for ``col`` (or None
    where it may be), written out: a page runs it some hundred thousand times."""
    kind = col.kind
    if kind == "string":  # (ASCII holds no lone surrogate: only a NUL to look for)
        test = (f"type(v) is str and len(v) <= {col.limit} and "
                "('\\x00' not in v if v.isascii() else bad(v) is None)")
    elif kind == "boolean":
        test = "type(v) is bool"
    elif kind == "integer":
        test = f"type(v) is int and {-checks.MAX_INT} < v < {checks.MAX_INT}"
    elif kind == "date":
        test = "type(v) is str and day(v) is not None"
    elif kind == "datetime":  # (a page's times are a few, over and over: matched once)
        test = "type(v) is str and (v in times or time_ok(v))"
    else:  # a JSON column: rare, and the full test is cheap enough
        test = f"json_ok(columns[{col.name!r}], v)"
    return f"v is None or ({test})" if col.nullable else test


def _fields_test(entity: checks.Entity) -> Callable[[dict, bool], bool]:
    """One function for a kind of record's fields (``insert``: every required one there
    too), its tests written out one after another: no call per field."""
    lines = ["def ok(f, insert):",
             "    if not f.keys() <= names or (insert and not f.keys() >= required):",
             "        return False"]
    for name, col in entity.columns.items():
        lines += [f"    v = f.get({name!r}, absent)",
                  f"    if v is not absent and not ({_test(col)}):",
                  "        return False"]
    lines.append("    return True")
    scope = {"names": frozenset(entity.columns), "required": frozenset(entity.required),
             "absent": _ABSENT, "bad": checks._BAD_CHARS.search,
             "day": checks._DATE.fullmatch, "times": _TIMES, "time_ok": _time_ok,
             "json_ok": checks._ok, "columns": entity.columns}
    exec(compile("\n".join(lines), f"<checks of {entity.name}>", "exec"), scope)
    return scope["ok"]


# A seen of at most this many entries is under 2 * MAX_CHANGE as JSON, whatever it holds
# once its shape passed (a name of 64 characters, 1,000 stamps of 80, each character
# escaped at worst as \uXXXX): no need to measure it.
# ("name": [...], : 64 * 6 + 6; each "stamp", : 80 * 6 + 4; the brackets.)
_SMALL_SEEN = (2 * MAX_CHANGE - 2) // (64 * 6 + 6 + checks.MAX_SEEN * (80 * 6 + 4) + 2)


class _Fast:
    """The fast test of one kind of record's changes (see the module's docstring)."""

    def __init__(self, entity: checks.Entity):
        self.fields = _fields_test(entity)

    def ok(self, c, versions: Collection[str], now_ms: int) -> bool:
        uuid, hlc, fields, seen = checks._UUID.fullmatch, c.hlc, c.fields, c.seen
        return (c.op in checks.OPS and type(c.change_id) is str and uuid(c.change_id)
                and type(c.entity_id) is str and uuid(c.entity_id)
                and type(hlc) is str and len(hlc) <= checks.MAX_STAMP
                and checks._STAMP.fullmatch(hlc) and int(hlc[:15]) <= now_ms + checks.AHEAD
                and type(fields) is dict and self.fields(fields, c.op == "insert")
                and (seen is None or (type(seen) is dict and len(seen) <= _SMALL_SEEN
                                      and checks.seen_problem(seen) is None))
                and type(c.schema_version) is str and c.schema_version in versions)


    def ok_fields(self, c, versions: Collection[str]) -> bool:
        """``ok`` for a change whose ids and stamp the page's test passed."""
        seen = c.seen
        return (c.op in checks.OPS and type(c.fields) is dict
                and self.fields(c.fields, c.op == "insert")
                and (seen is None or (type(seen) is dict and len(seen) <= _SMALL_SEEN
                                      and checks.seen_problem(seen) is None))
                and type(c.schema_version) is str and c.schema_version in versions)


_FAST = {name: _Fast(entity) for name, entity in checks.ENTITIES.items()}

# A page's ids and stamps, tested together (each one a line of one text, so a few
# passes over it for the page): the same tests as _Fast.ok's, yes only if all pass.
_STAMPS = re.compile(f"(?:{checks.STAMP_RE.replace('x01', 'x00')[1:-1]}\n)*")
_HEX = b"0123456789abcdefABCDEF"


def _uuids(ids: list[str]) -> bool:
    """Whether every one of ``ids`` (all str) matches checks.UUID_RE: 8-4-4-4-12 hex."""
    n = len(ids)
    if set(map(len, ids)) != {36}:
        return False
    text = "\n".join(ids).encode("utf-8", "surrogatepass") + b"\n"
    return (len(text) == 37 * n and text.translate(None, _HEX) == b"----\n" * n
            and all(text[i::37] == b"-" * n for i in (8, 13, 18, 23)))


def _ids_and_stamps_ok(changes: list, now_ms: int) -> bool:
    """Whether every change's ids are UUIDs and its clock stamp is one, no longer than
    MAX_STAMP and not ahead of ``now_ms`` (the page's earliest) by more than AHEAD."""
    ids = [c.change_id for c in changes] + [c.entity_id for c in changes]
    stamps = [c.hlc for c in changes]
    if not changes or set(map(type, ids)) != {str} or set(map(type, stamps)) != {str}:
        return False
    stamps_text = "\n".join(stamps) + "\n"
    return (_uuids(ids) and stamps_text.count("\n") == len(stamps)
            and max(map(len, stamps)) <= checks.MAX_STAMP
            and _STAMPS.fullmatch(stamps_text) is not None
            and int(max(stamps)[:15]) <= now_ms + checks.AHEAD)


def _size_problem(c) -> str | None:
    """Only JSON columns and seen can be big once the rest passed: a desk allows twice
    the store's limit (the store measures its own stored form)."""
    big = [k for k, v in c.fields.items()
           if type(v) is dict and checks._size(v) > 2 * MAX_CHANGE]
    if big or (c.seen and checks._size(c.seen) > 2 * MAX_CHANGE):
        return f"it is bigger than {2 * MAX_CHANGE:,} bytes"
    return None


# --- a page ----------------------------------------------------------------------


@dataclass
class Screen:
    """One pulled page being screened on a desk (see the module's docstring)."""

    conn: Any  # the local transaction that applies the page
    versions: Collection[str] | None  # what the store knows (None: a store without a list)
    proofs_from: int = 0  # the log's head before proofs of authority (store.authority)
    references: bool = True  # check what changes point at (False: sync.verify's replay)
    accepted: list = field(default_factory=list)
    aside: list[tuple[Any, str]] = field(default_factory=list)

    def run(self, changes: Iterable) -> list:
        """The changes to apply, in order; the others are set aside (written here)."""
        versions = self.versions if self.versions is not None else checks.desk_versions()
        changes = list(changes)
        _TIMES.clear()
        for hook in PAGE_HOOKS:
            hook(self, changes)
        stateful_for: dict[Any, list[Check]] = {}
        nows = {}  # received_at -> the time a change's stamp is checked against
        for at in {getattr(c, "received_at", None) for c in changes}:
            ms = checks.ms_of(at) if at else None
            nows[at] = ms + checks.DESK_SLACK if ms is not None else 10**15
        page_ok = _ids_and_stamps_ok(changes, min(nows.values(), default=0))
        for c in changes:
            fast = _FAST.get(c.entity) if type(c.entity) is str else None
            if fast is not None and (
                    fast.ok_fields(c, versions) if page_ok else
                    fast.ok(c, versions, nows[getattr(c, "received_at", None)])):
                why = None
            else:
                why = (checks.problem(c, versions, nows[getattr(c, "received_at", None)])
                       or _size_problem(c))
            if why is None:
                run = stateful_for.get(c.entity)
                if run is None:
                    run = stateful_for[c.entity] = [
                        check for check in STATEFUL
                        if _GOVERNS.get(check) is None or c.entity in _GOVERNS[check]]
                try:
                    for check in run:
                        check(self, c)
                except Refused as exc:
                    why = str(exc)
            if why is None:
                self.accepted.append(c)
            else:
                self.aside.append((c, why))
        if self.aside:
            set_aside(self.conn, self.aside)
        return self.accepted


def set_aside(conn, aside: list[tuple[Any, str]]) -> None:
    """Keep changes this desk will not apply, with why (once each, by change id). What
    one to a record erased here held is not kept (see store.erase)."""
    erased = erase.erased_ids(conn, [c.entity_id for c, _ in aside
                                     if isinstance(c.entity_id, str)])

    def text(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value, default=str)

    def as_json(value: Any) -> str | None:
        return None if value is None else json.dumps(value, default=str)

    conn.exec_driver_sql(
        "INSERT OR IGNORE INTO set_aside (change_id, seq, device_id, entity, entity_id, op, "
        "fields, seen, hlc, schema_version, reason, set_aside_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(text(c.change_id), c.seq, text(c.device_id), text(c.entity), text(c.entity_id),
          text(c.op), *((None, None) if c.entity_id in erased else
                        (as_json(c.fields), as_json(c.seen))), text(c.hlc),
          text(c.schema_version), why, utcnow().isoformat(sep=" "))
         for c, why in aside])


@stateful(entities=authority.PROVEN)
def _authority(screen: Screen, change) -> None:
    """Accounts and erasures: applied only with proof that someone who may made them
    (store.authority keeps, in log order, who may sign what; it looks at nothing else)."""
    check = getattr(screen, "authority", None)  # one per page, kept with it
    if check is None:
        check = screen.authority = authority.Authority(screen.conn, screen.proofs_from)
    why = check.review(change)
    if why is not None:
        raise Refused(f"{why} (an account or an erasure needs proof of who made it)")


@stateful(entities=APPEND_ONLY)
def _append_only(screen: Screen, change) -> None:
    """The audit log's records are never changed once written (store.merge_rows)."""
    if change.op != "insert":
        raise Refused("an audit record is never changed once written")


# What a change points at must exist (after the proofs above: the order they run in).
page_hook(references.look_up)
stateful(references.check)
