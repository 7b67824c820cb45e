"""The command line meets hostile values and a hostile computer, in a real process each
time: every command and flag with broken text, NUL, huge values, a file where a folder
should be, a folder that cannot be written; a damaged database, one held by another
program past the wait, a full disk. Each must end in a plain message on stderr and a
non-zero exit, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from disks import fill, small_disk  # tests/disks.py

from lr_desk.services.signin import Gate

PASSWORD = "kettle on at nine"
# (the arguments from a file: one of 1 MB is too long for any command line)
ENTRY = ("import ast, sys; from lr_desk.app import main; "
         "sys.exit(main(ast.literal_eval(open(sys.argv[1], encoding='ascii').read())))")


def run(argv: list, env: dict | None = None, cwd: Path | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess:
    """``lr-desk ARGV`` in a process of its own (in ``cwd``: relative names land there).
    Values no real command line can carry (a NUL, half a character, a megabyte) go in
    through the entry point's argv instead."""
    environ = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LR_DESK_PASSWORD": PASSWORD}
    for name in ("LR_DESK_DATA_DIR", "LR_DESK_USERNAME"):
        environ.pop(name, None)
    environ.update(env or {})
    try:
        os.fsencode("".join(argv))
        fits = "\x00" not in "".join(argv) and max(map(len, argv), default=0) < 100_000
    except UnicodeError:
        fits = False
    given = None
    if fits:
        command = [sys.executable, "-m", "lr_desk", *argv]
    else:
        given = Path(tempfile.mkstemp(prefix="lr-desk-argv-")[1])
        given.write_text(ascii(argv), encoding="ascii")
        command = [sys.executable, "-c", ENTRY, str(given)]
    try:
        return subprocess.run(command, capture_output=True, text=True, errors="replace",
                              timeout=timeout, env=environ, stdin=subprocess.DEVNULL,
                              cwd=cwd or Path.cwd())
    finally:
        if given is not None:
            given.unlink()


def said_plainly(done: subprocess.CompletedProcess, *words: str) -> str:
    """The message, once the run has ended as a plain refusal (no traceback)."""
    err = done.stderr
    assert "Traceback" not in err and "Error:" not in err.replace("error:", ""), err[-3000:]
    assert done.returncode in (1, 2, 3), (done.returncode, err[-2000:])
    assert err.strip() and len(err) < 3000, err[-3000:]
    for w in words:
        assert w in err, err
    return err


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Path:
    """A desk set up as the app does it (encrypted, one account), to copy."""
    folder = tmp_path_factory.mktemp("cli-faults") / "desk"
    Gate(folder).set_up("Sam Admin", "walton", "sam", PASSWORD, PASSWORD,
                        {"walton": "Walton"}).store.close()
    return folder


@pytest.fixture
def a_desk(desk, tmp_path) -> Path:
    copy = tmp_path / "desk"
    shutil.copytree(desk, copy)
    return copy


# --- hostile values on every command and flag ------------------------------------------

BROKEN = ["\ud800", "a\x00b", "x" * 1_000_000]  # only through the entry point
ODD = [os.fsdecode(b"caf\xe9"), "x" * 99_000, "-", " ", "%s%n{0}", "../up"]


def commands(value: str, tmp: Path) -> list[list[str]]:
    """Every command with ``value`` in each of its flags in turn (the others sane)."""
    url = f"sqlite:///{tmp / 'central.sqlite'}"
    return [
        ["sync", "--data-dir", value, "--username", "sam"],
        ["sync", "--demo", "--data-dir", value],
        ["sync", "--data-dir", str(tmp / "none"), "--username", value],
        ["central", "init", value],
        ["central", "redact", value],
        ["central", "add-device", value, "--site", "walton", "--url", url],
        ["central", "add-device", "hub-1", "--site", value, "--url", url],
        ["central", "add-device", "hub-1", "--site", "walton", "--url", value],
        ["central", "add-device", "hub-1", "--site", "walton", "--data-dir", value,
         "--username", "sam"],
        ["central", "add-device", "hub-1", "--site", "walton", "--new-password",
         "--data-dir", str(tmp / "none"), "--username", value],
    ]


@pytest.mark.parametrize("value", BROKEN + ODD, ids=lambda v: repr(v[:12]))
def test_every_command_and_flag_with_hostile_values(value, tmp_path):
    here = tmp_path / "here"
    here.mkdir()
    for argv in commands(value, tmp_path):
        said_plainly(run(argv, cwd=here))
    if value in BROKEN:  # the desk itself refuses before it starts
        said_plainly(run(["--data-dir", value], cwd=here), "lr_desk cannot start")
    if len(value) > 5000:  # the folder from the environment is checked the same
        said_plainly(run(["sync"], env={"LR_DESK_DATA_DIR": "y" * 99_000}, cwd=here),
                     "too long")


def test_hostile_values_in_the_environment(a_desk):
    for env in ({"LR_DESK_USERNAME": "\udcff\udcfe"}, {"LR_DESK_PASSWORD": "\udcff"},
                {"LR_DESK_PASSWORD": "x" * 100_000}, {"LR_DESK_PASSWORD": ""}):
        said_plainly(run(["sync", "--data-dir", str(a_desk)], env=env))
    for username in BROKEN + ODD:  # signing in to a real desk with them
        said_plainly(run(["sync", "--data-dir", str(a_desk), "--username", username]))
    # no password at all, and nothing to type it on (a scheduled task)
    environ = {k: v for k, v in os.environ.items() if k != "LR_DESK_PASSWORD"}
    done = subprocess.run([sys.executable, "-m", "lr_desk", "sync", "--data-dir", str(a_desk),
                           "--username", "sam"], capture_output=True, text=True, env=environ,
                          stdin=subprocess.DEVNULL, timeout=120)
    said_plainly(done, "No password was given")


def test_wrong_kinds_of_thing_where_a_folder_or_file_is_expected(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    folder = tmp_path / "folder"
    folder.mkdir()
    said_plainly(run(["sync", "--data-dir", str(afile), "--username", "sam"]),
                 "a file is there")
    said_plainly(run(["--data-dir", str(afile)]), "lr_desk cannot start", "a file is there")
    said_plainly(run(["--data-dir", str(afile / "below")]), "a file is there")
    said_plainly(run(["central", "init", f"sqlite:///{folder}"]))
    said_plainly(run(["central", "init", f"sqlite:///{afile}"]), "damaged")
    said_plainly(run(["central", "init", f"sqlite:///{afile}/x.sqlite"]))
    said_plainly(run(["central", "add-device", "hub-1", "--site", "walton",
                      "--url", f"sqlite:///{afile}"]))


def test_a_folder_that_cannot_be_written(tmp_path):
    if os.geteuid() == 0:  # root writes anywhere: a read-only disk stops it all the same
        place = tmp_path / "ro"
        context = small_disk(place, read_only=True)
    else:
        place = tmp_path / "ro"
        place.mkdir(mode=0o500)
        context = None
    if context is not None:
        with context:
            _cannot_write(place)
    else:
        _cannot_write(place)


def _cannot_write(place: Path) -> None:
    said_plainly(run(["sync", "--data-dir", str(place / "desk"), "--username", "sam"]),
                 str(place))
    said_plainly(run(["--data-dir", str(place / "desk")]), "lr_desk cannot start", str(place))
    said_plainly(run(["central", "init", f"sqlite:///{place / 'central.sqlite'}"]))


# --- faults of the computer --------------------------------------------------------------

def test_a_damaged_database(a_desk):
    db = a_desk / "lr_desk.sqlite"
    with open(db, "r+b") as f:  # a few pages in the middle: garbage
        f.seek(4096 * 4)
        f.write(os.urandom(4096 * 8))
    err = said_plainly(run(["sync", "--data-dir", str(a_desk), "--username", "sam"]),
                       "damaged", "backup")
    assert "DatabaseError" not in err and "hmac" not in err  # (SQLCipher's own: to the log)
    db.write_bytes(os.urandom(100_000))  # not a database at all
    said_plainly(run(["sync", "--data-dir", str(a_desk), "--username", "sam"]), "damaged")


def test_a_database_held_by_another_program_past_the_wait(a_desk):
    """Another program holds the write lock for longer than the desk's 5 s wait."""
    store = Gate(a_desk).sign_in("sam", PASSWORD).store
    raw = store.engine.raw_connection()
    try:
        raw.driver_connection.isolation_level = None
        raw.driver_connection.execute("BEGIN EXCLUSIVE")
        done = run(["sync", "--data-dir", str(a_desk), "--username", "sam"])
    finally:
        raw.driver_connection.execute("ROLLBACK")
        raw.close()
        store.close()
    said_plainly(done, "in use by another program", "try again")


def test_a_full_disk_during_sign_in_and_sync(desk, tmp_path):
    with small_disk(tmp_path / "disk", "2m"):
        copy = tmp_path / "disk" / "desk"
        shutil.copytree(desk, copy)
        fill(tmp_path / "disk")
        err = said_plainly(run(["sync", "--data-dir", str(copy), "--username", "sam"]),
                           "disk is full")
        assert "No space" not in err
        (tmp_path / "disk" / "filler").unlink()  # room again: nothing was lost
        done = run(["sync", "--data-dir", str(copy), "--username", "sam"])
        assert done.returncode == 0, done.stderr[-2000:]


def test_a_bug_is_kept_for_the_team_not_printed(a_desk):
    """Anything no one foresaw: a line saying where the details are, not a traceback."""
    code = ("import sys, lr_desk.sync.engine as e\n"
            "def broken(*a, **k): raise ZeroDivisionError('private words')\n"
            "e.sync_once = broken\n"
            "from lr_desk.app import main\n"
            f"sys.exit(main(['sync', '--data-dir', {str(a_desk)!r}, '--username', 'sam']))")
    environ = {**os.environ, "LR_DESK_PASSWORD": PASSWORD}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=environ, timeout=120)
    err = said_plainly(done, "did not expect", "lr_desk.log")
    assert "private words" not in err
    assert "private words" in (a_desk / "logs" / "lr_desk.log").read_text()
