"""Fetching one page of a feed over http(s): standard library only, with a timeout,
read in chunks that a ``Cancel`` (from any thread) stops at once; what goes wrong is a
``FeedError`` in plain words (services.oruk_feed reads the pages)."""

from __future__ import annotations

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
    thread stops the reading between chunks, and closes a connection waiting on a slow
    server so it stops at once."""

    def __init__(self):
        self._set = threading.Event()
        self._lock = threading.Lock()
        self._response = None

    def cancel(self) -> None:
        self._set.set()
        with self._lock:
            response = self._response
        if response is not None:
            _shut(response)

    @property
    def cancelled(self) -> bool:
        return self._set.is_set()

    def check(self) -> None:
        if self._set.is_set():
            raise Cancelled()

    def _reading(self, response) -> None:
        with self._lock:
            self._response = response
        if response is not None and self._set.is_set():
            _shut(response)


def _shut(response) -> None:
    """Close a response's socket under a blocked read (its ``close`` would wait)."""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def fetch(url: str, timeout: float, cancel: Cancel) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            cancel._reading(response)
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
                cancel._reading(None)
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
