"""Help > About's licence list (lr_desk.licences): every distribution the desk needs at run
time, what carries its own licence inside them, and every shipped data file, each with a
licence named and its text; check() (run by the self-test) finds nothing wrong here and
says what is wrong when something is."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from lr_desk import licences
from lr_desk.resources import RESOURCES

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def software() -> dict[str, licences.Part]:
    return {licences.key(p.name): p for p in licences.parts() if p.kind == "software"}


def test_every_distribution_the_desk_needs_is_listed_with_its_licence_and_text():
    dists, not_installed = licences.closure()
    assert not not_installed
    listed = software()
    for name, dist in dists.items():
        part = listed[name]
        assert part.version == dist.version
        assert part.licence.strip(), f"{name}: no licence named"
        texts = [p for p in part.files if p.is_file()]
        assert texts, f"{name}: no licence text"
        assert len(part.text()) > 200, f"{name}: its licence text is too short to be one"


def test_the_closure_follows_requirements_extras_and_markers():
    names = set(licences.closure()[0])
    declared = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    for requirement in declared:
        name = licences.key(requirement.split("[")[0].split(">")[0].split("=")[0].split("!")[0])
        assert name in names, f"{name}, a direct requirement, is missing"
    # pulled in by the requirements: what a hand-written list missed
    for name in ("jsonschema-specifications", "referencing", "attrs", "rpds-py",
                 "et-xmlfile", "mako", "markupsafe", "cffi", "pycparser",
                 "argon2-cffi-bindings", "shiboken6", "pillow", "six"):
        assert name in names, name
    assert "psycopg-binary" in names  # psycopg[binary]: the extra is followed
    # only for the tests, or for nothing the desk runs
    for name in ("pytest", "pytest-qt", "hypothesis", "pypdf", "psutil", "pyinstaller",
                 "pip", "setuptools", "lr-desk"):
        assert name not in names, name
    assert "pywin32-ctypes" not in names  # keyring's, on Windows only


def test_the_licence_named_is_the_metadata_s_own_made_short():
    listed = software()
    assert listed["sqlalchemy"].licence == "MIT"  # License-Expression
    assert listed["cryptography"].licence == "Apache-2.0 OR BSD-3-Clause"
    assert listed["openpyxl"].licence == "MIT"  # the License field
    assert listed["reportlab"].licence == "BSD"  # too long a field: its classifier
    assert listed["sqlcipher3"].licence == "Zlib"  # its metadata names none
    assert "LGPL-3.0-only" in listed["pyside6-essentials"].licence


def test_qt_for_python_which_ships_no_licence_file_shows_the_lgpl_and_gpl():
    part = software()["pyside6-essentials"]
    text = part.text()
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "Version 3" in text
    assert "GNU GENERAL PUBLIC LICENSE" in text


def test_what_is_inside_the_software_has_its_own_licence_and_text():
    inside = {p.name: p for p in licences.parts() if p.kind == "inside"}
    assert inside["Qt 6"].licence == "LGPL-3.0-only"
    assert "ZETETIC LLC" in inside["SQLCipher"].text()
    assert "public domain" in inside["SQLite"].text()
    assert "Apache License" in inside["OpenSSL"].text()
    assert "University of California" in inside["libpq (PostgreSQL's client library)"].text()
    python = inside["Python"]
    assert python.licence == "PSF-2.0" and "Python Software Foundation" in python.text()
    assert "PyInstaller bootloader" not in inside  # only inside the desktop bundle
    assert inside["Qt 6"].version == software()["pyside6-essentials"].version
    linked = "Kerberos, OpenLDAP, Cyrus SASL and the other libraries libpq links"
    assert (linked in inside) is sys.platform.startswith("linux")  # psycopg-binary's .libs


def test_every_data_file_is_covered_with_its_licence_and_where_it_came_from():
    every = licences.parts()
    assert licences.uncovered(licences.data_files(), every) == []
    data = {p.name: p for p in every if p.kind == "data"}
    for part in data.values():
        assert part.licence and part.note and part.text().strip(), part.name
        assert not part.missing(), part.name
    assert "Bitstream" in data["DejaVu fonts"].text()
    assert "ISC" in data["Lucide icons"].text()
    assert "Attribution-ShareAlike 4.0" in data["HSDS 3.0 and Open Referral UK schemas"].text()
    assert "Apache License" in data["Nicknames (nicknames.csv)"].text()
    # the notice wellbeing.json carries, shown as it stands there
    swemwbs = data["SWEMWBS wellbeing scale (wellbeing.json)"].text()
    assert "© NHS Health Scotland, University of Warwick and University of Edinburgh" in swemwbs


def test_a_desk_whose_own_metadata_is_missing_says_so():
    dists, not_installed = licences.closure("no-such-desk")
    assert dists == {} and not_installed == ["no-such-desk (the desk itself)"]


def test_a_data_file_added_without_its_licence_line_is_found():
    every = licences.parts()
    names = [*licences.data_files(), "new_list.json", "fonts/DejaVuSansMono.ttf"]
    assert licences.uncovered(names, every) == ["new_list.json"]  # fonts/DejaVu* covers it
    found = licences.problems(every, [], names)
    assert len(found) == 1 and "lr_desk/data/new_list.json" in found[0]


def test_check_finds_nothing_wrong_here_and_says_what_is_wrong_elsewhere():
    assert licences.check() == []
    broken = (licences.Part("Something", "1", "", "software", "a part with no licence"),
              licences.Part("Other", "2", "MIT", "software", "its file has gone",
                            files=(RESOURCES / "licences" / "gone.txt",)))
    found = licences.problems(broken, ["leftpad (needed by Other)"], [])
    assert found == ["leftpad (needed by Other): no metadata found (not installed, or its "
                     ".dist-info folder not bundled)",
                     "Something: no licence named", "Something: no licence text",
                     f"Other: licence file missing: {RESOURCES / 'licences' / 'gone.txt'}",
                     "Other: no licence text"]
