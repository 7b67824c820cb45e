"""The managers' reports: what the service achieves, for any period and sites.

``make(session, name, period)`` counts one report (see ``core`` for its shape and the
rules every report keeps); ``NAMES`` lists them in the order the Reports page and
``lr-desk report`` offer them. Each lives in its own module, with a ``make(session,
period, check)`` and its definitions (what counts as what) in its docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from sqlalchemy.orm import Session

from lr_desk.services.reports.core import Period, Report, never_stopped

# name -> (module, title)
REPORTS = {
    "referrals": ("referrals", "Onward referrals by category"),
    "activity": ("activity", "Activity"),
    "partners": ("partners", "Partners"),
    "follow-ups": ("followups", "Follow-ups"),
    "outcomes": ("outcomes", "Outcomes: wellbeing"),
}
NAMES = tuple(REPORTS)


def make(session: Session, name: str, period: Period,
         check: Callable[[], None] = never_stopped) -> Report:
    """Count report ``name`` for ``period``. ``check()`` is called now and then and may
    raise core.Stopped (the Reports page's Stop)."""
    if name not in REPORTS:
        raise ValueError(f"There is no report called {name!r}: choose one of "
                         f"{', '.join(NAMES)}.")
    module = import_module(f"lr_desk.services.reports.{REPORTS[name][0]}")
    return module.make(session, period, check)
