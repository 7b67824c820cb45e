"""PySide6's look at each module imported after it (does it use PySide6?) gives the same
answers, without Python's linecache keeping every module's source for good."""

from __future__ import annotations

import json
import subprocess
import sys

CHECK = r"""
import json, linecache, sys
sys.path.insert(0, sys.argv[1])
import lr_desk.ui  # (what the desk imports first)
feature = sys.modules.get("PySide6.support.feature")
import lr_test_uses_qt, lr_test_plain
print(json.dumps({
    "classes": feature and {name: feature.pyside_feature_dict.get(name)
                            for name in ("lr_test_uses_qt", "lr_test_plain")},
    "kept": [name for name in linecache.cache if "lr_test_" in name]}))
"""


def test_modules_imported_later_are_classified_without_their_source_kept(tmp_path):
    (tmp_path / "lr_test_uses_qt.py").write_text("from PySide6 import QtCore  # noqa\n")
    (tmp_path / "lr_test_plain.py").write_text("ANSWER = 42\n" * 5000)
    run = subprocess.run([sys.executable, "-c", CHECK, str(tmp_path)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.splitlines()[-1])
    if seen["classes"] is not None:  # (a PySide6 with its feature check)
        assert seen["classes"] == {"lr_test_uses_qt": 0, "lr_test_plain": -1}
    assert seen["kept"] == []
