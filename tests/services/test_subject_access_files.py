"""The export's files are written by services.subject_access_files; the PDF's renderer
(reportlab) is loaded when a manager first exports, not when the desk's pages load at
sign-in (ui.rights imports services.subject_access with the desk)."""

from __future__ import annotations

import json
import subprocess
import sys

from lr_desk.services import subject_access
from lr_desk.sheets import subject_access as sheet

DOCUMENT = {
    "about": {"person_id": "p1", "made_at": "2025-06-11T09:00:00+01:00"},
    "person": {"preferred_name": "", "given_name": "Zahra", "family_name": "Hassan / Ali"},
}


def test_the_desk_can_load_the_export_without_loading_reportlab():
    code = ("import sys; import lr_desk.services.subject_access; print(sorted(m for m in "
            "sys.modules if m.startswith(('reportlab', 'lr_desk.sheets'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_pdf_and_the_files_name_the_person_with_one_rule():
    assert sheet.person_name is subject_access.person_name
    assert subject_access.file_stem(DOCUMENT) == "Subject access - Zahra Hassan Ali - 2025-06-11"


def test_write_files_writes_the_json_as_gathered_and_a_pdf(tmp_path):
    document = {**DOCUMENT, "about": {**DOCUMENT["about"], "notes": ["A note."]}}
    result = subject_access.write_files(document, tmp_path)
    assert result.person_id == "p1" and result.person_name == "Zahra Hassan / Ali"
    assert json.loads(result.json.read_text(encoding="utf-8")) == document
    assert result.pdf.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Subject access - Zahra Hassan Ali - 2025-06-11.json",
        "Subject access - Zahra Hassan Ali - 2025-06-11.pdf"]
