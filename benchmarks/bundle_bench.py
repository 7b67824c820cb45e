"""What the desktop bundle costs: its build time, its size, and its cold start against the
virtual environment's on the same machine.

    python benchmarks/bundle_bench.py [--runs 5] [--json out.json] [--keep DIR]

- build: ``packaging/build.py --no-self-test`` from nothing (a fresh PyInstaller cache and
  working folder), wall time;
- size: the bundle folder on disk (bytes of its files, and files), and compressed as a
  .tar.gz and as a .tar.xz (LZMA, what the Windows installer's compression is like);
- start: the bundle's ``lr-desk`` and the virtual environment's ``lr-desk`` alternately
  on the same demo profile (400 people), each signing in (``--exit-when-ready`` types
  the demo's advisor in) to an indexed window and quitting. Each run's wall time from
  spawn to exit, and the app's own figures (from its first line of Python: to the
  window, to the pages attached). Cold: the system's file cache dropped before each run
  (needs root: said when it cannot be), as after a reboot; warm: right after.
Medians, and the ratio bundle / virtual environment, from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_DESK = Path(sys.executable).parent / "lr-desk"
DEMO_USER, DEMO_PASSWORD = "advisor", "life-rooms-demo"


def build(out: Path) -> tuple[Path, float]:
    env = {**os.environ, "PYINSTALLER_CONFIG_DIR": str(out / "pyinstaller-cache")}
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--no-self-test",
                    "--dist", str(out / "dist"), "--work", str(out / "work")],
                   check=True, env=env, capture_output=True)
    return out / "dist" / "lr-desk", time.perf_counter() - started


def sizes(bundle: Path, out: Path) -> dict:
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    result = {"files": len(files), "on_disk_mb": mb(sum(p.stat().st_size for p in files))}
    for mode, suffix in (("w:gz", "tar.gz"), ("w:xz", "tar.xz")):
        archive = out / f"lr-desk.{suffix}"
        started = time.perf_counter()
        with tarfile.open(archive, mode) as tar:
            tar.add(bundle, arcname="lr-desk")
        result[f"{suffix}_mb"] = mb(archive.stat().st_size)
        result[f"{suffix}_seconds"] = round(time.perf_counter() - started, 1)
        archive.unlink()
    return result


def mb(n: int) -> float:
    return round(n / 1024 / 1024, 1)


def drop_caches() -> bool:
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def start(program: Path, data: Path) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LR_DESK_USERNAME": DEMO_USER,
           "LR_DESK_PASSWORD": DEMO_PASSWORD}
    started = time.perf_counter()
    done = subprocess.run([str(program), "--demo", "--data-dir", str(data),
                           "--exit-when-ready"], env=env, capture_output=True, text=True,
                          timeout=600, check=True)
    wall = (time.perf_counter() - started) * 1000
    figures = json.loads(done.stdout.splitlines()[-1])
    return {"wall_ms": wall, "window_ms": figures["ready_ms"],
            "attached_ms": figures["attached_ms"], "rss_mb": figures["rss_mb"]}


def starts(bundle: Path, data: Path, runs: int, cold: bool) -> dict:
    programs = {"bundle": bundle / "lr-desk", "venv": VENV_DESK}
    seen: dict[str, list[dict]] = {name: [] for name in programs}
    for _ in range(runs):
        for name, program in programs.items():  # alternately: the machine's mood shared
            if cold and not drop_caches():
                return {"error": "the file cache could not be dropped (not root?)"}
            seen[name].append(start(program, data))
    result = {}
    for name, rows in seen.items():
        result[name] = {key: round(statistics.median(r[key] for r in rows), 1)
                        for key in rows[0]}
    result["ratio_wall"] = round(result["bundle"]["wall_ms"] / result["venv"]["wall_ms"], 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="build here, and leave it (else a "
                        "temporary folder)")
    args = parser.parse_args()
    out = args.keep or Path(tempfile.mkdtemp(prefix="lr_desk-bundle-bench-"))
    try:
        bundle, seconds = build(out)
        result = {"build_seconds": round(seconds, 1), "size": sizes(bundle, out)}
        data = out / "profile"
        start(VENV_DESK, data)  # the demo profile, made once (its people take a while)
        result["start_warm"] = starts(bundle, data, args.runs, cold=False)
        result["start_cold"] = starts(bundle, data, args.runs, cold=True)
        result["runs"] = args.runs
    finally:
        if args.keep is None:
            shutil.rmtree(out, ignore_errors=True)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
