"""Driving a PDF preview (the take-home sheet's, the referral letter's) the way an advisor
does: choose the record in the person's history, save through the save dialog, print to
a PDF file through QPrinter, or to the real CUPS test queue and find the job it wrote.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QLabel

from lr_desk.services.directory import services

TEST_QUEUE = os.environ.get("LR_DESK_TEST_PRINTER", "lr-desk-pdf")
CUPS_PDF_CONF = Path("/etc/cups/cups-pdf.conf")


def job_club(session):
    """The demo directory's job club (a partner's service to refer to)."""
    return next(r.service for r in services(session) if r.service.name.startswith("Job"))


def choose_in_history(desk, qtbot, person_id: str, kind: str, timeout: int = 10_000):
    """Open the person's page and choose their newest record of ``kind`` ("prescription",
    "referral") in the history; returns the page."""
    page = desk.window.open_person(person_id)
    qtbot.waitUntil(lambda: page.view is not None, timeout=timeout)
    row = next(i for i, e in enumerate(page.timeline.entries) if e.kind == kind)
    page.table.setFocus()
    page.table.setCurrentIndex(page.timeline.index(row, 0))
    return page


def save_in_dialog(qtbot, preview, target: Path) -> tuple[str, list]:
    """Save as PDF…, then choose ``target`` in the save dialog and accept. Returns the
    warning the dialog showed about a saved copy ("" if none was visible) and what
    ``preview.given`` said."""
    preview.save_button.click()
    dialog = preview.findChild(QFileDialog)
    assert dialog.isVisible()
    label = dialog.findChild(QLabel, "leaves_the_desk")
    warning = label.text() if label is not None and label.isVisible() else ""
    with qtbot.waitSignal(preview.given, timeout=30_000) as given:
        dialog.selectFile(str(target))
        dialog.accept()
    return warning, given.args


def file_printer(out: Path) -> QPrinter:
    """A printer that writes a PDF file (QPrinter's own), as a chosen printer would."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    return printer


def queue_ready() -> str | None:
    """None if the CUPS test queue is there; else why not."""
    if not shutil.which("lpstat"):
        return "CUPS is not installed (.ci/run installs it)"
    run = subprocess.run(["lpstat", "-p", TEST_QUEUE], capture_output=True, text=True,
                         check=False)
    if run.returncode != 0:
        return f"no cupsd with a '{TEST_QUEUE}' queue could be reached: {run.stderr.strip()}"
    return None


def cups_pdf_out() -> Path:
    """Where cups-pdf writes this user's jobs: its ``Out`` setting (``${HOME}/PDF`` unless
    the queue's configuration says otherwise), with ``${HOME}`` and ``${USER}`` as cups-pdf
    expands them: from the account database, not from this process's HOME (a test run or
    a CI job with HOME pointing elsewhere would look in the wrong place)."""
    if "LR_DESK_TEST_PRINTER_OUT" in os.environ:
        return Path(os.environ["LR_DESK_TEST_PRINTER_OUT"])
    out = "${HOME}/PDF"
    with contextlib.suppress(OSError):
        for line in CUPS_PDF_CONF.read_text(errors="replace").splitlines():
            words = line.split(None, 1)
            if len(words) == 2 and words[0] == "Out":
                out = words[1].strip()
    account = pwd.getpwuid(os.getuid())
    return Path(out.replace("${HOME}", account.pw_dir).replace("${USER}", account.pw_name))


def skip_without_cups() -> tuple[Path, set[Path]]:
    """Skip the test when the CUPS test queue is not there; else where its jobs arrive
    and the jobs already there."""
    why = queue_ready()
    if why:
        pytest.skip(why)
    out_dir = cups_pdf_out()
    return out_dir, set(out_dir.glob("*.pdf")) if out_dir.exists() else set()


def print_on_cups(qtbot, preview, out_dir: Path, before: set[Path]) -> Path:
    """Print the preview's PDF on the CUPS test queue; wait for the job cups-pdf writes
    (a real PDF) and return it."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPrinterName(TEST_QUEUE)
    assert printer.isValid(), f"Qt does not see the CUPS queue {TEST_QUEUE}"
    with qtbot.waitSignal(preview.given, timeout=60_000):
        preview.print_to(printer)
    deadline = time.monotonic() + 60
    arrived: set[Path] = set()
    while time.monotonic() < deadline and not arrived:
        qtbot.wait(250)
        arrived = (set(out_dir.glob("*.pdf")) if out_dir.exists() else set()) - before
    assert arrived, f"the job never arrived in {out_dir}"
    job = arrived.pop()
    qtbot.waitUntil(lambda: job.stat().st_size > 0, timeout=30_000)
    assert job.read_bytes().startswith(b"%PDF")
    return job
