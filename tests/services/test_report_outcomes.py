"""The Outcomes report on a small desk: who is counted (their latest score in the period
at its sites), pairing at six weeks, a merged person once, an erased person still
counted, skipped items and deleted scores left out, and the figures worked by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lr_desk.services import accounts, duplicates, erasure, people, reports, wellbeing
from lr_desk.services.reports.core import Period, Stopped, suppressed
from lr_desk.store.models import WellbeingMeasure

PERIOD = Period(date(2025, 1, 1), date(2025, 3, 31), ("walton",))
EVERYWHERE = Period(date(2025, 1, 1), date(2025, 3, 31))


def swemwbs(total: int) -> dict[str, int]:
    """Seven answers adding up to ``total`` (7-35)."""
    answers, left = {}, total
    for k in range(1, 8):
        a = min(5, left - (7 - k))
        answers[str(k)] = a
        left -= a
    assert sum(answers.values()) == total
    return answers


@pytest.fixture
def desk(store, advisor, today):
    """People A..I and P, Q as the comment on each says; returns their ids."""
    ids = {}
    with store.session() as s:
        def person(name):
            ids[name] = people.register(s, {"given_name": name, "family_name": "Outcome"},
                                        advisor.id, "walton", today=today).id
            return ids[name]

        def score(who, day, site, measure="swemwbs", answers=None, total=None):
            return wellbeing.record(s, who, measure, answers or swemwbs(total), advisor.id,
                                    site, taken_at=datetime.combine(day, datetime.min.time())
                                    .replace(hour=11))

        # A: baseline before the period at another site, latest in it: paired (+3.93)
        a = person("A")
        score(a, date(2024, 11, 1), "bootle", total=14)  # 15.32
        score(a, date(2025, 2, 1), "walton", total=21)  # 19.25
        score(a, date(2025, 2, 3), "walton", "ons4", {"3": 7})  # ONS4 does not disturb it
        # B: second score 41 days after the baseline: baseline only
        b = person("B")
        score(b, date(2025, 1, 10), "walton", total=20)
        score(b, date(2025, 2, 20), "walton", total=25)
        # C: 42 days after: paired (18.59 -> 17.98: -0.61)
        c = person("C")
        score(c, date(2025, 1, 10), "walton", total=20)
        score(c, date(2025, 2, 21), "walton", total=19)
        # D: registered twice and merged; the latest recorded against the merged-away
        # record by a desk that had not heard of the merge: paired once (25.03 -> 25.03)
        d_keep, d_gone = person("D"), person("Dee")
        score(d_keep, date(2024, 12, 1), "walton", total=28)
        duplicates.merge(s, d_keep, d_gone, advisor.id)
        s.add(WellbeingMeasure(person_id=d_gone, measure="swemwbs", answers=swemwbs(28),
                               raw_total=28, taken_at=datetime(2025, 3, 1, 11),
                               site_code="walton", advisor_id=advisor.id))
        # E: latest in the period but at Bootle: counted only for every site (18.59 both)
        e = person("E")
        score(e, date(2024, 10, 1), "walton", total=20)
        score(e, date(2025, 2, 1), "bootle", total=20)
        # J: a score at Walton in the period, then the latest at Bootle: as E
        j = person("J")
        score(j, date(2024, 10, 1), "walton", total=20)
        score(j, date(2025, 1, 20), "walton", total=20)
        score(j, date(2025, 3, 5), "bootle", total=20)
        # F: baseline in the period, next score after it: baseline only
        f = person("F")
        score(f, date(2025, 1, 5), "walton", total=22)
        score(f, date(2025, 4, 5), "walton", total=30)
        # G: the score in the period has an item skipped (no total): not counted
        g = person("G")
        score(g, date(2024, 9, 1), "walton", total=10)
        score(g, date(2025, 2, 1), "walton", answers={**swemwbs(30), "4": None})
        # H: paired (17.98 -> 30.70: +12.72), then erased: still counted
        h = person("H")
        score(h, date(2024, 12, 1), "walton", total=19)
        score(h, date(2025, 3, 10), "walton", total=33)
        # I: the score in the period was deleted: not counted
        i = person("I")
        score(i, date(2024, 11, 1), "walton", total=20)
        score(i, date(2025, 2, 1), "walton", total=30).deleted_at = datetime(2025, 2, 2)
        # P: ONS4 life satisfaction 3 -> 7, anxiety 8 -> 2
        p = person("P")
        score(p, date(2024, 12, 1), "walton", "ons4", {"1": 3, "4": 8})
        score(p, date(2025, 2, 15), "walton", "ons4", {"1": 7, "4": 2})
        # Q: life satisfaction 5 -> 9; worthwhile answered once (in the period)
        q = person("Q")
        score(q, date(2025, 1, 15), "walton", "ons4", {"1": 5})
        score(q, date(2025, 3, 20), "walton", "ons4", {"1": 9, "2": 6})
        manager = accounts.create(s, "Mo Manager", "walton", "mo", "manager",
                                  "a long manager password")
        erasure.erase(s, h, manager.id, manager.id)
    return ids


def figures(report) -> dict:
    return {r["label"]: r for r in report.table("swemwbs").rows}


def test_swemwbs_paired_change_as_worked_by_hand(store, desk):
    with store.session() as s:
        report = reports.make(s, "outcomes", PERIOD)
    assert report.main.key == "swemwbs"
    rows = figures(report)
    got = {label: (r["value"] if r["value"] is not None else r["count"])
           for label, r in rows.items()}
    assert {r["count"] for r in rows.values() if r["value"] is not None} == {4}  # paired
    assert got == {
        "People paired (baseline and a score six weeks or more later)": 4,  # A C D H
        "People with a baseline only": 2,  # B F
        "Mean score at baseline": 19.23,  # (15.32 + 18.59 + 25.03 + 17.98) / 4
        "Mean latest score": 23.24,  # (19.25 + 17.98 + 25.03 + 30.70) / 4
        "Mean change": 4.01,  # (3.93 - 0.61 + 0 + 12.72) / 4
        # sd 6.14532 (squares 0.0064, 21.3444, 16.0801, 75.8641 over 3), t(3) 3.182446
        "Mean change: 95% confidence interval, lower": -5.77,
        "Mean change: 95% confidence interval, upper": 13.79,
        "Improved (any rise)": 2,  # A H
        "Improved by 3 points or more": 2}
    assert rows["Improved (any rise)"]["percent"] == 50.0
    change = {r["label"]: r["count"] for r in report.table("swemwbs_change").rows}
    assert change == {"Improved by 3 or more": 2, "Improved by under 3": 0,
                      "No change": 1, "Worse": 1}
    assert report.table("swemwbs_change").total["count"] == 4


def test_every_site_counts_the_score_taken_elsewhere(store, desk):
    with store.session() as s:
        report = reports.make(s, "outcomes", EVERYWHERE)
    rows = figures(report)
    assert rows["People paired (baseline and a score six weeks or more later)"]["count"] == 6
    assert rows["People with a baseline only"]["count"] == 2
    assert report.site_names == ["All sites"]


def test_a_period_before_the_latest_scores_counts_what_was_latest_then(store, desk):
    # Up to the end of 2024 only baselines had been taken (A at Bootle, G at Walton...)
    with store.session() as s:
        report = reports.make(s, "outcomes", Period(date(2024, 12, 1), date(2024, 12, 31)))
    rows = figures(report)
    assert rows["People with a baseline only"]["count"] == 2  # D, H (on 1 December)
    assert rows["People paired (baseline and a score six weeks or more later)"]["count"] == 0
    assert rows["Mean change"]["value"] is None


def test_ons4_each_question_on_its_own(store, desk):
    with store.session() as s:
        report = reports.make(s, "outcomes", PERIOD)
    items = {r["label"]: r for r in report.table("ons4").rows}
    assert list(items) == ["Life satisfaction", "Worthwhile", "Happiness", "Anxiety"]
    assert items["Life satisfaction"] == {"label": "Life satisfaction", "paired": 2,
                                          "only": 0, "baseline": 4.0, "latest": 8.0,
                                          "change": 4.0}
    assert (items["Worthwhile"]["paired"], items["Worthwhile"]["only"]) == (0, 1)
    assert items["Worthwhile"]["change"] is None
    assert (items["Happiness"]["paired"], items["Happiness"]["only"]) == (0, 1)  # A's
    assert items["Anxiety"]["change"] == -6.0 and items["Anxiety"]["paired"] == 1
    bands = {r["label"]: (r["baseline"], r["latest"]) for r in report.table("ons4_bands").rows}
    assert len(bands) == 16
    assert bands["Life satisfaction: Low"] == (1, 0)
    assert bands["Life satisfaction: Medium"] == (1, 0)
    assert bands["Life satisfaction: High"] == (0, 1)
    assert bands["Life satisfaction: Very high"] == (0, 1)
    assert bands["Anxiety: High"] == (1, 0) and bands["Anxiety: Low"] == (0, 1)
    assert bands["Anxiety: Very low"] == (0, 0)


def test_charts_notes_and_the_notice(store, desk):
    with store.session() as s:
        report = reports.make(s, "outcomes", PERIOD)
    tables = {t.key for t in report.tables}
    assert tables == {"swemwbs", "swemwbs_change", "ons4", "ons4_bands"}
    assert all(c.table in tables for c in report.charts) and len(report.charts) == 2
    text = " ".join(report.notes)
    assert "42 days" in text and "metric score" in text and "2.87" in text
    assert wellbeing.MEASURES["swemwbs"].notice in report.notes


def test_in_files_small_counts_hide_and_their_scores_with_them(store, desk):
    with store.session() as s:
        report = suppressed(reports.make(s, "outcomes", PERIOD))
    rows = figures(report)
    paired = rows["People paired (baseline and a score six weeks or more later)"]
    assert paired["count"] == "<5"
    # a mean over four people would say much about each: hidden with their count
    assert rows["Mean change"]["value"] is None and rows["Mean change"]["count"] == "<5"
    assert rows["Improved (any rise)"]["percent"] is None
    ons4 = {r["label"]: r for r in report.table("ons4").rows}
    assert all(r["change"] is None for r in ons4.values() if r["paired"] == "<5")


def test_the_report_can_be_stopped(store, desk):
    def stop():
        raise Stopped()

    with store.session() as s, pytest.raises(Stopped):
        reports.make(s, "outcomes", PERIOD, stop)


def test_an_empty_desk_gives_an_empty_report(store):
    with store.session() as s:
        report = reports.make(s, "outcomes", PERIOD)
    rows = figures(report)
    assert rows["People with a baseline only"]["count"] == 0
    assert rows["Mean change"]["value"] is None
    assert all(r["baseline"] == 0 and r["latest"] == 0
               for r in report.table("ons4_bands").rows)


def test_six_weeks_are_counted_in_local_days(store, advisor, today, london):
    with store.session() as s:
        def person(name):
            return people.register(s, {"given_name": name, "family_name": "Clock"},
                                   advisor.id, "walton", today=today).id

        k, m = person("Kit"), person("Mo")
        for who, latest in ((k, datetime(2025, 4, 11, 23, 30)),  # 12 April locally: day 42
                            (m, datetime(2025, 4, 10, 23, 30))):  # 11 April locally: day 41
            wellbeing.record(s, who, "swemwbs", swemwbs(20), advisor.id, "walton",
                             taken_at=datetime(2025, 3, 1, 23, 30))  # 1 March (GMT)
            wellbeing.record(s, who, "swemwbs", swemwbs(24), advisor.id, "walton",
                             taken_at=latest)
    with store.session() as s:
        rows = figures(reports.make(s, "outcomes", Period(date(2025, 4, 1),
                                                          date(2025, 4, 30))))
    assert rows["People paired (baseline and a score six weeks or more later)"]["count"] == 1
    assert rows["People with a baseline only"]["count"] == 1
