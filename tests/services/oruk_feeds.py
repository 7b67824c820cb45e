"""Open Referral UK feeds for the import tests: the public fixtures (tests/fixtures/oruk,
see its README), synthetic services, and a real HTTP server on 127.0.0.1 (http.server in
a thread) that serves a feed in pages, version 3 or version 1 style, or misbehaves."""

from __future__ import annotations

import copy
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "oruk"


def fixture(name: str) -> Path:
    return FIXTURES / name


def load(name: str):
    return json.loads(fixture(name).read_text(encoding="utf-8"))


def service(n: int, org: int | None = None, **extra) -> dict:
    """A synthetic HSDS 3.0 service (with its organisation), numbered ``n``."""
    org = n // 4 if org is None else org
    record = {
        "id": f"svc-{n:05d}",
        "name": f"Service {n}",
        "description": f"Help number {n}: advice on debt and benefits.",
        "url": f"https://example.org/services/{n}",
        "email": f"service{n}@example.org",
        "minimum_age": 16, "maximum_age": 99,
        "phones": [{"id": f"ph-{n}", "number": f"0151 000 {n % 10000:04d}"}],
        "schedules": [{"id": f"sch-{n}", "freq": "WEEKLY", "byday": "MO,WE",
                       "opens_at": "09:30", "closes_at": "12:00"}],
        "service_areas": [{"id": f"area-{n}", "name": "Liverpool"}],
        "service_at_locations": [{"id": f"sal-{n}", "location": {
            "id": f"loc-{n}", "name": f"Hall {n}",
            "addresses": [{"id": f"addr-{n}", "address_1": f"{n} High Street",
                           "city": "Liverpool", "postal_code": "L9 2AF"}]}}],
        "contacts": [{"id": f"con-{n}", "name": f"Contact {n}", "title": "Manager",
                      "email": f"contact{n}@example.org"}],
        "organization": {"id": f"org-{org:05d}", "name": f"Organisation {org}",
                         "description": f"Organisation number {org}.",
                         "website": f"https://org{org}.example.org"},
    }
    record.update(extra)
    return record


def v3_page(records: list, page: int, size: int, total: int | None = None) -> dict:
    pages = max(1, -(-len(records) // size))
    chunk = records[(page - 1) * size: page * size]
    return {"total_items": len(records) if total is None else total, "total_pages": pages,
            "page_number": page, "size": size, "first_page": page == 1,
            "last_page": page >= pages, "empty": not chunk, "contents": chunk}


def v1_page(records: list, page: int, size: int) -> dict:
    pages = max(1, -(-len(records) // size))
    chunk = records[(page - 1) * size: page * size]
    return {"totalElements": len(records), "totalPages": pages, "number": page,
            "size": size, "first": page == 1, "last": page >= pages, "content": chunk}


class FeedServer:
    """Serves ``records`` at http://127.0.0.1:PORT/services?page=N. ``style``: "v3",
    "v1", or "raw" (``body`` as it is). ``slow``: seconds to wait between chunks of
    each answer. ``fail_page``: that page answers ``status``. Use as a context manager;
    ``requests`` lists the paths asked for."""

    def __init__(self, records=None, style: str = "v3", size: int = 10, body: bytes = b"",
                 slow: float = 0.0, fail_page: int | None = None, status: int = 500,
                 total: int | None = None):
        self.records = list(records or [])
        self.style, self.size, self.body, self.slow = style, size, body, slow
        self.fail_page, self.status, self.total = fail_page, status, total
        self.requests: list[str] = []
        self.stop = threading.Event()
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                feed.requests.append(self.path)
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                page = int(query.get("page", ["1"])[0])
                if feed.fail_page == page:
                    self.send_error(feed.status)
                    return
                if feed.style == "raw":
                    body = feed.body
                elif feed.style == "v1":
                    body = json.dumps(v1_page(feed.records, page, feed.size)).encode()
                else:
                    body = json.dumps(v3_page(feed.records, page, feed.size,
                                              feed.total)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                step = 512 if feed.slow else len(body) or 1
                try:
                    for start in range(0, len(body), step):
                        if feed.stop.is_set():
                            return
                        self.wfile.write(body[start:start + step])
                        self.wfile.flush()
                        if feed.slow:
                            time.sleep(feed.slow)
                except OSError:
                    return  # the reader went away (cancelled)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/services"

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def renamed(record: dict, **changes) -> dict:
    out = copy.deepcopy(record)
    out.update(changes)
    return out
