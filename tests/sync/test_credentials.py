"""The central store's password: in a real keyring where there is one, else encrypted in
the profile folder; never in plain text anywhere in it."""

from __future__ import annotations

import stat

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from lr_desk.sync import credentials
from lr_desk.sync.connect import save

from .devices import new_device

SECRET = "Tr0ub4dor&3-not-in-any-file"


class MemoryKeyring(KeyringBackend):
    """A keyring of this test's own (the machine's is never touched)."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.kept.get((service, username))

    def set_password(self, service, username, password):
        self.kept[(service, username)] = password

    def delete_password(self, service, username):
        self.kept.pop((service, username), None)


class LockedKeyring(MemoryKeyring):
    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("locked")


def files_holding(folder, data: bytes) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file() and data in p.read_bytes()]


def test_without_a_keyring_the_password_is_encrypted_in_the_profile(tmp_path):
    credentials.store_password(tmp_path, SECRET)
    assert credentials.get_password(tmp_path) == SECRET
    for name in (credentials.KEY_FILE, credentials.SECRET_FILE):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert files_holding(tmp_path, SECRET.encode()) == []
    credentials.store_password(tmp_path, "another")
    assert credentials.get_password(tmp_path) == "another"
    credentials.delete_password(tmp_path)
    assert credentials.get_password(tmp_path) is None
    assert list(tmp_path.iterdir()) == []


def test_a_saved_password_is_nowhere_in_the_profile_in_plain_text(tmp_path):
    """Through the settings, as the app saves it: not in the database, its WAL, the
    settings or any other file of the profile."""
    store = new_device(tmp_path)
    try:
        with store.session() as s:
            save(s, tmp_path, "postgresql://lr_device_hub@central.example/lr", "hub", SECRET)
        with store.session() as s:
            save(s, tmp_path, f"postgresql://lr_device_hub:{SECRET}x@central.example/lr",
                 "hub", None)  # pasted inside the URL: moved to the credentials
        assert credentials.get_password(tmp_path) == SECRET + "x"
        for secret in (SECRET, SECRET + "x"):
            for data in (secret.encode(), secret.encode("utf-16-le")):
                assert files_holding(tmp_path, data) == []
    finally:
        store.close()


def test_a_real_keyring_is_used_when_there_is_one(tmp_path):
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    credentials.store_password(tmp_path, SECRET)
    assert list(ring.kept.values()) == [SECRET]
    assert list(tmp_path.iterdir()) == []  # nothing in the folder at all
    assert credentials.get_password(tmp_path) == SECRET
    assert "keyring" in credentials.where(tmp_path)
    credentials.delete_password(tmp_path)
    assert ring.kept == {} and credentials.get_password(tmp_path) is None


def test_profiles_keep_their_own_passwords(tmp_path):
    keyring.set_keyring(MemoryKeyring())
    credentials.store_password(tmp_path / "one", "first")
    credentials.store_password(tmp_path / "demo", "second")
    assert credentials.get_password(tmp_path / "one") == "first"
    assert credentials.get_password(tmp_path / "demo") == "second"


def test_a_file_kept_before_a_keyring_came_is_replaced_by_it(tmp_path):
    credentials.store_password(tmp_path, "old")
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    assert credentials.get_password(tmp_path) == "old"  # still readable
    credentials.store_password(tmp_path, SECRET)
    assert list(tmp_path.iterdir()) == [] and credentials.get_password(tmp_path) == SECRET


def test_a_keyring_that_refuses_falls_back_to_the_encrypted_file(tmp_path):
    keyring.set_keyring(LockedKeyring())
    credentials.store_password(tmp_path, SECRET)
    assert credentials.get_password(tmp_path) == SECRET
    assert (tmp_path / credentials.SECRET_FILE).exists()
    assert files_holding(tmp_path, SECRET.encode()) == []


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring,
                                     lambda: chainer.ChainerBackend()],
                         ids=["fail", "null", "empty chain"])
def test_no_keyring_backends_are_not_taken_for_one(tmp_path, monkeypatch, backend):
    ring = backend()
    if isinstance(ring, chainer.ChainerBackend):
        monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    keyring.set_keyring(ring)
    assert credentials._keyring() is None
    credentials.store_password(tmp_path, SECRET)
    assert credentials.get_password(tmp_path) == SECRET
    assert "encrypted file" in credentials.where(tmp_path)


def test_a_lost_or_damaged_key_loses_the_password_but_nothing_else(tmp_path):
    credentials.store_password(tmp_path, SECRET)
    (tmp_path / credentials.KEY_FILE).write_bytes(b"not a key")
    assert credentials.get_password(tmp_path) is None
    (tmp_path / credentials.KEY_FILE).unlink()
    assert credentials.get_password(tmp_path) is None
    credentials.store_password(tmp_path, "again")  # a new key is made
    assert credentials.get_password(tmp_path) == "again"


def test_on_an_encrypted_desk_the_key_is_the_desks_own_and_no_file_holds_it(tmp_path):
    folder = tmp_path / "desk"
    folder.mkdir()
    credentials.store_password(folder, "older secret")  # kept before encryption came in
    assert (folder / credentials.KEY_FILE).exists()
    data_key = bytes(range(32))
    assert credentials.get_password(folder, data_key) == "older secret"  # moved over
    assert not (folder / credentials.KEY_FILE).exists()
    assert credentials.get_password(folder, data_key) == "older secret"
    assert credentials.get_password(folder) is None  # without the data key: nothing
    assert credentials.get_password(folder, bytes(32)) is None  # nor with another
    credentials.store_password(folder, "a new secret", data_key)
    assert credentials.get_password(folder, data_key) == "a new secret"
    assert b"a new secret" not in b"".join(p.read_bytes() for p in folder.iterdir())
