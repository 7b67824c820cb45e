"""``lr-desk report NAME --from --to [--site] [--format] [--output]`` on a real profile
(encrypted, signed in as ``lr-desk sync`` is) holding the Table 1 desk: the JSON
reproduces Table 1 with its true shares; every format read back; what cannot be done as
asked is one line on stderr and exit 2; only managers and admins may run it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lr_desk.cli import FAILED, main
from lr_desk.services import accounts, reports
from lr_desk.services.reports.core import SUPPRESSION_RULE
from lr_desk.services.signin import Gate
from tests.disks import fill, small_disk
from tests.reports_data import PER_VISIT_OUTSIDE, TABLE1, TOTAL, table1_desk

PASSWORD = "kettle on at nine"
ADA_PASSWORD = "tea at eleven please"
USAGE = 2


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    """A desk set up by Sam (an admin) holding the Table 1 desk, with Ada (an advisor)
    who has used it too. Read only by the tests."""
    folder = tmp_path_factory.mktemp("report") / "desk"
    unlocked = Gate(folder).set_up("Sam Admin", "walton", "sam", PASSWORD, PASSWORD,
                                   {"walton": "Walton"})
    store = unlocked.store
    try:
        with store.session() as s:
            table1_desk(s, unlocked.signed_in.advisor_id)
            ada = accounts.create(s, "Ada Advisor", "walton", "ada", "advisor", ADA_PASSWORD,
                                  signer=unlocked.signed_in.signer)
            ada_id, ada_hash = ada.id, ada.password_hash
        gate = Gate(folder)
        gate.keyfile.add(store.key, ada_id, "ada", ADA_PASSWORD, ada_hash)
        gate.keyfile.save()
    finally:
        store.close()
    return folder


@pytest.fixture
def desk(profile, monkeypatch):
    monkeypatch.setenv("LR_DESK_PASSWORD", PASSWORD)
    monkeypatch.delenv("LR_DESK_USERNAME", raising=False)
    return profile


def run(desk, *words, username: str = "sam") -> int:
    return main(["report", *words, "--data-dir", str(desk), "--username", username])


TABLE1_DAYS = ("--from", "2019-09-01", "--to", "2020-02-29", "--site", "walton",
               "--site", "southport")


def test_json_reproduces_table1(desk, capsys):
    assert run(desk, "referrals", *TABLE1_DAYS, "--format", "json") == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert (out["report"], out["from"], out["to"], out["sites"]) == (
        "referrals", "2019-09-01", "2020-02-29", ["walton", "southport"])
    assert [(r["label"], r["count"]) for r in out["rows"]] == list(TABLE1.items())
    assert [r["percent"] for r in out["rows"]] == [round(100 * n / TOTAL, 1)
                                                   for n in TABLE1.values()]
    assert out["rows"][0]["percent"] == 56.0
    assert out["total"] == TOTAL == 3932
    assert SUPPRESSION_RULE in out["notes"]
    assert captured.err == ""


def test_text_is_printed_by_default_for_every_site(desk, capsys):
    assert run(desk, "referrals", "--from", "2019-09-01", "--to", "2020-02-29") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "1 September 2019 to 29 February 2020. Sites: All sites."
    total = next(line for line in out if line.startswith("Total"))
    assert total.split()[1] == f"{TOTAL + PER_VISIT_OUTSIDE:,}"  # Bootle's visit too


def test_csv_printed_and_written(desk, capsys, tmp_path):
    assert run(desk, "referrals", *TABLE1_DAYS, "--format", "csv") == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["Report", "Onward referrals by category"]
    got = {r[0]: int(r[1]) for r in rows if r and r[0] in TABLE1}
    assert got == TABLE1
    path = tmp_path / "t1.csv"
    assert run(desk, "referrals", *TABLE1_DAYS, "--format", "csv", "--output", str(path)) == 0
    assert capsys.readouterr().out == (f"Wrote the report (Onward referrals by category, "
                                       f"1 September 2019 to 29 February 2020) to {path}.\n")
    written = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    assert written == rows


def test_xlsx_and_pdf_files(desk, capsys, tmp_path):
    assert run(desk, "referrals", *TABLE1_DAYS, "--format", "xlsx",
               "--output", str(tmp_path / "t1.xlsx")) == 0
    ws = load_workbook(tmp_path / "t1.xlsx").worksheets[0]
    assert {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, 11)} == TABLE1
    # a folder: the file goes in it under its usual name
    assert run(desk, "referrals", *TABLE1_DAYS, "--format", "pdf", "--output",
               str(tmp_path)) == 0
    pdf = tmp_path / "lr-desk-referrals-2019-09-01-to-2020-02-29.pdf"
    words = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    for label, count in TABLE1.items():
        assert f"{label} {count:,} {100 * count / TOTAL:.1f}" in words
    assert f"Total {TOTAL:,} 100.0" in words
    assert str(pdf) in capsys.readouterr().out


@pytest.mark.parametrize(("words", "said"), [
    (("--from", "2019-02-30", "--to", "2020-02-29"),
     "--from '2019-02-30' is not a date: give the day as YYYY-MM-DD (e.g. 2019-09-01)."),
    (("--from", "01/09/2019", "--to", "2020-02-29"),
     "--from '01/09/2019' is not a date: give the day as YYYY-MM-DD (e.g. 2019-09-01)."),
    (("--from", "2020-03-01", "--to", "2020-02-29"),
     "The period ends (2020-02-29) before it starts (2020-03-01): give a --to on or after "
     "the --from."),
    (("--from", "2019-09-01", "--to", "2020-02-29", "--site", "walton", "--site", "wigan"),
     "There is no site 'wigan': the sites are bootle, peripatetic, southport, telephone, "
     "video, walton."),
    (("--from", "2019-09-01", "--to", "2020-02-29", "--format", "xlsx"),
     "--format xlsx writes a file: say where with --output FILE."),
])
def test_what_cannot_be_done_as_asked_is_one_line_and_exit_2(desk, capsys, words, said):
    assert run(desk, "referrals", *words) == USAGE
    captured = capsys.readouterr()
    assert captured.err == said + "\n" and captured.out == ""


def test_argparse_own_mistakes_exit_2(desk, capsys):
    with pytest.raises(SystemExit) as done:
        run(desk, "visitors", "--from", "2019-09-01", "--to", "2020-02-29")
    assert done.value.code == USAGE
    assert "invalid choice: 'visitors'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        run(desk, "referrals", "--from", "2019-09-01")
    assert done.value.code == USAGE


def test_a_site_code_in_capitals_is_the_site(desk, capsys):
    assert run(desk, "referrals", "--from", "2019-09-01", "--to", "2020-02-29", "--site",
               "Walton", "--site", "SOUTHPORT", "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sites"] == ["walton", "southport"] and out["total"] == TOTAL


def test_only_managers_and_admins_run_reports(desk, capsys, monkeypatch):
    monkeypatch.setenv("LR_DESK_PASSWORD", ADA_PASSWORD)
    assert run(desk, "referrals", *TABLE1_DAYS, username="ada") == FAILED
    captured = capsys.readouterr()
    assert captured.err == "Only a manager or an admin may run reports: ada is an advisor.\n"
    assert captured.out == ""
    monkeypatch.setenv("LR_DESK_PASSWORD", "not it")
    assert run(desk, "referrals", *TABLE1_DAYS) == FAILED
    assert "not right" in capsys.readouterr().err


def test_a_full_disk_is_said_in_plain_words(desk, capsys, tmp_path):
    with small_disk(tmp_path / "disk", "256k") as disk:
        fill(disk)
        assert run(desk, "referrals", *TABLE1_DAYS, "--format", "pdf", "--output",
                   str(disk / "t1.pdf")) == FAILED
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]
    err = capsys.readouterr().err
    assert "full" in err and "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("name", reports.NAMES)
def test_every_report_in_every_format(desk, capsys, tmp_path, name):
    assert run(desk, name, *TABLE1_DAYS, "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"report", "from", "to", "sites", "rows", "total", "tables", "notes"}
    assert out["report"] == name and out["notes"][-1] == SUPPRESSION_RULE
    main_table = next(iter(out["tables"].values()))
    assert out["rows"] == main_table["rows"]
    for fmt in ("csv", "xlsx", "pdf"):
        assert run(desk, name, *TABLE1_DAYS, "--format", fmt, "--output", str(tmp_path)) == 0
    stem = tmp_path / f"lr-desk-{name}-2019-09-01-to-2020-02-29"
    title = out["title"]
    assert stem.with_suffix(".csv").read_text("utf-8-sig").startswith(f"Report,{title}")
    assert load_workbook(stem.with_suffix(".xlsx")).sheetnames[-1] == "About"
    pdf = PdfReader(stem.with_suffix(".pdf"))
    assert title in pdf.pages[0].extract_text()
    assert pdf.metadata.title == title


def test_lr_desk_report_is_the_command_lines(profile):
    """``lr-desk report`` (the installed command, lr_desk.app) reaches the command line,
    not the window."""
    env = {**os.environ, "LR_DESK_PASSWORD": PASSWORD, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "lr_desk", "report", "referrals",
                           *TABLE1_DAYS, "--format", "json", "--data-dir", str(profile),
                           "--username", "sam"], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == TOTAL
