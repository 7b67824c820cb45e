"""The sync in the status bar: Offline, Syncing, Synced, changes waiting; Sync now; a new
device's first sync with its progress bar, Stop and resume; and what a pull brings in
showing up in search and on an open person page. Real desks, real central stores: SQLite
files; a PostgreSQL address where nothing listens; and a real PostgreSQL server reached
through a plug that the test pulls out and puts back."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest
from PySide6.QtCore import Qt
from pytestqt.exceptions import TimeoutError as WaitedTooLong
from sqlalchemy import func, select

from lr_desk.profile import open_store
from lr_desk.services import advisors, people
from lr_desk.store.models import Outbox, Person
from lr_desk.sync import connect
from lr_desk.sync.central import CentralStore, init_central
from lr_desk.sync.engine import PAGE, cursor, sync_once
from lr_desk.sync.push import waiting
from lr_desk.ui.sync import OFFLINE, PROBLEM, SYNCED, SYNCING, WAITING, Status, SyncService

# the throwaway PostgreSQL server of the sync tests
from tests.sync.conftest import postgres_server, postgres_url  # noqa: F401

LONG = 30_000


def shared_store(tmp_path, name: str = "share") -> str:
    """A central store of its own (a SQLite file), as `lr-desk central init` makes one."""
    (tmp_path / name).mkdir()
    url = f"sqlite:///{tmp_path / name / 'central.sqlite'}"
    init_central(url)
    return url


def closed_port_url() -> str:
    """A PostgreSQL address where nothing listens: a store that can't be reached."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"postgresql+psycopg://lr_desk@127.0.0.1:{port}/lr_desk?connect_timeout=5"


@contextmanager
def central_at(url: str, key: bytes | None = None) -> Iterator[CentralStore]:
    """A short-lived connection to a central store, to look at it (``key``: an encrypted
    desk's embedded store's)."""
    store = CentralStore(url, key=key)
    try:
        yield store
    finally:
        store.close()


def connect_profile(folder, url: str) -> None:
    """Settings made before the desk opens (as the settings dialog leaves them)."""
    from tests.ui.conftest import unlocked_store

    store = unlocked_store(folder)
    try:
        with store.session() as s:
            connect.save(s, folder, url, "Walton desk", None)
    finally:
        store.close()


def reconnect(desk, url: str) -> None:
    """Settings changed while the desk is open."""
    with desk.store.session() as s:
        connect.save(s, desk.sync.folder, url, "Walton desk", None)
    desk.sync.settings_changed()


def records_in(central: CentralStore) -> list[str]:
    """The kinds of record a store has changes of, in order (the audit log's left out)."""
    kinds: list[str] = []
    for change in central.pull(0):
        if change.entity != "audit_event" and change.entity not in kinds:
            kinds.append(change.entity)
    return kinds


def statuses(sync: SyncService) -> list:
    seen = [sync.status]
    sync.status_changed.connect(seen.append)
    return seen


def wait_for(qtbot, desk, kind: str, text: str | None = None) -> None:
    def there() -> bool:
        status = desk.sync.status
        return status.kind == kind and (text is None or status.text == text)
    try:
        qtbot.waitUntil(there, timeout=LONG)
    except WaitedTooLong as exc:
        raise AssertionError(f"waited for {kind} {text or ''}: {desk.sync.status}") from exc
    assert desk.window.sync_status.label.text() == desk.sync.status.text


def letters(n: int) -> str:
    """A made-up name part for a number (search reads digits as dates and phones)."""
    word = ""
    while True:
        n, d = divmod(n, 26)
        word += "abcdefghijklmnopqrstuvwxyz"[d]
        if not n:
            return word


class OtherDevice:
    """Another desk, syncing with the same central store from a profile of its own."""

    def __init__(self, folder, url: str):
        self.store = open_store(folder)
        self.central = CentralStore(url)
        with self.store.session() as s:
            self.advisor_id = advisors.create(s, "Bea Bootle", "bootle").id

    def register(self, *names: str, **details) -> list[str]:
        with self.store.session() as s:
            return [people.register(s, {"given_name": given, "family_name": family, **details},
                                    self.advisor_id, "bootle").id
                    for given, family in (n.split() for n in names)]

    def sync(self):
        return sync_once(self.store, self.central)

    def close(self) -> None:
        self.central.close()
        self.store.close()


@pytest.fixture
def other_device(tmp_path):
    devices = []

    def make(url: str) -> OtherDevice:
        devices.append(OtherDevice(tmp_path / f"other{len(devices)}", url))
        return devices[-1]

    yield make
    for d in devices:
        d.close()


def test_a_fresh_desk_syncs_with_its_own_store_and_again_on_demand(qtbot, desks, profile):
    desk = desks.start(profile)  # no sync settings at all: the embedded store
    wait_for(qtbot, desk, SYNCED)
    status = desk.window.sync_status
    assert re.fullmatch(r"Synced at \d\d:\d\d \(this computer only\)", status.label.text())
    assert status.label.accessibleName() == "Sync status"
    assert status.sync_button.accessibleName() == "Sync now"
    assert status.bar.isHidden() and status.stop_button.isHidden()
    with desk.store.session() as s:  # the account, its sign-ins (audited): all sent
        made = s.scalar(select(func.count()).select_from(Outbox))
    with central_at(connect.embedded_url(profile), desk.store.key) as embedded:
        assert embedded.head() == made > 0

    window = desk.window
    assert window.sync_action.shortcut().toString() == "F5"
    seen = statuses(desk.sync)
    window.sync_action.trigger()
    qtbot.waitUntil(lambda: seen[-1].kind == SYNCED and len(seen) > 1, timeout=LONG)
    assert [s.kind for s in seen[1:]] == [SYNCING, SYNCED]
    seen.clear()
    qtbot.mouseClick(status.sync_button, Qt.MouseButton.LeftButton)  # the button, too
    qtbot.waitUntil(lambda: seen and seen[-1].kind == SYNCED, timeout=LONG)


def test_offline_with_changes_waiting_then_back_then_gone_again(qtbot, desks, profile,
                                                                tmp_path):
    connect_profile(profile, closed_port_url())
    desk = desks.start(profile)
    # the account, made offline (its audit records not counted)
    made = waiting(desk.store, staff_changes_only=True)
    wait_for(qtbot, desk, OFFLINE, Status.offline(made).text)

    # a save while offline: one more waiting
    with qtbot.waitSignal(desk.window.person_opened, timeout=LONG):
        form = desk.window.new_person({})
        qtbot.keyClicks(form.f.widgets["given_name"], "Nia")
        qtbot.keyClicks(form.f.widgets["family_name"], "Jones")
        form.save()
    wait_for(qtbot, desk, OFFLINE, Status.offline(made + 1).text)

    # the store comes back
    url = shared_store(tmp_path)
    seen = statuses(desk.sync)
    reconnect(desk, url)
    wait_for(qtbot, desk, SYNCED)
    assert [s.kind for s in seen] == [OFFLINE, SYNCING, SYNCED]
    with central_at(url) as central:
        assert records_in(central) == ["advisor", "person"]

    # and goes away again
    reconnect(desk, closed_port_url())
    wait_for(qtbot, desk, OFFLINE, "Offline")

    # an address that is wrong, rather than out of reach, is a problem to fix
    reconnect(desk, f"sqlite:///{tmp_path / 'unplugged' / 'central.sqlite'}")
    wait_for(qtbot, desk, PROBLEM)
    assert "no central store file" in desk.sync.status.text
    assert "Sync settings" in desk.sync.status.text


class Plug:
    """A TCP plug between the desk and a PostgreSQL server: pulled out, the store has
    gone (open connections cut, new ones refused); put back, it is there again on the
    same address."""

    def __init__(self, server_port: int):
        self.server_port = server_port
        self.links: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._serve()

    def _serve(self) -> None:
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                near, _ = listener.accept()
            except OSError:
                return  # pulled out
            far = socket.create_connection(("127.0.0.1", self.server_port))
            self.links += [near, far]
            for a, b in ((near, far), (far, near)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def pull_out(self) -> None:
        with suppress(OSError):  # wakes the accept() under way, which close() alone would not
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for link in self.links:
            with suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
            link.close()
        self.links.clear()

    def put_back(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self._serve()


def test_a_postgresql_store_that_goes_away_and_comes_back(qtbot, desks, profile, request,
                                                          monkeypatch):
    from sqlalchemy.engine import make_url

    from lr_desk.sync.central import add_device

    pg_url = request.getfixturevalue("postgres_url")  # skipped without PostgreSQL
    server_port = request.getfixturevalue("postgres_server")["port"]
    monkeypatch.setattr(SyncService, "FIRST_RETRY_MS", 200)  # offline: try again soon
    init_central(pg_url)
    add_device(pg_url, "Walton desk", "walton")
    plug = Plug(server_port)
    try:
        through_plug = make_url(pg_url).set(port=plug.port).render_as_string(False)
        connect_profile(profile, through_plug)
        desk = desks.start(profile)
        wait_for(qtbot, desk, SYNCED)

        plug.pull_out()  # the server is still there, the way to it is not
        desk.window.sync_action.trigger()
        wait_for(qtbot, desk, OFFLINE, "Offline")
        with desk.store.session() as s:  # typed meanwhile
            people.register(s, {"given_name": "Nia", "family_name": "Jones"},
                            desk.window.desk.advisor_id, "walton")
        wait_for(qtbot, desk, OFFLINE, "Offline – 1 change waiting")

        seen = statuses(desk.sync)
        plug.put_back()  # no one presses anything: the retry finds it
        wait_for(qtbot, desk, SYNCED)
        assert [s.kind for s in seen][-2:] == [SYNCING, SYNCED]
        with central_at(pg_url) as central:
            assert records_in(central) == ["advisor", "person"]
    finally:
        plug.pull_out()


def test_a_save_is_sent_a_moment_later(qtbot, desks, profile, tmp_path, monkeypatch):
    monkeypatch.setattr(SyncService, "AFTER_SAVE_MS", 1500)
    url = shared_store(tmp_path)
    connect_profile(profile, url)
    desk = desks.start(profile)
    wait_for(qtbot, desk, SYNCED)
    seen = statuses(desk.sync)
    form = desk.window.new_person({})
    qtbot.keyClicks(form.f.widgets["given_name"], "Nia")
    qtbot.keyClicks(form.f.widgets["family_name"], "Jones")
    form.save()
    qtbot.waitUntil(lambda: seen[-1].kind == SYNCED and len(seen) > 2, timeout=LONG)
    assert [(s.kind, s.text) for s in seen[1:3]] == [(WAITING, "1 change waiting"),
                                                     (SYNCING, "Syncing…")]
    with central_at(url) as central:
        assert records_in(central) == ["advisor", "person"]


@pytest.fixture
def busy_share(tmp_path, other_device, profile):
    """A central store another device has filled with three pages of changes, and this
    desk's profile connected to it: its first sync is a long one."""
    url = shared_store(tmp_path)
    other = other_device(url)
    count = 2 * PAGE + 2 * SyncService.LONG_PULL  # three pages, the last a long pull too
    other.register(*(f"Pat{letters(n)} Lee" for n in range(count)))
    other.sync()
    connect_profile(profile, url)
    return url, count


class Held(threading.Event):
    """Set to let the held pulls go on; ``afters`` is where each pull started."""

    def __init__(self):
        super().__init__()
        self.afters: list[int] = []


@pytest.fixture
def held_pull(monkeypatch):
    """Hold every pull after the first page until the test lets go (``set()``), so that a
    stop lands in the middle whatever the speed of the machine."""
    gate = Held()
    real_pull = CentralStore.pull

    def pull(central, after, limit=1000):
        gate.afters.append(after)
        if after > 0:
            gate.wait(LONG / 1000)
        return real_pull(central, after, limit)

    monkeypatch.setattr(CentralStore, "pull", pull)
    yield gate
    gate.set()


def in_step(qtbot, desk, url: str, count: int) -> None:
    """The desk has everything in the store, and can find the last of them."""
    with central_at(url) as central:
        assert cursor(desk.store, central.store_id()) == central.head()
    with desk.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == count
    qtbot.waitUntil(lambda: desk.search.index is not None and len(desk.search.index) == count,
                    timeout=LONG)
    desk.window.find()
    last = f"Pat{letters(count - 1)}"
    qtbot.keyClicks(desk.window.query, f"{last} Lee")
    model = desk.window.people.model
    qtbot.waitUntil(lambda: bool(model.hits) and model.hits[0].entry.given_name == last,
                    timeout=LONG)


def stopped_at(desk, url: str) -> tuple[int, int]:
    with central_at(url) as central:
        return cursor(desk.store, central.store_id()), central.head()


def test_a_new_devices_first_sync_shows_progress_stops_and_resumes(qtbot, desks, profile,
                                                                   busy_share, held_pull):
    url, count = busy_share
    desk = desks.start(profile)
    status = desk.window.sync_status
    qtbot.waitUntil(lambda: desk.sync.status.done > 0, timeout=LONG)  # a page in
    first = desk.sync.status
    assert first.kind == SYNCING and first.total >= count + 1
    assert not status.bar.isHidden() and not status.stop_button.isHidden()
    assert (status.bar.value(), status.bar.maximum()) == (first.done, first.total)
    assert status.stop_button.accessibleName() == "Stop sync"
    assert desk.window.stop_sync_action.shortcut().toString() == "Shift+F5"
    qtbot.mouseClick(status.stop_button, Qt.MouseButton.LeftButton)
    held_pull.set()
    wait_for(qtbot, desk, PROBLEM)
    assert "stopped" in status.label.text() and "Sync now" in status.label.text()
    assert status.bar.isHidden() and status.stop_button.isHidden()
    at, head = stopped_at(desk, url)
    assert 0 < at < head  # some pages in, the rest to come

    # Sync now carries on from there: it has only the rest to pull
    seen = statuses(desk.sync)
    pulls_before = len(held_pull.afters)
    desk.window.sync_action.trigger()
    wait_for(qtbot, desk, SYNCED)
    totals = [s.total for s in seen if s.total]
    assert totals and totals[0] == head - at
    assert held_pull.afters[pulls_before] == at  # carried on from where it stopped
    in_step(qtbot, desk, url, count)


def test_closing_the_desk_stops_a_long_pull_and_the_next_start_carries_on(
        qtbot, desks, profile, busy_share, held_pull):
    url, count = busy_share
    desk = desks.start(profile)
    qtbot.waitUntil(lambda: desk.sync.status.done > 0, timeout=LONG)

    def let_go_once_stopping():
        for _ in range(LONG // 10):
            if desk.sync.stopping:
                break
            threading.Event().wait(0.01)
        held_pull.set()

    threading.Thread(target=let_go_once_stopping, daemon=True).start()
    desks.stop(desk)  # waits for the sync's thread
    at, head = stopped_at(desk, url)
    assert 0 < at < head

    held_pull.afters.clear()
    desk = desks.start(profile)
    wait_for(qtbot, desk, SYNCED)
    assert held_pull.afters[0] == at  # carried on from where it stopped
    in_step(qtbot, desk, url, count)


def test_what_another_device_changes_shows_in_search_and_on_the_open_page(
        qtbot, desks, profile, tmp_path, other_device):
    url = shared_store(tmp_path)
    other = other_device(url)
    (nia,) = other.register("Nia Jones", phone="0151 496 0000")
    other.sync()
    connect_profile(profile, url)
    desk = desks.start(profile)
    window = desk.window
    wait_for(qtbot, desk, SYNCED)

    window.find()
    qtbot.keyClicks(window.query, "Jones")
    model = window.people.model
    qtbot.waitUntil(lambda: [h.entry.display_name for h in model.hits] == ["Nia Jones"],
                    timeout=LONG)
    page = window.open_person(nia)
    qtbot.waitUntil(lambda: page.view is not None, timeout=LONG)
    assert page.heading.text() == "Nia Jones"

    # at the other hub: she likes to be called Nye, and her sister registers
    with other.store.session() as s:
        raw = people.as_form(s.get(Person, nia))
        people.update(s, nia, {**raw, "preferred_name": "Nye"})
    other.register("Cerys Jones")
    other.sync()

    window.sync_action.trigger()
    qtbot.waitUntil(lambda: page.heading.text() == "Nye Jones", timeout=LONG)
    window.find()  # the search on screen is run again with what came in
    qtbot.waitUntil(lambda: sorted(h.entry.display_name for h in model.hits) ==
                    ["Cerys Jones", "Nye (Nia) Jones"], timeout=LONG)


def test_someone_registered_at_two_hubs_is_up_for_review_after_the_sync(
        qtbot, desks, profile, tmp_path, other_device):
    url = shared_store(tmp_path)
    connect_profile(profile, url)
    desk = desks.start(profile)
    window = desk.window
    wait_for(qtbot, desk, SYNCED)
    with desk.store.session() as s:
        people.register(s, {"given_name": "Nia", "family_name": "Jones",
                            "phone": "0151 496 0000"}, window.desk.advisor_id, "walton")
    other = other_device(url)
    other.register("Nia Jones", phone="0151 496 0000")  # the same person, at Bootle
    other.sync()

    review = window.tabs.indexOf(window.review)
    assert window.tabs.tabText(review) == "Needs re&view"
    window.sync_action.trigger()
    qtbot.waitUntil(lambda: window.tabs.tabText(review) == "Needs re&view (1)", timeout=LONG)
    assert window.tabs.currentWidget() is not window.review  # told, not taken there
