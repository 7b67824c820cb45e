"""The subject access PDF names the person as the export's files do (the two modules read
the name from the document each, so as not to import each other)."""

from __future__ import annotations

import pytest

from lr_desk.services import subject_access as service
from lr_desk.sheets import subject_access as sheet


@pytest.mark.parametrize("person", [
    {"preferred_name": "Annie", "given_name": "Annabel", "family_name": "Quenington"},
    {"preferred_name": "", "given_name": "Annabel", "family_name": "Quenington"},
    {"preferred_name": None, "given_name": "زهرة", "family_name": "حسن"},
    {"preferred_name": None, "given_name": None, "family_name": None},  # erased
])
def test_the_pdf_and_the_files_name_the_person_alike(person):
    document = {"person": person}
    assert sheet.person_name(document) == service.person_name(document)
