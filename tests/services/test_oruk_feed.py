"""Reading a feed: files and addresses served by a real HTTP server on 127.0.0.1, paged
version 3 and version 1 style, and everything that goes wrong said in plain words
(services.oruk_feed)."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from lr_desk.services import oruk, oruk_feed

from .oruk_feeds import FeedServer, fixture, load, service


def test_a_v3_feed_is_read_page_by_page_with_progress():
    records = [service(n) for n in range(25)]
    heard = []
    with FeedServer(records, "v3", size=10) as server:
        feed = oruk_feed.read(server.url, progress=lambda *a: heard.append(a))
    assert [r.data["id"] for r in feed.records] == [f"svc-{n:05d}" for n in range(25)]
    assert feed.pages == 3 and feed.style == "version 3 pages" and feed.problems == []
    assert heard == [(1, 3, 10), (2, 3, 20), (3, 3, 25)]
    assert server.requests == ["/services", "/services?page=2", "/services?page=3"]
    assert feed.records[12].where == "record 3 on page 2"


def test_a_v1_feed_is_read_page_by_page():
    records = [service(n) for n in range(7)]
    with FeedServer(records, "v1", size=3) as server:
        feed = oruk_feed.read(server.url + "?per_page=3")
    assert len(feed.records) == 7 and feed.pages == 3 and feed.style == "version 1 pages"
    assert server.requests[1:] == ["/services?per_page=3&page=2",
                                   "/services?per_page=3&page=3"]


def test_the_v1_fixture_maps(store):
    feed = oruk_feed.read(str(fixture("v1_services_page.json")))
    with store.session() as s:
        done = oruk.apply(s, feed)
    assert done.problems == [] and done.counts("add") == "1 partner, 2 services and 1 contact"
    money = next(i.values for i in done.items if i.name == "Money Matters Drop-in")
    assert money["description"] == "Free help with debt and benefit claims."
    assert (money["category"], money["min_age"], money["max_age"]) == ("debt_benefits", 18, None)
    assert money["when_text"] == "Tuesdays, 10:00 to 13:00" and money["catchment"] == "Sefton"
    assert money["criteria"] == "Adults living in Sefton"
    assert money["location"] == "Bootle Library, 220 Stanley Road, Bootle, L20 3EN"
    assert money["phone"] == "0151 496 0000"  # its contact's
    jobs = next(i.values for i in done.items if i.name == "Job Club")
    assert (jobs["category"], jobs["when_text"]) == ("employment", "Wednesdays, 14:00 to 16:00")


def test_a_total_that_disagrees_with_the_pages():
    with FeedServer([service(n) for n in range(5)], "v3", size=2, total=9) as server:
        feed = oruk_feed.read(server.url)
    assert feed.problems == ["The feed says it has 9 records in all, but its pages held 5."]


def test_a_page_that_fails_after_others_keeps_what_was_read():
    with FeedServer([service(n) for n in range(6)], "v3", size=2, fail_page=2) as server:
        feed = oruk_feed.read(server.url)
    assert len(feed.records) == 2
    assert feed.problems == [f"Page 2 could not be read, so the feed stops at page 1: "
                             f"{server.url}?page=2 answered 500 (Internal Server Error): "
                             "the server had a problem; try again later."]


def test_a_server_that_ignores_the_page_asked_for_is_not_read_for_ever():
    page = json.dumps({"total_pages": 50, "page_number": 1, "contents": [service(1)]})
    with FeedServer(style="raw", body=page.encode()) as server:
        feed = oruk_feed.read(server.url)
    assert feed.pages == 2 and len(server.requests) == 2
    assert "sent page 1 twice" in feed.problems[0]


def test_pages_are_bounded():
    with FeedServer([service(n) for n in range(10)], "v3", size=1) as server:
        feed = oruk_feed.read(server.url, max_pages=4)
    assert feed.pages == 4 and "more than 4 pages" in feed.problems[0]


@pytest.mark.parametrize(("serve", "words", "offline"), [
    (dict(fail_page=1, status=404), "answered 404 (Not Found): there is no feed at this "
     "address; check it.", False),
    (dict(fail_page=1, status=403), "the feed is not open to this desk", False),
    (dict(style="raw", body=fixture("not_json.html").read_bytes()),
     "is a web page: it could not be read as a JSON feed (line 1, column 1).", False),
    (dict(style="raw", body=b'{"contents": {"id": 1}}'),
     "is not a feed this desk can read: its \"contents\" holds an object, not a list.",
     False),
    (dict(style="raw", body=b'"just text"'), "is JSON but not a directory feed: it holds "
     "text, where services or organisations were expected.", False),
    (dict(style="raw", body=b'{"hello": "world"}'), "is JSON but not a directory feed: "
     "it has no services", False),
    (dict(style="raw", body=b""), "is empty: there is no feed in it.", False),
])
def test_what_goes_wrong_is_said_in_plain_words(serve, words, offline):
    with FeedServer(**serve) as server, pytest.raises(oruk_feed.FeedError) as info:
        oruk_feed.read(server.url)
    assert words in str(info.value) and info.value.offline == offline
    assert "Traceback" not in str(info.value)


def test_a_server_that_does_not_answer_times_out():
    quiet = socket.socket()
    quiet.bind(("127.0.0.1", 0))
    quiet.listen(1)  # accepts the connection, never answers
    try:
        url = f"http://127.0.0.1:{quiet.getsockname()[1]}/services"
        with pytest.raises(oruk_feed.FeedError) as info:
            oruk_feed.read(url, timeout=0.5)
    finally:
        quiet.close()
    assert str(info.value) == f"{url} did not answer within 0.5 seconds. Try again later."
    assert info.value.offline


def test_nobody_there_and_no_such_file():
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    with pytest.raises(oruk_feed.FeedError) as info:
        oruk_feed.read(f"http://127.0.0.1:{port}/feed")
    assert "127.0.0.1 refused the connection" in str(info.value) and info.value.offline
    with pytest.raises(oruk_feed.FeedError, match=r"There is no file /no/such/feed\.json\."):
        oruk_feed.read("/no/such/feed.json")
    with pytest.raises(oruk_feed.FeedError, match="not a file or a web address"):
        oruk_feed.read("ftp://example.org/feed.json")


def test_a_slow_feed_is_cancelled_at_once():
    records = [service(n) for n in range(40)]
    cancel = oruk_feed.Cancel()
    caught = []
    with FeedServer(records, "v3", size=40, slow=0.2) as server:
        def reading():
            try:
                oruk_feed.read(server.url, cancel=cancel, timeout=30)
            except BaseException as exc:
                caught.append(exc)

        thread = threading.Thread(target=reading)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # part-way through the first page
        cancel.cancel()
        thread.join(10)
    assert not thread.is_alive()
    assert len(caught) == 1 and isinstance(caught[0], oruk_feed.Cancelled)


def test_a_file_that_is_a_list_of_services(tmp_path):
    path = tmp_path / "list.json"
    path.write_text(json.dumps([load("hsds_service_full.json"), service(1)]))
    feed = oruk_feed.read(str(path))
    assert feed.style == "a list" and [r.where for r in feed.records] == ["record 1",
                                                                          "record 2"]


def test_a_silent_server_is_cancelled_while_the_answer_is_awaited():
    quiet = socket.socket()
    quiet.bind(("127.0.0.1", 0))
    quiet.listen(1)  # accepts, never answers: the reading waits for the answer's head
    cancel = oruk_feed.Cancel()
    caught = []

    def reading():
        try:
            oruk_feed.read(f"http://127.0.0.1:{quiet.getsockname()[1]}/", cancel=cancel,
                           timeout=120)
        except BaseException as exc:
            caught.append(exc)

    thread = threading.Thread(target=reading)
    try:
        thread.start()
        deadline = time.monotonic() + 20
        while cancel._socket is None and time.monotonic() < deadline:
            time.sleep(0.02)  # connected, waiting
        cancel.cancel()
        thread.join(30)  # far less than the timeout: it stopped because it was cancelled
    finally:
        quiet.close()
    assert not thread.is_alive()
    assert len(caught) == 1 and isinstance(caught[0], oruk_feed.Cancelled)
