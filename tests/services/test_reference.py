"""Shipped reference data (hubs, ways of working, need categories) and the example
directory, seeded once with the same ids everywhere."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lr_desk.profile import open_store
from lr_desk.services import reference
from lr_desk.store.models import Category, Course, Partner, PartnerService, Site

# BRIEF.md, "The service in facts"
HUBS = {
    "walton": ("Evered Avenue", "Liverpool", "L9 2AF", "0151 478 6556"),
    "southport": ("23-25 Scarisbrick Avenue", "Southport", "PR8 1NW", "01704 383 198"),
    "bootle": ("St Winefride's Campus, Merton Road", "Bootle", "L20 7AP", "0151 330 6461"),
}
# BRIEF.md, the published evaluation's Table 1
TABLE_1 = [
    "Life Rooms learning provision",
    "Social support in relation to debt and benefits",
    "Social isolation",
    "Physical health",
    "Employment",
    "Housing",
    "Volunteering",
    "Family/caring role",
    "Other",
]
# BRIEF.md, the needs an advisor records
NEEDS = ["housing", "debt and benefits", "employment", "social isolation", "physical health",
         "mental wellbeing", "family or caring role", "volunteering", "learning",
         "food or fuel", "other"]


def ids_of(store) -> dict[str, set[str]]:
    with store.session() as s:
        return {m.__tablename__: set(s.scalars(select(m.id)))
                for m in (Partner, PartnerService, Course)}


def test_the_three_hubs(store):
    with store.session() as s:
        hubs = {h.code: h for h in s.scalars(select(Site).where(Site.kind == "hub"))}
    assert set(hubs) == set(HUBS)
    for code, (street, town, postcode, phone) in HUBS.items():
        hub = hubs[code]
        assert street in hub.address and town in hub.address
        assert hub.postcode == postcode and hub.phone == phone
        assert "Monday to Friday" in hub.hours
        assert "9:30" in hub.hours and ("4:30pm" in hub.hours or "16:30" in hub.hours)
        assert town.lower() in hub.name.lower() or code in hub.name.lower()


def test_the_ways_of_working(store):
    with store.session() as s:
        sites = {x.code: x for x in s.scalars(select(Site))}
    assert {"peripatetic", "telephone", "video"} <= set(sites)
    assert sites["peripatetic"].kind == "peripatetic"
    assert "liverpool" in sites["peripatetic"].name.lower()
    assert {sites["telephone"].kind, sites["video"].kind} == {"remote"}


def test_hubs_come_first_in_the_site_list(store):
    with store.session() as s:
        kinds = [x.kind for x in reference.sites(s)]
    assert kinds[:3] == ["hub"] * 3 and "hub" not in kinds[3:]


def test_categories_reproduce_table_1(store):
    with store.session() as s:
        groups = {c.report_group for c in reference.categories(s)}
    assert groups == set(TABLE_1)


def test_categories_cover_every_need_the_brief_names(store):
    with store.session() as s:
        cats = reference.categories(s)
    names = {c.name.lower() for c in cats}
    assert names == set(NEEDS)
    by_name = {c.name.lower(): c.report_group for c in cats}
    assert by_name["learning"] == "Life Rooms learning provision"
    assert by_name["debt and benefits"] == "Social support in relation to debt and benefits"
    assert by_name["family or caring role"] == "Family/caring role"
    for other in ("mental wellbeing", "food or fuel", "other"):
        assert by_name[other] == "Other"
    assert [c.position for c in cats] == list(range(len(cats)))
    assert len({c.code for c in cats}) == len(cats)


def test_the_example_directory_is_seeded_and_marked(store):
    with store.session() as s:
        partners = s.scalars(select(Partner)).all()
        services = s.scalars(select(PartnerService)).all()
        courses = s.scalars(select(Course)).all()
        categories = set(s.scalars(select(Category.code)))
        sites = set(s.scalars(select(Site.code)))
    assert partners and services and courses
    assert all(r.is_example for r in [*partners, *services, *courses])
    assert {svc.category for svc in services} <= categories
    assert {svc.site_code for svc in services if svc.site_code} <= sites
    assert {c.site_code for c in courses if c.site_code} <= sites


def test_seeding_twice_adds_nothing(store):
    before = ids_of(store)
    with Session(store.engine) as s, s.begin():
        assert reference.seed_example_directory(s) == 0
        reference.seed_reference(s)
    assert ids_of(store) == before
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Site)) == 6
        counts = Counter(s.scalars(select(Category.code)))
        assert set(counts.values()) == {1}


def test_reopening_the_profile_adds_nothing(tmp_path):
    first = open_store(tmp_path / "p")
    before = ids_of(first)
    first.close()
    again = open_store(tmp_path / "p")
    try:
        assert ids_of(again) == before
    finally:
        again.close()


def test_two_devices_seed_the_same_ids(tmp_path):
    a, b = open_store(tmp_path / "a"), open_store(tmp_path / "b")
    try:
        assert a.device_id != b.device_id
        assert ids_of(a) == ids_of(b)
        assert all(ids_of(a).values())
    finally:
        a.close()
        b.close()


def test_example_ids_are_derived_from_names():
    assert reference.example_id("partner", "X") == reference.example_id("partner", "X")
    assert reference.example_id("partner", "X") != reference.example_id("partner", "Y")
    assert reference.example_id("partner", "X") != reference.example_id("course", "X")


def test_seeding_writes_no_outbox_entries(store, outbox):
    assert outbox.count() == 0


def test_reference_data_is_loaded_again_only_when_the_shipped_files_change(tmp_path,
                                                                           monkeypatch):
    from lr_desk.profile import open_store
    from lr_desk.services import reference
    from lr_desk.store.models import Site

    store = open_store(tmp_path / "p")
    with store.session() as s:
        s.get(Site, "walton").phone = "changed locally"
    store.close()
    store = open_store(tmp_path / "p")  # same files: not reloaded, so the change stays
    with store.session() as s:
        assert s.get(Site, "walton").phone == "changed locally"
    store.close()
    monkeypatch.setattr(reference, "checksum", lambda: "a corrected file")
    store = open_store(tmp_path / "p")  # the service corrected the file: reloaded
    with store.session() as s:
        assert s.get(Site, "walton").phone == "0151 478 6556"
    store.close()
