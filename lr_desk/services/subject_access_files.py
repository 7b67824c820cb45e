"""A subject access export's two files: the document (``services.subject_access.gather``)
written as a readable PDF and as JSON, side by side in a folder the manager chose, never
over a file already there. Needs no database: the desk writes them beside the database
worker (a ten-year history is a few hundred pages, seconds of reportlab).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from lr_desk.services.subject_access_words import person_name


@dataclass(frozen=True)
class ExportResult:
    person_id: str  # the survivor's, if the export was asked for a merged-away record
    pdf: Path
    json: Path
    person_name: str


def to_json(document: dict) -> bytes:
    """The document as UTF-8 JSON, indented for reading, keys in a stable order."""
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def file_stem(document: dict) -> str:
    """'Subject access - Annie Quenington - 2025-06-11': the person's name kept to letters,
    digits, spaces and dashes (any script)."""
    safe = re.sub(r"\s+", " ", re.sub(r"[^\w\- ]", "", person_name(document))).strip() \
        or "person"
    made = (document["about"]["made_at"] or "")[:10]
    return f"Subject access - {safe} - {made}"


def _free(folder: Path, stem: str) -> str:
    """``stem``, or ``stem (2)``... so that neither file would overwrite one already there."""
    n, candidate = 1, stem
    while (folder / f"{candidate}.pdf").exists() or (folder / f"{candidate}.json").exists():
        n += 1
        candidate = f"{stem} ({n})"
    return candidate


def check_folder(folder: str | Path) -> str:
    """What is wrong with ``folder`` as a place to save, in plain words; "" if nothing."""
    if not str(folder).strip():
        return "Choose a folder to save the files in."
    path = Path(folder).expanduser()
    if not path.is_dir():
        return "There is no folder there. Choose one that exists."
    return ""


def write_files(document: dict, folder: str | Path) -> ExportResult:
    """Write the document to ``folder`` as a PDF and a JSON file, never over a file
    already there."""
    # The PDF's renderer (reportlab, about 0.2 s to import) is loaded when a manager first
    # exports, not with the desk's pages at sign-in: the desk warms it up on its spare
    # worker once search is ready (ui.application). No loop hides here: tests/test_imports
    # reads this import like any other (sheets.subject_access imports only the words).
    from lr_desk.sheets.render import write_atomically
    from lr_desk.sheets.subject_access import render_bytes

    problem = check_folder(folder)
    if problem:
        raise ValueError(problem)
    folder = Path(folder).expanduser()
    pdf = render_bytes(document)
    stem = _free(folder, file_stem(document))
    json_path = write_atomically(to_json(document), folder / f"{stem}.json")
    pdf_path = write_atomically(pdf, folder / f"{stem}.pdf")
    return ExportResult(document["about"]["person_id"], pdf_path, json_path,
                        person_name(document))
