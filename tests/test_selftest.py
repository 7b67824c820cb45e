"""``lr-desk --self-test``: what IT runs after installing. Every check passes on a good
installation, each in one line; a damaged or missing shipped file fails it, says which,
and the exit is 1. (It runs from the wheel in test_wheel.py and from the desktop bundle
in test_bundle.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lr_desk import resources, selftest
from lr_desk.app import main


def run_self_test() -> tuple[int, list[str]]:
    lines: list[str] = []
    code = selftest.run(lines.append)
    return code, lines


def test_every_check_passes_on_this_installation_one_line_each(qapp, tmp_path, monkeypatch):
    monkeypatch.setenv("LR_DESK_DATA_DIR", str(tmp_path / "nobody-s-profile"))
    code, lines = run_self_test()
    assert code == 0, "\n".join(lines)
    names = [line.split()[1] for line in lines[:-1]]
    assert names == [name for name, _ in selftest.CHECKS]
    assert all(line.startswith("ok ") for line in lines[:-1]), "\n".join(lines)
    said = dict(zip(names, lines, strict=False))
    assert "0001 upgraded to" in said["upgrade"] and "backed up first" in said["upgrade"]
    assert "5 reports counted" in said["reports"]
    assert "closed" in said["window"]
    assert lines[-1] == f"lr_desk self-test: all {len(selftest.CHECKS)} checks passed"
    # it touches no one's data: the data folder is only looked at
    assert not (tmp_path / "nobody-s-profile").exists()


def test_the_command_line_flag_runs_it(qapp, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LR_DESK_DATA_DIR", str(tmp_path / "profile"))
    assert main(["--self-test"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].endswith("checks passed") and len(out) == len(selftest.CHECKS) + 1


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch):
    """The shipped resources, copied, and the desk pointed at the copy to damage."""
    copy = tmp_path / "data"
    shutil.copytree(resources.RESOURCES, copy)
    monkeypatch.setattr(resources, "RESOURCES", copy)
    return copy


def test_a_damaged_shipped_file_fails_and_says_which(qapp, shipped_copy):
    (shipped_copy / "urgent_help.json").write_text('{"lines": [', encoding="utf-8")
    code, lines = run_self_test()
    assert code == 1
    [resources_line] = [line for line in lines if line.split()[1] == "resources"]
    assert resources_line.startswith("FAIL") and "urgent_help.json is damaged" in resources_line
    assert "FAILED" in lines[-1]
    kept = Path(lines[-1].split("(details in ")[1].rstrip(")"))  # the log, for IT
    assert "urgent_help.json is damaged" in kept.read_text(encoding="utf-8")


def test_missing_resources_fail_every_check_that_needs_them(qapp, shipped_copy):
    shutil.rmtree(shipped_copy)
    shipped_copy.mkdir()
    code, lines = run_self_test()
    assert code == 1
    failed = {line.split()[1] for line in lines[:-1] if line.startswith("FAIL")}
    assert {"resources", "profile", "sheet", "window"} <= failed
    assert "version" not in failed and "data" not in failed
    assert all("Traceback" not in line and "\n" not in line for line in lines)
