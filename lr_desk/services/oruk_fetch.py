"""Fetching one page of a feed over http(s): standard library only, with a timeout,
read in chunks that a ``Cancel`` (from any thread) stops at once; what goes wrong is a
``FeedError`` in plain words (services.oruk_feed reads the pages)."""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request

MAX_PAGE_BYTES = 50 * 1024 * 1024
CHUNK = 64 * 1024
AGENT = "lr-desk directory import"


class FeedError(Exception):
    """The feed could not be read at all; ``str()`` says why in plain words.
    ``offline``: the address could not be reached (try again later)."""

    def __init__(self, message: str, offline: bool = False):
        super().__init__(message)
        self.offline = offline


class Cancelled(Exception):
    """Reading was cancelled."""


class Cancel:
    """Shared between whoever reads and whoever may cancel: ``cancel()`` from any
    thread stops the reading between chunks, and shuts the connection's socket so a
    read waiting on a slow or silent server stops at once."""

    def __init__(self):
        self._set = threading.Event()
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None

    def cancel(self) -> None:
        self._set.set()
        with self._lock:
            sock = self._socket
        _shut(sock)

    @property
    def cancelled(self) -> bool:
        return self._set.is_set()

    def check(self) -> None:
        if self._set.is_set():
            raise Cancelled()

    def watch(self, sock: socket.socket | None) -> None:
        """The socket a page is being read from (None: done with it)."""
        with self._lock:
            self._socket = sock
        if self._set.is_set():
            _shut(sock)


def _shut(sock: socket.socket | None) -> None:
    """Shut a socket under a blocked read (the read returns; closing it would not)."""
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _opener(cancel: Cancel) -> urllib.request.OpenerDirector:
    """urllib, with each connection's socket watched by ``cancel`` from the moment it
    connects (so waiting for the server's answer can be stopped too)."""

    class Watched(http.client.HTTPConnection):
        def connect(self):
            super().connect()
            cancel.watch(self.sock)

    class WatchedTLS(http.client.HTTPSConnection):
        def connect(self):
            super().connect()
            cancel.watch(self.sock)

    class Plain(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(Watched, req)

    class TLS(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(WatchedTLS, req, context=self._context)

    return urllib.request.build_opener(Plain, TLS)


def fetch(url: str, timeout: float, cancel: Cancel) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": AGENT})
    try:
        with _opener(cancel).open(request, timeout=timeout) as response:
            try:
                chunks, size = [], 0
                while True:
                    cancel.check()
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > MAX_PAGE_BYTES:
                        raise FeedError(f"{short(url)} sent more than "
                                        f"{MAX_PAGE_BYTES // (1024 * 1024)} MB in one page: "
                                        "too much for a directory feed.")
                    chunks.append(chunk)
                cancel.check()
                return b"".join(chunks)
            finally:
                cancel.watch(None)
    except (Cancelled, FeedError):
        raise
    except urllib.error.HTTPError as exc:
        raise FeedError(f"{short(url)} answered {exc.code} ({exc.reason}): "
                        f"{_http_words(exc.code)}") from None
    except TimeoutError:
        cancel.check()
        raise FeedError(f"{short(url)} did not answer within {timeout:g} seconds. Try "
                        "again later.", offline=True) from None
    except urllib.error.URLError as exc:
        cancel.check()
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise FeedError(f"{short(url)} did not answer within {timeout:g} seconds. "
                            "Try again later.", offline=True) from None
        if isinstance(reason, socket.gaierror):
            raise FeedError(f"{_host(url)} could not be found: check the address, and "
                            "that this computer is online.", offline=True) from None
        if isinstance(reason, ConnectionRefusedError):
            raise FeedError(f"{_host(url)} refused the connection: the feed may be down. "
                            "Try again later.", offline=True) from None
        words = getattr(reason, "strerror", None) or str(reason)
        raise FeedError(f"{short(url)} could not be reached ({words}).",
                        offline=True) from None
    except http.client.HTTPException as exc:  # an answer cut short, or not HTTP
        cancel.check()
        raise FeedError(f"{short(url)} sent an answer that was cut short or is not a web "
                        f"server's ({type(exc).__name__}). Try again later.",
                        offline=True) from None
    except (ConnectionError, OSError) as exc:
        cancel.check()
        raise FeedError(f"The connection to {_host(url)} broke off while reading "
                        f"({exc.strerror or type(exc).__name__}). Try again later.",
                        offline=True) from None
    except ValueError:  # an address urllib cannot use
        raise FeedError(f"{source_words(url)} is not a web address this desk can "
                        "read.") from None


def _http_words(code: int) -> str:
    if code == 404:
        return "there is no feed at this address; check it."
    if code in (401, 403):
        return "the feed is not open to this desk (open feeds need no login)."
    if code == 429:
        return "the server is busy; try again in a while."
    if code >= 500:
        return "the server had a problem; try again later."
    return "the feed could not be read."


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).hostname or url


def short(where: str, most: int = 80) -> str:
    return where if len(where) <= most else where[: most - 1] + "…"


def source_words(source: str) -> str:
    return short(source)
