"""``lr-desk --exit-when-ready`` reports the desk's memory once it has settled: the index
built, the sheets warmed and the first sync made (DESIGN's memory budget is for that)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_figures_wait_for_the_sheets_and_the_first_sync(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LR_DESK_USERNAME": "advisor",
           "LR_DESK_PASSWORD": "life-rooms-demo"}
    run = subprocess.run([sys.executable, "-m", "lr_desk", "--demo", "--data-dir",
                          str(tmp_path / "base"), "--exit-when-ready"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout.splitlines()[-1])
    assert figures["index_built_ms"] <= figures["settled_ms"]
    assert figures["rss_mb"] > 0
