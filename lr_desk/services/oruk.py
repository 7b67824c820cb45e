"""Importing an Open Referral UK (HSDS) feed into the directory: the plan, then the
import, in one transaction.

``plan(session, feed)`` says, before anything is written, what the feed adds, changes
(field by field) and leaves alone, and what is wrong with it (``Plan.problems``: one
line per bad record, which is left out, or per bad field, which is left blank).
``apply(session, feed)`` works the plan out again against the data as it now is and
writes it in the caller's transaction: all of it or, on any error, none.

Re-importing is idempotent by the feed's ids (rows are found by ids made from them,
``oruk_map.row_id``: the same on every desk, so two desks importing one feed make the
same rows). What the desk refined is kept: a field is updated only when the row still
holds what the previous import's record mapped to (a three-way comparison of the
desk's value, the old record's and the new record's). Nothing the desk added (contacts,
capacity, eligibility, notes) is touched, and an import never removes anything. Rows
the desk deleted stay deleted. A partner added from a feed has no catch-ups planned
(``catchup_every_months`` 0) until the desk agrees some: a council's directory is not a
list of partners to meet every quarter. Each row keeps the record as received
(``feed_record``). The plan in words is services.oruk_report's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services import oruk_map as m
from lr_desk.services.oruk_feed import Feed
from lr_desk.services.oruk_report import Change, Item, Plan
from lr_desk.store.models import Category, Partner, PartnerContact, PartnerService

__all__ = ["Change", "Item", "Plan", "apply", "plan"]

# -- working out the plan ---------------------------------------------------------------


@dataclass
class _Wanted:
    """One partner, service or contact the feed gives, mapped."""

    kind: str
    feed_id: str
    fields: dict
    record: dict | None
    partner_feed_id: str = ""


def plan(session: Session, feed: Feed) -> Plan:
    """What importing ``feed`` would do to the directory as it is in ``session``."""
    result = Plan(feed, problems=list(feed.problems))
    categories = set(session.scalars(select(Category.code))) or {m.DEFAULT_CATEGORY}
    partners, services, contacts = _wanted(feed, categories, result)
    rows = _Rows(session, partners, services, contacts)
    previous = _previous_contacts(rows)
    names = {w.feed_id: w.fields["name"] for w in partners}
    for w in partners:
        result.items.append(_item(w, rows.id("partner", w.feed_id),
                                  rows.get("partner", w.feed_id),
                                  _previous(rows, "partner", w.feed_id, categories)))
    for w in services + contacts:
        partner_id = rows.id("partner", w.partner_feed_id)
        if w.partner_feed_id not in names:  # named by id only: it must be here already
            here = rows.get("partner", w.partner_feed_id)
            if here is None or here.deleted_at is not None:
                if w.kind == "service":
                    result.problems.append(
                        f"The service \"{w.fields['name']}\" (id {w.feed_id}) names an "
                        f"organisation (id {w.partner_feed_id}) that is neither in the feed "
                        "nor in the directory: left out.")
                    result.left_out += 1
                continue
            names[w.partner_feed_id] = here.name
        old = rows.get(w.kind, w.feed_id)
        prev = (previous.get(w.feed_id) if w.kind == "contact"
                else _previous(rows, "service", w.feed_id, categories))
        item = _item(w, rows.id(w.kind, w.feed_id), old, prev)
        item.partner_id = partner_id
        item.partner_name = names.get(w.partner_feed_id, "")
        result.items.append(item)
    return result


def _wanted(feed: Feed, categories: set[str], result: Plan):
    """The feed's partners, services and contacts, mapped, each once; bad records left
    out (and said in ``result.problems``)."""
    orgs: dict[str, dict] = {}
    services: list[_Wanted] = []
    contacts: dict[str, _Wanted] = {}
    seen: dict[str, str] = {}  # feed id -> where it first was

    duplicates: dict[str, list[str]] = {}

    def said(where: str, name: str, fid: str, what: str) -> None:
        label = f", \"{name}\"" if name else ""
        ident = f" (id {fid})" if fid else ""
        result.problems.append(f"{where[:1].upper()}{where[1:]}{label}{ident}: {what}.")

    def take_org(org: dict, where: str) -> str:
        fid = m.feed_id(org)
        if not fid or len(fid) > m.SIZES["feed_id"]:
            return ""
        wrong = m.too_big(org)
        if wrong:
            said(where, m.one_line(org.get("name")), fid, f"its organisation: {wrong}: "
                 "left out, with its services")
            return ""
        known = orgs.get(fid)
        if known is None or len(org) > len(known):  # the fullest record of it
            orgs[fid] = org
        return fid

    def take_contacts(record: dict, partner_fid: str, where: str) -> None:
        for contact in m.contacts(record):
            cid = m.feed_id(contact)
            notes = m.Notes()
            values = m.contact_fields(contact, notes)
            if not cid or not values["name"]:
                said(where, values["name"], cid, "a contact with no "
                     + ("id" if not cid else "name") + " is left out")
                continue
            for note in notes.said:
                said(where, values["name"], cid, f"contact: {note}")
            contacts.setdefault(cid, _Wanted("contact", cid, values, None, partner_fid))

    for record in feed.records:
        data, where = record.data, record.where
        if data is None and isinstance(record.organization, dict):  # an organisation alone
            if not take_org(record.organization, where) and \
                    not m.feed_id(record.organization):
                said(where, m.one_line(record.organization.get("name")), "",
                     "an organisation with no id is left out")
                result.left_out += 1
            continue
        if not isinstance(data, dict):
            said(where, "", "", f"it is {_what(data)}, not a service: left out")
            result.left_out += 1
            continue
        fid = m.feed_id(data)
        name = m.one_line(data.get("name"))
        problem = _record_problem(data, fid, name) or m.too_big(data)
        org = record.organization if isinstance(record.organization, dict) \
            else data.get("organization")
        org_fid = (m.feed_id(org) if isinstance(org, dict) else "") or m.feed_id(
            {"id": data.get("organization_id")})
        if not problem and not org_fid:
            problem = "it names no organisation (with an id) that provides it"
        if fid and fid in seen:
            duplicates.setdefault(fid, [seen[fid]]).append(where)
            result.left_out += 1
            continue
        if fid:
            seen[fid] = where
        if problem:
            said(where, name, fid, problem + ": left out")
            result.left_out += 1
            continue
        if isinstance(org, dict):
            take_org(org, where)
        notes = m.Notes()
        values = m.service_fields(data, categories, notes)
        m.check_email(data, notes)
        for note in notes.said:
            said(where, name, fid, note)
        services.append(_Wanted("service", fid, values, m.storable(data), org_fid))
        take_contacts(data, org_fid, where)
    partners = []
    for fid, org in orgs.items():
        notes = m.Notes()
        values = m.partner_fields(org, notes)
        m.check_email(org, notes)
        if not values["name"]:
            said("the feed", "", fid, "an organisation with no name is left out, and "
                 "its services with it")
            result.left_out += sum(1 for s in services if s.partner_feed_id == fid)
            services = [s for s in services if s.partner_feed_id != fid]
            continue
        for note in notes.said:
            said("the feed", values["name"], fid, f"organisation: {note}")
        partners.append(_Wanted("partner", fid, values, m.storable(org)))
        take_contacts(org, fid, f"organisation \"{values['name']}\"")
    for fid, places in duplicates.items():
        shown = ", ".join(places[:3]) + (f" … {places[-1]}" if len(places) > 3 else "")
        result.problems.append(f"The id {fid} is given to {len(places)} records ({shown}); "
                               "ids must be unique: the first is imported, the other "
                               f"{len(places) - 1} left out.")
    return partners, services, list(contacts.values())


def _record_problem(data: dict, fid: str, name: str) -> str:
    raw = data.get("id")
    if raw in (None, ""):
        return "it has no id"
    if not fid:
        return f"its id is {_what(raw)}, not text"
    if len(fid) > m.SIZES["feed_id"]:
        return f"its id is longer than {m.SIZES['feed_id']} characters"
    if not name:
        return "it has no name"
    return ""


def _what(value) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true or false",
            type(None): "nothing"}.get(type(value), "a number")


class _Rows:
    """The rows the feed's records already have here (tombstoned too): each found by
    the id made from its feed id or, for a feed exported by an lr_desk (services.hsds
    gives a desk's own rows their own ids), by that id itself, so importing this
    directory's own export finds its rows rather than adding them again."""

    MODELS = {"partner": Partner, "service": PartnerService, "contact": PartnerContact}

    def __init__(self, session: Session, partners, services, contacts):
        self.found: dict[str, object] = {}
        for kind, wanted in (("partner", partners), ("service", services),
                             ("contact", contacts)):
            fids = [w.feed_id for w in wanted]
            if kind == "partner":  # partners named only by their services' organisation_id
                fids += [w.partner_feed_id for w in services]
            ids = {m.row_id(kind, f) for f in fids} | {f for f in fids if len(f) == 36}
            model = self.MODELS[kind]
            ids = sorted(ids)
            for start in range(0, len(ids), 500):
                for row in session.scalars(select(model).where(
                        model.id.in_(ids[start:start + 500]))):
                    self.found[f"{kind}:{row.id}"] = row

    def id(self, kind: str, fid: str) -> str:
        """The id of the row for this feed id: the one made from it, else a row of
        this desk's own with that id, else the one made from it (a new row)."""
        made = m.row_id(kind, fid)
        if f"{kind}:{made}" not in self.found and f"{kind}:{fid}" in self.found:
            return fid
        return made

    def get(self, kind: str, fid: str):
        return self.found.get(f"{kind}:{self.id(kind, fid)}")

    def values(self):
        return self.found.values()


def _previous(rows, kind: str, fid: str, categories: set[str]) -> dict | None:
    """What the previous import's record of this row mapped to (None: no record)."""
    row = rows.get(kind, fid)
    record = getattr(row, "feed_record", None)
    if not isinstance(record, dict):
        return None
    if kind == "partner":
        return m.partner_fields(record)
    return m.service_fields(record, categories)


def _previous_contacts(rows) -> dict[str, dict]:
    """Contacts as the previous records of these partners and services mapped them."""
    found: dict[str, dict] = {}
    for row in rows.values():
        record = getattr(row, "feed_record", None)
        if isinstance(record, dict):
            for contact in m.contacts(record):
                cid = m.feed_id(contact)
                if cid:
                    found.setdefault(cid, m.contact_fields(contact))
    return found


def _item(w: _Wanted, row_id: str, row, previous: dict | None) -> Item:
    name = w.fields["name"]
    item = Item(w.kind, row_id, w.feed_id, name, "add", record=w.record)
    if row is None:
        item.values = dict(w.fields)
        return item
    if row.deleted_at is not None:
        item.action = "deleted"
        return item
    item.action = "change"
    for key, new in w.fields.items():
        desk = getattr(row, key)
        if desk == new or (desk in (None, "") and new in (None, "")):
            continue
        before = previous.get(key) if previous is not None else None
        if previous is not None and (desk == before or (desk in (None, "") and
                                                        before in (None, ""))):
            item.changes.append(Change(key, desk, new))
            item.values[key] = new
        else:
            item.kept.append(Change(key, desk, new))
    if w.kind != "contact":
        item.record_changed = getattr(row, "feed_record", None) != w.record or \
            row.feed_id != w.feed_id
    if not item.changes:
        item.action = "same"
    return item


# -- writing it -------------------------------------------------------------------------


def apply(session: Session, feed: Feed) -> Plan:
    """Import ``feed``: the plan worked out afresh against the directory as it is now,
    written in the caller's transaction (so all of it, or none)."""
    done = plan(session, feed)
    for kind in ("partner", "service", "contact"):  # partners first: services name them
        for item in done.items:
            if item.kind == kind:
                _write(session, item)
        session.flush()
    return done


_MODELS = {"partner": Partner, "service": PartnerService, "contact": PartnerContact}


def _write(session: Session, item: Item) -> None:
    model = _MODELS[item.kind]
    if item.action == "add":
        values = dict(item.values, id=item.row_id, feed_id=item.feed_id)
        if item.kind != "partner":
            values["partner_id"] = item.partner_id
        else:  # a feed's organisation has agreed no catch-ups (the desk sets them)
            values["catchup_every_months"] = 0
        if item.kind != "contact":
            values["feed_record"] = item.record
        session.add(model(**values))
        return
    if item.action == "deleted" or not (item.changes or item.record_changed):
        return
    row = session.get(model, item.row_id)
    for key, value in item.values.items():
        setattr(row, key, value)
    if item.record_changed:
        row.feed_record = item.record
        row.feed_id = item.feed_id
