"""The benchmark scripts still run against today's code (each broke once unnoticed: the
sheet preview's called a DeskApp.open that had changed; the sync benchmark's "10,000
changes" were 20,840). Run small, as a person would run them; their figures are not
checked (benchmarks measure, tests do not time)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync import pgcluster

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *args],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_sheet_preview_benchmark_opens_a_desk_and_times_the_preview():
    out = _run("sheet_preview.py", "--runs", "1")
    assert re.search(r"click to preview shown \(5-item sheet, 1 runs\): median [\d.]+ ms", out)


def test_the_sync_benchmark_pushes_and_pulls_exactly_the_changes_it_says():
    reason = pgcluster.why_not()
    if reason:
        pytest.skip(reason)
    out = _run("sync_bench.py", "--changes", "400", "--runs", "1", "--idle-runs", "1",
               "--big-log", "50", "--no-first-sync")
    assert re.search(r"^push 400 changes \(push_outbox\)", out, re.M)
    assert re.search(r"^pull 400 changes \(engine\.pull, new device\)", out, re.M)
    measured = re.search(r"push and pull measured 400 changes, ([\d,]+) of them audit "
                         r"records \(the first of ([\d,]+) that fill_demo wrote", out)
    assert measured, out
    audit, written = (int(x.replace(",", "")) for x in measured.groups())
    assert 0 < audit < 400 and written >= 400
    mix = dict(re.findall(r"(\w+ (?:insert|update|delete)) ([\d,]+)", out.split(
        "push and pull measured", 1)[1].splitlines()[0]))
    assert sum(int(v.replace(",", "")) for v in mix.values()) == 400


def test_the_scripts_benchmark_draws_a_sheet_in_every_script():
    out = _run("sheet_scripts_bench.py", "--runs", "1")
    assert re.search(r"^typical sheet in Urdu, Tigrinya, Pashto and Sorani +[\d.]+ms", out,
                     re.M)
