"""Imports point one way: ui -> services, sheets, sync -> store (DESIGN.md's layers), with
no loop between files, and the UI reaches data only through services.

Every import in lr_desk is read from the source (those inside functions too, which can
hide a loop until the day the function first runs); only those under
``if TYPE_CHECKING:``, which never run, are left out.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import lr_desk

PACKAGE = Path(lr_desk.__file__).parent

# Each part's place: a part may import its own rank or lower, never higher.
RANK = {
    "store": 0, "__init__": 0,
    "settings": 1, "resources": 1, "paths": 1, "licences": 1,
    "services": 2, "sheets": 2, "sync": 2, "profile": 2,
    "faults": 3, "demo": 3,
    "ui": 4,
    "app": 5, "selftest": 5, "cli": 5, "cli_directory": 5, "cli_report": 5, "cli_snapshot": 5,
    "__main__": 5,
}
# What ui/ may use of the store: its vocabulary and record types (what services hand
# it), never sessions, engines or queries.
UI_MAY_USE_FROM_STORE = {"lr_desk.store.models", "lr_desk.store.clock"}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "versions" in path.parts:  # migration scripts: run by Alembic, not imported
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def part(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for inner in node.body for n in ast.walk(inner))
    return skipped


def imports() -> dict[str, set[str]]:
    """Module -> the lr_desk modules it imports (at any depth in the file)."""
    known = modules()
    found: dict[str, set[str]] = defaultdict(set)
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_nodes(tree)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                         for a in node.names]
            else:
                continue
            for name in names:
                if name.startswith("lr_desk") and name != module:
                    while name not in known and "." in name:
                        name = name.rpartition(".")[0]
                    found[module].add(name)
    return found


def test_every_import_points_down_a_layer_or_stays_level():
    upward = [f"{m} -> {t}" for m, targets in imports().items() for t in targets
              if RANK[part(t)] > RANK[part(m)]]
    assert not upward, "imports pointing up a layer:\n" + "\n".join(sorted(upward))


def test_no_two_files_import_each_other_round_a_loop():
    graph = imports()
    loops, state = [], {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                loops.append(" -> ".join([*path[path.index(target):], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    # a package's __init__ importing its own modules is no loop of files
    loops = [loop for loop in loops if len(set(loop.split(" -> "))) > 1]
    assert not loops, "import loops:\n" + "\n".join(loops)


def test_the_ui_reaches_data_only_through_services():
    graph = imports()
    reaching = [f"{m} -> {t}" for m, targets in graph.items() if part(m) == "ui"
                for t in targets if part(t) == "store" and t not in UI_MAY_USE_FROM_STORE]
    sql = []
    for module, path in modules().items():
        if part(module) != "ui":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skipped or not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names]
            if any(n == "sqlalchemy" or n.startswith("sqlalchemy.") for n in names):
                sql.append(f"{module} imports SQLAlchemy (line {node.lineno})")
    assert not reaching + sql, "the UI reaching past services:\n" + "\n".join(reaching + sql)


def test_nothing_below_the_ui_imports_qt():
    qt = []
    for module, path in modules().items():
        if part(module) in ("ui", "app", "__main__"):
            continue
        text = path.read_text(encoding="utf-8")
        if "PySide6" in text and "import" in text:
            tree = ast.parse(text)
            for node in ast.walk(tree):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                    [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if any(n.startswith("PySide6") for n in names):
                    qt.append(f"{module} (line {node.lineno})")
    assert not qt, "Qt imported below the UI:\n" + "\n".join(qt)


def test_no_file_in_lr_desk_is_over_about_400_lines():
    long = {module: n for module, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 420}
    assert not long, f"files over ~400 lines: {long}"
