"""Signing in, passwords, lockout, recovery and encryption at rest (no Qt).

Every profile here is a real folder with a real SQLCipher file; key derivation runs at a
token cost (tests/conftest.py), the benchmark measures the real one."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lr_desk.profile import open_store
from lr_desk.services import accounts, people
from lr_desk.services.signin import Gate, SignInError
from lr_desk.services.validation import ValidationError
from lr_desk.store import cipher, keys
from lr_desk.store.clock import utcnow
from lr_desk.store.db import Store
from lr_desk.store.models import Advisor, AuditEvent, Outbox, Person
from tests.conftest import TODAY

SITES = {"walton": "walton", "bootle": "bootle", "southport": "southport"}
PASSWORD = "kettle on at nine"


def set_up(folder, username="sam", password=PASSWORD, name="Sam Admin"):
    return Gate(folder).set_up(name, "walton", username, password, password, SITES)


@pytest.fixture
def desk(tmp_path):
    """A set-up desk, closed again: (folder, recovery key, the admin's id)."""
    folder = tmp_path / "desk"
    unlocked = set_up(folder)
    unlocked.store.close()
    return folder, unlocked.recovery_key, unlocked.signed_in.advisor_id


def file_bytes(folder) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("lr_desk*") if p.is_file())


def test_a_new_desk_is_set_up_encrypted_with_its_first_admin(tmp_path):
    folder = tmp_path / "desk"
    assert Gate(folder).state() == "new"
    unlocked = set_up(folder)
    try:
        assert unlocked.signed_in.role == "admin" and unlocked.signed_in.username == "sam"
        assert len(unlocked.recovery_key.replace("-", "")) == 32
        with unlocked.store.session() as s:
            s.add(Person(given_name="Zebedee", family_name="Quillfeather"))
    finally:
        unlocked.store.close()
    assert Gate(folder).state() == "locked"
    db = folder / "lr_desk.sqlite"
    assert not cipher.is_plain(db)
    # plain SQLite sees no database at all: no schema, and no name in the bytes
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db).execute("SELECT name FROM sqlite_master").fetchall()
    raw = file_bytes(folder)
    for word in (b"Quillfeather", b"Zebedee", b"CREATE TABLE", b"Sam Admin", b"person"):
        assert word not in raw
    stored = json.loads((folder / "keys.json").read_text())
    assert PASSWORD not in json.dumps(stored) and "pending" not in stored


def test_set_up_refuses_bad_input_at_the_fields_and_changes_nothing(tmp_path):
    folder = tmp_path / "desk"
    with pytest.raises(ValidationError) as caught:
        Gate(folder).set_up("", "nowhere", "two words", "short", "other", SITES)
    assert set(caught.value.errors) == {"name", "home_site", "username", "password"}
    with pytest.raises(ValidationError) as caught:
        Gate(folder).set_up("Sam", "walton", "sam", PASSWORD, PASSWORD + "!", SITES)
    assert set(caught.value.errors) == {"password_again"}
    assert Gate(folder).state() == "new"
    assert not (folder / "keys.json").exists()


def test_signing_in_opens_the_desk_and_is_audited(desk):
    folder, _recovery, admin_id = desk
    unlocked = Gate(folder).sign_in("  SAM ", PASSWORD)
    try:
        assert unlocked.signed_in.advisor_id == admin_id
        assert unlocked.store.advisor_id == admin_id
        with unlocked.store.session() as s:
            events = s.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in")).all()
        assert [e.advisor_id for e in events] == [admin_id, admin_id]  # set-up, and now
        assert events[-1].device_id == unlocked.store.device_id
    finally:
        unlocked.store.close()


def test_no_password_no_data(desk):
    folder, _recovery, _admin = desk
    with pytest.raises(Exception):  # noqa: B017 (any key but the right one fails)
        Store(folder / "lr_desk.sqlite", key=bytes(32)).close()
    with pytest.raises(Exception):  # noqa: B017
        Store(folder / "lr_desk.sqlite").close()


def test_wrong_passwords_slow_down_then_lock_then_time_lets_in_again(desk):
    folder, _recovery, _admin = desk
    gate = Gate(folder)
    now = utcnow()
    messages = []
    for _ in range(keys.FREE_TRIES):
        with pytest.raises(SignInError) as caught:
            gate.sign_in("sam", "not it at all", now)
        messages.append(str(caught.value))
    assert messages[0].startswith("That username or password is not right.")
    assert "more wrong tries" in messages[-1]
    with pytest.raises(SignInError):
        gate.sign_in("sam", "still wrong", now)  # the 4th: from now on, a wait
    with pytest.raises(SignInError) as caught:
        gate.sign_in("sam", PASSWORD, now)  # even the right one waits
    assert "wait 2 seconds" in str(caught.value)
    later = now
    for _ in range(keys.LOCK_AFTER - keys.FREE_TRIES - 1):
        later += timedelta(minutes=1)
        with pytest.raises(SignInError):
            gate.sign_in("sam", "wrong again", later)
    with pytest.raises(SignInError) as caught:
        Gate(folder).sign_in("sam", PASSWORD, later + timedelta(minutes=1))
    assert "locked on this desk" in str(caught.value)  # the count survives a restart
    unlocked = Gate(folder).sign_in("sam", PASSWORD,
                                    later + timedelta(minutes=keys.LOCK_MINUTES + 1))
    unlocked.store.close()
    assert Gate(folder).keyfile.failures("sam") == 0


def test_someone_unknown_here_is_told_what_to_do(desk):
    """In the words of a wrong password (which names exist is not given away), with what
    to do if they are new to this desk."""
    folder, _recovery, _admin = desk
    with pytest.raises(SignInError) as caught:
        Gate(folder).sign_in("nobody", PASSWORD)
    assert caught.value.field == "password" and "Switch user" in str(caught.value)
    with pytest.raises(SignInError) as caught:
        Gate(folder).sign_in("", PASSWORD)
    assert caught.value.field == "username"


def test_changing_a_password_works_offline_and_syncs_as_a_hash(desk):
    folder, _recovery, admin_id = desk
    gate = Gate(folder)
    unlocked = gate.sign_in("sam", PASSWORD)
    store, who = unlocked.store, unlocked.signed_in
    try:
        with pytest.raises(ValidationError) as caught:
            gate.change_password(store, who, "not my password", "a whole new one",
                                 "a whole new one")
        assert set(caught.value.errors) == {"old_password"}
        with pytest.raises(ValidationError) as caught:
            gate.change_password(store, who, PASSWORD, "short", "short")
        assert set(caught.value.errors) == {"password"}
        gate.change_password(store, who, PASSWORD, "a whole new one", "a whole new one")
        with store.session() as s:
            change = s.scalars(select(Outbox).where(Outbox.entity == "advisor",
                                                    Outbox.entity_id == admin_id)
                               .order_by(Outbox.seq.desc())).first()
        assert change.fields["password_hash"].startswith("$argon2id$")
        assert "a whole new one" not in json.dumps(change.fields)
    finally:
        store.close()
    with pytest.raises(SignInError):
        Gate(folder).sign_in("sam", PASSWORD)
    Gate(folder).sign_in("sam", "a whole new one").store.close()


def changed_elsewhere(folder, advisor_id: str, password: str) -> None:
    """The account's password changed on another desk, as a pull would leave it here."""
    unlocked = Gate(folder).sign_in("sam", PASSWORD)
    with unlocked.store.session() as s:
        s.get(Advisor, advisor_id).password_hash = accounts.hash_password(password)
    unlocked.store.close()


def test_a_password_changed_on_another_desk_is_asked_for_before_the_desk_opens(desk):
    folder, _recovery, admin_id = desk
    changed_elsewhere(folder, admin_id, "set on another desk")

    gate = Gate(folder)
    unlocked = gate.sign_in("sam", PASSWORD)  # this desk only knows the old one yet
    try:
        assert unlocked.password_changed_elsewhere
        with pytest.raises(SignInError):
            gate.confirm_new_password(unlocked, "a guess")
        gate.confirm_new_password(unlocked, "set on another desk")
        assert not unlocked.password_changed_elsewhere
    finally:
        unlocked.store.close()
    unlocked = Gate(folder).sign_in("sam", "set on another desk")
    assert not unlocked.password_changed_elsewhere
    unlocked.store.close()


def test_a_colleague_new_to_this_desk_switches_in_and_can_sign_in_after(desk):
    folder, _recovery, _admin = desk
    gate = Gate(folder)
    unlocked = gate.sign_in("sam", PASSWORD)
    store = unlocked.store
    try:
        with store.session() as s:  # made by an admin (here, or on a desk that synced it)
            bea = accounts.create(s, "Bea Advisor", "bootle", "bea", "advisor",
                                  "tea at eleven please", "tea at eleven please")
        with pytest.raises(SignInError):
            gate.switch(store, "bea", "wrong password!")
        who = gate.switch(store, "Bea", "tea at eleven please")
        assert who.advisor_id == bea.id and who.role == "advisor"
        assert store.advisor_id == bea.id
    finally:
        store.close()
    unlocked = Gate(folder).sign_in("bea", "tea at eleven please")
    assert unlocked.signed_in.name == "Bea Advisor"
    unlocked.store.close()


def test_a_disabled_account_can_no_longer_sign_in(desk):
    folder, _recovery, _admin = desk
    gate = Gate(folder)
    unlocked = gate.sign_in("sam", PASSWORD)
    with unlocked.store.session() as s:
        bea = accounts.create(s, "Bea Advisor", "bootle", "bea", "advisor", PASSWORD + "2")
    gate.switch(unlocked.store, "bea", PASSWORD + "2")
    with unlocked.store.session() as s:
        accounts.update(s, bea.id, active=False)
    unlocked.store.close()
    with pytest.raises(SignInError) as caught:
        Gate(folder).sign_in("bea", PASSWORD + "2")
    assert "no longer sign in" in str(caught.value)


def test_the_recovery_key_opens_the_desk_to_reset_a_password(desk):
    folder, recovery, admin_id = desk
    gate = Gate(folder)
    with pytest.raises(SignInError):
        gate.recover("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")
    store = gate.recover(recovery.lower().replace("-", " "))
    try:
        gate.reset_password(store, admin_id, "remembered at last", "remembered at last")
    finally:
        store.close()
    Gate(folder).sign_in("sam", "remembered at last").store.close()


def test_a_set_up_cut_short_after_the_keys_were_saved_finishes_at_sign_in(tmp_path):
    folder = tmp_path / "desk"
    gate = Gate(folder)
    real_open = gate._open
    gate._open = lambda *a: (_ for _ in ()).throw(KeyboardInterrupt())  # the power goes
    with pytest.raises(KeyboardInterrupt):
        gate.set_up("Sam Admin", "walton", "sam", PASSWORD, PASSWORD, SITES)
    assert real_open
    unlocked = Gate(folder).sign_in("sam", PASSWORD)
    try:
        assert unlocked.signed_in.name == "Sam Admin" and unlocked.signed_in.role == "admin"
    finally:
        unlocked.store.close()
    assert Gate(folder).keyfile.pending() is None


def test_a_database_from_before_encryption_is_converted_losing_nothing(tmp_path):
    folder = tmp_path / "desk"
    store = open_store(folder)  # the earlier, unencrypted version's profile
    with store.session() as s:
        advisor = accounts.Advisor(name="Ann Old", home_site="walton")
        s.add(advisor)
        s.flush()
        for i in range(30):
            people.register(s, {"given_name": f"Person{i}", "family_name": "Oldfile"},
                            advisor.id, "walton", today=TODAY)
    from lr_desk.store.db import backup

    old_backup = backup(store.path, folder / "backups", "before-0003")
    with store.session() as s:
        counts = {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                  for m in (Person, Advisor, Outbox)}
    store.close()
    assert Gate(folder).state() == "convert"

    unlocked = set_up(folder)
    try:
        with unlocked.store.session() as s:
            assert s.scalar(select(func.count()).select_from(Person)) == counts["person"]
            assert s.scalar(select(func.count()).select_from(Advisor)) == counts["advisor"] + 1
            assert s.scalar(select(func.count()).select_from(Outbox)) > counts["outbox"]
    finally:
        unlocked.store.close()
    assert Gate(folder).state() == "locked"
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix != ".json"
             and not p.name.endswith(".bak")]
    assert files and not any(cipher.is_plain(p) for p in files)
    assert b"Oldfile" not in b"".join(p.read_bytes() for p in files)
    saved = list((folder / "backups").glob("lr_desk-before-encryption-*.sqlite"))
    assert len(saved) == 1
    data_key = Gate(folder).keyfile.unlock("sam", PASSWORD)[1]
    conn = cipher.connect(saved[0], data_key)
    assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == counts["person"]
    conn.close()
    conn = cipher.connect(old_backup, data_key)  # the old backup: encrypted too
    assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == counts["person"]
    conn.close()


def test_the_backup_before_a_migration_is_encrypted(tmp_path):
    key = bytes(range(32))
    Store(tmp_path / "lr_desk.sqlite", migrate_to="0003", key=key).close()
    store = Store(tmp_path / "lr_desk.sqlite", key=key)
    try:
        assert store.last_backup is not None and not cipher.is_plain(store.last_backup)
        with pytest.raises(sqlite3.DatabaseError):
            sqlite3.connect(store.last_backup).execute("SELECT * FROM sqlite_master").fetchall()
        conn = cipher.connect(store.last_backup, key)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0003",)
        conn.close()
    finally:
        store.close()


def test_roles_decide_what_each_may_do():
    assert accounts.can("advisor", "people") and not accounts.can("advisor", "audit")
    assert accounts.can("manager", "audit") and not accounts.can("manager", "accounts")
    assert all(accounts.can("admin", what) for what in accounts.NEEDS)


def test_guessing_the_new_password_after_a_change_elsewhere_is_slowed_down_too(desk):
    folder, _recovery, admin_id = desk
    changed_elsewhere(folder, admin_id, "set on another desk")
    gate = Gate(folder)
    unlocked = gate.sign_in("sam", PASSWORD)
    try:
        for _ in range(keys.FREE_TRIES + 1):
            with pytest.raises(SignInError):
                gate.confirm_new_password(unlocked, "a guess")
        with pytest.raises(SignInError) as caught:  # a wait: not even the right one
            gate.confirm_new_password(unlocked, "set on another desk")
        assert "wait" in str(caught.value)
        assert unlocked.password_changed_elsewhere
    finally:
        unlocked.store.close()


def test_guessing_the_current_password_to_change_it_is_slowed_down_too(desk):
    folder, _recovery, _admin = desk
    gate = Gate(folder)
    unlocked = gate.sign_in("sam", PASSWORD)
    store, who = unlocked.store, unlocked.signed_in
    try:
        for _ in range(keys.FREE_TRIES + 1):
            with pytest.raises(ValidationError):
                gate.change_password(store, who, "a guess", "a whole new one",
                                     "a whole new one")
        with pytest.raises(ValidationError) as caught:  # a wait: not even the right one
            gate.change_password(store, who, PASSWORD, "a whole new one", "a whole new one")
        assert "wait" in caught.value.errors["old_password"]
        assert Gate(folder).keyfile.failures("sam") == keys.FREE_TRIES + 1  # as at sign-in
    finally:
        store.close()
    Gate(folder).sign_in("sam", PASSWORD,  # unchanged; and once the wait is over, it opens
                         utcnow() + timedelta(minutes=1)).store.close()


def test_old_backups_are_encrypted_even_when_the_conversion_was_cut_short(tmp_path,
                                                                          monkeypatch):
    from lr_desk.services import signin
    from lr_desk.store.db import backup

    folder = tmp_path / "desk"
    store = open_store(folder)  # the earlier, unencrypted version's profile
    with store.session() as s:
        advisor = accounts.Advisor(name="Ann Old", home_site="walton")
        s.add(advisor)
        s.flush()
        people.register(s, {"given_name": "Edith", "family_name": "Backupfile"}, advisor.id,
                        "walton", today=TODAY)
    old_backup = backup(store.path, folder / "backups", "before-0003")
    store.close()
    real = cipher.encrypt_copy
    calls = []

    def power_cut_at_the_old_backup(plain, dest, key):
        calls.append(plain)
        if plain == old_backup:
            raise KeyboardInterrupt  # the database is in place, its old backup not yet
        real(plain, dest, key)

    monkeypatch.setattr(signin.cipher, "encrypt_copy", power_cut_at_the_old_backup)
    with pytest.raises(KeyboardInterrupt):
        set_up(folder)
    monkeypatch.setattr(signin.cipher, "encrypt_copy", real)
    assert not cipher.is_plain(folder / "lr_desk.sqlite") and cipher.is_plain(old_backup)
    Gate(folder).sign_in("sam", PASSWORD).store.close()
    assert not cipher.is_plain(old_backup)
    assert b"Backupfile" not in old_backup.read_bytes()


def test_a_damaged_keys_file_falls_back_on_its_last_good_copy(desk):
    folder, _recovery, _admin = desk
    Gate(folder).sign_in("sam", PASSWORD).store.close()  # a save: the last good copy kept
    assert (folder / "keys.json.bak").exists()
    (folder / "keys.json").write_text('{"accounts": {"trunc', encoding="utf-8")
    Gate(folder).sign_in("sam", PASSWORD).store.close()


def test_the_embedded_central_store_is_encrypted_too(tmp_path):
    """central.sqlite (the embedded store) holds every change a desk made: a copy of the
    records. On an encrypted desk it is encrypted with the desk's key; one made before
    encryption is encrypted at set-up."""
    from lr_desk.sync.connect import open_central
    from lr_desk.sync.engine import sync_once

    folder = tmp_path / "desk"
    store = open_store(folder)  # before encryption: synced with its embedded store
    with store.session() as s:
        advisor = Advisor(name="Ann Old", home_site="walton")
        s.add(advisor)
        s.flush()
        people.register(s, {"given_name": "Persephone", "family_name": "Quayle"},
                        advisor.id, "walton", today=TODAY)
    central = open_central(store, folder)
    sync_once(store, central)
    central.close()
    store.close()
    assert b"Quayle" in (folder / "central.sqlite").read_bytes()

    unlocked = set_up(folder)
    try:
        with unlocked.store.session() as s:
            people.register(s, {"given_name": "Octavia", "family_name": "Quibble"},
                            unlocked.signed_in.advisor_id, "walton", today=TODAY)
        central = open_central(unlocked.store, folder)
        try:
            sync_once(unlocked.store, central)
            names = {c.fields.get("family_name") for c in central.pull(0)
                     if c.entity == "person"}
            assert {"Quayle", "Quibble"} <= names  # nothing lost
        finally:
            central.close()
    finally:
        unlocked.store.close()
    assert not cipher.is_plain(folder / "central.sqlite")
    raw = b"".join(p.read_bytes() for p in folder.glob("central.sqlite*"))
    assert b"Quayle" not in raw and b"Quibble" not in raw


def test_a_set_up_that_fails_after_saving_the_keys_still_gives_the_recovery_key(tmp_path):
    folder = tmp_path / "desk"
    gate = Gate(folder)

    def fails(*_args):
        raise OSError(28, "No space left on device")

    gate._open = fails
    with pytest.raises(OSError) as caught:
        gate.set_up("Sam Admin", "walton", "sam", PASSWORD, PASSWORD, SITES)
    recovery = caught.value.recovery_key
    unlocked = Gate(folder).sign_in("sam", PASSWORD)  # finishes the set-up
    unlocked.store.close()
    Gate(folder).recover(recovery).close()  # and the key shown opens the desk


def test_no_file_of_a_desk_holds_a_name_in_the_clear(tmp_path):
    """Every file the desk keeps (its database, the embedded central store, keys, logs,
    backups) after records were made and synced: the name is in none of them."""
    from lr_desk.sync.connect import open_central
    from lr_desk.sync.engine import sync_once

    folder = tmp_path / "desk"
    unlocked = set_up(folder)
    try:
        with unlocked.store.session() as s:
            people.register(s, {"given_name": "Zenobia", "family_name": "Xanthopoulou",
                                "phone": "07700 900123"},
                            unlocked.signed_in.advisor_id, "walton", today=TODAY)
        central = open_central(unlocked.store, folder)
        try:
            sync_once(unlocked.store, central)
        finally:
            central.close()
    finally:
        unlocked.store.close()
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"lr_desk.sqlite", "central.sqlite", "keys.json"}
    for path in files:
        data = path.read_bytes()
        for word in (b"Zenobia", b"Xanthopoulou", b"07700 900123", PASSWORD.encode()):
            assert word not in data, f"{word!r} in {path.name}"
