"""The accessible tree of a running app's window, as AT-SPI gives it: the objects on show
with their roles, names, states and label relations (scripts/atspi_walk.py's part; run
by the system's Python, which has gi and AT-SPI)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402

R, S = Atspi.Role, Atspi.StateType
FIELDS = {R.TEXT, R.ENTRY, R.PASSWORD_TEXT, R.COMBO_BOX, R.SPIN_BUTTON, R.DATE_EDITOR,
          R.SLIDER, R.LIST, R.LIST_BOX, R.TABLE, R.TREE, R.TREE_TABLE}
CONTROLS = FIELDS | {R.PUSH_BUTTON, R.TOGGLE_BUTTON, R.CHECK_BOX, R.RADIO_BUTTON,
                     R.PAGE_TAB_LIST, R.PAGE_TAB}
NO_ROLE = {R.INVALID, R.UNKNOWN, R.FILLER, R.PANEL, R.REDUNDANT_OBJECT}
# one Tab stop each: their items (cells, rows, a combo box's list) are not walked
ITEM_HOLDERS = {R.LIST, R.LIST_BOX, R.TABLE, R.TREE, R.TREE_TABLE, R.COMBO_BOX, R.MENU_BAR}
# choices Tab may stop at once for the group, arrow keys moving within (as radio buttons)
GROUPED = {R.RADIO_BUTTON, R.CHECK_BOX, R.TOGGLE_BUTTON}
# what may hold a document's words (the sheet's preview, say)
TEXTS = {R.TEXT, R.ENTRY, R.DOCUMENT_TEXT, R.DOCUMENT_FRAME, R.DOCUMENT_WEB, R.PARAGRAPH,
         R.STATIC, R.SECTION, R.HEADING}
WINDOWS = {R.FRAME, R.DIALOG, R.WINDOW, R.ALERT, R.FILE_CHOOSER}
# fields a label beside or above should be tied to (a heading over a list or a table is
# its caption, not checked)
LABELLED = {R.TEXT, R.ENTRY, R.PASSWORD_TEXT, R.COMBO_BOX, R.SPIN_BUTTON, R.DATE_EDITOR,
            R.SLIDER}
MAX_NODES = 3000
SILENT_TABS = 4  # Tabs in a row with the focus unmoved before it is called stuck
SAME_TABS = 40  # ... or moved only within one list or table


@dataclass(eq=False)
class Node:
    acc: object
    role: object
    role_name: str
    name: str
    states: set
    where: str
    parent: Node | None = None
    label_for: list = field(default_factory=list)
    labelled_by: list = field(default_factory=list)
    _box: tuple | None = None

    def has(self, state) -> bool:
        return state in self.states

    @property
    def showing(self) -> bool:
        return self.has(S.SHOWING) and self.has(S.VISIBLE)

    @property
    def tab_stop(self) -> bool:
        """Focusable, on show and enabled: what Tab should reach."""
        return self.showing and self.has(S.FOCUSABLE) and \
            (self.has(S.ENABLED) or self.has(S.SENSITIVE))

    def box(self) -> tuple:
        if self._box is None:
            try:
                r = self.acc.get_extents(Atspi.CoordType.SCREEN)
                self._box = (r.x, r.y, r.width, r.height)
            except GLib.Error:
                self._box = (0, 0, 0, 0)
        return self._box

    def said(self) -> str:
        return f"{self.role_name} {self.name!r}" if self.name else f"{self.role_name} (no name)"


def states_of(acc) -> set:
    try:
        return set(acc.get_state_set().get_states())
    except GLib.Error:
        return set()


def _relations(acc) -> tuple[list, list]:
    label_for, labelled_by = [], []
    try:
        relations = acc.get_relation_set() or []
    except GLib.Error:
        return label_for, labelled_by
    for rel in relations:
        kind = rel.get_relation_type()
        targets = [rel.get_target(i) for i in range(rel.get_n_targets())]
        if kind == Atspi.RelationType.LABEL_FOR:
            label_for += targets
        elif kind == Atspi.RelationType.LABELLED_BY:
            labelled_by += targets
    return label_for, labelled_by


def node(acc, parent: Node | None) -> Node:
    name = (acc.get_name() or "").strip()
    role = acc.get_role()
    role_name = acc.get_role_name() or str(role)
    where = f"{parent.where} > {role_name}" if parent else role_name
    if name:
        where += f" {name[:40]!r}"
    n = Node(acc, role, role_name, name, states_of(acc), where, parent)
    n.label_for, n.labelled_by = _relations(acc)
    return n


def walk(window) -> list[Node]:
    """Every object on show in ``window``, parents first (items of lists, tables and
    combo boxes are left to their holder, which is one Tab stop)."""
    nodes: list[Node] = []
    todo = [(window, None)]
    while todo and len(nodes) < MAX_NODES:
        acc, parent = todo.pop()
        try:
            n = node(acc, parent)
        except GLib.Error:
            continue
        if parent is not None and not n.showing:
            continue
        nodes.append(n)
        if n.role in ITEM_HOLDERS:
            continue
        todo += [(k, n) for k in reversed(children(acc, 500)) if k is not None]
    return nodes


def problem(kind: str, n: Node, detail: str = "") -> dict:
    return {"kind": kind, "role": n.role_name, "name": n.name, "where": n.where,
            "detail": detail}


def children(acc, limit: int = 500) -> list:
    try:
        return [acc.get_child_at_index(i) for i in range(min(acc.get_child_count(), limit))]
    except GLib.Error:
        return []


# -- finding the app and its window ------------------------------------------------------

def find_app(pid: int, timeout: float = 30.0):
    end = time.monotonic() + timeout
    while True:
        desktop = Atspi.get_desktop(0)
        for app in children(desktop):
            try:
                if app is not None and app.get_process_id() == pid:
                    app.set_cache_mask(Atspi.Cache.NONE)  # (states change as Tab moves)
                    return app
            except GLib.Error:
                continue
        if time.monotonic() > end:
            return None
        time.sleep(0.25)


def find_window(app, title: str | None, timeout: float = 20.0):
    """The window on show titled ``title`` (else, after a while, the active one)."""
    end = time.monotonic() + timeout
    while True:
        shown = [w for w in children(app)
                 if w is not None and w.get_role() in WINDOWS and S.SHOWING in states_of(w)]
        named = [w for w in shown if title and (w.get_name() or "").strip() == title.strip()]
        active = [w for w in shown if S.ACTIVE in states_of(w)]
        if named:
            return named[-1]
        if active and (title is None or time.monotonic() > end - timeout / 2):
            return active[-1]
        if time.monotonic() > end:
            return None
        time.sleep(0.25)
