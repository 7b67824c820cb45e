"""The directory out as HSDS 3.0 (Open Referral, and its UK profile): every partner's
services, each fully nested with its organization, as the specification's API answers
``GET /services`` (a Page: ``total_items``, ``total_pages`` ... and ``contents``).
That shape validates against the official schemas (services.hsds_check) and is what an
Open Referral import reads (version 3's ``contents`` with ``total_pages``).

What goes out (``export_directory``), all of it public directory information:
- organization: the partner's name, website, phone, its named contacts (name, role as
  title, email, phone) and a description (the feed's, else the services it offers);
- service: name, description, url, email (the key contact's: where referrals go),
  status from its capacity (closed: inactive; paused: temporarily closed, with an
  alert saying until when; a waiting list as wait_time), phones, schedules (when_text
  as a schedule's description), locations (the hub it runs at, with its address; the
  place typed as its location; telephone and video as virtual) through
  service_at_locations, minimum and maximum age, eligibility_description (the benefits
  and once-only rules in words, then the other criteria), service_areas (one per area of
  the catchment), contacts (the partner's key contact), its category as an attribute
  (a taxonomy term whose ``code`` is the desk's category code), last_modified.
What stays in: partners' notes, catch-ups, how many referrals a service takes, how soon it
replies, its reply deadline, when its capacity was confirmed, anything about people.
Example rows (the example directory a new desk starts with, ``is_example``) are left out
unless ``include_examples`` is set: they are made up, not something to publish (a
service edited into a real one goes out once its partner is real too). Deleted rows are
left out. A partner with no services has nothing to list (HSDS lists services).

``problems(doc)`` (services.hsds_check) says what in a document does not validate.

Ids: a row that came from a feed keeps the feed's id when it is a UUID; else the row's
own UUID (for a row imported under a feed id that is not a UUID, that is made from the
feed's id, the same on every desk: services.oruk_map.row_id), which an import of this
export finds again.
Parts that have no row of their own (a service's phone, schedule, location, area) get
ids derived from their owner's, so exporting twice gives the same ids.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services.dates import long_day
from lr_desk.services.hsds_check import problems
from lr_desk.store.models import Category, Partner, PartnerContact, PartnerService, Site
from lr_desk.store.vocabulary import CAPACITY

__all__ = ["derived_id", "export_directory", "hsds_id", "problems",
           "web_address"]

# Ids derived for parts without rows of their own, and for feed ids that are not UUIDs.
NAMESPACE = uuid.UUID("2f9d4c1a-6b0e-4e57-9a43-8c1d7e5b3f20")
TAXONOMY = "The Life Rooms need categories"
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?( ?[0-9])?$")  # L4, L20 3, CH41
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"  # RFC 3986's reserved characters, and % itself


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def hsds_id(row) -> str:
    """A row's id in the export: its feed's id if that is a UUID, else its own."""
    feed_id = (getattr(row, "feed_id", "") or "").strip()
    try:
        uuid.UUID(feed_id)
    except ValueError:  # none, or not a UUID (some feeds number their rows)
        return row.id
    return feed_id


def web_address(text: str | None) -> str:
    """A web address as HSDS wants it (a URI, RFC 3986): "example.org/x" ->
    "https://example.org/x"; letters a URI cannot hold written %-encoded ("café.example"
    -> "https://caf%C3%A9.example")."""
    text = (text or "").strip()
    if text and not _SCHEME.match(text):
        text = "https://" + text.lstrip("/")
    return quote(text, safe=_URI_SAFE)


def _page(contents: list[dict]) -> dict:
    n = len(contents)
    return {"total_items": n, "total_pages": 1, "page_number": 1, "size": n,
            "first_page": True, "last_page": True, "empty": n == 0, "contents": contents}


def export_directory(session: Session, *, include_examples: bool = False,
                     today: date | None = None) -> dict:
    """The directory as one HSDS 3.0 page of fully nested services (see the module's
    words for what is in and what is not), services in order of partner and name."""
    today = today or date.today()
    partners = {p.id: p for p in session.scalars(
        select(Partner).where(Partner.deleted_at.is_(None)))
        if include_examples or not p.is_example}
    services = [s for s in session.scalars(
        select(PartnerService).where(PartnerService.deleted_at.is_(None)))
        if s.partner_id in partners and (include_examples or not s.is_example)]
    people: dict[str, list[PartnerContact]] = defaultdict(list)
    for c in session.scalars(select(PartnerContact).where(
            PartnerContact.deleted_at.is_(None))):
        people[c.partner_id].append(c)
    sites = {s.code: s for s in session.scalars(select(Site))}
    categories = {c.code: c for c in session.scalars(select(Category))}
    offered: dict[str, list[str]] = defaultdict(list)
    for s in services:
        offered[s.partner_id].append(s.name)

    organizations = {}
    key_contacts = {}
    for pid, p in partners.items():
        contacts = _contacts(p, people.get(pid, []))
        keys = [c for c in contacts if c.pop("_key")]
        key_contacts[pid] = keys[0] if keys else None
        organizations[pid] = _organization(p, contacts, offered.get(pid, []))
    contents = [
        _service(s, organizations[s.partner_id], key_contacts[s.partner_id], sites,
                 categories, today)
        for s in sorted(services, key=lambda s: (partners[s.partner_id].name.casefold(),
                                                  s.name.casefold(), s.id))]
    return _page(contents)


# --- organizations and their contacts ----------------------------------------------------

def _phone(owner_id: str, number: str, what: str = "phone", **links) -> list[dict]:
    number = (number or "").strip()
    if not number:
        return []
    return [{"id": derived_id(owner_id, what), **links, "number": number}]


def _contacts(p: Partner, rows: list[PartnerContact]) -> list[dict]:
    """The partner's named contacts, the key contact first (its dict carries "_key",
    taken off by the caller). A partner from before contacts: its key contact fields."""
    org_id = hsds_id(p)
    found = []
    if rows:
        for c in sorted(rows, key=lambda c: (not c.is_key, c.name.casefold(), c.id)):
            found.append(_contact(hsds_id(c), org_id, c.name, c.role, c.email, c.phone,
                                  bool(c.is_key)))
    elif (p.key_contact or p.key_contact_phone or p.key_contact_email or "").strip():
        found.append(_contact(derived_id(org_id, "key_contact"), org_id, p.key_contact,
                              "", p.key_contact_email, p.key_contact_phone, True))
    return found


def _contact(cid: str, org_id: str, name: str, role: str, email: str, phone: str,
             is_key: bool) -> dict:
    contact = {"id": cid, "organization_id": org_id, "_key": is_key}
    for field, value in (("name", name), ("title", role), ("email", email)):
        if (value or "").strip():
            contact[field] = value.strip()
    phones = _phone(cid, phone, contact_id=cid)
    if phones:
        contact["phones"] = phones
    return contact


def _feed_text(row, field: str) -> str:
    record = row.feed_record if isinstance(row.feed_record, dict) else {}
    value = record.get(field)
    return value.strip() if isinstance(value, str) else ""


def _organization(p: Partner, contacts: list[dict], offered: list[str]) -> dict:
    org_id = hsds_id(p)
    description = _feed_text(p, "description") or (
        "Offers: " + "; ".join(sorted(offered, key=str.casefold)) + "." if offered else "")
    org = {"id": org_id, "name": p.name, "description": description}
    if web_address(p.web):
        org["website"] = web_address(p.web)
    phones = _phone(org_id, p.phone, organization_id=org_id)
    if phones:
        org["phones"] = phones
    if contacts:
        org["contacts"] = contacts
    return org


# --- services ----------------------------------------------------------------------------

def _status(s: PartnerService, today: date) -> tuple[str, dict]:
    """HSDS status, and what else says it: wait_time, alert."""
    if s.capacity == "closed":
        return "inactive", {}
    if s.capacity == "paused":
        if s.paused_until and s.paused_until < today:
            return "active", {}  # its pause is over
        until = f" until {long_day(s.paused_until)}" if s.paused_until else ""
        return "temporarily closed", {"alert": f"Not taking referrals{until}."}
    if s.capacity == "waiting":
        wait = (f": usually about {s.wait_weeks} week{'s' if s.wait_weeks != 1 else ''}"
                if s.wait_weeks else "")
        return "active", {"wait_time": f"{CAPACITY['waiting']}{wait}."}
    return "active", {}


def _months(n: int) -> str:
    if n % 12 == 0:
        return f"{n // 12} year{'s' if n != 12 else ''}"
    return f"{n} month{'s' if n != 1 else ''}"


def catchment_areas(text: str) -> list[str]:
    """The areas a catchment names ("Sefton, L4, L20 3"), in order, without repeats."""
    found: list[str] = []
    for raw in re.split(r"[,;\n]+", text or ""):
        word = re.sub(r"\s+", " ", raw).strip(" .")
        if word and word.casefold() not in {f.casefold() for f in found}:
            found.append(word)
    return found


def eligibility_description(s: PartnerService) -> str:
    """Who it is for, in words HSDS has no field for: the benefits and once-only rules,
    then the other criteria as typed. (Ages are minimum_age and maximum_age; the
    catchment is service_areas.) A rule's sentence already in the criteria (a service
    imported from this export) is not said twice, so an export read back and exported
    again says the same."""
    criteria = (s.criteria or "").strip()
    rules = []
    if s.benefits_rule == "on":
        rules.append("Only for people receiving benefits.")
    elif s.benefits_rule == "not_on":
        rules.append("Only for people not receiving benefits.")
    if s.once_only:
        months = s.once_lookback_months
        rules.append("Once only: not for someone who has used it before"
                     + (f" in the last {_months(months)}." if months else "."))
    said = criteria.casefold()
    return " ".join([r for r in rules if r.casefold() not in said]
                    + ([criteria] if criteria else []))


def _service_areas(sid: str, catchment: str) -> list[dict]:
    areas = []
    for area in catchment_areas(catchment):
        kind = ("Postcode district" if _DISTRICT.match(area.upper())
                else "Local authority area")
        areas.append({"id": derived_id(sid, "area", area.casefold()), "service_id": sid,
                      "name": area, "description": f"{kind}: {area}",
                      "service_area": area})  # (the UK profile's free-text area)
    return areas


def _locations(s: PartnerService, sites: dict[str, Site]) -> list[dict]:
    found = []
    site = sites.get(s.site_code) if s.site_code else None
    if site is not None:
        found.append(_site_location(site))
    place = (s.location or "").strip()
    if place:
        found.append({"id": derived_id("location", place.casefold()),
                      "location_type": "physical", "name": place})
    return found


def _site_location(site: Site) -> dict:
    lid = derived_id("site", site.code)
    virtual = site.kind == "remote"
    loc = {"id": lid, "location_type": "virtual" if virtual else "physical",
           "name": site.name}
    if (site.address or "").strip() and not virtual:
        street, _, city = site.address.rpartition(",")
        loc["addresses"] = [{"id": derived_id(lid, "address"), "location_id": lid,
                             "address_1": (street or city).strip(),
                             "city": city.strip() if street else "",
                             "state_province": "", "postal_code": (site.postcode or "").strip(),
                             "country": "GB", "address_type": "physical"}]
    phones = _phone(lid, site.phone, location_id=lid)
    if phones:
        loc["phones"] = phones
    if (site.hours or "").strip():
        loc["schedules"] = [{"id": derived_id(lid, "hours"), "location_id": lid,
                             "description": site.hours.strip()}]
    return loc


def _category(sid: str, code: str, categories: dict[str, Category]) -> list[dict]:
    if not code:
        return []
    cat = categories.get(code)
    term_id = derived_id("category", code)
    term = {"id": term_id, "code": code, "name": cat.name if cat else code,
            "description": cat.report_group if cat else code, "taxonomy": TAXONOMY,
            "term": cat.name if cat else code}  # (term: the UK profile's name for it)
    return [{"id": derived_id(sid, "category", code), "link_id": sid,
             "link_type": "category", "link_entity": "service",
             "taxonomy_term_id": term_id, "taxonomy_term": term}]


def _stamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _service(s: PartnerService, org: dict, key: dict | None, sites: dict[str, Site],
             categories: dict[str, Category], today: date) -> dict:
    sid = hsds_id(s)
    status, said = _status(s, today)
    svc = {"id": sid, "organization_id": org["id"], "name": s.name,
           "description": (s.description or "").strip(), "status": status, **said}
    if web_address(s.web):
        svc["url"] = web_address(s.web)
    if key and key.get("email"):
        svc["email"] = key["email"]
    if s.min_age is not None:
        svc["minimum_age"] = s.min_age
    if s.max_age is not None:
        svc["maximum_age"] = s.max_age
    words = eligibility_description(s)
    if words:
        svc["eligibility_description"] = words
    stamp = _stamp(s.updated_at)
    if stamp:
        svc["last_modified"] = stamp
    phones = _phone(sid, s.phone, service_id=sid)
    if phones:
        svc["phones"] = phones
    if (s.when_text or "").strip():
        svc["schedules"] = [{"id": derived_id(sid, "schedule"), "service_id": sid,
                             "description": s.when_text.strip()}]
    areas = _service_areas(sid, s.catchment)
    if areas:
        svc["service_areas"] = areas
    at = [{"id": derived_id(sid, "at", loc["id"]), "service_id": sid,
           "location_id": loc["id"], "location": loc} for loc in _locations(s, sites)]
    if at:
        svc["service_at_locations"] = at
    if key:
        svc["contacts"] = [key]
    attributes = _category(sid, s.category, categories)
    if attributes:
        svc["attributes"] = attributes
    svc["organization"] = org
    return svc
