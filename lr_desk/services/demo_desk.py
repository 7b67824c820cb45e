"""Setting up the demo profile, all or nothing.

The demo's data key is saved (keys.json) before its database is made, as any desk's; its
keys say ``{"demo": true}`` under "setup" until the desk is filled and its accounts are
wrapped, and both are written in one save. A set-up cut short (a newcomer's Quick start
closed while "Preparing the demo desk…", a crash) therefore leaves a profile that
``Gate.state`` calls "new": the next start throws its files away (made-up data, under a
key never shown to anyone) and starts again. It never leaves a demo nobody can open.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from lr_desk import settings
from lr_desk.services import accounts
from lr_desk.store.keys import KeyFile
from lr_desk.store.models import Advisor
from lr_desk.store.private import make_private, private_dir

if TYPE_CHECKING:
    from lr_desk.services.signin import Gate, Unlocked

log = logging.getLogger(__name__)

PASSWORD = "life-rooms-demo"  # the demo profile's accounts (synthetic data only)
ACCOUNTS = (("advisor", "advisor"), ("manager", "manager"), ("admin", "admin"))
FILES = ("lr_desk.sqlite", "central.sqlite")  # what a demo set-up makes, besides its keys


def restart_unfinished(gate: Gate) -> None:
    """Throw away what a demo set-up cut short left (only if its keys say so)."""
    pending = gate.keyfile.pending()
    if not (gate.keyfile.exists and pending and pending.get("demo")):
        return
    log.warning("the demo set-up in %s was cut short: starting it again", gate.folder)
    for name in FILES:
        for suffix in ("", "-wal", "-shm", "-journal"):
            (gate.folder / f"{name}{suffix}").unlink(missing_ok=True)


# How far the set-up has got at each stage, of TOTAL: the fill takes most of the time
TOTAL = 1000
FILL_FROM, ACCOUNTS_FROM, SIGN_IN_FROM = 60, 860, 960


def set_up(gate: Gate, fill, progress=None) -> Unlocked:
    """The demo profile: its data encrypted like any desk's, filled by ``fill`` (given
    the store), with three accounts that sign in with PASSWORD; signed in as the
    advisor. ``progress(done, total, what)``, if given, hears how far it has got (on
    this thread); ``fill`` is then called with ``progress=`` too, and its steps are told
    within this set-up's."""
    from lr_desk.profile import open_store

    def say(done: int, what: str) -> None:
        if progress is not None:
            progress(done, TOTAL, what)

    def filling(done: int, total: int, what: str) -> None:
        say(FILL_FROM + (ACCOUNTS_FROM - FILL_FROM) * done // max(total, 1), what)

    say(0, "Making the demo's database, encrypted like any desk's")
    private_dir(gate.folder)
    restart_unfinished(gate)
    data_key = os.urandom(32)
    keyfile = KeyFile(gate.folder)
    keyfile.create(data_key)  # the demo's recovery key is shown to no one
    keyfile.set_pending({"demo": True})  # until it is finished: see Gate.state
    keyfile.save()  # before the database exists: its key is never lost
    gate.keyfile = keyfile
    store = open_store(gate.folder, key=data_key)
    try:
        if progress is None:
            fill(store)
        else:
            fill(store, progress=filling)
        say(ACCOUNTS_FROM, "Making the demo's sign-in accounts: advisor, manager and admin")
        with store.session() as s:
            chosen = settings.get(s, "advisor_id")
            people = [a for a in accounts.all_accounts(s) if a.id != chosen]
            password_hash = accounts.hash_password(PASSWORD)
            for (username, role), advisor in zip(
                    ACCOUNTS, [s.get(Advisor, chosen), *people], strict=False):
                advisor.username, advisor.role = username, role
                advisor.password_hash = password_hash
                keyfile.add(data_key, advisor.id, username, PASSWORD, password_hash)
        keyfile.set_pending(None)
        keyfile.save()  # the accounts, and "finished", at once
    finally:
        store.close()
    make_private(gate.folder)
    say(SIGN_IN_FROM, "Checking the demo's advisor can sign in")
    unlocked = gate.sign_in("advisor", PASSWORD)
    say(TOTAL, "The demo desk is ready")
    return unlocked
