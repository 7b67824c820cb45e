"""Time from the "Print sheet" click to the preview showing the real PDF (offscreen Qt).

    python benchmarks/sheet_preview.py [--runs 15]

Makes a throwaway profile with one person and a 5-item prescription, opens the desk on
it, then clicks "Print sheet" on the person's page again and again, timing each click
until the preview has the rendered PDF loaded. Prints the median and the slowest run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


PASSWORD = "kettle on at nine"
SITES = {"walton": "Walton", "bootle": "Bootle", "southport": "Southport"}


def make_profile(folder: Path) -> str:
    """An encrypted profile with one advisor (alex), one person and a 5-item plan."""
    from lr_desk.services import directory, dropin, people
    from lr_desk.services.signin import Gate

    unlocked = Gate(folder).set_up("Alex Advisor", "walton", "alex", PASSWORD, PASSWORD,
                                   SITES)
    store, adv = unlocked.store, unlocked.signed_in.advisor_id
    with store.session() as s:
        person = people.register(s, {"given_name": "Margaret", "family_name": "Fitzgerald"},
                                 adv, "walton")
        rows = directory.services(s)[:3]
        items = [{"kind": "partner_service", "service_id": r.service.id, "why": "Because",
                  "first_step": "Ring them"} for r in rows]
        items += [{"kind": "course", "course_id": c.id, "why": "To learn"}
                  for c in directory.courses(s)[:2]]
        dropin.record_drop_in(s, person.id, adv, {
            "conversation": {"site_code": "walton", "mode": "drop_in",
                             "what_matters": "Feeling less alone"},
            "items": items})
    store.close()
    return person.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from lr_desk.ui.application import DeskApp

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        person_id = make_profile(Path(tmp))
        desk = DeskApp.open(Path(tmp), "alex", PASSWORD)
        desk.show()
        page = desk.window.open_person(person_id)
        while page.view is None:
            app.processEvents()
        times = []
        for _ in range(args.runs + 1):  # the first run warms up (imports, fonts)
            loop = QEventLoop()
            started = time.perf_counter()
            preview = page.open_sheet()
            preview.rendered.connect(loop.quit)
            QTimer.singleShot(30_000, loop.quit)
            loop.exec()
            times.append((time.perf_counter() - started) * 1000)
            preview.close()
            app.processEvents()
        desk.close()
    runs = times[1:]
    print(f"click to preview shown (5-item sheet, {len(runs)} runs): "
          f"median {statistics.median(runs):.1f} ms, slowest {max(runs):.1f} ms, "
          f"first (cold) {times[0]:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
