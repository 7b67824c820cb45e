"""The GP-ready referrals file, read back: a row per onward referral made in the period
at the sites (the Table 1 desk's 3,932), coded 871731000000106 or, where the person
declined, 871711000000103; NHS numbers where recorded; names of merged people by the
record kept, erased people left out; managers only; audited; written whole or not at
all."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from lr_desk.services import erasure, gp_export
from lr_desk.services.reports.core import Period
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import (
    Advisor,
    AuditEvent,
    Person,
    PrescriptionItem,
    Referral,
    ReferralEvent,
)
from tests.reports_data import PER_VISIT_OUTSIDE, PERIOD, TOTAL, table1_desk

REFERRED, DECLINED = "871731000000106", "871711000000103"


@pytest.fixture
def manager(store, advisor):
    with store.session() as s:
        s.get(Advisor, advisor.id).role = "manager"
    return advisor


@pytest.fixture
def desk(store, manager):
    with store.session() as s:
        return table1_desk(s, manager.id)


def read_back(path) -> tuple[dict[str, str], list[str], list[dict[str, str]]]:
    """(the preamble's values, its notes, the rows as dicts by column title)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    blank = lines.index([])
    top = {line[0]: line[1] for line in lines[:blank] if line[0] != "Note"}
    notes = [line[1] for line in lines[:blank] if line[0] == "Note"]
    header = lines[blank + 1]
    assert tuple(header) == gp_export.COLUMNS
    return top, notes, [dict(zip(header, line, strict=True)) for line in lines[blank + 2:]]


def test_one_row_per_onward_referral_coded_for_gp_systems(store, desk, manager, tmp_path):
    kept, _merged = desk["merged"]
    with store.session() as s:
        s.get(Person, kept).nhs_number = "9434765919"
        # as a device that did not check it could sync it: never sent to a GP
        s.scalars(select(Person).where(Person.given_name == "Person1")).one().nhs_number = \
            "9434765918"
        statuses = Counter(s.scalars(select(Referral.status)))
    path = tmp_path / "gp.csv"
    with store.session() as s:
        made = gp_export.export(s, PERIOD, path, manager.id)
    top, notes, rows = read_back(path)
    assert len(rows) == len(made.rows) == TOTAL == int(top["Rows"])
    assert (top["File"], top["From"], top["To"]) == (gp_export.TITLE, "2019-09-01",
                                                      "2020-02-29")
    assert top["Sites"] == "The Life Rooms Walton; The Life Rooms Southport"
    assert top["Made by"] == "Alex Advisor"
    assert any(REFERRED in n and DECLINED in n for n in notes)
    assert all(PERIOD.start.isoformat() <= r["Date"] <= PERIOD.end.isoformat() for r in rows)
    assert {r["Site"] for r in rows} == {"The Life Rooms Walton", "The Life Rooms Southport"}
    codes = Counter((r["SNOMED CT code"], r["SNOMED CT term"]) for r in rows)
    declined = sum(1 for r in rows if r["Referral status"] == "Not taken up")
    assert statuses["not_taken_up"] > declined > 0
    assert codes == {(REFERRED, "Referral to social prescribing service"): TOTAL - declined,
                     (DECLINED, "Social prescribing declined"): declined}
    courses = [r for r in rows if r["Partner"] == gp_export.COURSE_PARTNER]
    assert len(courses) == 2150 and {r["Service"] for r in courses} == {"Understanding anxiety"}
    # the person recorded twice is named by the record kept, with its NHS number
    theirs = [r for r in rows if r["Given name"] == "Person0"]
    assert theirs and {r["NHS number"] for r in theirs} == {"9434765919"}
    assert not [r for r in rows if r["Given name"] == f"Person{608 + 1}"]  # (merged away)
    assert {r["NHS number"] for r in rows} == {"", "9434765919"}
    assert {r["Advisor"] for r in rows} == {"Alex Advisor"}
    with store.session() as s:  # made, in the audit log: how many, never who
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.entity == "gp_referrals" and event.advisor_id == manager.id
    assert event.detail == ("The GP referrals file: 3,932 referrals made from 1 September "
                            "2019 to 29 February 2020, at The Life Rooms Walton, The Life "
                            "Rooms Southport")
    assert "Person" not in event.detail and event.person_id is None


def test_declined_means_the_person_declined(store, desk, manager, tmp_path):
    """A decline whose latest reason is the person changing their mind is coded declined;
    one for the partner's own reasons is still a referral."""
    with store.session() as s:
        ids = list(s.scalars(select(Referral.id).join(PrescriptionItem)
                             .where(Referral.status == "declined",
                                    PrescriptionItem.deleted_at.is_(None))
                             .order_by(Referral.id)))
        first, second, third = ids[:3]
        s.add_all([
            ReferralEvent(referral_id=first, status="declined", reason_code="changed_mind",
                          advisor_id=manager.id),
            ReferralEvent(referral_id=second, status="declined", reason_code="no_capacity",
                          advisor_id=manager.id),
            # declined for capacity, then (corrected) for their change of mind: the latest
            ReferralEvent(referral_id=third, status="declined", reason_code="no_capacity",
                          advisor_id=manager.id, at=PERIOD.utc_from),
            ReferralEvent(referral_id=third, status="declined", reason_code="changed_mind",
                          advisor_id=manager.id, kind="correction", at=PERIOD.utc_to)])
    with store.session() as s:
        made = gp_export.gather(s, Period(date(2015, 1, 1), date(2030, 1, 1)), manager.id)
        by_person = gp_export._declined_by_the_person(s, [first, second, third])
    assert by_person == {first, third}
    declined_rows = [r for r in made.rows if r.status == "Declined"]
    assert sum(r.code == DECLINED for r in declined_rows) == 2
    assert len(made.rows) == TOTAL + 4 * PER_VISIT_OUTSIDE  # everywhere, any time


def test_erased_people_are_left_out_and_only_managers_may_make_it(store, desk, manager,
                                                                   advisor, tmp_path):
    with store.session() as s:
        before = len(gp_export.gather(s, PERIOD, manager.id).rows)
        erasure.erase(s, desk["erased"], manager.id, manager.id)
    with store.session() as s:
        after = gp_export.gather(s, PERIOD, manager.id).rows
    assert 0 < len(after) < before
    assert not [r for r in after if r.given_name == ""]
    with store.session() as s:
        s.get(Advisor, manager.id).role = "advisor"
    path = tmp_path / "gp.csv"
    with store.session() as s, pytest.raises(ValidationError) as refused:
        gp_export.export(s, PERIOD, path, manager.id)
    assert refused.value.errors == {"who": gp_export.NOT_ALLOWED}
    assert not path.exists()


def test_a_folder_that_cannot_be_written_leaves_no_file_and_no_record(store, desk, manager,
                                                                     tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    with pytest.raises(OSError), store.session() as s:
        gp_export.export(s, PERIOD, folder / "no such folder" / "gp.csv", manager.id)
    with store.session() as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all() == []
    assert list(folder.iterdir()) == []  # (nor a part-written one)


def test_what_a_spreadsheet_would_run_is_written_as_words(store, manager, make_person,
                                                          tmp_path):
    with store.session() as s:
        desk = table1_desk(s, manager.id)
        kept = s.get(Person, desk["merged"][0])
        kept.family_name = "=HYPERLINK(\"http://x\")"
        kept.given_name = "+Ann"
    with store.session() as s:
        made = gp_export.gather(s, PERIOD, manager.id)
    gp_export.write(made, tmp_path / "gp.csv")
    _top, _notes, rows = read_back(tmp_path / "gp.csv")
    theirs = [r for r in rows if r["Given name"] == "'+Ann"]
    assert theirs and {r["Family name"] for r in theirs} == {"'=HYPERLINK(\"http://x\")"}
    assert gp_export.default_name(PERIOD) == "gp-referrals-2019-09-01-to-2020-02-29.csv"
