"""Reading an Open Referral UK (HSDS) feed: a JSON file, or an http(s) address.

``read(source)`` takes what the feed sends in any of the shapes publishers use: one
service, a list of services, one organisation with its services, or a paged API answer
(version 3: ``contents`` with ``total_pages``/``page_number``; version 1: ``content``
with ``totalElements``/``number``/``last``/``totalPages``), following the pages of an
address up to ``MAX_PAGES``. Each page is fetched with a timeout (standard library
only), ``progress`` hears of each page, and ``cancel`` (a ``Cancel``) stops it between
pages and chunks, or at once by closing the connection.

A feed that cannot be read at all raises ``FeedError`` with the reason in plain words;
what is wrong with a page (a total that disagrees, a page that failed after others were
read) is kept in ``Feed.problems`` for the import report (services.oruk). Fetching
one page over http(s) is services.oruk_fetch's.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lr_desk.services.oruk_fetch import (
    MAX_PAGE_BYTES,
    Cancel,
    Cancelled,
    FeedError,
    fetch,
    short,
    source_words,
)

__all__ = ["Cancel", "Cancelled", "Feed", "FeedError", "Record", "is_address", "read",
           "source_words"]

TIMEOUT = 30.0  # seconds to wait for the server, each time it is asked
MAX_PAGES = 500


@dataclass
class Record:
    """One record as received, where it was (``where``: "record 3 on page 2"), and the
    organisation it came inside (a service listed under its organisation), if any."""

    data: object
    where: str
    organization: dict | None = None


@dataclass
class Feed:
    source: str
    records: list[Record] = field(default_factory=list)
    pages: int = 0
    problems: list[str] = field(default_factory=list)  # about the feed as a whole
    style: str = ""  # "version 3 pages", "a list", "one service", "one organisation"...
    totals: object = None  # the first page's paging (what the feed says it holds)
    stopped: bool = False  # reading stopped before the last page (said in problems)


Progress = Callable[[int, int | None, int], None]  # pages read, pages in all, records


def is_address(source: str) -> bool:
    return urllib.parse.urlsplit(source.strip()).scheme.lower() in ("http", "https")


def read(source: str, progress: Progress | None = None, cancel: Cancel | None = None,
         timeout: float = TIMEOUT, max_pages: int = MAX_PAGES) -> Feed:
    """The feed at ``source`` (a file path, or an http(s) address), every page of it."""
    source = (source or "").strip()
    if not source:
        raise FeedError("Say which feed to import: a JSON file, or a web address "
                        "starting https://.")
    cancel = cancel or Cancel()
    feed = Feed(source)
    if not is_address(source):
        if "://" in source:
            raise FeedError(f"{source} is not a file or a web address this desk can read "
                            "(a web address starts http:// or https://).")
        answer = _load(_read_file(source), source)
        _take(feed, answer, 1, source, more_pages=False)
        _check_totals(feed)
        if progress:
            progress(1, 1, len(feed.records))
        return feed
    url, number = source, None
    seen: set[int] = set()
    while True:
        cancel.check()
        try:
            answer = _load(fetch(url, timeout, cancel), url)
        except FeedError as exc:
            if feed.pages == 0:
                raise
            feed.problems.append(f"Page {feed.pages + 1} could not be read, so the feed "
                                 f"stops at page {feed.pages}: {exc}")
            feed.stopped = True
            break
        paging = _take(feed, answer, feed.pages + 1, url, more_pages=True)
        if progress:
            progress(feed.pages, paging.total_pages if paging else None, len(feed.records))
        if paging is None or paging.last:
            break
        if paging.number is not None and paging.number in seen:
            feed.problems.append(f"The server sent page {paging.number} twice (it may not "
                                 "follow the page asked for), so reading stopped there.")
            feed.stopped = True
            break
        if paging.number is not None:
            seen.add(paging.number)
        if feed.pages >= max_pages:
            feed.problems.append(f"The feed has more than {max_pages} pages: only the first "
                                 f"{max_pages} were read.")
            feed.stopped = True
            break
        number = (paging.number + 1) if paging.number is not None else feed.pages + 1
        url = _page_url(source, number, paging.v1)
    _check_totals(feed)
    return feed


@dataclass
class _Paging:
    total_pages: int | None
    total_items: int | None
    number: int | None
    last: bool
    v1: bool


def _take(feed: Feed, answer, page: int, where: str, more_pages: bool) -> _Paging | None:
    """Add one answer's records to ``feed``; its paging, if it is a page."""
    at = f" on page {page}" if more_pages else ""
    if isinstance(answer, list):
        feed.style = feed.style or "a list"
        _add(feed, answer, at)
        feed.pages += 1
        return None
    if not isinstance(answer, dict):
        raise FeedError(f"{short(where)} is JSON but not a directory feed: it holds "
                        f"{_kind(answer)}, where services or organisations were expected.")
    for key, v1 in (("contents", False), ("content", True)):
        if key in answer:
            items = answer[key]
            if not isinstance(items, list):
                raise FeedError(f"{short(where)} is not a feed this desk can read: its "
                                f"\"{key}\" holds {_kind(items)}, not a list.")
            feed.style = feed.style or ("version 1 pages" if v1 else "version 3 pages")
            _add(feed, items, at)
            feed.pages += 1
            paging = _paging(answer, v1, len(items))
            if not more_pages and paging.total_pages and paging.total_pages > 1:
                feed.problems.append(
                    f"This file is one page of {paging.total_pages}: only its "
                    f"{len(items)} records are here (import the feed's address to read "
                    "every page).")
                paging.last = True
            feed.totals = feed.totals or paging
            return paging
    if "id" in answer or "name" in answer:
        feed.style = feed.style or ("one organisation" if _is_organization(answer)
                                    else "one service")
        _add(feed, [answer], at)
        feed.pages += 1
        return None
    raise FeedError(f"{short(where)} is JSON but not a directory feed: it has no services "
                    "(no \"contents\", \"content\", or a service's id and name).")


def _add(feed: Feed, items: list, at: str) -> None:
    start = len(feed.records)
    for i, item in enumerate(items, 1):
        where = f"record {start + i}{at}" if not at else f"record {i}{at}"
        if isinstance(item, dict) and _is_organization(item):
            org = {k: v for k, v in item.items() if k != "services"}
            services = item.get("services") or []
            if not services:
                feed.records.append(Record(None, where, org))  # an organisation alone
            for j, service in enumerate(services, 1):
                feed.records.append(Record(service, f"service {j} of {where}", org))
        elif isinstance(item, dict) and isinstance(item.get("service"), dict):
            # a service at a location: the service, with that location
            service = dict(item["service"])
            if isinstance(item.get("location"), dict):
                service.setdefault("service_at_locations", [{"location": item["location"]}])
            feed.records.append(Record(service, where))
        else:
            feed.records.append(Record(item, where))


def _is_organization(item: dict) -> bool:
    return isinstance(item.get("services"), list) and not (
        "organization" in item or "organization_id" in item)


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _paging(answer: dict, v1: bool, count: int) -> _Paging:
    if v1:
        total_pages, total_items = _int(answer.get("totalPages")), _int(answer.get("totalElements"))
        number, last = _int(answer.get("number")), answer.get("last")
    else:
        total_pages, total_items = _int(answer.get("total_pages")), _int(answer.get("total_items"))
        number, last = _int(answer.get("page_number")), answer.get("last_page")
    if not isinstance(last, bool):
        last = (total_pages is None or number is None or number >= total_pages
                or count == 0)
    elif total_pages is not None and number is not None and number >= total_pages:
        last = True
    if count == 0:
        last = True
    return _Paging(total_pages, total_items, number, last, v1)


def _check_totals(feed: Feed) -> None:
    """A total the feed gives that disagrees with what its pages held."""
    paging = feed.totals
    if not isinstance(paging, _Paging) or feed.stopped:
        return
    received = len(feed.records)
    if paging.total_items is not None and paging.total_items != received:
        feed.problems.append(f"The feed says it has {paging.total_items} records in all, "
                             f"but its pages held {received}.")
    if paging.total_pages is not None and feed.pages > 1 and paging.total_pages != feed.pages:
        feed.problems.append(f"The feed says it has {paging.total_pages} pages, but "
                             f"{feed.pages} were read.")


def _page_url(source: str, number: int, v1: bool) -> str:
    """``source`` asking for page ``number`` (both versions use ``page``)."""
    parts = urllib.parse.urlsplit(source)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if k != "page"]
    query.append(("page", str(number)))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _read_file(path: str) -> bytes:
    p = Path(path).expanduser()
    try:
        size = p.stat().st_size
        if size > MAX_PAGE_BYTES:
            raise FeedError(f"{p.name} is too large to be a directory feed "
                            f"({size // (1024 * 1024)} MB).")
        return p.read_bytes()
    except FeedError:
        raise
    except FileNotFoundError:
        raise FeedError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise FeedError(f"{path} is a folder: choose the feed's JSON file in it.") from None
    except PermissionError:
        raise FeedError(f"This computer's account may not read {path}.") from None
    except OSError as exc:
        raise FeedError(f"{path} could not be read: {exc.strerror or exc}.") from None


def _load(raw: bytes, where: str):
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedError(f"{short(where)} is not text (it is not UTF-8): not a JSON "
                        "feed.") from None
    if not text.strip():
        raise FeedError(f"{short(where)} is empty: there is no feed in it.")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        start = text.lstrip()[:1]
        what = "a web page" if start == "<" else "not JSON"
        raise FeedError(f"{short(where)} is {what}: it could not be read as a JSON feed "
                        f"(line {exc.lineno}, column {exc.colno}).") from None
    except RecursionError:
        raise FeedError(f"{short(where)} is nested too deeply to be a feed.") from None


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true or false",
            type(None): "nothing (null)"}.get(type(value), "a number")
