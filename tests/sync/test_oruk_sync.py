"""Two desks import the same Open Referral UK feed, each offline: the rows they make
have the same ids (made from the feed's), so after syncing there is one of each, the
same on both, with nothing in Needs review (the values one lost to the other are kept
as every lost value is, the same on both desks; none differs from what the rows hold);
a later re-import on one desk and a refinement on
the other both arrive (services.oruk, real central stores: SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from lr_desk.services import oruk, oruk_feed, review
from lr_desk.services import oruk_map as m
from lr_desk.store.models import PartnerService
from lr_desk.sync.engine import sync_once
from tests.services.oruk_feeds import load, service

from .devices import new_device, open_conflicts, records

TABLES = ("partner", "partner_service", "partner_contact")


def _to_review(store) -> list:
    with store.session() as s:
        return review.open_items(s)


def _import(store, path) -> None:
    with store.session() as s:
        oruk.apply(s, oruk_feed.read(str(path)))


def test_two_desks_importing_one_feed_make_one_directory(tmp_path, central):
    feed = tmp_path / "feed.json"
    public = load("hsds_service_full.json")  # the specification's example, in full
    feed.write_text(json.dumps([public] + [service(n) for n in range(8)]))
    a, b = new_device(tmp_path / "a"), new_device(tmp_path / "b")
    try:
        _import(a, feed)
        _import(b, feed)  # offline, before either has synced
        for store in (a, b, a):
            sync_once(store, central)
        on_a, on_b = records(a), records(b)
        for table in TABLES:
            assert on_a[table] == on_b[table], table
        assert len(on_a["partner_service"]) == 9 + sum(  # (plus the example directory)
            1 for r in on_a["partner_service"].values() if r["is_example"])
        assert len(on_a["partner"]) == 3 + sum(1 for r in on_a["partner"].values()
                                               if r["is_example"])
        assert open_conflicts(a) == open_conflicts(b)
        assert _to_review(a) == _to_review(b) == []

        # B refines a service; the feed changes the same service's name; A re-imports
        sid = m.row_id("service", "svc-00003")
        with b.session() as s:
            row = s.get(PartnerService, sid)
            row.capacity, row.takes = "waiting", 3
        feed.write_text(json.dumps([public] + [service(n, **(
            {"name": "Service Three"} if n == 3 else {})) for n in range(8)]))
        _import(a, feed)
        for store in (a, b, a):
            sync_once(store, central)
        on_a, on_b = records(a)["partner_service"], records(b)["partner_service"]
        assert on_a == on_b
        assert (on_a[sid]["name"], on_a[sid]["capacity"], on_a[sid]["takes"]) == (
            "Service Three", "waiting", 3)
        assert open_conflicts(a) == open_conflicts(b)
        assert _to_review(a) == _to_review(b) == []
    finally:
        a.close()
        b.close()
