"""SWEMWBS and ONS4 as a person answers them: the words shown, the checks, the scores
kept, and a person's history (with anyone merged into them)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lr_desk.services import duplicates, wellbeing
from lr_desk.services.validation import ValidationError
from lr_desk.store.models import WellbeingMeasure

# Warwick's SWEMWBS conversion table, raw total -> metric score, typed from the source.
OFFICIAL = {7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75,
            14: 15.32, 15: 15.84, 16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59,
            21: 19.25, 22: 19.98, 23: 20.73, 24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11,
            28: 25.03, 29: 26.02, 30: 27.03, 31: 28.13, 32: 29.31, 33: 30.70, 34: 32.55,
            35: 35.00}
ALL_OFTEN = {str(k): 4 for k in range(1, 8)}  # raw total 28


def test_the_statements_and_answers_are_the_published_ones():
    sw = wellbeing.MEASURES["swemwbs"]
    assert sw.keys == ("1", "2", "3", "4", "5", "6", "7")
    assert sw.items[0] == ("1", "I\u2019ve been feeling optimistic about the future")
    assert sw.items[6] == ("7", "I\u2019ve been able to make up my own mind about things")
    assert [w for _v, w in sw.answers] == ["None of the time", "Rarely", "Some of the time",
                                            "Often", "All of the time"]
    assert [v for v, _w in sw.answers] == [1, 2, 3, 4, 5]
    # as Warwick's terms have it shown on every copy (quoted by CORC)
    assert sw.notice == ("Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) \u00a9 NHS "
                         "Health Scotland, University of Warwick and University of Edinburgh, "
                         "2008, all rights reserved.")
    assert "warwick.ac.uk" in sw.source
    ons = wellbeing.MEASURES["ons4"]
    assert [t for _k, t in ons.items] == [
        "Overall, how satisfied are you with your life nowadays?",
        "Overall, to what extent do you feel that the things you do in your life are "
        "worthwhile?",
        "Overall, how happy did you feel yesterday?",
        "Overall, how anxious did you feel yesterday?"]
    assert (ons.lowest, ons.highest) == (0, 10)
    assert ons.words(0) == "Not at all" and ons.words(10) == "Completely"
    assert ons.words(6) == "6"
    assert ons.notice == "" and "ons.gov.uk" in ons.source
    assert ons.item_name("4") == "Anxiety"


@pytest.mark.parametrize("raw", range(7, 36))
def test_every_raw_total_converts_as_the_official_table(raw):
    assert wellbeing.metric(raw) == OFFICIAL[raw]


def test_only_raw_totals_from_7_to_35_convert():
    assert len(OFFICIAL) == 29
    for bad in (6, 36, 0, None, "20"):
        with pytest.raises(ValueError):
            wellbeing.metric(bad)


def test_a_skipped_item_means_no_total():
    answers = wellbeing.check_answers("swemwbs", {**ALL_OFTEN, "3": None})
    assert "3" not in answers and len(answers) == 6
    assert wellbeing.raw_total("swemwbs", answers) is None
    blank = wellbeing.check_answers("swemwbs", {**ALL_OFTEN, "5": ""})
    assert wellbeing.raw_total("swemwbs", blank) is None
    assert wellbeing.raw_total("swemwbs", ALL_OFTEN) == 28
    mixed = dict(zip("1234567", (2, 3, 4, 5, 1, 2, 3), strict=True))
    assert wellbeing.raw_total("swemwbs", mixed) == 20


def test_ons4_is_never_summed():
    assert wellbeing.raw_total("ons4", {"1": 7, "2": 8, "3": 6, "4": 2}) is None


def test_answers_as_digits_are_taken_and_returned_in_item_order():
    got = wellbeing.check_answers("ons4", {"4": "10", 2: " 0 ", "1": 7, "3": None})
    assert got == {"1": 7, "2": 0, "4": 10}
    assert list(got) == ["1", "2", "4"]


@pytest.mark.parametrize("measure, key, value", [
    ("swemwbs", "1", 0), ("swemwbs", "2", 6), ("swemwbs", "3", "five"), ("swemwbs", "4", 2.5),
    ("swemwbs", "5", True), ("swemwbs", "6", "-1"), ("ons4", "1", 11), ("ons4", "4", -1),
    ("ons4", "2", "\u0663"),  # an Arabic-Indic three: not an answer on this form
])
def test_answers_out_of_range_are_refused_with_a_message(measure, key, value):
    with pytest.raises(ValidationError) as err:
        wellbeing.check_answers(measure, {key: value})
    message = err.value.errors[key]
    assert message.startswith(f"Question {key}: Choose an answer from")
    assert ("1 (None of the time) to 5 (All of the time)" in message if measure == "swemwbs"
            else "0 (Not at all) to 10 (Completely)" in message)


def test_every_wrong_item_is_named_at_once():
    with pytest.raises(ValidationError) as err:
        wellbeing.check_answers("swemwbs", {"1": 9, "2": 3, "8": 4, "7": "x"})
    assert set(err.value.errors) == {"1", "8", "7"}
    assert "has no question 8" in err.value.errors["8"]


def test_an_unknown_measure_is_refused():
    with pytest.raises(ValidationError) as err:
        wellbeing.check_answers("phq9", {"1": 1})
    assert "measure" in err.value.errors


def test_ons4_bands_at_every_boundary():
    for item in ("1", "2", "3"):
        got = [wellbeing.ons4_band(item, v) for v in range(11)]
        assert got == ["Low"] * 5 + ["Medium"] * 2 + ["High"] * 2 + ["Very high"] * 2
        assert wellbeing.ons4_bands(item) == ("Low", "Medium", "High", "Very high")
    got = [wellbeing.ons4_band("4", v) for v in range(11)]
    assert got == ["Very low"] * 2 + ["Low"] * 2 + ["Medium"] * 2 + ["High"] * 5
    assert wellbeing.ons4_bands("4") == ("Very low", "Low", "Medium", "High")
    for bad in (-1, 11):
        with pytest.raises(ValueError):
            wellbeing.ons4_band("1", bad)


def test_record_keeps_the_answers_and_the_total(store, advisor, make_person):
    person = make_person()
    when = datetime(2025, 6, 2, 10, 30)
    with store.session() as s:
        row = wellbeing.record(s, person.id, "swemwbs", {**ALL_OFTEN, "1": "5"}, advisor.id,
                               "walton", taken_at=when)
        row_id = row.id
    with store.session() as s:
        kept = s.get(WellbeingMeasure, row_id)
        assert kept.answers == {**ALL_OFTEN, "1": 5}
        assert kept.raw_total == 29
        assert (kept.person_id, kept.site_code, kept.advisor_id, kept.taken_at) == (
            person.id, "walton", advisor.id, when)


def test_nothing_answered_keeps_nothing(store, advisor, make_person):
    person = make_person()
    with store.session() as s:
        assert wellbeing.record(s, person.id, "ons4", {"1": None, "2": ""}, advisor.id,
                                "walton") is None
        assert wellbeing.history(s, person.id) == []


def test_a_refused_answer_keeps_nothing(store, advisor, make_person):
    person = make_person()
    with store.session() as s:
        with pytest.raises(ValidationError):
            wellbeing.record(s, person.id, "ons4", {"1": 12}, advisor.id, "walton")
        assert wellbeing.history(s, person.id) == []


def test_history_oldest_first_with_baselines_and_a_merged_record(store, advisor, make_person):
    keep = make_person(given_name="Sam", family_name="Taylor")
    gone = make_person(given_name="Samuel", family_name="Taylor")
    t0 = datetime(2025, 1, 6, 11, 0)
    with store.session() as s:
        # the first SWEMWBS has an item skipped: the baseline is the first with a total
        wellbeing.record(s, gone.id, "swemwbs", {**ALL_OFTEN, "2": None}, advisor.id,
                         "bootle", taken_at=t0)
        wellbeing.record(s, gone.id, "swemwbs", ALL_OFTEN, advisor.id, "bootle",
                         taken_at=t0 + timedelta(days=7))
        wellbeing.record(s, keep.id, "ons4", {"1": 3, "4": 8}, advisor.id, "walton",
                         taken_at=t0 + timedelta(days=8))
        wellbeing.record(s, keep.id, "swemwbs", {k: 5 for k in ALL_OFTEN}, advisor.id,
                         "walton", taken_at=t0 + timedelta(days=60))
        duplicates.merge(s, keep.id, gone.id, advisor.id)
        # a desk that had not heard of the merge records against the merged-away person
        s.add(WellbeingMeasure(person_id=gone.id, measure="ons4", answers={"1": 6},
                               taken_at=t0 + timedelta(days=70), site_code="bootle",
                               advisor_id=advisor.id))
    with store.session() as s:
        got = wellbeing.history(s, keep.id)
        assert wellbeing.history(s, gone.id) == got
    assert [(g.measure, g.raw_total, g.metric, g.baseline) for g in got] == [
        ("swemwbs", None, None, False),
        ("swemwbs", 28, 25.03, True),
        ("ons4", None, None, True),
        ("swemwbs", 35, 35.0, False),
        ("ons4", None, None, False)]
    assert got[2].answers == {"1": 3, "4": 8}
    assert [g.taken_at for g in got] == sorted(g.taken_at for g in got)


def test_recorded_against_a_merged_away_person_lands_on_the_survivor(store, advisor,
                                                                     make_person):
    keep, gone = make_person(given_name="Ann"), make_person(given_name="Anne")
    with store.session() as s:
        duplicates.merge(s, keep.id, gone.id, advisor.id)
        row = wellbeing.record(s, gone.id, "ons4", {"3": 7}, advisor.id, "walton")
        assert row.person_id == keep.id
