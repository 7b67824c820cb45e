"""What an Open Referral UK import will do, and did, in words (services.oruk works it
out): each row's ``Item`` (added, changed field by field, left as it is, refined on
this desk and kept, removed on this desk and left out) and the ``Plan`` with every
problem, as the dialog and ``lr-desk directory import`` show them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lr_desk.services.oruk_feed import Feed
from lr_desk.services.oruk_map import LABELS

KINDS = {"partner": ("partner", "partners"), "service": ("service", "services"),
         "contact": ("contact", "contacts")}


@dataclass
class Change:
    field: str
    old: object
    new: object

    def words(self) -> str:
        return f"{LABELS.get(self.field, self.field)}: {_value(self.old)} -> {_value(self.new)}"


@dataclass
class Item:
    """One row the feed speaks of, and what the import does with it."""

    kind: str  # partner, service, contact
    row_id: str
    feed_id: str
    name: str
    action: str  # add, change, same, deleted (removed on this desk: left alone)
    values: dict = field(default_factory=dict)  # add: every field; change: the new ones
    changes: list[Change] = field(default_factory=list)
    kept: list[Change] = field(default_factory=list)  # the desk's value (old) kept
    record: dict | None = None  # feed_record to store (partners and services)
    record_changed: bool = False
    partner_id: str = ""
    partner_name: str = ""


@dataclass
class Plan:
    feed: Feed
    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the feed's and each record's
    left_out: int = 0  # records left out

    def of(self, action: str, kind: str | None = None) -> list[Item]:
        return [i for i in self.items if i.action == action and kind in (None, i.kind)]

    @property
    def writes(self) -> bool:
        return any(i.action == "add" or i.changes or i.record_changed for i in self.items)

    def counts(self, action: str) -> str:
        """"2 partners, 10 services and 1 contact" (or "nothing")."""
        parts = []
        for kind, (one, many) in KINDS.items():
            n = sum(1 for i in self.of(action, kind))
            if n:
                parts.append(f"{n} {one if n == 1 else many}")
        return _and(parts) or "nothing"

    def summary(self) -> list[str]:
        """The plan in a few lines."""
        feed = self.feed
        records = len(feed.records)
        read = (f"Read {records} record{'s' if records != 1 else ''}"
                f"{f' from {feed.pages} pages' if feed.pages > 1 else ''} ({feed.style}).")
        lines = [read, f"To add: {self.counts('add')}."]
        lines.append(f"To change: {_count_items(i for i in self.items if i.changes)}.")
        same = [i for i in self.items if i.action in ("same", "change") and not i.changes]
        if same:
            lines.append(f"Already as the feed has them: {_count_items(same)}.")
        kept = [i for i in self.items if i.kept]
        if kept:
            lines.append(f"Keeping what was changed on this desk: {_count_items(kept)}.")
        deleted = self.of("deleted")
        if deleted:
            lines.append(f"Removed on this desk, so left out: {_count_items(deleted)}.")
        if self.problems:
            lines.append(f"Problems: {len(self.problems)} (listed below). "
                         + (f"{self.left_out} record{'s' if self.left_out != 1 else ''} "
                            "left out; the rest can still be imported."
                            if self.left_out else "No record is left out because of them."))
        return lines

    def details(self) -> list[str]:
        """Line by line: each row added or changed (field by field), each refinement
        kept, each problem."""
        lines = []
        for item in self.of("add"):
            lines.append(f"Add {item.kind} {_name(item)}")
        for item in (i for i in self.items if i.changes):
            lines.append(f"Change {item.kind} {_name(item)}:")
            lines += [f"    {c.words()}" for c in item.changes]
        for item in (i for i in self.items if i.kept):
            lines.append(f"Keep this desk's {item.kind} {_name(item)}:")
            lines += [f"    {LABELS.get(c.field, c.field)}: keeps {_value(c.old)} "
                      f"(the feed has {_value(c.new)})" for c in item.kept]
        for item in self.of("deleted"):
            lines.append(f"Leave removed: {item.kind} {_name(item)} (removed on this desk)")
        lines += [f"Problem: {p}" for p in self.problems]
        return lines

    def done_words(self) -> str:
        """What the import wrote, in a line ("Imported: added 3 partners and 12
        services; changed 1 service; kept this desk's changes to 2 services.")."""
        parts = []
        if self.of("add"):
            parts.append(f"added {self.counts('add')}")
        changed = [i for i in self.items if i.changes]
        if changed:
            parts.append(f"changed {_count_items(changed)}")
        kept = [i for i in self.items if i.kept]
        if kept:
            parts.append(f"kept this desk's changes to {_count_items(kept)}")
        if not parts:
            return "Imported: the directory already had everything in the feed."
        return "Imported: " + "; ".join(parts) + "."


def _name(item: Item) -> str:
    where = f" (of {item.partner_name})" if item.partner_name and item.kind != "partner" else ""
    return f"\"{item.name}\"{where}"


def _count_items(found: Iterable[Item]) -> str:
    found = list(found)
    parts = []
    for kind, (one, many) in KINDS.items():
        n = sum(1 for i in found if i.kind == kind)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return _and(parts) or "nothing"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1] \
        if parts else ""


def _value(value) -> str:
    if value in (None, ""):
        return "(blank)"
    words = str(value).replace("\n", " ")
    return f"\"{words[:60]}…\"" if len(words) > 60 else f"\"{words}\""
