"""What a save, a pull or a merge changed, so each page can bring itself up to date.

Every write through the desk's database worker, and every sync pull, ends with one
``Changed``: the names of the entities touched (``person``, ``referral``...) with the
ids of the rows. Pages hear it (``Tasks.changed`` in the UI) and reload what they show
when it touches them, so no page needs to know which other page made the change (after
Anki's ``OpChanges``). The store's change capture records what each transaction
touched (``touched``) as it writes the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from lr_desk.store.outbox import TOUCHED


@dataclass(frozen=True)
class Changed:
    entities: Mapping[str, frozenset[str]] = field(default_factory=dict)
    pulled: bool = False  # brought in by a sync from other desks

    @classmethod
    def of(cls, touched: Mapping[str, Iterable[str]], pulled: bool = False) -> Changed:
        return cls({name: frozenset(ids) for name, ids in touched.items() if ids}, pulled)

    def __bool__(self) -> bool:
        return bool(self.entities)

    def touches(self, *names: str) -> bool:
        return any(name in self.entities for name in names)

    def ids(self, name: str) -> frozenset[str]:
        return self.entities.get(name, frozenset())


def touched(session: Session) -> Changed:
    """What the session's transaction wrote (empty for a read)."""
    return Changed.of(session.info.get(TOUCHED, {}))
