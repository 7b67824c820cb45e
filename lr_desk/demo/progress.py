"""Saying how far the demo's fill has got, for the window that waits on it.

``fill_demo(..., progress=callback)`` calls ``callback(done, total, what)`` on the thread
that fills (the desk's worker): ``done`` never goes back and ends at ``total``, ``what``
says the stage in plain words. ``Steps`` keeps it cheap: at most one call per ``gap``
seconds within a stage (a new stage and the end are always said). No Qt.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Progress = Callable[[int, int, str], None]  # (done, total, what)

TOTAL = 1000  # the fill's steps: enough for a smooth bar
GAP = 0.05  # seconds: never more than about twenty calls a second


class Steps:
    """Passes ``(done, total, what)`` on to ``progress`` (if any), never backwards, never
    past ``total``, and not more often than once per ``gap`` seconds unless ``what`` is a
    new stage (``stage``, the words without their running count) or the end."""

    def __init__(self, progress: Progress | None, total: int = TOTAL, gap: float = GAP,
                 clock: Callable[[], float] = time.monotonic):
        self.progress, self.total, self.gap, self.clock = progress, total, gap, clock
        self.done = 0
        self.stage: str | None = None
        self.said_at: float | None = None

    def __call__(self, done: int, what: str, stage: str | None = None) -> None:
        if self.progress is None:
            return
        done = min(max(done, self.done), self.total)
        stage = what if stage is None else stage
        now = self.clock()
        if (stage == self.stage and done < self.total and self.said_at is not None
                and now - self.said_at < self.gap):
            return
        self.done, self.stage, self.said_at = done, stage, now
        self.progress(done, self.total, what)

    def part(self, start: int, end: int, n: int, of: int, what: str, stage: str) -> None:
        """Step ``n`` of ``of`` within the range ``start``..``end``."""
        self(start + (end - start) * n // max(of, 1), what, stage)

    def end(self, what: str) -> None:
        self(self.total, what)
