"""lr_desk.faults: the faults the environment causes, each met for real (a full disk, a
read-only disk, a file where a folder should be, a damaged or locked SQLite file, a
server that is not there), told in plain words; anything else is a bug (None)."""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
import socket
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from disks import fill, small_disk  # tests/disks.py

from lr_desk import faults
from lr_desk.faults import classify, name_problem, report_bug, short
from lr_desk.paths import setup_logging


def test_a_full_disk_is_said_plainly(tmp_path):
    with small_disk(tmp_path / "disk"):
        error = fill(tmp_path / "disk")
        assert error.errno == errno.ENOSPC
        fault = classify(error)
    assert fault.kind == faults.DISK_FULL
    assert "disk is full" in fault.message and "Free some space" in fault.message


def test_sqlite_on_a_full_disk_is_said_plainly(tmp_path):
    with small_disk(tmp_path / "disk", "300k"):
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'disk' / 'x.sqlite'}")
        try:
            with pytest.raises(sa.exc.OperationalError) as caught, engine.begin() as c:
                c.execute(sa.text("CREATE TABLE t (b BLOB)"))
                for _ in range(100):
                    c.execute(sa.text("INSERT INTO t VALUES (zeroblob(65536))"))
        finally:
            engine.dispose()
    assert classify(caught.value).kind == faults.DISK_FULL


def test_a_read_only_disk_is_said_plainly(tmp_path):
    with small_disk(tmp_path / "disk", read_only=True):
        with pytest.raises(OSError) as caught:
            setup_logging(tmp_path / "disk" / "profile")
        fault = classify(caught.value)
    # root writes anywhere but on a read-only filesystem; anyone else meets EROFS too
    assert fault.kind == faults.READ_ONLY
    assert "read-only" in fault.message and "disk/profile" in fault.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to any folder")
def test_a_folder_that_may_not_be_written_is_said_plainly(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(OSError) as caught:
        setup_logging(locked / "profile")
    assert classify(caught.value).kind == faults.NO_PERMISSION


def test_a_file_where_the_data_folder_should_be_is_said_plainly(tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    with pytest.raises(OSError) as caught:
        setup_logging(tmp_path / "afile")  # the log set-up, as lr-desk --data-dir afile
    fault = classify(caught.value)
    assert fault.kind == faults.NOT_A_FOLDER
    assert "afile" in fault.message and "a file is there" in fault.message
    with pytest.raises(OSError) as caught:
        (tmp_path / "afile").mkdir(exist_ok=True)
    assert classify(caught.value).kind == faults.NOT_A_FOLDER


def test_a_file_that_is_not_a_database_is_said_plainly(tmp_path):
    junk = tmp_path / "lr_desk.sqlite"
    junk.write_bytes(os.urandom(8192))
    engine = sa.create_engine(f"sqlite:///{junk}")
    try:
        with pytest.raises(sa.exc.DatabaseError) as caught, engine.connect() as c:
            c.execute(sa.text("SELECT * FROM sqlite_master"))
    finally:
        engine.dispose()
    fault = classify(caught.value, "this desk's data file")
    assert fault.kind == faults.DAMAGED
    assert fault.message.startswith("This desk's data file is damaged")
    assert "backups" in fault.message


def test_a_malformed_database_is_said_plainly(tmp_path):
    db = tmp_path / "x.sqlite"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE t (a TEXT)")
        c.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    with open(db, "r+b") as f:  # the table's pages (not the header): garbage
        f.seek(4096 * 2)
        f.write(b"\xff" * 4096 * 4)
    c = sqlite3.connect(db)
    try:
        with pytest.raises(sqlite3.DatabaseError) as caught:
            c.execute("SELECT count(*), max(a) FROM t").fetchall()
    finally:
        c.close()
    assert "malformed" in str(caught.value)
    assert classify(caught.value).kind == faults.DAMAGED


def test_a_database_held_by_another_program_is_said_plainly(tmp_path):
    db = tmp_path / "x.sqlite"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("CREATE TABLE t (a)")
    holder.execute("BEGIN EXCLUSIVE")
    engine = sa.create_engine(f"sqlite:///{db}", connect_args={"timeout": 0.05})
    try:
        with pytest.raises(sa.exc.OperationalError) as caught, engine.begin() as c:
            c.execute(sa.text("INSERT INTO t VALUES (1)"))
    finally:
        engine.dispose()
        holder.close()
    fault = classify(caught.value)
    assert fault.kind == faults.LOCKED
    assert "in use by another program" in fault.message


def test_a_server_that_is_not_there_is_offline():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(OSError) as caught:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    fault = classify(caught.value)
    assert fault.offline and "kept here" in fault.message


def test_a_fault_behind_other_errors_is_found():
    """As the log set-up's three chained exceptions were: the cause says what it is."""
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:
            raise RuntimeError("could not save") from exc
    except RuntimeError as outer:
        assert classify(outer).kind == faults.DISK_FULL


@pytest.mark.parametrize("bug", [ZeroDivisionError(), KeyError("x"), ValueError("x"),
                                 sqlite3.OperationalError("no such column: x"),
                                 OSError(errno.ENOENT, "No such file or directory")])
def test_anything_else_is_a_bug(bug):
    assert classify(bug) is None


def test_a_hostile_name_is_shortened_to_quote():
    said = short("/x" * 500_000 + "\udc80\x00\n")
    assert len(said) <= 80 and "\x00" not in said and "\n" not in said
    said.encode("utf-8")  # printable anywhere
    huge = OSError(errno.ENOTDIR, "Not a directory", "/" + "x" * 1_000_000)
    assert len(classify(huge).message) < 400


@pytest.mark.parametrize("name, wrong", [
    ("a\x00b", "NUL"), ("\ud800", "cannot use"), ("x" * 5000, "too long"),
    ("ok/folder", None), (os.fsdecode(b"caf\xe9"), None),  # a Latin-1 name the system gave
])
def test_names_given_on_the_command_line(name, wrong):
    said = name_problem(name, "--data-dir folder")
    assert (said is None) if wrong is None else (wrong in said and "--data-dir" in said)


def test_a_bug_without_a_log_is_kept_in_a_file_of_its_own(monkeypatch):
    root = logging.getLogger()  # as in a process that set up no log (a test before may have)
    monkeypatch.setattr(root, "handlers", [h for h in root.handlers if not isinstance(
        h, logging.handlers.RotatingFileHandler)])
    try:
        raise ZeroDivisionError("private words")
    except ZeroDivisionError as exc:
        said = report_bug(exc, "lr-desk central init")
    assert "private words" not in said and "did not expect" in said
    where = Path(said.split("The details are in ", 1)[1].split(":", 1)[0])
    try:
        assert "Traceback" in where.read_text() and "ZeroDivisionError" in where.read_text()
    finally:
        where.unlink()
