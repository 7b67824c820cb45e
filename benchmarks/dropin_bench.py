"""Measure the drop-in at the desk, on the synthetic ten-year dataset.

    python benchmarks/dropin_bench.py [--data-dir bench-data] [--people N --contacts N]
                                      [--runs 20] [--json out.json] [--skip-keys]

- Ctrl+D to the form ready to type: the desk opened on the dataset's encrypted copy (as
  bench.py's cold start does, signed in as ``bench``), the person with the most history
  open; the time from the Ctrl+D key press on their page to the drop-in form shown with
  the keyboard in "What matters" (after the events that follow it, painting included), and
  to everything it reads when it opens (the draft, consent to share, an open follow-up)
  answered; median and 95th percentile of ``--runs`` (each form closed before the next);
- the keystrokes the standard drop-in takes beyond the words typed (two needs, a course,
  a partner referral that needs consent, a follow-up): tests/ui/test_dropin_keys.py
  drives it with keys alone and counts them; run here and its count read back.

It only reports; nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import bench
import security_bench
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from lr_desk.store.models import Conversation
from lr_desk.ui.application import DeskApp
from lr_desk.ui.dropin import DropInDialog

ROOT = Path(__file__).resolve().parent.parent


def wait_until(app: QApplication, condition, timeout: float = 60.0) -> None:
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the desk did not answer in time")
        app.processEvents()
        time.sleep(0.0005)


def bench_open(folder: Path, runs: int) -> dict:
    enc = security_bench.encrypted_copy(folder)
    app = QApplication.instance() or QApplication([])
    desk = DeskApp.open(enc, security_bench.USERNAME, security_bench.PASSWORD)
    try:
        desk.show()
        wait_until(app, lambda: desk.search.index is not None and desk.tasks.pending == 0,
                   300)
        with desk.store.session() as s:
            person_id, conversations = s.execute(
                select(Conversation.person_id, func.count())
                .group_by(Conversation.person_id)
                .order_by(func.count().desc()).limit(1)).one()
        page = desk.window.open_person(person_id)
        wait_until(app, lambda: page.view is not None and desk.tasks.pending == 0)
        ready, loaded = [], []
        for _ in range(runs + 1):  # the first is a warm-up (imports, first layout)
            page.window().activateWindow()
            page.dropin_button.setFocus()
            app.processEvents()
            began = time.perf_counter()
            QTest.keyClick(page.dropin_button, Qt.Key.Key_D,
                           Qt.KeyboardModifier.ControlModifier)
            app.processEvents()  # what follows the key press: layout, paint

            def typing(found=None):
                found = [d for d in desk.window.editors if isinstance(d, DropInDialog)]
                return bool(found) and found[-1].isVisible() and \
                    found[-1].f.widgets["conversation.what_matters"].hasFocus()
            wait_until(app, typing)
            ready.append(time.perf_counter() - began)
            wait_until(app, lambda: desk.tasks.pending == 0)
            loaded.append(time.perf_counter() - began)
            dialog = [d for d in desk.window.editors if isinstance(d, DropInDialog)][-1]
            dialog.dirty = False
            dialog.reject()
            wait_until(app, lambda: desk.tasks.pending == 0 and not any(
                isinstance(d, DropInDialog) for d in desk.window.editors))
        ready, loaded = ready[1:], loaded[1:]
        return {"runs": runs, "person_conversations": conversations,
                "ready_to_type_median_ms": bench.ms(statistics.median(ready)),
                "ready_to_type_p95_ms": bench.ms(bench.pct(ready, 95)),
                "everything_read_median_ms": bench.ms(statistics.median(loaded)),
                "everything_read_p95_ms": bench.ms(bench.pct(loaded, 95))}
    finally:
        desk.close()


def count_keystrokes() -> dict:
    test = "tests/ui/test_dropin_keys.py::test_the_standard_drop_in_takes_at_most_25_keystrokes"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                           test], cwd=ROOT, capture_output=True, text=True, timeout=600)
    m = re.search(r"standard drop-in: (\d+) keystrokes beyond the words: (.*)", done.stdout)
    return {"keystrokes": int(m.group(1)) if m else None,
            "keys": m.group(2) if m else done.stdout[-2000:], "passed": done.returncode == 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(ROOT / "bench-data"))
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--skip-keys", action="store_true", help="do not count keystrokes")
    args = parser.parse_args(argv)
    folder = Path(args.data_dir)
    info, _built = bench.ensure_dataset(folder, args.people, args.contacts, False)
    results = {"dataset": {k: info.get(k) for k in ("people", "contacts", "rows")},
               "cpus": os.cpu_count(), "open": bench_open(folder, args.runs)}
    if not args.skip_keys:
        results["standard_drop_in"] = count_keystrokes()
    o = results["open"]
    print(f"Ctrl+D to the drop-in form ready to type: median {o['ready_to_type_median_ms']} ms,"
          f" p95 {o['ready_to_type_p95_ms']} ms ({o['runs']} runs; everything it reads: "
          f"median {o['everything_read_median_ms']} ms)")
    if "standard_drop_in" in results:
        k = results["standard_drop_in"]
        print(f"standard drop-in: {k['keystrokes']} keystrokes beyond the words typed "
              f"(budget 25; test passed: {k['passed']})")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
