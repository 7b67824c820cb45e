"""``lr-desk directory import SOURCE [--dry-run]`` and ``directory export``: on a real
profile (encrypted and signed in, as ``lr-desk sync`` is), a real feed file and a feed
served over HTTP on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from lr_desk.cli import FAILED, OFFLINE, main
from lr_desk.services import oruk_map
from lr_desk.services.signin import Gate
from lr_desk.store.models import Partner, PartnerService
from tests.services.oruk_feeds import FeedServer, fixture, service

PASSWORD = "kettle on at nine"


@pytest.fixture
def desk(tmp_path, monkeypatch):
    folder = tmp_path / "desk"
    Gate(folder).set_up("Sam Admin", "walton", "sam", PASSWORD, PASSWORD,
                        {"walton": "Walton"}).store.close()
    monkeypatch.setenv("LR_DESK_PASSWORD", PASSWORD)
    monkeypatch.delenv("LR_DESK_USERNAME", raising=False)
    return folder


def run(desk, *words) -> int:
    return main(["directory", *words, "--data-dir", str(desk), "--username", "sam"])


def services_in(desk) -> set[str]:
    store = Gate(desk).sign_in("sam", PASSWORD).store
    try:
        with store.session() as s:
            return set(s.scalars(select(PartnerService.name).where(
                PartnerService.feed_id != "")))
    finally:
        store.close()


def test_dry_run_shows_the_plan_and_writes_nothing(desk, capsys):
    assert run(desk, "import", str(fixture("hsds_service_full.json")), "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["Read 1 record (one service).",
                       "To add: 1 partner, 1 service and 1 contact.", "To change: nothing."]
    assert 'Add service "Community Counselling" (of Example Organization Inc.)' in out
    assert out[-1] == "Dry run: nothing was written."
    assert services_in(desk) == set()


def test_import_then_again_is_idempotent(desk, capsys):
    feed = str(fixture("hsds_service_full.json"))
    assert run(desk, "import", feed) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Imported: added 1 partner, 1 service and 1 contact.")
    assert run(desk, "import", feed) == 0
    out = capsys.readouterr().out
    assert "Already as the feed has them: 1 partner, 1 service and 1 contact." in out
    assert out.splitlines()[-1] == ("Nothing to import: the directory already has the "
                                    "feed as it is.")
    assert services_in(desk) == {"Community Counselling"}


def test_import_from_an_address_in_pages(desk, capsys):
    with FeedServer([service(n) for n in range(5)], "v1", size=2) as server:
        assert run(desk, "import", server.url) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == ["Read page 1 of 3 (2 records so far).",
                                         "Read page 2 of 3 (4 records so far).",
                                         "Read page 3 of 3 (5 records so far)."]
    assert "Imported: added 2 partners, 5 services and 5 contacts" in captured.out
    assert services_in(desk) == {f"Service {n}" for n in range(5)}


def test_bad_records_are_listed_and_the_rest_imported(desk, capsys, tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([service(1), service(2, name=""), service(3, url="nope")]))
    assert run(desk, "import", str(path)) == 0
    out = capsys.readouterr().out
    assert 'Problem: Record 2 (id svc-00002): it has no name: left out.' in out
    assert ("Problem: Record 3, \"Service 3\" (id svc-00003): its web address 'nope' is not "
            "a web address: left blank.") in out
    assert "1 record left out; the rest can still be imported." in out
    assert services_in(desk) == {"Service 1", "Service 3"}


def test_problems_and_exit_codes(desk, capsys):
    assert run(desk, "import", str(fixture("validator_fail_service_list.json"))) == FAILED
    captured = capsys.readouterr()
    assert "Nothing could be imported: every record has a problem (above)." in captured.err
    assert run(desk, "import", str(fixture("not_json.html"))) == FAILED
    assert "is a web page" in capsys.readouterr().err
    with FeedServer(fail_page=1, status=404) as server:
        assert run(desk, "import", server.url) == FAILED
    assert "answered 404 (Not Found)" in capsys.readouterr().err
    server_url = server.url  # stopped now: nobody there
    assert run(desk, "import", server_url) == OFFLINE
    err = capsys.readouterr().err
    assert "refused the connection" in err and "Traceback" not in err
    assert services_in(desk) == set()


def test_the_password_is_needed(desk, capsys, monkeypatch):
    monkeypatch.setenv("LR_DESK_PASSWORD", "not it")
    assert run(desk, "import", str(fixture("hsds_service_full.json"))) == FAILED
    assert "not right" in capsys.readouterr().err


def test_partner_rows_take_the_feeds_ids(desk):
    assert run(desk, "import", str(fixture("uk_profile_organization_full.json"))) == 0
    store = Gate(desk).sign_in("sam", PASSWORD).store
    try:
        with store.session() as s:
            partner = s.get(Partner, oruk_map.row_id(
                "partner", "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"))
            assert partner is not None and partner.name == "Example Organization Inc."
            assert s.scalar(select(func.count()).select_from(PartnerService)) >= 1
    finally:
        store.close()


def test_export_writes_hsds_that_imports_again(desk, capsys, tmp_path):
    assert run(desk, "import", str(fixture("hsds_service_full.json"))) == 0
    out = tmp_path / "directory.json"
    assert run(desk, "export", "--format", "hsds", "--output", str(out)) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"Wrote the directory as HSDS 3.0 to {out} (1 service).")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [s["name"] for s in doc["contents"]] == ["Community Counselling"]
    assert run(desk, "import", str(out), "--dry-run") == 0
    assert "To add: nothing." in capsys.readouterr().out
    assert run(desk, "export", "--output", str(tmp_path / "no" / "such.json")) == FAILED
    assert "There is no folder" in capsys.readouterr().err
    assert run(desk, "export", "--output", str(tmp_path)) == FAILED
    assert "is a folder" in capsys.readouterr().err
