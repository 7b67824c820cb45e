"""Real small filesystems for the tests of faults: a full disk, a read-only one."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import pytest


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "200k", read_only: bool = False):
    """A real filesystem of ``size`` at ``folder`` (tmpfs: mounting needs root); the test
    is skipped where mounting is not permitted."""
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> OSError:
    """Write into ``folder`` until the disk is full: the error the system gave."""
    with open(folder / "filler", "wb", buffering=0) as f:  # (nothing left to flush)
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError as exc:
            return exc
