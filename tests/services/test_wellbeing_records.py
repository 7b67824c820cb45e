"""A person's wellbeing measures in their subject access export (JSON and PDF read back:
every question in its published words with their answer, SWEMWBS's total, score and
copyright notice; nobody else's) and in the words the audit log and Needs review use."""

from __future__ import annotations

import json
import re
from datetime import datetime

from lr_desk.services import audit, duplicates, people, record_words, subject_access, wellbeing
from tests.conftest import TODAY
from tests.sheets.conftest import read_back

NOTICE = wellbeing.MEASURES["swemwbs"].notice


def test_their_measures_are_in_both_files_and_nobody_elses(store, advisor, tmp_path):
    with store.session() as s:
        mine = people.register(s, {"given_name": "Wren", "family_name": "Measure"},
                               advisor.id, "walton", today=TODAY).id
        gone = people.register(s, {"given_name": "Wrenna", "family_name": "Measure"},
                               advisor.id, "bootle", today=TODAY).id
        theirs = people.register(s, {"given_name": "Other", "family_name": "Person"},
                                 advisor.id, "walton", today=TODAY).id
        wellbeing.record(s, mine, "swemwbs", {"1": 4, "2": 3, "3": 2, "4": 4, "5": 5,
                                              "6": 3, "7": 4}, advisor.id, "walton",
                         taken_at=datetime(2025, 3, 3, 10, 30))
        wellbeing.record(s, gone, "ons4", {"1": 0, "2": 6, "4": 10}, advisor.id, "bootle",
                         taken_at=datetime(2025, 4, 14, 10, 30))
        duplicates.merge(s, mine, gone, advisor.id)
        wellbeing.record(s, theirs, "ons4", {"1": 9}, advisor.id, "walton",
                         taken_at=datetime(2025, 3, 3, 11, 0))
    with store.session() as s:
        result = subject_access.export(s, mine, tmp_path)
    raw = result.json.read_text(encoding="utf-8")
    document = json.loads(raw)
    pdf = re.sub(r"\s+", " ", read_back(result.pdf.read_bytes()).text)

    sw, ons = document["wellbeing"]
    assert sw["measure"] == "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)"
    assert sw["taken_at"].startswith("2025-03-03")
    assert (sw["site"], sw["asked_by"], sw["total"], sw["metric_score"]) == (
        "The Life Rooms Walton", "Alex Advisor", 25, 22.35)
    assert sw["answers"][0] == {"question": "I\u2019ve been feeling optimistic about the future",
                                "answer": "4 (Often)"}
    assert len(sw["answers"]) == 7 and sw["notice"] == NOTICE
    assert ons["person_record_id"] == mine  # recorded for the merged-away record, moved
    assert [a["answer"] for a in ons["answers"]] == [
        "0 (Not at all)", "6", "Not answered", "10 (Completely)"]
    assert ons["answers"][3]["question"] == "Overall, how anxious did you feel yesterday?"
    assert ons["total"] is None and ons["metric_score"] is None and ons["notice"] is None

    for words in ("Wellbeing questions you answered", "I\u2019ve been thinking clearly",
                  "Your answer: 5 (All of the time)", "Total of your answers: 25",
                  "Score: 22.35", "Asked by: Alex Advisor", NOTICE,
                  "Overall, how satisfied are you with your life nowadays?",
                  "Your answer: Not answered"):
        assert words in pdf, words
    assert theirs not in raw and "Other Person" not in raw and "Other Person" not in pdf


def test_a_measure_in_the_audit_logs_words():
    assert record_words.kind("wellbeing_measure") == "Wellbeing measure"
    assert audit.in_words("create", "wellbeing_measure", "") == "Made a wellbeing measure"
    assert audit.in_words("change", "wellbeing_measure", "answers, raw_total") == \
        "Changed answers and total of the answers"
    assert record_words.value_words("wellbeing_measure", "measure", "ons4") == \
        "ONS4 personal wellbeing"
    assert record_words.value_words("wellbeing_measure", "answers",
                                    {"2": 5, "10": 3, "1": 4}) == \
        "Question 1: 4; question 2: 5; question 10: 3"
