"""keys.json under stress: many sign-ins and writers at once (threads and processes),
every kind of damage, and a correct sign-in that writes nothing. Real profiles, real
files; key derivation at the token cost of tests/conftest.py."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lr_desk.services.signin import Gate, SignInError
from lr_desk.store import jsonfile, keys

SITES = {"walton": "walton"}
PASSWORD = "kettle on at nine"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def desk(tmp_path):
    """A set-up desk, closed (its keys.json has a last good copy beside it)."""
    folder = tmp_path / "desk"
    Gate(folder).set_up("Sam Admin", "walton", "sam", PASSWORD, PASSWORD, SITES).store.close()
    assert (folder / "keys.json.bak").exists()
    return folder


def read(folder: Path) -> dict:
    return json.loads((folder / "keys.json").read_text(encoding="utf-8"))


def write_raw(folder: Path, data, checksum: bool = True, name: str = "keys.json") -> None:
    """Write keys.json as damage or an old lr_desk would leave it. ``checksum``: a right
    checksum for the (damaged) content, as if it had always been so."""
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k != jsonfile.CHECK}
        if checksum:
            data[jsonfile.CHECK] = jsonfile.digest(data)
    (folder / name).write_text(json.dumps(data), encoding="utf-8")


def flip(text: str) -> str:
    """One character of a base64 text changed (still base64)."""
    raw = bytearray(base64.b64decode(text))
    raw[len(raw) // 2] ^= 0x01
    return base64.b64encode(bytes(raw)).decode("ascii")


def sign_in(folder: Path) -> None:
    Gate(folder).sign_in("sam", PASSWORD).store.close()


# --- at once -------------------------------------------------------------------------


def test_a_hundred_simultaneous_sign_ins_in_threads_all_succeed(desk):
    """Was: every sign-in rewrote keys.json through one shared keys.tmp, and a fifth of
    them failed with FileNotFoundError."""
    (desk / "keys.json.bak").unlink()  # each sign-in rewrote it too
    start = threading.Barrier(100)
    unreadable: list[str] = []
    stop = threading.Event()

    def watch() -> None:  # keys.json or its copy is whole at every moment
        while not stop.is_set():
            if jsonfile.load(desk / "keys.json", keys.check_keys).data is None:
                unreadable.append("both")

    def one(_i: int) -> str:
        start.wait()
        unlocked = Gate(desk).sign_in("sam", PASSWORD)
        unlocked.store.close()
        return unlocked.signed_in.username

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(100) as pool:
            names = list(pool.map(one, range(100)))
    finally:
        stop.set()
        watcher.join()
    assert names == ["sam"] * 100
    assert unreadable == []
    assert Gate(desk).keyfile.failures("sam") == 0


SIGN_INS = """
import sys
from lr_desk.store import keys
keys.COST = keys.Cost(time=1, memory=64, lanes=1)
from lr_desk.services.signin import Gate
for _ in range(int(sys.argv[2])):
    Gate(sys.argv[1]).sign_in("sam", sys.argv[3]).store.close()
print("ok")
"""


def test_sign_ins_from_several_processes_at_once_all_succeed(desk):
    runs = [subprocess.Popen([sys.executable, "-c", SIGN_INS, str(desk), "5", PASSWORD],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(4)]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        assert out.strip() == "ok"
    sign_in(desk)


def test_writers_at_once_lose_no_wrap_and_never_leave_the_file_unreadable(desk):
    """Staff new to a desk switching in at once each add a wrap: every one is kept
    (each change is made again on the file as it is, under the lock)."""
    data_key = Gate(desk).keyfile.unlock("sam", PASSWORD)[1]
    start = threading.Barrier(24)
    seen_bad: list[str] = []
    stop = threading.Event()

    def watch() -> None:  # keys.json or its copy is whole at every moment
        while not stop.is_set():
            if jsonfile.load(desk / "keys.json", keys.check_keys).data is None:
                seen_bad.append("both unreadable")

    def add(i: int) -> None:
        keyfile = keys.KeyFile(desk)
        start.wait()
        keyfile.add(data_key, f"id-{i}", f"user{i}", f"password {i}", f"hash {i}")
        keyfile.save()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(24) as pool:
            list(pool.map(add, range(24)))
    finally:
        stop.set()
        watcher.join()
    assert seen_bad == []
    keyfile = keys.KeyFile(desk)
    assert not keyfile.loaded.from_backup
    assert {f"id-{i}" for i in range(24)} <= set(keyfile.data["accounts"])
    assert keyfile.unlock("user7", "password 7")[1] == data_key
    assert not list(desk.glob("*.tmp"))  # every temporary file renamed into place


# --- nothing new, nothing written ----------------------------------------------------


def test_a_correct_sign_in_with_nothing_new_writes_nothing(desk):
    """Was: every sign-in rewrote keys.json (with the disk full, the right password could
    not sign in)."""
    sign_in(desk)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns)
              for p in desk.iterdir() if p.name.startswith(("keys.json", "lockout"))}
    for _ in range(3):
        sign_in(desk)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns)
             for p in desk.iterdir() if p.name.startswith(("keys.json", "lockout"))}
    assert after == before


# --- damage -------------------------------------------------------------------------


def _wrap_char(data: dict) -> None:
    wrap = next(iter(data["accounts"].values()))
    wrap["wrapped"] = flip(wrap["wrapped"])


def _salt_char(data: dict) -> None:
    wrap = next(iter(data["accounts"].values()))
    wrap["salt"] = flip(wrap["salt"])


DAMAGE = {  # what to do to keys.json, and whether its checksum is made to match
    "a changed character in a wrap": (_wrap_char, False),
    "a changed character in a salt": (_salt_char, False),
    "an overflowing cost": (lambda d: next(iter(d["accounts"].values())).__setitem__(
        "cost", [2 ** 70, 2 ** 70, 1]), True),
    "an absurd memory cost": (lambda d: next(iter(d["accounts"].values())).__setitem__(
        "cost", [1, 2 ** 40, 1]), True),
    "a cost that is not numbers": (lambda d: d["recovery"].__setitem__("cost", "fast"),
                                   True),
    "accounts that are null": (lambda d: d.__setitem__("accounts", None), True),
    "accounts that are a list": (lambda d: d.__setitem__("accounts", []), True),
    "a wrap that is null": (lambda d: d["accounts"].__setitem__(
        next(iter(d["accounts"])), None), True),
}
WHOLE = {"null": None, "[]": [], "a number": 7}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_falls_back_on_the_last_good_copy_and_is_never_a_wrong_password(desk,
                                                                              damage):
    """Was: a changed character read as "That password is not right" and counted toward
    the lockout, the intact copy never tried; null, [] or a huge cost: tracebacks."""
    change, checksum = DAMAGE[damage]
    data = read(desk)
    change(data)
    write_raw(desk, data, checksum)
    sign_in(desk)
    assert Gate(desk).keyfile.failures("sam") == 0
    assert read(desk)["accounts"]  # written again from the good copy
    assert (desk / "keys.json.damaged").exists()  # the damaged one kept aside, not lost


@pytest.mark.parametrize("whole", sorted(WHOLE))
def test_a_whole_file_of_the_wrong_kind_falls_back_too(desk, whole):
    value = WHOLE[whole]
    if isinstance(value, str):
        (desk / "keys.json").write_text(value, encoding="utf-8")
    else:
        write_raw(desk, value)
    sign_in(desk)
    assert Gate(desk).keyfile.failures("sam") == 0


@pytest.mark.parametrize("damage", [*sorted(DAMAGE), "null", "not JSON"])
def test_damage_with_no_good_copy_is_said_plainly_and_changes_nothing(desk, damage):
    (desk / "keys.json.bak").unlink()
    if damage in DAMAGE:
        change, checksum = DAMAGE[damage]
        data = read(desk)
        change(data)
        write_raw(desk, data, checksum)
    elif damage == "null":
        write_raw(desk, None)
    else:
        (desk / "keys.json").write_text("{\"accounts\": {\"tr", encoding="utf-8")
    damaged = (desk / "keys.json").read_bytes()
    gate = Gate(desk)
    assert gate.state() == "no_keys"  # never "new": a set-up would write over it
    with pytest.raises(SignInError) as caught:
        gate.sign_in("sam", PASSWORD)
    assert "damaged" in str(caught.value) and "keys.json" in str(caught.value)
    assert (desk / "keys.json").read_bytes() == damaged
    assert not (desk / "lockout.json").exists()  # not counted as a wrong password


def test_an_old_keys_file_without_a_checksum_still_opens_and_gains_one(desk):
    data = read(desk)
    data.pop(jsonfile.CHECK)
    data["version"] = 1
    data["failures"] = {}  # where the counts were kept
    (desk / "keys.json").write_text(json.dumps(data), encoding="utf-8")
    (desk / "keys.json.bak").unlink()
    sign_in(desk)
    assert jsonfile.CHECK in read(desk) and read(desk)["version"] == keys.VERSION


def test_both_keys_files_gone_is_said_to_be_missing_not_a_desk_never_set_up(desk):
    (desk / "keys.json").unlink()
    (desk / "keys.json.bak").unlink()
    gate = Gate(desk)
    assert gate.state() == "no_keys"
    assert "missing" in gate.problem() and "keys.json" in gate.problem()
    with pytest.raises(SignInError) as caught:
        gate.sign_in("sam", PASSWORD)
    assert "missing" in str(caught.value)
    assert not (desk / "keys.json").exists()


def test_the_lock_holds_across_processes(desk):
    """While one process holds the profile's lock, another's write waits for it."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from lr_desk.store import jsonfile\n"
         "with jsonfile.exclusive(sys.argv[1]):\n"
         "    print('held', flush=True)\n"
         "    sys.stdin.readline()\n", str(desk)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        done = threading.Event()

        def count() -> None:
            keys.KeyFile(desk).failed("sam")
            done.set()

        worker = threading.Thread(target=count)
        worker.start()
        assert not done.wait(1.0)  # waiting for the other process
        holder.stdin.write("\n")
        holder.stdin.flush()
        worker.join(60)
        assert done.is_set()
    finally:
        holder.kill()
        holder.wait()
    assert keys.KeyFile(desk).failures("sam") == 1
    assert os.stat(desk / "keys.lock")


def test_the_command_line_says_the_keys_are_missing_or_damaged(desk, monkeypatch, capsys):
    """Was: with both keys files gone, ``lr-desk sync`` said no desk was set up there."""
    from lr_desk import cli

    monkeypatch.setenv("LR_DESK_PASSWORD", PASSWORD)
    (desk / "keys.json").write_text("null", encoding="utf-8")
    (desk / "keys.json.bak").unlink()
    assert cli.main(["sync", "--data-dir", str(desk), "--username", "sam"]) != 0
    said = capsys.readouterr()
    assert "damaged" in said.err + said.out and "Traceback" not in said.err
    (desk / "keys.json").unlink()
    assert cli.main(["sync", "--data-dir", str(desk), "--username", "sam"]) != 0
    said = capsys.readouterr()
    assert "missing" in said.err + said.out and "no desk" not in said.err + said.out
