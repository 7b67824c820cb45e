"""Guard against a Qt binding that corrupts memory when signals carry bools.

PySide6 6.12.0 drops a reference to True/False on every such emission and the process
aborts (pyproject.toml excludes it). This runs the pattern in a child process so a bad
binding fails here, by name, instead of crashing the run somewhere else.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class O(QObject):
    s = Signal(bool)
o = O()
o.s.connect(lambda on: None)
for i in range(5000):
    o.s.emit(i % 2 == 0)
print("ok")
"""


def test_signals_carrying_bools_do_not_corrupt_memory():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         env=env, timeout=60)
    assert run.returncode == 0 and "ok" in run.stdout, (
        "the installed PySide6 mishandles bools in signals; install another version:\n"
        + run.stderr[-2000:])
