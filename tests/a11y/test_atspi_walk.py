"""The desk as a screen reader meets it (issue 16): the real desk started under Xvfb with
the AT-SPI accessibility bus, every page and dialog of tests/ui/catalogue.py opened in
turn, and each walked through AT-SPI by scripts/atspi_walk.py (the accessible tree, then
Tab round the window as a person presses it).

It fails on a focusable control without a name or a role, a label not tied to its field,
a combo box announced only by its value, a Tab order that leaves the window, sticks or
misses a control, an unnamed object taking the focus, and a previewed document (the
sheet, the letter) whose words a screen reader cannot read. Problems already known (KNOWN,
each with its reason in the issue's words) are reported but tolerated until the desk's
fix lands; a KNOWN entry the walk no longer finds fails the test too, so the list only
shrinks. Skipped, saying why, only where Xvfb, D-Bus or AT-SPI cannot be had.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from tests.a11y.desktop import DRIVER, Desk, Desktop, missing, walk


@dataclass(frozen=True)
class Known:
    kind: str  # one of scripts/atspi_walk.py's kinds
    where: tuple[str, ...]  # patterns (fnmatch) on the object's place in the tree
    reason: str  # the words
    windows: tuple[str, ...] = ("*",)  # patterns on the page or dialog's catalogue name

    def covers(self, window: str, p: dict) -> bool:
        return p["kind"] == self.kind and \
            any(fnmatchcase(window, w) for w in self.windows) and \
            any(fnmatchcase(p["where"], w) for w in self.where)


# What the walk found at the start of issue 16 and the desk does not yet fix, tolerated
# until its fix lands (one the walk no longer finds fails the test). Each entry:
# Known(kind, where-patterns, the words, window-patterns). None left: the words to
# read that took focus and the needs' focusable filler are fixed (labels take no focus;
# the needs' label hands Alt+N on to their stop box).
KNOWN: tuple[Known, ...] = ()


def said(window: str, p: dict) -> str:
    return f"{window}: {p['kind']}: {p['where']}" + (f" ({p['detail']})" if p["detail"] else "")


def unread(result: dict) -> list[dict]:
    """A document on show (the sheet's or the letter's preview) whose words a screen
    reader cannot reach: most of its first lines' words are nowhere in what is exposed."""
    heard = set(re.findall(r"\w{4,}", result.get("words", "").lower()))
    wanted = [w for line in result["document"] for w in re.findall(r"\w{4,}", line.lower())]
    missed = [w for w in wanted if w not in heard]
    if not wanted or len(missed) <= len(wanted) // 5:
        return []
    return [{"kind": "no-words", "role": "", "name": "", "where": result["window"],
             "detail": f"{len(missed)} of the document's first {len(wanted)} words are not "
                       f"exposed, e.g. {missed[:6]}"}]


def walk_everything(tmp_path, names: list[str] = (), script: Path = DRIVER
                    ) -> tuple[dict, list[str]]:
    """Start the desktop and the desk; walk each page and dialog. The walker's answer for
    each, by name, and what went wrong on the way (skips where the walk cannot be had)."""
    why = missing()
    if why:
        pytest.skip(why)
    desktop = Desktop(tmp_path)
    results: dict[str, dict] = {}
    failures: list[str] = []
    catalogue: list[str] = []
    try:
        why = desktop.start()
        if why:
            pytest.skip(why)
        desk = Desk(desktop, names, script)
        while True:
            event = desk.next_event(600)
            if event is None:
                log = desk.tail()
                if "Could not load the Qt platform plugin" in log:
                    pytest.skip("Qt's xcb platform cannot load here (.ci/run installs its "
                                "libraries): " + log[-400:])
                failures.append(f"the desk stopped or went quiet:\n{log}")
                break
            kind = event.get("event")
            if kind == "done":
                break
            if kind == "catalogue":
                catalogue[:] = event["names"]
            if kind == "failed":
                failures.append(f"{event['name']}: could not be opened: {event['error']}")
            elif kind == "modal":
                failures.append(f"a question came up unasked: {event['text']!r}")
            elif kind == "open":
                result = walk(desktop, desk.pid, event["title"])
                result["document"] = event.get("document") or []
                results[event["name"]] = result
                if "error" in result:
                    failures.append(f"{event['name']}: {result['error']}")
                desk.go_on()
        desk.finish()
    finally:
        desktop.stop()
        (tmp_path / "walk.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    if sorted(results) != sorted(catalogue):
        failures.append(f"not walked: {sorted(set(catalogue) - set(results))}")
    return results, failures


def judge(results: dict, known=KNOWN) -> tuple[list[str], list[str], list[str]]:
    """What the walk found: new problems, known ones (tolerated), and KNOWN entries it no
    longer finds."""
    tolerated, found, used = [], [], set()
    for window, result in results.items():
        if result["focusable"] == 0:
            found.append(f"{window}: nothing on it takes the focus")
        for p in result["problems"] + unread(result):
            k = next((k for k in known if k.covers(window, p)), None)
            if k is None:
                found.append(said(window, p))
            else:
                used.add(k)
                tolerated.append(said(window, p) + f"  [known: {k.reason}]")
    stale = [f"{k.kind} {k.where} on {k.windows} ({k.reason})" for k in known if k not in used]
    return found, tolerated, stale


def test_the_walk_catches_each_fault_of_a_badly_made_form(tmp_path):
    """The walker finds what it is for: a dialog made badly on purpose (one fault of each
    kind, tests/a11y/badly_made.py), walked the same way."""
    results, failures = walk_everything(tmp_path, script=DRIVER.with_name("badly_made.py"))
    assert not failures, "\n".join(failures)
    found = {(p["kind"], p["name"]) for p in results["badly-made"]["problems"]}
    kinds = {kind for kind, _ in found}
    assert ("unnamed", "") in found
    assert {"no-role", "focus-unnamed"} <= kinds
    assert ("label-not-tied", "Postcode") in found
    assert ("named-by-value", "The Life Rooms Walton") in found
    assert ("focusable-label", "Saved a minute ago") in found
    assert ("tab-stuck", "Notes") in found
    assert judge(results)[0], "the known list must not hide a badly made form's faults"


def test_every_page_and_dialog_as_a_screen_reader_meets_it(tmp_path):
    results, failures = walk_everything(tmp_path)
    assert not failures, "\n".join(failures)
    found, tolerated, stale = judge(results)
    print(f"AT-SPI walk: {len(results)} windows, "
          f"{sum(r['objects'] for r in results.values())} objects, "
          f"{sum(r['focusable'] for r in results.values())} focusable; "
          f"{len(tolerated)} known problems:\n" + "\n".join(tolerated))
    assert not found, f"{len(found)} problems a screen-reader user meets:\n" + "\n".join(found)
    assert not stale, "known problems no longer found (take them out of KNOWN):\n" + \
        "\n".join(stale)
