"""The core runs with no display: nothing outside lr_desk/ui/ and the entry point imports
PySide6 (DESIGN.md, "Layout and layers")."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import lr_desk

PACKAGE = Path(lr_desk.__file__).resolve().parent
ALLOWED = {PACKAGE / "app.py", PACKAGE / "__main__.py"}


def core_sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if "ui" not in p.relative_to(PACKAGE).parts[:1] and p not in ALLOWED)


def qt_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "PySide6"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "PySide6":
                found.append(node.module)
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__"
              and node.args and isinstance(node.args[0], ast.Constant)
              and str(node.args[0].value).startswith("PySide6")):
            found.append(node.args[0].value)
    return found


def test_the_scan_sees_the_core():
    names = {p.relative_to(PACKAGE).as_posix() for p in core_sources()}
    assert {"store/db.py", "store/outbox.py", "services/search.py", "settings.py",
            "profile.py"} <= names
    assert not any(n.startswith("ui/") for n in names)


def test_the_scan_would_see_a_qt_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nif True:\n    from PySide6.QtCore import QObject\n"
                      "import PySide6.QtWidgets as w\n")
    assert sorted(qt_imports(sample)) == ["PySide6.QtCore", "PySide6.QtWidgets"]


def test_no_core_source_imports_pyside6():
    offenders = {p.relative_to(PACKAGE).as_posix(): qt_imports(p) for p in core_sources()}
    assert {k: v for k, v in offenders.items() if v} == {}


IMPORT_ALL = r"""
import importlib, pkgutil, sys
import lr_desk

SKIP = {"lr_desk.ui", "lr_desk.app", "lr_desk.__main__"}
names = []
# walk_packages imports every package it passes through, so it is not let near lr_desk.ui
for top in pkgutil.iter_modules(lr_desk.__path__, "lr_desk."):
    if top.name in SKIP:
        continue
    module = importlib.import_module(top.name)
    names.append(top.name)
    if top.ispkg:
        for info in pkgutil.walk_packages(module.__path__, top.name + "."):
            importlib.import_module(info.name)
            names.append(info.name)
print("\n".join(names))
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "PySide6")
assert not loaded, loaded
"""


def test_importing_every_core_module_loads_no_qt():
    done = subprocess.run([sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    imported = set(done.stdout.split())
    assert {"lr_desk.store.db", "lr_desk.services.search", "lr_desk.services.dropin",
            "lr_desk.profile", "lr_desk.settings"} <= imported
    assert not any(n.startswith(("lr_desk.ui", "lr_desk.app")) for n in imported)
