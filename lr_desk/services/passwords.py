"""Changing and resetting passwords on a desk (the part of services.signin's Gate that
keeps the keys file in step with the synced account's password hash). No Qt."""

from __future__ import annotations

from lr_desk.services import accounts, proofs
from lr_desk.services.accounts import SignedIn
from lr_desk.services.guard import wait_message
from lr_desk.services.validation import ValidationError
from lr_desk.store.clock import utcnow
from lr_desk.store.db import Store
from lr_desk.store.keys import KeyFile, Locked, WrongPassword
from lr_desk.store.models import Advisor


class Passwords:
    """Password changes for a desk's Gate (services.signin), on its ``keyfile``."""

    keyfile: KeyFile

    def change_password(self, store: Store, who: SignedIn, old: str, new: str,
                        again: str) -> None:
        """Someone changes their own password (offline too: the new hash syncs). Wrong
        current passwords wait and lock as at sign-in."""
        now = utcnow()

        def check() -> str | None:
            with store.session() as s:
                advisor = s.get(Advisor, who.advisor_id)
                if not accounts.password_matches(advisor.password_hash, old):
                    return None
                own = proofs.signer_for(s, advisor, old, always=True)  # resealed under new
                return accounts.set_password(s, who.advisor_id, new, again,
                                             signer=own).password_hash

        try:
            password_hash = self.keyfile.lockout.attempt(who.username, check, now)
        except Locked as exc:
            raise ValidationError({"old_password": wait_message(exc, now)}) from None
        except WrongPassword:
            raise ValidationError({"old_password": "That is not your current password."}
                                  ) from None
        self.keyfile.add(store.key, who.advisor_id, who.username, new, password_hash)
        self.keyfile.save()

    def reset_password(self, store: Store, advisor_id: str, new: str, again: str) -> None:
        """An admin sets someone's password (a forgotten one, or a new account's): this desk
        opens with it at once, other desks once it has synced and been used there. Signed
        by the admin signed in; with the recovery key (nobody signed in) it is for this
        desk only: other desks set it aside."""
        with store.session() as s:
            advisor = accounts.set_password(s, advisor_id, new, again,
                                            signer=getattr(store, "signer", None))
            username, password_hash = advisor.username, advisor.password_hash
        if username:
            self.keyfile.add(store.key, advisor_id, username, new, password_hash)
            self.keyfile.clear_failures(username)
            self.keyfile.save()
