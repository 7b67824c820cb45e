"""The desktop bundle: packaging/build.py builds it with PyInstaller (one folder) from
packaging/lr_desk.spec, as IT's build machine would; then, with nothing of the checkout or
the virtual environment in reach (a bare environment, another folder), its self-test
passes and its desk opens a profile made by the first schema, upgrading it after its
backup. The bundle leaves out the Qt modules the desk does not use and keeps printing and
PDF. (The Windows installer cannot be built here: its script is checked for what it
promises.) About a minute and a half."""

from __future__ import annotations

import configparser
import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from lr_desk.services.signin import Gate
from lr_desk.store.db import MIGRATIONS, head_revision, make_engine, migrate
from tests.store.test_migrations import assert_rows_kept, fill_every_table

CHECKOUT = Path(__file__).resolve().parents[1]
PACKAGING = CHECKOUT / "packaging"
PASSWORD = "first admin's password"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    done = subprocess.run([sys.executable, str(PACKAGING / "build.py"), "--no-self-test",
                           "--dist", str(out / "dist"), "--work", str(out / "work")],
                          cwd=CHECKOUT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out / "dist" / "lr-desk"


def bare(home: Path, **more: str) -> dict[str, str]:
    """An environment with nothing of this checkout or its Python in it."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
            "QT_QPA_PLATFORM": "offscreen", **more}


def test_the_bundle_passes_its_self_test_away_from_the_checkout(bundle, tmp_path):
    done = subprocess.run([str(bundle / "lr-desk-cli"), "--self-test"], cwd=tmp_path,
                          env=bare(tmp_path), capture_output=True, text=True, timeout=600)
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert lines[-1].startswith("lr_desk self-test: all") and "FAIL" not in done.stdout
    assert any(line.split()[:2] == ["ok", "upgrade"] for line in lines)
    assert done.stderr == ""  # nothing alarming on IT's terminal
    version = subprocess.run([str(bundle / "lr-desk-cli"), "--version"], env=bare(tmp_path),
                             capture_output=True, text=True, timeout=60)
    assert version.stdout.startswith("lr_desk ")


def first_schema_profile(folder: Path) -> dict[str, dict]:
    """A profile as the first release left it: unencrypted, schema 0001, a row in every
    table (its outbox sent: empty). Returns the rows."""
    folder.mkdir()
    path = folder / "lr_desk.sqlite"
    engine = make_engine(path)
    try:
        migrate(engine, path, folder / "backups", target=ScriptDirectory(
            str(MIGRATIONS)).get_base())
        rows = fill_every_table(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM outbox"))
        rows.pop("outbox")
    finally:
        engine.dispose()
    return rows


def test_the_bundle_opens_a_profile_made_by_the_first_schema(bundle, tmp_path):
    old = tmp_path / "old-profile"
    rows = first_schema_profile(old)
    # the bundle's desk starts on it as after an upgrade: the first account is set up,
    # the records encrypted after a backup and migrated to this build's schema
    done = subprocess.run(
        [str(bundle / "lr-desk"), "--data-dir", str(old), "--exit-when-ready"],
        cwd=tmp_path, env=bare(tmp_path, LR_DESK_USERNAME="firstadmin",
                               LR_DESK_PASSWORD=PASSWORD),
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    figures = json.loads(done.stdout.splitlines()[-1])
    assert {"set_up_ms", "attached_ms", "index_ms"} <= set(figures)

    unlocked = Gate(old).sign_in("firstadmin", PASSWORD)
    try:
        assert_rows_kept(unlocked.store.engine, rows)
        with unlocked.store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")
                                ).scalar() == head_revision()
    finally:
        unlocked.store.close()
    assert list((old / "backups").glob("lr_desk-before-encryption-*.sqlite"))


def test_the_bundle_carries_what_the_desk_uses_and_not_what_it_does_not(bundle):
    qt = bundle / "_internal" / "PySide6"
    names = {p.name for p in qt.rglob("*")}
    for kept in ("QtPrintSupport", "QtPdf", "QtPdfWidgets", "QtCharts", "QtSvg"):
        assert any(n.startswith(kept + ".") for n in names), kept
    for left_out in ("QtWebEngine", "Qt6WebEngine", "QtQml", "Qt6Qml", "Qt6Quick",
                     "QtDesigner", "Qt6Designer", "Qt3D", "QtMultimedia",
                     "qtvirtualkeyboardplugin"):
        assert not any(left_out in n for n in names), left_out
    assert (bundle / "_internal" / "lr_desk" / "data" / "reference.json").is_file()
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(bundle / "lr-desk.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Exec"] == "lr-desk"
    assert desktop["Icon"] == "lr-desk" and (bundle / "lr-desk.png").is_file()


def test_the_windows_installer_is_per_user_and_leaves_the_data_alone():
    script = (PACKAGING / "lr_desk.iss").read_text(encoding="utf-8")
    setup = dict(line.split("=", 1) for line in script.split("[Setup]")[1].split("\n[")[0]
                 .splitlines() if "=" in line and not line.startswith(";"))
    assert setup["PrivilegesRequired"] == "lowest"  # no administrator rights
    assert setup["DefaultDirName"].startswith("{autopf}")  # the user's own Programs
    assert "{autoprograms}" in script.split("[Icons]")[1]  # a Start menu shortcut
    assert "[UninstallDelete]" not in script  # removes only what it installed
    assert "MerseyCare" not in script.split("[Setup]")[1]  # the data folder is not its
    spec = (PACKAGING / "lr_desk.spec").read_text(encoding="utf-8")
    assert 'executable("lr-desk"' in spec and "{app}\\lr-desk.exe" in script
