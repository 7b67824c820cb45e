"""How far a sync has got, as the engine reports it (engine.pull's ``progress``)."""

from __future__ import annotations

from dataclasses import dataclass

CHANGES, DOWNLOAD, LOAD = "changes", "download", "load"


@dataclass
class Progress:
    done: int  # changes pulled so far in this sync (DOWNLOAD: bytes of the snapshot)
    total: int  # changes there were to pull when it started (DOWNLOAD: the snapshot's bytes)
    # CHANGES: pulling the log; DOWNLOAD: a new device getting the snapshot of the
    # records (sync.snapshot_load); LOAD: putting it into the database (no counts)
    stage: str = CHANGES
