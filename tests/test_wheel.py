"""The wheel carries everything the desk reads at run time: built from this checkout,
installed into a fresh virtual environment outside it (its dependencies lent by the
test's own environment, as pip would have fetched them), it opens a new profile (the
migrations and reference data read from the installed package), finds every file of
lr_desk/data, and its installed ``lr-desk --self-test`` passes. Needs pip's build of
the wheel (setuptools, fetched from the package index as any build is)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import lr_desk
from lr_desk.resources import RESOURCES

CHECKOUT = Path(lr_desk.__file__).resolve().parent.parent


def test_the_wheel_installs_and_runs_outside_the_checkout(tmp_path):
    built = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                    "--wheel-dir", str(built), str(CHECKOUT)], check=True, timeout=600)
    [wheel] = built.glob("lr_desk-*.whl")
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    # (the dependencies, not lr_desk: a .pth's own .pth files, the editable install's
    # finder among them, are not read)
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "--quiet", str(wheel)], check=True,
                   timeout=600)
    shipped = sorted(str(p.relative_to(RESOURCES)) for p in RESOURCES.rglob("*")
                     if p.is_file())
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        import lr_desk
        from lr_desk.resources import RESOURCES, load_json
        from lr_desk.profile import open_store
        assert Path(lr_desk.__file__).is_relative_to({str(site)!r}), lr_desk.__file__
        found = sorted(str(p.relative_to(RESOURCES)) for p in RESOURCES.rglob("*")
                       if p.is_file())
        missing = sorted(set({shipped!r}) - set(found))
        assert not missing, missing
        store = open_store(Path({str(tmp_path / "profile")!r}))
        store.close()
        print("ok", len(found), load_json("wellbeing.json")["swemwbs"]["metric"]["35"])
        """)
    done = subprocess.run([str(python), "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["ok", str(len(shipped)), "35.0"]

    # and what IT runs after installing: the installed command's self-test
    checked = subprocess.run([str(fresh / "bin" / "lr-desk"), "--self-test"], cwd=tmp_path,
                             env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                  "QT_QPA_PLATFORM": "offscreen"},
                             capture_output=True, text=True, timeout=600)
    assert checked.returncode == 0, checked.stdout + checked.stderr[-3000:]
    assert checked.stdout.splitlines()[-1].startswith("lr_desk self-test: all")
