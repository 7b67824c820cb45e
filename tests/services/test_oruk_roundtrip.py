"""Import -> export -> import: a feed imported, the directory exported as HSDS 3.0
(services.hsds, validated against the official schemas), and that export imported by a
fresh desk says the same; imported again by the desk that made it, it changes nothing
and adds nothing (its own rows are found, feed or not)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lr_desk.profile import open_store
from lr_desk.services import directory, hsds, oruk, oruk_feed
from lr_desk.store.models import Partner, PartnerContact, PartnerService

from .oruk_feeds import fixture, service

FIELDS = ("name", "category", "description", "web", "phone", "min_age", "max_age",
          "when_text", "catchment")


@pytest.fixture
def other_desk(tmp_path, migrated_profile):
    import shutil

    folder = tmp_path / "other"
    folder.mkdir()
    for f in Path(migrated_profile).glob("lr_desk.sqlite*"):
        shutil.copy(f, folder / f.name)
    s = open_store(folder)
    yield s
    s.close()


def export(store, path: Path) -> dict:
    with store.session() as s:
        doc = hsds.export_directory(s)
    assert hsds.problems(doc) == []
    path.write_text(json.dumps(doc), encoding="utf-8")
    return doc


def services_of(store) -> dict[str, tuple]:
    with store.session() as s:
        return {svc.name: tuple(getattr(svc, f) for f in FIELDS)
                for svc in s.scalars(select(PartnerService)
                                     .where(PartnerService.deleted_at.is_(None)))
                if not svc.is_example}


def count(store, model) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(model)
                        .where(model.deleted_at.is_(None), model.is_example.is_(False))
                        if hasattr(model, "is_example") else
                        select(func.count()).select_from(model)
                        .where(model.deleted_at.is_(None)))


def test_import_export_import_says_the_same(store, other_desk, tmp_path):
    feed = [json.loads(fixture("hsds_service_full.json").read_text())] + \
        [service(n) for n in range(6)]
    first = tmp_path / "feed.json"
    first.write_text(json.dumps(feed))
    with store.session() as s:
        oruk.apply(s, oruk_feed.read(str(first)))
    doc = export(store, tmp_path / "export.json")
    assert len(doc["contents"]) == 7
    with other_desk.session() as s:
        done = oruk.apply(s, oruk_feed.read(str(tmp_path / "export.json")))
    assert done.problems == []
    assert services_of(other_desk) == services_of(store)


def test_the_desks_own_export_imported_again_adds_nothing(store, tmp_path):
    with store.session() as s:  # a partner and service typed on this desk, not from a feed
        partner = directory.save_partner(s, {"name": "Walton Food Bank",
                                             "web": "https://food.example"})
        directory.save_service(s, {"partner_id": partner.id, "name": "Food parcels",
                                   "category": "food_fuel", "delivery": "community",
                                   "when_text": "Tuesdays 10:00", "location": "Church hall"})
    with store.session() as s:
        oruk.apply(s, oruk_feed.read(str(fixture("hsds_service_full.json"))))
    before = (count(store, Partner), count(store, PartnerService),
              count(store, PartnerContact))
    export(store, tmp_path / "export.json")
    with store.session() as s:
        plan = oruk.plan(s, oruk_feed.read(str(tmp_path / "export.json")))
    assert {"Food parcels", "Community Counselling"} <= {i.name for i in plan.items}
    assert plan.counts("add") == "nothing", plan.details()
    assert [i.name for i in plan.items if i.changes] == [], plan.details()
    with store.session() as s:
        oruk.apply(s, oruk_feed.read(str(tmp_path / "export.json")))
    assert (count(store, Partner), count(store, PartnerService),
            count(store, PartnerContact)) == before
    with store.session() as s:
        food = s.scalars(select(PartnerService).where(PartnerService.name == "Food parcels")
                         ).one()
        assert (food.when_text, food.location, food.category) == (
            "Tuesdays 10:00", "Church hall", "food_fuel")


def test_a_feed_numbering_its_rows_comes_back_from_the_export_as_the_same_rows(store,
                                                                                tmp_path):
    """Feed ids that are not UUIDs ("svc-00001") go out as the rows' own ids (made from
    the feed's, the same on every desk): imported again, they are found, not added."""
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([service(n) for n in range(6)]))
    with store.session() as s:
        oruk.apply(s, oruk_feed.read(str(feed)))
    before = (count(store, Partner), count(store, PartnerService),
              count(store, PartnerContact))
    export(store, tmp_path / "export.json")
    with store.session() as s:
        plan = oruk.plan(s, oruk_feed.read(str(tmp_path / "export.json")))
    assert plan.counts("add") == "nothing", plan.details()
    with store.session() as s:
        oruk.apply(s, oruk_feed.read(str(tmp_path / "export.json")))
    assert (count(store, Partner), count(store, PartnerService),
            count(store, PartnerContact)) == before
