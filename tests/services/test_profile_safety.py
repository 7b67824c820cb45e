"""A profile's files are never lost to something else being broken, are readable by
their owner only, and a set-up cut short never leaves a profile no one can open. Real
profiles, real SQLCipher files, real processes killed with SIGKILL."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lr_desk.services.signin import DEMO_PASSWORD, Gate, SignInError
from lr_desk.store import keys
from lr_desk.store.db import backup

SITES = {"walton": "walton"}
PASSWORD = "kettle on at nine"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def desk(tmp_path):
    folder = tmp_path / "desk"
    unlocked = Gate(folder).set_up("Sam Admin", "walton", "sam", PASSWORD, PASSWORD, SITES)
    backup(unlocked.store.path, folder / "backups", "kept", unlocked.store.key)
    unlocked.store.close()
    return folder


def keys_bytes(folder: Path) -> bytes:
    return (folder / "keys.json").read_bytes()


# --- a missing, empty or unreadable database ---------------------------------------


def garbage(db: Path) -> None:
    db.write_bytes(os.urandom(8192))


def empty(db: Path) -> None:
    db.write_bytes(b"")


def missing(db: Path) -> None:
    db.unlink()


@pytest.mark.parametrize("harm", [missing, empty, garbage], ids=lambda f: f.__name__)
def test_a_database_not_there_is_never_replaced_and_costs_no_key(desk, tmp_path, harm):
    """Was: signing in with lr_desk.sqlite missing or empty made a new empty database,
    said "This account can no longer sign in" and deleted the user's key wrap; after three
    users tried, nobody could open the real database when it came back."""
    db = desk / "lr_desk.sqlite"
    saved = tmp_path / "saved.sqlite"
    shutil.copy(db, saved)
    harm(db)
    harmed = db.read_bytes() if db.exists() else None
    before = keys_bytes(desk)
    for _ in range(3):  # three people try
        with pytest.raises(SignInError) as caught:
            Gate(desk).sign_in("sam", PASSWORD)
        said = str(caught.value)
        assert "lr_desk.sqlite" in said and "Nothing has been changed" in said
        assert "backups" in said  # where the desk's own copies are
    assert keys_bytes(desk) == before
    assert (db.read_bytes() if db.exists() else None) == harmed  # nothing made or changed
    shutil.copy(saved, db)  # the real file back
    unlocked = Gate(desk).sign_in("sam", PASSWORD)
    unlocked.store.close()
    assert unlocked.signed_in.username == "sam"


def test_an_older_copy_of_the_data_without_the_account_keeps_its_key(desk, tmp_path):
    """Only an account disabled in a readable database loses its wrap, not one the data
    put back does not know yet."""
    from lr_desk.services import accounts

    db = desk / "lr_desk.sqlite"
    older = tmp_path / "older.sqlite"
    shutil.copy(db, older)
    unlocked = Gate(desk).sign_in("sam", PASSWORD)
    try:
        with unlocked.store.session() as s:
            bea = accounts.create(s, "Bea Bootle", "walton", "bea", "advisor",
                                  "tea at eleven please")
            bea_id, bea_hash = bea.id, bea.password_hash
        gate = Gate(desk)
        gate.keyfile.add(unlocked.store.key, bea_id, "bea", "tea at eleven please", bea_hash)
        gate.keyfile.save()
    finally:
        unlocked.store.close()
    newer = tmp_path / "newer.sqlite"
    shutil.copy(db, newer)
    shutil.copy(older, db)
    with pytest.raises(SignInError) as caught:
        Gate(desk).sign_in("bea", "tea at eleven please")
    assert "Nothing has been changed" in str(caught.value)
    assert Gate(desk).keyfile.accounts_for("bea") == [bea_id]
    shutil.copy(newer, db)
    Gate(desk).sign_in("bea", "tea at eleven please").store.close()


# --- owner-only files ---------------------------------------------------------------


def modes(folder: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def loose(folder: Path) -> dict[str, int]:
    return {name: oct(mode) for name, mode in modes(folder).items() if mode & 0o077}


def test_a_new_profile_is_owner_only_as_it_is_made(tmp_path):
    """Was: the database, keys.json and its copy, backups and logs were 0644 in 0755
    folders: any local account could copy them to guess passwords offline."""
    old = os.umask(0o022)  # as most accounts have it
    try:
        folder = tmp_path / "desk"
        unlocked = Gate(folder).set_up("Sam Admin", "walton", "sam", PASSWORD, PASSWORD,
                                       SITES)
        try:
            backup(unlocked.store.path, folder / "backups", "kept", unlocked.store.key)
            with unlocked.store.session() as s:  # the -wal and -shm are there meanwhile
                s.connection().exec_driver_sql("SELECT 1")
                assert (folder / "lr_desk.sqlite-wal").exists()
                assert loose(folder) == {}
        finally:
            unlocked.store.close()
        with pytest.raises(SignInError):
            Gate(folder).sign_in("sam", "a wrong password")
        names = set(modes(folder))
        assert {"keys.json", "keys.json.bak", "keys.lock", "lockout.json", "lr_desk.sqlite",
                "backups"} <= names
        assert loose(folder) == {}
    finally:
        os.umask(old)


START = """
import sys
from pathlib import Path
from lr_desk.paths import setup_logging
setup_logging(Path(sys.argv[1]))
import logging
logging.getLogger("test").info("started")
"""


def test_a_profile_made_before_is_made_owner_only_at_start(desk):
    for path in [desk, *desk.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (desk / "central.sqlite").write_bytes(b"")  # an embedded central store, as left
    (desk / "central.sqlite").chmod(0o644)
    assert loose(desk)
    subprocess.run([sys.executable, "-c", START, str(desk)], cwd=ROOT, check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (desk / "logs" / "lr_desk.log").exists()
    assert loose(desk) == {}


def test_opening_the_store_corrects_modes_too(desk):
    """The command line and scripts open a profile without the app's start."""
    for path in [desk, *desk.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    Gate(desk).sign_in("sam", PASSWORD).store.close()
    assert loose(desk) == {}


# --- a demo set-up cut short -----------------------------------------------------------


def small_fill(store) -> None:
    from lr_desk.demo import fill_demo

    fill_demo(store, people=12)


class PowerCut(BaseException):
    """The process ends here (not an Exception: nothing may catch it on the way)."""


@pytest.mark.parametrize("step", ["first save", "database made", "filling", "filled",
                                  "accounts saved"])
def test_a_demo_set_up_cut_short_at_any_step_starts_again_at_the_next(tmp_path,
                                                                      monkeypatch, step):
    """Was: a first start of the demo interrupted while "Preparing the demo desk…" left
    keys.json with no account: the demo could never be signed into again."""
    folder = tmp_path / "base" / "demo"
    real_save, real_fill = keys.KeyFile.save, small_fill
    saves = []

    def save(self):
        saves.append(1)
        if step == "first save" and len(saves) == 1:
            raise PowerCut(step)  # before anything was written
        real_save(self)
        if step == "accounts saved" and len(saves) == 2:
            raise PowerCut(step)  # all written: cut before signing in

    def fill(store):
        if step == "database made":
            raise PowerCut(step)
        if step == "filling":
            from lr_desk.services import advisors

            with store.session() as s:
                advisors.create(s, "Half Made", "walton")
            raise PowerCut(step)
        real_fill(store)
        if step == "filled":
            raise PowerCut(step)

    monkeypatch.setattr(keys.KeyFile, "save", save)
    with pytest.raises(PowerCut):
        Gate(folder).set_up_demo(fill)
    monkeypatch.setattr(keys.KeyFile, "save", real_save)
    gate = Gate(folder)
    if step == "accounts saved":  # the end was written: the demo is there
        assert gate.state() == "locked"
    else:
        assert gate.state() == "new"  # so the start sets it up again
        gate.set_up_demo(small_fill).store.close()
    for username in ("advisor", "manager", "admin"):
        unlocked = Gate(folder).sign_in(username, DEMO_PASSWORD)
        unlocked.store.close()


PREPARE = """
import sys, time
from pathlib import Path
from lr_desk.store import keys
keys.COST = keys.Cost(time=1, memory=64, lanes=1)
from lr_desk.demo import fill_demo
from lr_desk.services.signin import Gate

def fill(store):
    fill_demo(store, people=12)
    Path(sys.argv[2]).write_text("filled")  # part-way: filled, accounts not yet made
    time.sleep(600)

Gate(Path(sys.argv[1])).set_up_demo(fill)
"""


def test_a_demo_set_up_killed_part_way_starts_again_and_signs_in(tmp_path):
    folder = tmp_path / "base" / "demo"
    signal_file = tmp_path / "filled"
    run = subprocess.Popen([sys.executable, "-c", PREPARE, str(folder), str(signal_file)],
                           cwd=ROOT, stderr=subprocess.PIPE)
    try:
        for _ in range(6000):
            if signal_file.exists() or run.poll() is not None:
                break
            time.sleep(0.05)
        assert signal_file.exists(), run.stderr.read() if run.poll() is not None else ""
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    assert (folder / "keys.json").exists() and (folder / "lr_desk.sqlite").exists()
    gate = Gate(folder)
    assert gate.state() == "new"
    gate.set_up_demo(small_fill).store.close()
    Gate(folder).sign_in("manager", DEMO_PASSWORD).store.close()


def test_a_demo_left_unopenable_by_an_older_lr_desk_says_what_to_do(tmp_path):
    """A demo profile an interrupted set-up of an older lr_desk left with no account."""
    folder = tmp_path / "base" / "demo"
    folder.mkdir(parents=True)
    keyfile = keys.KeyFile(folder)
    keyfile.create(os.urandom(32))
    keyfile.save()
    gate = Gate(folder)
    with pytest.raises(SignInError) as caught:
        gate.sign_in("advisor", DEMO_PASSWORD)
    assert "delete the folder" in str(caught.value) and str(folder) in str(caught.value)


def test_a_shared_sqlite_central_store_is_owner_only_too(tmp_path):
    """A central store file shared by desks on one computer holds every change they
    made: owner-only when made, and put right when it is next opened."""
    from lr_desk.sync.central import init_central, make_engine

    old = os.umask(0o022)
    try:
        path = tmp_path / "shared" / "central.sqlite"
        path.parent.mkdir()
        init_central(f"sqlite:///{path}")
        assert loose(path.parent) == {".": "0o755"}  # its folder is the admin's to choose
        for name in path.parent.iterdir():
            name.chmod(0o644)
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
        assert loose(path.parent) == {".": "0o755"}  # its folder is the admin's to choose
    finally:
        os.umask(old)
