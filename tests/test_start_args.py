"""The desk's plain start is read without argparse (``lr_desk.app.plain_start``), the
same as argparse reads it; and its log, opened before the sign-in box as a plain file,
rolls over from behind the box (``paths.rotate_log``) without losing a line."""

from __future__ import annotations

import logging
import logging.handlers
import subprocess
import sys
from pathlib import Path

import pytest

from lr_desk import __version__, paths
from lr_desk.app import full_parse, parse_args, plain_start

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("words", [
    [], ["--demo"], ["--exit-when-ready"], ["--data-dir", "/x/y"], ["--data-dir=/x/y"],
    ["--data-dir", "a", "--demo", "--exit-when-ready"], ["--data-dir", "a", "--data-dir", "b"],
    ["--data-dir="], ["--demo", "--demo"], ["--data-dir", "spaces in it"],
])
def test_a_plain_start_is_read_as_argparse_reads_it(words):
    assert plain_start(words) is not None
    assert vars(plain_start(words)) == vars(full_parse(words))
    assert vars(parse_args(words)) == vars(full_parse(words))


@pytest.mark.parametrize("words", [
    ["--self-test"], ["--help"], ["--version"], ["--data"], ["--data-dir"],
    ["--data-dir", "-x"], ["--dmeo"], ["a-folder"], ["--demo", "--", "x"],
])
def test_anything_else_is_left_to_argparse(words):
    assert plain_start(words) is None


def test_help_version_and_mistakes_still_answer_as_before():
    def run(*words):
        return subprocess.run([sys.executable, "-m", "lr_desk", *words], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    shown = run("--help")
    assert shown.returncode == 0 and "--data-dir DIR" in shown.stdout
    assert "--self-test" in shown.stdout
    assert run("--version").stdout.strip() == f"lr_desk {__version__}"
    wrong = run("--dmeo")
    assert wrong.returncode == 2 and "unrecognized arguments: --dmeo" in wrong.stderr
    missing = run("--data-dir")
    assert missing.returncode == 2 and "expected one argument" in missing.stderr


@pytest.fixture
def root_handlers():
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        yield root
    finally:
        for h in root.handlers:
            if h not in before:
                root.removeHandler(h)
                h.close()
        root.setLevel(level)


def test_the_log_opened_before_the_box_rolls_over_once_rotated(tmp_path, root_handlers):
    folder = tmp_path / "desk"
    for h in [h for h in root_handlers.handlers if h.get_name() == paths.LOG_HANDLER]:
        root_handlers.removeHandler(h)  # (one a test before left)
    paths.setup_logging(folder, rotate=False)
    plain = paths.profile_log()
    assert type(plain) is logging.FileHandler  # before the box: no logging.handlers
    logging.getLogger("lr_desk.test").info("before the box")
    paths.rotate_log()
    rotating = paths.profile_log()
    assert isinstance(rotating, logging.handlers.RotatingFileHandler)
    assert rotating.maxBytes == paths.LOG_BYTES and rotating.backupCount == paths.LOG_KEPT
    assert plain not in root_handlers.handlers
    assert [h.get_name() for h in root_handlers.handlers].count(paths.LOG_HANDLER) == 1
    logging.getLogger("lr_desk.test").info("behind the box")
    paths.rotate_log()  # again: nothing changes
    assert paths.profile_log() is rotating
    paths.setup_logging(folder)  # a second set-up adds no second handler
    assert [h.get_name() for h in root_handlers.handlers].count(paths.LOG_HANDLER) == 1
    text = (folder / "logs" / paths.LOG_NAME).read_text(encoding="utf-8")
    assert "before the box" in text and "behind the box" in text
    assert (folder / "logs" / paths.LOG_NAME).stat().st_mode & 0o077 == 0
