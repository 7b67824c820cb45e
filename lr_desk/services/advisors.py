"""Advisors as the lists know them (the staff accounts behind them, with usernames, roles
and passwords, are in ``services.accounts``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lr_desk.services.validation import Checker, check_choice, check_name
from lr_desk.store.models import Advisor, Site


def active(session: Session) -> list[Advisor]:
    return list(session.scalars(select(Advisor).where(Advisor.active.is_(True),
                                                      Advisor.deleted_at.is_(None))
                                .order_by(Advisor.name)))


def create(session: Session, name: str, home_site: str) -> Advisor:
    c = Checker()
    sites = {code: code for code in session.scalars(select(Site.code))}
    clean_name = c.field("name", check_name, name, "advisor's name")
    site = c.field("home_site", check_choice, home_site, sites, "home hub")
    c.done()
    advisor = Advisor(name=clean_name, home_site=site)
    session.add(advisor)
    session.flush()
    return advisor
