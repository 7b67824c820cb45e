"""Per-device settings, each declared once: name, type, default and what it is for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lr_desk.store.models import Setting


@dataclass(frozen=True)
class Option:
    name: str
    type: type
    default: Any
    description: str


OPTIONS: dict[str, Option] = {o.name: o for o in (
    Option("advisor_id", str, "", "The advisor profile in use on this desk."),
    Option("site_code", str, "walton", "Where this desk is: a hub, or a way of working."),
    Option("autosave_seconds", int, 5, "How often unsaved forms are kept as a draft, in seconds."),
    Option("search_limit", int, 50, "How many people a search shows at most."),
    Option("demo_filled", bool, False, "Whether the demo profile has been filled with data."),
    Option("reference_checksum", str, "", "Checksum of the shipped reference data last loaded."),
    Option("central_url", str, "", "The central store's address, without its password "
           "(empty: the embedded store, a file in this profile's folder)."),
    Option("central_pull_url", str, "", "A streaming replica of the central store to "
           "pull from, without its password (empty: pull from the central store itself)."),
    Option("device_name", str, "", "This desk's name at the central store, as registered "
           "there (empty: the computer's name)."),
    Option("lock_minutes", int, 5, "Minutes without a key press or a click before the "
           "desk locks itself (staff sign in again to go on)."),
    Option("sync_minutes", int, 5, "How often to sync while the central store can be "
           "reached, in minutes."),
    # 8: the NHS Records Management Code of Practice keeps most adult health and care
    # records for eight years after the last contact; the service's IG lead may choose
    # otherwise (services.retention).
    Option("retention_years", int, 8, "Years without contact after which a person is "
           "listed for review under the retention policy."),
)}


def _fits(option: Option, value: Any) -> bool:
    """Of the option's type (a bool is not taken for an int)."""
    return isinstance(value, option.type) and (option.type is bool or not isinstance(value, bool))


def get(session: Session, name: str) -> Any:
    option = OPTIONS[name]
    row = session.get(Setting, name)
    if row is None or not _fits(option, row.value):
        return option.default
    return row.value


def put(session: Session, name: str, value: Any) -> None:
    option = OPTIONS[name]
    if not _fits(option, value):
        raise TypeError(f"setting {name} takes {option.type.__name__}, not {value!r}")
    row = session.get(Setting, name)
    if row is None:
        session.add(Setting(key=name, value=value))
    else:
        row.value = value
