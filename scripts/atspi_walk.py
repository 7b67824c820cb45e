#!/usr/bin/python3
"""Walk a running desk's window as a screen reader meets it, over AT-SPI, and say what a
screen-reader user would trip on.

    /usr/bin/python3 scripts/atspi_walk.py --pid PID [--title TITLE] [--no-tab] [--json]

Run it with the system's Python (Debian: python3-gi and gir1.2-atspi-2.0, which
python3-pyatspi brings), on the display and session bus the app runs on (DISPLAY,
DBUS_SESSION_BUS_ADDRESS); the app must expose AT-SPI (Qt on xcb does when
QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1). It walks the app's active window (or the one titled
TITLE) and reports:

- ``unnamed``: a control (focusable, or a button, box or list) with no accessible name;
- ``no-role``: a focusable object whose role says nothing (a filler, a panel, unknown);
- ``focusable-label``: a label that takes focus;
- ``label-not-tied``: a label just left of or above a field (a box, a choice, a date)
  that has no label tied to it (label-for / labelled-by), so the field is announced
  without the label's words;
- ``named-by-value``: a combo box with no label tied to it (Qt names a combo box by its
  current value), or a tab list named after its current tab;
- ``tab-leaves``: Tab takes the focus out of the window (or the window loses the keyboard);
- ``tab-stuck``: Tab leaves the focus where it was, or never comes back round;
- ``not-reached``: a focusable, enabled control Tab never reaches;
- ``focus-unnamed``: Tab lands on an object with no name.

Tab is pressed with xdotool (the X keyboard, as a person presses it) and the focus is
followed by AT-SPI's focus events. Exit status 0 whatever is found; 2 if the app or its
window cannot be found.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from atspi_tree import (
    CONTROLS,
    GROUPED,
    LABELLED,
    NO_ROLE,
    SAME_TABS,
    SILENT_TABS,
    TEXTS,
    Atspi,
    GLib,
    Node,
    R,
    S,
    children,
    find_app,
    find_window,
    node,
    problem,
    states_of,
    walk,
)

# -- what a screen-reader user trips on --------------------------------------------------

def _current_value(n: Node) -> str:
    """A combo box's current value as AT-SPI gives it (its list's chosen item)."""
    try:
        for i in range(n.acc.get_child_count()):
            child = n.acc.get_child_at_index(i)
            chosen = child.get_selection_iface() and \
                Atspi.Selection.get_selected_child(child, 0)
            if chosen is not None:
                return (chosen.get_name() or "").strip()
    except (GLib.Error, TypeError):
        pass
    return ""


def _beside(label: Node, fields: list[Node]) -> tuple[Node, str] | None:
    """The field a short label sits just left of (on its row) or just above, and where."""
    lx, ly, lw, lh = label.box()
    if lw <= 0 or lh <= 0:
        return None
    best, gap, how = None, None, ""
    for f in fields:
        fx, fy, fw, fh = f.box()
        if fw <= 0:
            continue
        middle = ly + lh / 2
        if fy <= middle <= fy + fh and 0 <= fx - (lx + lw) <= 300:
            d, where = fx - (lx + lw), "left of"
        elif 0 <= fy - (ly + lh) <= 12 and abs(fx - lx) <= 12:
            d, where = fy - (ly + lh), "above"
        else:
            continue
        if gap is None or d < gap:
            best, gap, how = f, d, f"{d} px {where}"
    return (best, how) if best is not None else None


def problems(nodes: list[Node]) -> list[dict]:
    found = []
    fields = [n for n in nodes[1:] if n.role in LABELLED]
    for n in nodes[1:]:
        if n.tab_stop and n.role in NO_ROLE:
            found.append(problem("no-role", n, "takes focus with a role that says nothing"))
        elif not n.name and (n.tab_stop or (n.showing and n.role in CONTROLS)):
            found.append(problem("unnamed", n))
        if n.role == R.LABEL and n.tab_stop:
            found.append(problem("focusable-label", n))
        if n.role == R.COMBO_BOX and not n.labelled_by:
            found.append(problem("named-by-value", n, "no label tied to it; its name is "
                                 f"{n.name!r}, its value {_current_value(n)!r}"))
        if n.role == R.PAGE_TAB_LIST:
            tabs = {(c.get_name() or "").strip() for c in children(n.acc)}
            if n.name and n.name in tabs:
                found.append(problem("named-by-value", n, "named after its current tab"))
        if n.role == R.LABEL and n.name and not n.label_for and len(n.name) <= 60 \
                and "\n" not in n.name:
            beside = _beside(n, fields)
            if beside is not None and not beside[0].labelled_by:  # (else it has its label)
                found.append(problem("label-not-tied", n, f"{beside[1]} {beside[0].said()}"))
    return found


def words(nodes: list[Node], limit: int = 100_000) -> str:
    """Every word the window lets a screen reader read: names, and the text of its text
    objects (a document's words, say)."""
    said: list[str] = []
    for n in nodes:
        if n.name:
            said.append(n.name)
        if n.role in TEXTS:
            try:
                if n.acc.get_text_iface() is not None:
                    count = Atspi.Text.get_character_count(n.acc)
                    said.append(Atspi.Text.get_text(n.acc, 0, min(count, limit)))
            except GLib.Error:
                pass
        if sum(map(len, said)) > limit:
            break
    return "\n".join(said)[:limit]


# -- Tab, as a person presses it ---------------------------------------------------------

class Focus:
    """Follows the app's focus through AT-SPI's focus events."""

    def __init__(self):
        self.seen: list = []
        self.listener = Atspi.EventListener.new(self._heard)
        self.listener.register("object:state-changed:focused")

    def _heard(self, event) -> None:
        if event.detail1:
            self.seen.append(event.source)

    def pump(self, seconds: float) -> None:
        context = GLib.MainContext.default()
        end = time.monotonic() + seconds
        while True:
            while context.pending():
                context.iteration(False)
            if time.monotonic() >= end:
                break
            time.sleep(0.01)

    def after(self, press, timeout: float = 1.0):
        """Do ``press``; the object that takes the focus (None if none is heard)."""
        self.pump(0)
        self.seen.clear()
        press()
        context = GLib.MainContext.default()
        end = time.monotonic() + timeout
        while not self.seen and time.monotonic() < end:
            while context.pending():
                context.iteration(False)
            time.sleep(0.01)
        self.pump(0.04)  # (one Tab can move the focus twice: a container, then its child)
        return self.seen[-1] if self.seen else None

    def close(self) -> None:
        self.listener.deregister("object:state-changed:focused")


def press_tab() -> None:
    subprocess.run(["xdotool", "key", "--clearmodifiers", "Tab"], check=True, timeout=20)


def _stop_of(acc, known: dict, window) -> Node | bool | None:
    """The walked object that holds the focused ``acc`` (itself, or the list or table
    whose cell it is); False when it lies outside the window."""
    hops = 0
    while acc is not None and hops < 60:
        if acc in known:
            return known[acc]
        if acc == window:
            return None
        try:
            acc = acc.get_parent()
        except GLib.Error:
            return None
        hops += 1
    return False


def tab_order(window, nodes: list[Node], press=press_tab) -> tuple[list[str], list[dict]]:
    """Press Tab round the window; the stops in order, and what went wrong."""
    known = {n.acc: n for n in nodes}
    focus = Focus()
    found: list[dict] = []
    order: list[Node] = []
    try:
        focus.pump(0.5)  # (the app hears that someone listens for focus)
        start = next((n for n in nodes if n.has(S.FOCUSED)), None)
        stops = [n for n in nodes[1:] if n.tab_stop]
        current, silent, same = start, 0, 0
        while len(order) <= 2 * len(stops) + 10:
            acc = focus.after(press)
            if acc is None:  # (a date's day, month and year take Tab in turn, unheard)
                silent += 1
                if S.ACTIVE not in states_of(window):
                    found.append(problem("tab-leaves", current or nodes[0],
                                         "the window lost the keyboard after Tab"))
                    break
                if silent < SILENT_TABS:
                    continue
                if current is not None and len(stops) > 1:
                    found.append(problem("tab-stuck", current, "Tab left the focus here"))
                break
            silent = 0
            stop = _stop_of(acc, known, window)
            if stop is False:
                outside = node(acc, None)
                found.append(problem("tab-leaves", current or nodes[0],
                                     f"Tab went on to {outside.said()}, outside the window"))
                break
            if stop is None:
                try:
                    stop = node(acc, nodes[0])
                except GLib.Error:
                    stop = nodes[0]
                known[acc] = stop
            if not stop.name and stop.role not in (R.PAGE_TAB,):
                found.append(problem("focus-unnamed", stop, "takes the focus with no name"))
            if stop is current:  # (a cell to the next cell of the same table)
                same += 1
                if same >= SAME_TABS:
                    found.append(problem("tab-stuck", stop, f"Tab stays inside it after "
                                         f"{same} presses"))
                    break
                continue
            current, same = stop, 0
            if start is None:
                start = stop
            elif stop is start or stop in order:  # round once
                order.append(stop)
                break
            order.append(stop)
        else:
            found.append(problem("tab-stuck", order[-1] if order else nodes[0],
                                 f"Tab never came back round after {len(order)} stops"))
        reached = set(order) | ({start} if start else set())
        holding = {a for r in reached for a in _ancestors(r)}
        for n in stops:
            if n in reached or n in holding or _holder_reached(n, reached):
                continue  # (a container passes the focus on to what it holds)
            if n.role in GROUPED and any(
                    r.role == n.role and r.parent is n.parent for r in reached):
                continue  # (one stop for a group of choices; arrow keys move within it)
            now = states_of(n.acc)  # (gone meanwhile: a Stop sync button, say)
            if not {S.SHOWING, S.VISIBLE, S.FOCUSABLE} <= now or \
                    not ({S.ENABLED, S.SENSITIVE} & now):
                continue
            if n.role != R.LABEL:  # (said as a focusable label)
                found.append(problem("not-reached", n, "focusable, but Tab never reaches it"))
    finally:
        focus.close()
    # a found problem said once per object and kind
    seen, unique = set(), []
    for p in found:
        key = (p["kind"], p["where"])
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return [n.said() for n in order], unique


def _ancestors(n: Node) -> list[Node]:
    found = []
    while n.parent is not None:
        n = n.parent
        found.append(n)
    return found


def _holder_reached(n: Node, reached: set) -> bool:
    """A page tab, when the tab list holding it was reached."""
    return n.role == R.PAGE_TAB and n.parent in reached


def run(pid: int, title: str | None, tab: bool = True) -> dict:
    app = find_app(pid)
    if app is None:
        return {"error": f"no application with pid {pid} on the accessibility bus"}
    window = find_window(app, title)
    if window is None:
        return {"error": f"no window {title!r} on show" if title else "no active window"}
    t0 = time.monotonic()
    nodes = walk(window)
    found = problems(nodes)
    text = words(nodes)
    walked = time.monotonic() - t0
    order: list[str] = []
    if tab:
        if S.ACTIVE not in states_of(window):
            found.append(problem("tab-leaves", nodes[0], "the window does not have the "
                                 "keyboard, so Tab cannot be tried"))
        else:
            order, tab_found = tab_order(window, nodes)
            found += tab_found
    return {"window": nodes[0].said(), "objects": len(nodes),
            "focusable": sum(n.tab_stop for n in nodes[1:]), "problems": found,
            "tab_order": order, "words": text, "walk_s": round(walked, 2),
            "tab_s": round(time.monotonic() - t0 - walked, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pid", type=int, required=True, help="the app's process id")
    parser.add_argument("--title", help="walk the window with this title (default: the "
                        "active one)")
    parser.add_argument("--no-tab", action="store_true", help="do not press Tab")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    Atspi.set_timeout(10_000, 30_000)  # (a busy desk answers slowly; ms)
    result = run(args.pid, args.title, tab=not args.no_tab)
    if args.json:
        print(json.dumps(result))
    elif "error" in result:
        print(result["error"], file=sys.stderr)
    else:
        print(f"{result['window']}: {result['objects']} objects, {result['focusable']} "
              f"focusable")
        print("Tab order: " + " -> ".join(result["tab_order"]))
        for p in result["problems"]:
            print(f"  {p['kind']}: {p['where']} {p['detail']}")
    return 2 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
