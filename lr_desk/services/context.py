"""What every page needs to know: who is at the desk, where, and the lists to choose from
(read on the database lane when the desk opens, and again when the lists change)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from lr_desk import settings
from lr_desk.services import advisors, directory, reference
from lr_desk.services.accounts import SignedIn
from lr_desk.services.directory import ServiceRow
from lr_desk.services.dropin import Known
from lr_desk.store.models import Advisor, Category, Course, Site


@dataclass
class Lists:
    sites: list[Site] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    advisors: list[Advisor] = field(default_factory=list)
    services: list[ServiceRow] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session) -> Lists:
        return cls(reference.sites(session), reference.categories(session),
                   advisors.active(session), directory.services(session),
                   directory.courses(session))

    def known(self) -> Known:
        return Known({s.code for s in self.sites}, {c.code for c in self.categories},
                     {r.service.id: r.service.name for r in self.services},
                     {c.id: c.title for c in self.courses}, {a.id for a in self.advisors})

    def site_name(self, code: str) -> str:
        return next((s.name for s in self.sites if s.code == code), code)

    def advisor_name(self, advisor_id: str | None) -> str:
        return next((a.name for a in self.advisors if a.id == advisor_id), "")


@dataclass
class Desk:
    advisor_id: str
    site_code: str
    autosave_seconds: int
    lists: Lists
    signed_in: SignedIn | None = None  # who is at the desk, with their role
    lock_minutes: int = 5

    @classmethod
    def load(cls, session: Session) -> Desk:
        advisor_id = settings.get(session, "advisor_id")
        advisor = session.get(Advisor, advisor_id) if advisor_id else None
        return cls(advisor_id, settings.get(session, "site_code"),
                   settings.get(session, "autosave_seconds"), Lists.load(session),
                   SignedIn.of(advisor) if advisor is not None else None,
                   settings.get(session, "lock_minutes"))

    def can(self, what: str) -> bool:
        """Whether whoever is signed in may do ``what`` (see services.accounts.NEEDS)."""
        return self.signed_in is not None and self.signed_in.can(what)
