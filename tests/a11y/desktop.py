"""A desktop of its own for the AT-SPI walk: an Xvfb screen the size of a hub's
(1366x768), a D-Bus session bus (which starts the accessibility bus, at-spi2-core's
launcher, when the desk first asks for it), the real desk on them (tests/a11y/driver.py)
and the walker (scripts/atspi_walk.py, run by the system's Python, which has gi and
AT-SPI). Everything started here is stopped here, by its own process group."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WALKER = ROOT / "scripts" / "atspi_walk.py"
DRIVER = Path(__file__).with_name("driver.py")
SYSTEM_PYTHON = "/usr/bin/python3"
SCREEN = "1366x768x24"


def missing() -> str | None:
    """Why the walk cannot be had here (None when it can)."""
    for tool in ("Xvfb", "dbus-daemon", "xdotool"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (.ci/run installs it)"
    if not any(Path(d, "at-spi-bus-launcher").exists()
               for d in ("/usr/libexec", "/usr/lib/at-spi2-core")):
        return "at-spi2-core is not installed (.ci/run installs it)"
    try:
        check = subprocess.run(
            [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Atspi', '2.0'); "
             "from gi.repository import Atspi"], capture_output=True, text=True, timeout=60)
    except OSError as exc:
        return f"no {SYSTEM_PYTHON} to run the walker ({exc})"
    if check.returncode != 0:
        why = (check.stderr.strip().splitlines() or ["?"])[-1]
        return f"{SYSTEM_PYTHON} has no gi with AT-SPI (python3-pyatspi): {why}"
    return None


class Desktop:
    """Xvfb and a session bus; ``env`` is what a program on them needs."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[subprocess.Popen] = []
        self.env = dict(os.environ)

    def _start(self, args: list[str], log: str, **kw) -> subprocess.Popen:
        p = subprocess.Popen(args, stderr=(self.logs / log).open("wb"),
                             start_new_session=True, **kw)
        self.started.append(p)
        return p

    def start(self) -> str | None:
        """Start the screen and the bus; why not, if they could not be started."""
        read, write = os.pipe()
        xvfb = self._start(["Xvfb", "-displayfd", str(write), "-screen", "0", SCREEN,
                            "-nolisten", "tcp", "-noreset"], "xvfb.log", pass_fds=(write,),
                           stdout=subprocess.DEVNULL)
        os.close(write)
        number = _read_line(read, 30)
        os.close(read)
        if not number or xvfb.poll() is not None:
            return "Xvfb did not start: " + _tail(self.logs / "xvfb.log")
        self.env["DISPLAY"] = f":{number}"
        for name in ("WAYLAND_DISPLAY", "AT_SPI_BUS_ADDRESS", "QT_QPA_PLATFORM",
                     "QT_ACCESSIBILITY", "DBUS_SESSION_BUS_ADDRESS"):
            self.env.pop(name, None)
        bus = self._start(["dbus-daemon", "--session", "--nofork", "--print-address"],
                          "dbus.log", stdout=subprocess.PIPE, env=self.env)
        address = _read_line(bus.stdout.fileno(), 30)
        if not address:
            return "the D-Bus session bus did not start: " + _tail(self.logs / "dbus.log")
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        return None

    def stop(self) -> None:
        for p in reversed(self.started):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.pid, signal.SIGTERM)  # (the bus's children too: AT-SPI's)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)
        self.started.clear()


class Desk:
    """The real desk on the desktop, run by tests/a11y/driver.py (or another script that
    says the same lines)."""

    def __init__(self, desktop: Desktop, names: list[str] = (), script: Path = DRIVER):
        scratch = desktop.logs / "desk-tmp"  # (the demo profile: gone with the test's folder)
        scratch.mkdir(exist_ok=True)
        env = dict(desktop.env, QT_QPA_PLATFORM="xcb", QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
                   QT_ACCESSIBILITY="1", PYTHONUNBUFFERED="1", TMPDIR=str(scratch))
        self.log = desktop.logs / "desk.log"
        self.process = desktop._start([sys.executable, str(script), *names], "desk.log",
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      env=env, cwd=ROOT)
        self.pid = self.process.pid

    def next_event(self, timeout: float) -> dict | None:
        """The driver's next line (None if it ends or is silent for ``timeout``)."""
        line = _read_line(self.process.stdout.fileno(), timeout)
        if not line:
            return None
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            return {"event": "noise", "text": line}

    def go_on(self, word: str = "next") -> None:
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.write(word.encode() + b"\n")
            self.process.stdin.flush()

    def finish(self, timeout: float = 120) -> None:
        """Tell the driver to stop and let it close the desk itself."""
        self.go_on("quit")
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout)

    def tail(self) -> str:
        return _tail(self.log, 3000)


def walk(desktop: Desktop, pid: int, title: str, timeout: float = 300) -> dict:
    """scripts/atspi_walk.py on the desk's window ``title``: its JSON answer."""
    done = subprocess.run([SYSTEM_PYTHON, str(WALKER), "--pid", str(pid), "--title", title,
                           "--json"], capture_output=True, text=True, env=desktop.env,
                          timeout=timeout, cwd=ROOT)
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": f"the walker failed (status {done.returncode}): "
                         f"{done.stderr.strip()[-2000:]}"}


_buffers: dict[int, bytes] = {}


def _read_line(fd: int, timeout: float) -> str:
    """One line from ``fd`` within ``timeout`` seconds ('' if none, or at its end)."""
    end = time.monotonic() + timeout
    buffer = _buffers.get(fd, b"")
    ended = False
    while b"\n" not in buffer:
        left = end - time.monotonic()
        ready = left > 0 and select.select([fd], [], [], left)[0]
        if not ready:
            _buffers[fd] = buffer  # (a line half written: the rest comes later)
            return ""
        chunk = os.read(fd, 65536)
        if not chunk:
            ended = True
            break
        buffer += chunk
    if ended and not buffer:
        return ""
    line, _, rest = buffer.partition(b"\n")
    _buffers[fd] = rest
    return line.decode(errors="replace").strip()


def _tail(path: Path, size: int = 600) -> str:
    try:
        return path.read_text(errors="replace")[-size:].strip()
    except OSError:
        return ""
