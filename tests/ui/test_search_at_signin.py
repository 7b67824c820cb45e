"""Search answers from the first keystroke after sign-in (issue 15): the keys stored in the
database answer while the in-memory index is still being built, and once it is built it
answers the same."""

from __future__ import annotations

import threading
from itertools import product

from lr_desk.services.search import SearchIndex
from lr_desk.services.search_keys import fix_up
from lr_desk.store.models import Person
from lr_desk.ui.application import Startup
from lr_desk.ui.signin import SignInDialog
from tests.ui.conftest import PASSWORD, make_profile, unlocked_store
from tests.ui.test_startup import asked

GIVEN = ["Anne", "Bill", "Carys", "David", "Eileen", "Frank", "Gwen", "Harry", "Iris", "Joe",
         "Kath", "Len", "Moira", "Norman", "Olive", "Pat", "Rita", "Stan", "Tess", "Vic"]
FAMILY = [f"{stem}{end}" for stem, end in product(
    ["Hal", "Dob", "Kir", "Mor", "Pen", "Ash", "Bur", "Cor", "Fen", "Gar", "Lan", "Wes"],
    ["sall", "son", "by", "ley", "ton", "well", "wood", "ford", "ham", "ridge", "croft",
     "worth", "more"])]  # 156 family names: 3,120 people


def people_desk(folder) -> int:
    """A desk of some three thousand people, their search keys stored (as the desk's
    last session left them); how many people."""
    make_profile(folder)
    store = unlocked_store(folder)
    try:
        with store.session() as s:
            s.add_all(Person(given_name=g, family_name=f) for g, f in product(GIVEN, FAMILY))
            s.add(Person(given_name="Zephyrine", family_name="Quillfeather",
                         preferred_name="Zephy"))
        while True:
            with store.session() as s:
                if not fix_up(s):
                    break
    finally:
        store.close()
    return len(GIVEN) * len(FAMILY) + 1


def answered(window, status: str) -> bool:
    page = window.people
    return page._answered == page._generation and page.status.text().startswith(status)


def shown(window) -> list[str]:
    model = window.people.model
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_a_name_typed_at_once_after_signing_in_is_found_while_the_index_builds(
        qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "desk"
    count = people_desk(folder)
    # an old, busy PC: the in-memory index takes its time (until the test lets it go)
    let_go = threading.Event()
    build = SearchIndex.build.__func__
    monkeypatch.setattr(SearchIndex, "build", classmethod(
        lambda cls, session: let_go.wait(60) and build(cls, session)))
    startup = Startup(folder)
    try:
        dialog = asked(qtbot, startup, SignInDialog)
        qtbot.keyClicks(dialog.f.widgets["username"], "alex")
        qtbot.keyClicks(dialog.f.widgets["password"], PASSWORD)
        qtbot.keyClick(dialog.f.widgets["password"], "\r")
        qtbot.waitUntil(lambda: startup.desk is not None, timeout=30_000)
        desk, window = startup.desk, startup.window
        window.find()  # (Ctrl+F: the People page, the Find box focused)
        qtbot.keyClicks(window.query, "zephy quilfeather")  # at once: a nickname, a slip
        qtbot.waitUntil(lambda: shown(window) == ["Zephy (Zephyrine) Quillfeather"],
                        timeout=20_000)
        assert desk.search.index is None  # still being built: the stored keys answered
        assert window.people.status.text().startswith("1 found")
        window.grab().save("/tmp/test_search_at_signin.png")
        window.query.clear()
        qtbot.keyClicks(window.query, "hal")
        qtbot.waitUntil(lambda: answered(window, "Showing the best"), timeout=20_000)
        from_the_keys = shown(window)
        assert desk.search.index is None
        assert f"{len(GIVEN) * 13:,}" in window.people.status.text()  # the 260 Hal... found

        with qtbot.waitSignal(desk.search.built, timeout=30_000) as built:
            let_go.set()
        assert built.args[0] == count
        window.query.clear()
        qtbot.keyClicks(window.query, "hal")
        qtbot.waitUntil(lambda: answered(window, "Showing the best"), timeout=20_000)
        assert desk.search.index is not None and desk.search.stored is None
        assert shown(window) == from_the_keys  # the index answers just the same
    finally:
        let_go.set()
        startup.close()
