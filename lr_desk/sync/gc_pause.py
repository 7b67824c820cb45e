"""Python's cycle collector held off while sync makes many small objects at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """A push's batch or a pull's page makes tens of thousands of small objects, which
    sets the cycle collector scanning the whole heap again and again (a third of a
    pull's time; ~100 ms in some pushes). They are freed by reference counting alone;
    the collector runs again after (if it was running before)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
