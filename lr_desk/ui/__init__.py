"""The Qt desk: every widget, model and dialog. The only package that imports PySide6.

Importing it first makes PySide6's check of each module imported after it cheap in
memory (``_read_without_keeping``)."""

import sys

import PySide6  # noqa: F401 (installs its import hook; the module below comes with it)


def _read_without_keeping(module) -> bool:
    """PySide6 looks at the source of every module imported after it, for the word
    "PySide6" (a module that has it may use PySide6's optional features). It reads the
    source through ``inspect``, so Python's ``linecache`` keeps every line of every
    module for good: SQLAlchemy's, the models', the desk's own, some 25 MB at start, and
    more of the process's memory than that (the lines' small pieces are scattered among
    what stays). The same answer, the file read and let go."""
    path = getattr(module, "__file__", None)
    if not path or not path.endswith(".py"):
        return False  # (as PySide6 says of a module without source)
    try:
        with open(path, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return False


_feature = sys.modules.get("PySide6.support.feature")
if _feature is not None and hasattr(_feature, "_mod_uses_pyside"):  # (PySide6 6.x)
    _feature._mod_uses_pyside = _read_without_keeping
