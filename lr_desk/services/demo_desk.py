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


def set_up(gate: Gate, fill) -> Unlocked:
    """The demo profile: its data encrypted like any desk's, filled by ``fill`` (given
    the store), with three accounts that sign in with PASSWORD; signed in as the
    advisor."""
    from lr_desk.profile import open_store

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
        fill(store)
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
    return gate.sign_in("advisor", PASSWORD)
