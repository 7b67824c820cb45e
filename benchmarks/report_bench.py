"""The managers' reports on the ten-year dataset, against DESIGN.md's budgets.

    python benchmarks/report_bench.py [--data-dir /work/g_bench-data]
        [--work-dir /tmp/lr_desk-report-bench] [--runs 5] [--no-page] [--prepare-only]
        [--only reports|exports|page] [--json out.json]

The dataset (benchmarks/bench.py's: 100,000 people, 1,000,000 contacts over ten years)
is only read: it is copied into ``--work-dir`` once, brought to the current schema there
(``partner_page_bench.working_copy``), and given what a dataset built before schema 0008
has not got, wellbeing measures and NHS numbers, made by the dataset generator's own
``lr_desk.demo.outcomes_store.add_outcomes``. The copy is kept for later runs; its
outcomes are made again when the generator (lr_desk/demo/outcomes*.py) is newer than
them (delete the folder to start again).

Measured, each run in a fresh session:
- every report in ``services.reports.NAMES`` (one not written yet is skipped, and said):
  a year for all sites (2025, and 2020, a year whose referrals have long moved on)
  against the 1 s budget and all ten years against 3 s: the first run in this
  process ("cold": the operating system may have the file in its cache all the same)
  and the median of ``--runs`` warm runs, with their CPU time (which other work on a
  shared machine inflates less);
- the year's referrals and activity reports written as XLSX and PDF
  (``services.reports.files.write``), median of ``--runs`` (the report already counted);
- the Reports page from the Show click to its first chart drawn, on a desk opened on
  the copy (offscreen Qt; ``--no-page`` leaves it out), median of ``--runs``.
It only reports: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench import ms
from partner_page_bench import working_copy
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select, update

import lr_desk.demo.outcomes as outcomes_module
import lr_desk.demo.outcomes_store as outcomes_store
from lr_desk import settings
from lr_desk.profile import open_store
from lr_desk.services import reports
from lr_desk.services.reports import files
from lr_desk.services.reports.core import Period
from lr_desk.store.db import Store
from lr_desk.store.models import Advisor, Site
from lr_desk.ui.application import DeskApp, open_profile
from lr_desk.ui.main_window import MainWindow
from lr_desk.ui.report_chart import ReportChart

YEAR = (date(2025, 1, 1), date(2025, 12, 31))
PAST_YEAR = (date(2020, 1, 1), date(2020, 12, 31))  # most of its steps long done
BUDGETS_MS = {"year": 1000, "past_year": 1000, "ten_years": 3000}
EXPORTS = ("referrals", "activity")
OUTCOMES_MARKER = "outcomes.json"


# --- the working copy ----------------------------------------------------------------


def generator_time() -> float:
    """When the outcomes' generator last changed."""
    return max(Path(m.__file__).stat().st_mtime for m in (outcomes_module, outcomes_store))


def prepared_copy(source: Path, work: Path) -> Store:
    """The copy of ``source``'s dataset in ``work``, at the current schema, with its
    outcomes made by the generator as it is now."""
    store = working_copy(source, work)
    marker = work / OUTCOMES_MARKER
    if marker.exists() and marker.stat().st_mtime >= generator_time():
        return store
    info = json.loads((source / "dataset.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    with store.Session() as s:
        if outcomes_store.measure_count(s):
            print("  outcomes older than their generator: making them again")
            outcomes_store.remove_outcomes(s)
        counts = outcomes_store.add_outcomes(s, info.get("seed", 1),
                                             say=lambda m: print("  " + m))
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE wellbeing_measure")
        conn.exec_driver_sql("ANALYZE person")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.commit()
    seconds = round(time.perf_counter() - started, 1)
    marker.write_text(json.dumps({"rows": counts, "seconds": seconds}, indent=1),
                      encoding="utf-8")
    print(f"  outcomes made in {seconds} s: {counts}")
    return store


# --- timing ----------------------------------------------------------------------------


def once(store: Store, fn) -> tuple[float, float, object]:
    """(wall, CPU) seconds of ``fn(session)`` in a fresh session, and what it gave."""
    with store.Session() as s:
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn(s)
        return time.perf_counter() - t0, time.process_time() - c0, result


def timed(store: Store, fn, runs: int) -> tuple[dict, object]:
    """The first run, then the median of ``runs`` more."""
    cold, cold_cpu, result = once(store, fn)
    wall, cpu = [], []
    for _ in range(runs):
        w, c, result = once(store, fn)
        wall.append(w)
        cpu.append(c)
    return {"cold_ms": ms(cold), "cold_cpu_ms": ms(cold_cpu),
            "median_ms": ms(statistics.median(wall)),
            "cpu_median_ms": ms(statistics.median(cpu)), "runs": runs}, result


def verdict(value_ms: float, budget_ms: float) -> str:
    return "within" if value_ms < budget_ms else "OVER"


def measure_reports(store: Store, periods: dict[str, Period], runs: int) -> dict:
    out: dict = {}
    for name in reports.NAMES:
        out[name] = {}
        for label, period in periods.items():
            try:
                out[name][label], report = timed(
                    store, lambda s, n=name, p=period: reports.make(s, n, p), runs)
            except ModuleNotFoundError as exc:
                out[name] = {"skipped": f"not written yet ({exc.name})"}
                break
            except Exception as exc:  # a benchmark says what failed and goes on
                out[name][label] = {"failed": f"{type(exc).__name__}: {exc}"}
                continue
            rows = sum(len(t.rows) for t in report.tables)
            out[name][label]["tables"], out[name][label]["rows"] = len(report.tables), rows
    return out


def measure_exports(store: Store, period: Period, runs: int) -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in EXPORTS:
            try:
                with store.Session() as s:
                    report = reports.make(s, name, period)
            except ModuleNotFoundError as exc:
                out[name] = {"skipped": f"not written yet ({exc.name})"}
                continue
            out[name] = {}
            for fmt in ("xlsx", "pdf"):
                path = Path(folder) / files.default_name(report, fmt)
                try:
                    out[name][fmt], _ = timed(
                        store, lambda _s, r=report, p=path, f=fmt: files.write(r, p, f), runs)
                except Exception as exc:
                    out[name][fmt] = {"failed": f"{type(exc).__name__}: {exc}"}
                    continue
                out[name][fmt]["bytes"] = path.stat().st_size
    return out


# --- the Reports page ------------------------------------------------------------------


class FirstChart(QObject):
    """Notes the moment the first chart of the report just shown is painted."""

    def __init__(self):
        super().__init__()
        self.charts: list[ReportChart] = []
        self.at: float | None = None

    def arm(self, charts: list[ReportChart]) -> None:
        """The page has just put ``charts`` up (none painted yet)."""
        self.charts, self.at = list(charts), None

    def eventFilter(self, obj, event) -> bool:
        if (self.charts and self.at is None and event.type() == QEvent.Type.Paint
                and any(obj is c.viewport() for c in self.charts)):
            self.at = time.perf_counter()
        return False


def wait_until(app: QApplication, condition, timeout: float = 300.0) -> None:
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the desk did not answer in time")
        app.processEvents()
        time.sleep(0.0005)


def as_manager(work: Path) -> None:
    """The copy's desk is a manager's (the dataset's first advisor, made one), so the
    desk opens with its Reports page (an unencrypted copy opens without signing in)."""
    store = open_store(work)
    try:
        with store.session() as s:
            advisor = s.execute(select(Advisor.id, Advisor.home_site)
                                .order_by(Advisor.created_at).limit(1)).one()
            # (straight into the table: the copy syncs with no one)
            s.execute(update(Advisor.__table__).where(Advisor.__table__.c.id == advisor.id)
                      .values(role="manager"))
            settings.put(s, "advisor_id", advisor.id)
            settings.put(s, "site_code", advisor.home_site)
    finally:
        store.close()


def measure_page(work: Path, names: tuple[str, ...], runs: int) -> dict:
    """The Reports page, from the Show click to the first chart painted, for the year."""
    as_manager(work)
    app = QApplication.instance() or QApplication([])
    desk = DeskApp(MainWindow(False), open_profile(open_store(work)))
    watch = FirstChart()
    app.installEventFilter(watch)
    shown: list[str] = []
    out: dict = {}
    try:
        desk.window.resize(1366, 768)
        desk.show()
        wait_until(app, lambda: desk.search.index is not None and desk.tasks.pending == 0)
        desk.window.reports_action.trigger()  # Go > Reports
        page = desk.window.reports
        wait_until(app, lambda: desk.window.tabs.currentWidget() is page)

        def finished(what: str) -> None:
            shown.append(what)
            if what == "shown":
                watch.arm(page.view.charts)
        page.finished.connect(finished)
        for name in names:
            form = page.form
            form.report.setCurrentIndex(form.report.findData(name))
            form.set_days(*YEAR)
            times = []
            for _ in range(runs + 1):  # the first: "cold" (this process's first of it)
                app.processEvents()
                watch.arm([])
                shown.clear()
                began = time.perf_counter()
                QTest.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
                wait_until(app, lambda: watch.at is not None or (shown and (
                    shown[-1] != "shown" or not watch.charts)))
                if watch.at is None:
                    out[name] = {"failed": f"{shown[-1]}: {page.status.text() or 'no chart'}"}
                    break
                times.append(watch.at - began)
                wait_until(app, lambda: desk.tasks.pending == 0)
            else:
                out[name] = {"cold_ms": ms(times[0]),
                             "median_ms": ms(statistics.median(times[1:])), "runs": runs,
                             "charts": len(page.view.charts)}
    finally:
        app.removeEventFilter(watch)
        desk.close()
    return out


# --- printing --------------------------------------------------------------------------


def print_reports(results: dict) -> None:
    print(f"\n{'report':<12} {'period':<10} {'cold':>9} {'median':>9} {'CPU':>9} "
          f"{'budget':>8}  verdict")
    for name, by_period in results.items():
        if "skipped" in by_period:
            print(f"{name:<12} skipped: {by_period['skipped']}")
            continue
        for label, r in by_period.items():
            if "failed" in r:
                print(f"{name:<12} {label:<10} failed: {r['failed']}")
                continue
            budget = BUDGETS_MS[label]
            print(f"{name:<12} {label:<10} {r['cold_ms']:>7.0f} ms {r['median_ms']:>6.0f} ms "
                  f"{r['cpu_median_ms']:>6.0f} ms {budget:>5} ms  "
                  f"{verdict(r['median_ms'], budget)} (cold {verdict(r['cold_ms'], budget)})")


def print_exports(results: dict) -> None:
    print(f"\n{'export (2025)':<24} {'first':>9} {'median':>9} {'size':>10}")
    for name, by_fmt in results.items():
        if "skipped" in by_fmt:
            print(f"{name:<24} skipped: {by_fmt['skipped']}")
            continue
        for fmt, r in by_fmt.items():
            label = f"{name} {fmt.upper()}"
            if "failed" in r:
                print(f"{label:<24} failed: {r['failed']}")
            else:
                print(f"{label:<24} {r['cold_ms']:>7.0f} ms {r['median_ms']:>6.0f} ms "
                      f"{r['bytes'] / 1024:>7.0f} KB")


def print_page(results: dict) -> None:
    print(f"\n{'Reports page (2025)':<24} {'first':>9} {'median':>9}  (Show click to first chart)")
    for name, r in results.items():
        if "failed" in r:
            print(f"{name:<24} failed: {r['failed']}")
        else:
            print(f"{name:<24} {r['cold_ms']:>7.0f} ms {r['median_ms']:>6.0f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="/work/g_bench-data")
    parser.add_argument("--work-dir", default="/tmp/lr_desk-report-bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-page", action="store_true")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--only", choices=("reports", "exports", "page"),
                        help="measure only this")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    source, work = Path(args.data_dir), Path(args.work_dir)
    info = json.loads((source / "dataset.json").read_text(encoding="utf-8"))
    today = date.fromisoformat(info.get("today") or date.today().isoformat())
    store = prepared_copy(source, work)
    if args.prepare_only:
        store.close()
        return 0
    periods = {"year": Period(*YEAR), "past_year": Period(*PAST_YEAR),
               "ten_years": Period(today - timedelta(days=3652), today)}
    results: dict = {"dataset": info.get("rows"), "today": today.isoformat(),
                     "periods": {k: [p.start.isoformat(), p.end.isoformat()]
                                 for k, p in periods.items()}}
    want = {args.only} if args.only else {"reports", "exports", "page"}
    if args.no_page:
        want.discard("page")
    try:
        with store.Session() as s:
            results["sites"] = len(s.scalars(select(Site.code)).all())
        if "reports" in want:
            results["reports"] = measure_reports(store, periods, args.runs)
            print_reports(results["reports"])
        if "exports" in want:
            results["exports"] = measure_exports(store, periods["year"], args.runs)
            print_exports(results["exports"])
    finally:
        store.close()
    if "page" in want:
        results["page"] = measure_page(work, EXPORTS, args.runs)
        print_page(results["page"])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
