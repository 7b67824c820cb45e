"""One lockout for every password check, guesses made at once included: sign-in, the
erasure approval, switching user, changing a password; and a username not known here
costs the same work and gets the same words as a wrong password. Real profiles, real
files, real argon2id (at the token cost of tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lr_desk.services import accounts, erasure
from lr_desk.services.signin import Gate, SignInError
from lr_desk.services.validation import ValidationError
from lr_desk.store import keys, lockout

SITES = {"walton": "walton"}
PASSWORD = "kettle on at nine"
MANAGER_PASSWORD = "a long manager password"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def desk(tmp_path):
    """A set-up desk with a manager too, closed: (folder, the manager's id)."""
    folder = tmp_path / "desk"
    unlocked = Gate(folder).set_up("Sam Admin", "walton", "sam", PASSWORD, PASSWORD, SITES)
    try:
        with unlocked.store.session() as s:
            manager = accounts.create(s, "Mo Manager", "walton", "mo", "manager",
                                      MANAGER_PASSWORD)
            manager_id = manager.id
    finally:
        unlocked.store.close()
    return folder, manager_id


@pytest.fixture
def generous(monkeypatch):
    """Limits high enough that no guess is made to wait: every one is tried, and counted."""
    monkeypatch.setattr(lockout, "FREE_TRIES", 1000)
    monkeypatch.setattr(lockout, "LOCK_AFTER", 2000)


def guesses_at_once(folder: Path, n: int, username: str = "sam") -> list[str]:
    """``n`` wrong passwords at once, each from a Gate of its own (as separate desks'
    windows would): what each was told."""
    start = threading.Barrier(n)

    def guess(i: int) -> str:
        gate = Gate(folder)
        start.wait()
        try:
            gate.sign_in(username, f"wrong guess {i}").store.close()
        except SignInError as exc:
            return str(exc)
        return "signed in"

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(guess, range(n)))


def test_twelve_wrong_guesses_at_once_count_twelve(desk, generous):
    """Was: each read the count, added one and saved it: 12 at once counted as 1."""
    folder, _manager = desk
    told = guesses_at_once(folder, 12)
    assert all(t.startswith("That username or password is not right") for t in told)
    assert Gate(folder).keyfile.failures("sam") == 12


GUESSES = """
import sys
from lr_desk.store import keys, lockout
keys.COST = keys.Cost(time=1, memory=64, lanes=1)
lockout.FREE_TRIES, lockout.LOCK_AFTER = 1000, 2000
from lr_desk.services.signin import Gate, SignInError
gate = Gate(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
for i in range(6):
    try:
        gate.sign_in("sam", f"wrong {i}")
    except SignInError:
        pass
"""


def test_wrong_guesses_from_several_processes_at_once_are_each_counted(desk):
    folder, _manager = desk
    runs = [subprocess.Popen([sys.executable, "-c", GUESSES, str(folder)], cwd=ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for run in runs:  # all ready: then all at once
        assert run.stdout.readline().strip() == "ready"
    for run in runs:
        run.stdin.write("go\n")
        run.stdin.flush()
    for run in runs:
        _out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    assert Gate(folder).keyfile.failures("sam") == 24


def test_guesses_at_once_meet_the_wait_as_guesses_one_after_another_do(desk):
    """With the real limits, a burst of guesses is no faster than guesses in a row: once
    the count says wait, the rest are not tried at all, and even the right password
    then waits."""
    folder, _manager = desk
    told = guesses_at_once(folder, 12)
    tried = [t for t in told if t.startswith("That username or password")]
    waited = [t for t in told if "wait" in t]
    assert len(tried) == keys.FREE_TRIES + 1 and len(waited) == 12 - len(tried)
    assert Gate(folder).keyfile.failures("sam") == len(tried)
    with pytest.raises(SignInError, match="wait"):
        Gate(folder).sign_in("sam", PASSWORD)


def test_the_erasure_approval_counts_toward_the_same_lockout(desk):
    """Was: a manager's password typed into the erasure approval could be guessed
    without limit (25 in 22 s, none counted)."""
    folder, _manager_id = desk
    unlocked = Gate(folder).sign_in("sam", PASSWORD)
    store = unlocked.store
    try:
        told = []
        for i in range(keys.LOCK_AFTER + 2):
            with store.session() as s, pytest.raises(ValidationError) as caught:
                erasure.approver(s, "mo", f"a guess {i}")
            told.append(caught.value.errors["password"])
        assert "match" in told[0]
        assert any("wait" in t for t in told)  # slowed down, as at sign-in
        assert Gate(folder).keyfile.failures("mo") == keys.FREE_TRIES + 1
        # the same count as signing in: the manager must wait there too
        with pytest.raises(SignInError, match="wait"):
            Gate(folder).sign_in("mo", MANAGER_PASSWORD)
        counts = Gate(folder).keyfile.lockout
        for _ in range(keys.LOCK_AFTER - counts.failures("mo")):  # as if tried later on
            counts.failed("mo")
        with store.session() as s, pytest.raises(ValidationError) as caught:
            erasure.approver(s, "mo", MANAGER_PASSWORD)
        assert "locked" in caught.value.errors["password"]
    finally:
        store.close()


def test_the_right_approval_clears_the_count(desk):
    folder, manager_id = desk
    unlocked = Gate(folder).sign_in("sam", PASSWORD)
    try:
        with unlocked.store.session() as s, pytest.raises(ValidationError):
            erasure.approver(s, "mo", "not it")
        assert Gate(folder).keyfile.failures("mo") == 1
        with unlocked.store.session() as s:
            assert erasure.approver(s, "mo", MANAGER_PASSWORD).id == manager_id
        assert Gate(folder).keyfile.failures("mo") == 0
    finally:
        unlocked.store.close()


@pytest.fixture
def argon2_calls(monkeypatch):
    """How many times argon2id ran: key derivations (keys.derive) and synced password
    hashes checked (accounts.password_matches). The real functions run."""
    calls: list[str] = []
    derive, matches = keys.derive, accounts.password_matches

    def counted_derive(*args, **kwargs):
        calls.append("derive")
        return derive(*args, **kwargs)

    def counted_matches(*args, **kwargs):
        calls.append("hash")
        return matches(*args, **kwargs)

    monkeypatch.setattr(keys, "derive", counted_derive)
    monkeypatch.setattr(accounts, "password_matches", counted_matches)
    return calls


def test_an_unknown_username_gets_the_same_words_and_work_and_is_counted(desk,
                                                                        argon2_calls):
    """Was: an unknown username answered at once, in other words (names could be
    listed)."""
    folder, _manager = desk
    with pytest.raises(SignInError) as wrong:
        Gate(folder).sign_in("sam", "not the password")
    work_wrong = list(argon2_calls)
    argon2_calls.clear()
    with pytest.raises(SignInError) as unknown:
        Gate(folder).sign_in("nobody-here", "not the password")
    assert str(unknown.value) == str(wrong.value) and unknown.value.field == wrong.value.field
    assert argon2_calls == work_wrong == ["derive"]
    assert Gate(folder).keyfile.failures("nobody-here") == 1


def test_an_unknown_username_at_an_open_desk_costs_the_same_too(desk, argon2_calls):
    """Switching user, and the erasure approval: a name no account has is checked
    against a hash all the same."""
    folder, _manager = desk
    unlocked = Gate(folder).sign_in("sam", PASSWORD)
    store, gate = unlocked.store, Gate(folder)
    try:
        argon2_calls.clear()
        with pytest.raises(SignInError) as wrong:
            gate.switch(store, "mo", "not it")
        work_wrong = list(argon2_calls)
        argon2_calls.clear()
        with pytest.raises(SignInError) as unknown:
            gate.switch(store, "nobody-here", "not it")
        assert str(unknown.value) == str(wrong.value)
        assert argon2_calls == work_wrong
        argon2_calls.clear()
        with store.session() as s, pytest.raises(ValidationError):
            erasure.approver(s, "nobody-here", "not it")
        assert argon2_calls == ["hash"]
        assert Gate(folder).keyfile.failures("nobody-here") == 2
    finally:
        store.close()


def test_changing_a_password_counts_guesses_made_at_once(desk, generous):
    folder, _manager = desk
    unlocked = Gate(folder).sign_in("sam", PASSWORD)
    store, who = unlocked.store, unlocked.signed_in
    start = threading.Barrier(6)

    def guess(i: int) -> None:
        gate = Gate(folder)
        start.wait()
        with pytest.raises(ValidationError):
            gate.change_password(store, who, f"wrong {i}", "a new password here",
                                 "a new password here")

    try:
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(guess, range(6)))
    finally:
        store.close()
    assert Gate(folder).keyfile.failures("sam") == 6


@pytest.mark.parametrize(("username", "password"), [
    ("sam", "half a character \ud800"), ("\udfff", "a password"), ("a\x00b", "pass\x00word"),
    ("x" * 1_000_000, "a password"), ("sam", "y" * 1_000_000)],
    ids=["lone surrogate password", "lone surrogate name", "NUL", "1 MB name",
         "1 MB password"])
def test_hostile_values_at_the_password_checks_are_wrong_passwords(desk, username,
                                                                   password):
    """Said as a wrong password and counted, at sign-in, switching user and the erasure
    approval; never a traceback, and the counts' file stays small."""
    folder, _manager = desk
    with pytest.raises(SignInError, match="not right"):
        Gate(folder).sign_in(username, password)
    unlocked = Gate(folder).sign_in("sam", PASSWORD)  # (sam's count starts again)
    try:
        with pytest.raises(SignInError):
            Gate(folder).switch(unlocked.store, username, password)
        with unlocked.store.session() as s, pytest.raises(ValidationError):
            erasure.approver(s, username, password)
    finally:
        unlocked.store.close()
    assert Gate(folder).keyfile.failures(username) >= 2
    assert (folder / "lockout.json").stat().st_size < 10_000
