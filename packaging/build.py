"""Build the lr_desk desktop bundle (and on Windows its installer) in one command:

    python packaging/build.py            # from the repository, in its virtual environment

1. draws the application icon (PNG and ICO) from lr_desk/data/icons/lr-desk.svg;
2. runs PyInstaller on packaging/lr_desk.spec: a one-folder bundle in dist/lr-desk;
3. puts the Linux .desktop entry and icon beside it (Linux), or runs Inno Setup's
   compiler on packaging/lr_desk.iss when it is installed (Windows): dist/installer;
4. runs the bundle's own ``lr-desk-cli --self-test`` (leave out with --no-self-test).

Needs the project installed with its ``bundle`` extra (PyInstaller). Exit 0 when the
bundle was built and (unless left out) its self-test passed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SVG = ROOT / "lr_desk" / "data" / "icons" / "lr-desk.svg"
WINDOWS = sys.platform == "win32"


def draw_icons(out: Path) -> tuple[Path, Path]:
    """lr-desk.png and lr-desk.ico (256 px), drawn with Qt's SVG renderer."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read the icon {SVG}")
    out.mkdir(parents=True, exist_ok=True)

    def image(size: int) -> QImage:
        picture = QImage(size, size, QImage.Format.Format_ARGB32)
        picture.fill(Qt.GlobalColor.transparent)
        painter = QPainter(picture)
        renderer.render(painter)
        painter.end()
        return picture

    png, ico = out / "lr-desk.png", out / "lr-desk.ico"
    if not image(256).save(str(png), "PNG"):
        raise SystemExit(f"cannot write {png}")
    if not image(256).save(str(ico), "ICO"):  # Qt's ICO writer; Windows scales it down
        raise SystemExit(f"cannot write {ico}")
    return png, ico


def pyinstaller(dist: Path, work: Path) -> None:
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
               "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work),
               str(HERE / "lr_desk.spec")]
    subprocess.run(command, check=True, cwd=ROOT,
                   env={**os.environ, "LR_DESK_ICONS": str(work / "icons")})


def linux_extras(bundle: Path, png: Path) -> None:
    """The .desktop entry and its icon, beside the program (packaging/install-linux.sh
    puts them where the desktop finds them)."""
    shutil.copy2(png, bundle / "lr-desk.png")
    shutil.copy2(HERE / "lr-desk.desktop", bundle / "lr-desk.desktop")
    shutil.copy2(HERE / "install-linux.sh", bundle / "install-linux.sh")


def windows_installer(dist: Path) -> Path | None:
    """dist/installer/lr-desk-setup-VERSION.exe with Inno Setup 6's compiler, if found."""
    from lr_desk import __version__

    found = shutil.which("iscc") or next(
        (str(p) for p in (Path(os.environ.get(v, "")) / "Inno Setup 6" / "ISCC.exe"
                          for v in ("ProgramFiles(x86)", "ProgramFiles")) if p.is_file()), None)
    if found is None:
        print("Inno Setup 6 not found: the bundle is built, the installer is not "
              "(install Inno Setup 6 and run this again)")
        return None
    signing = os.environ.get("LR_DESK_SIGNTOOL", "")  # e.g. "signtool sign /a ... $f"
    sign = [f"/Slrdesk={signing}", "/DSignTool=lrdesk"] if signing else []
    subprocess.run([found, f"/DAppVersion={__version__}", f"/DBundle={dist / 'lr-desk'}",
                    *sign, f"/O{dist / 'installer'}", str(HERE / "lr_desk.iss")], check=True)
    return dist / "installer" / f"lr-desk-setup-{__version__}.exe"


def self_test(bundle: Path) -> int:
    program = bundle / ("lr-desk-cli.exe" if WINDOWS else "lr-desk-cli")
    return subprocess.run([str(program), "--self-test"], check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist",
                        help="where the bundle goes (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's working folder (default: build/pyinstaller)")
    parser.add_argument("--no-self-test", action="store_true",
                        help="do not run the built bundle's self-test")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    png, _ico = draw_icons(args.work / "icons")
    pyinstaller(args.dist, args.work)
    bundle = args.dist / "lr-desk"
    if WINDOWS:
        windows_installer(args.dist)
    else:
        linux_extras(bundle, png)
    print(f"built {bundle} in {time.perf_counter() - started:.0f} s")
    if args.no_self_test:
        return 0
    return self_test(bundle)


if __name__ == "__main__":
    sys.exit(main())
