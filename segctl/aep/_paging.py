"""The four paging styles of the AEP endpoints we use, as pure page parsers (AEP-API.md §3).

Each parser turns one response body into a :class:`Page`: its items and the request for the
next page, if any. :func:`iterate` drives any of them. A request always keeps its query in
``params`` (links the server hands out are split up when resolved), so page arithmetic never
has to reparse URLs.

Once the first page states the total and its ``next`` request moves one numeric parameter by a
page number or by the page's size (``page``, ``start`` or ``offset``), every remaining request
is known (:func:`fan_out`) and ``iterate(..., concurrency=N)`` fetches them N at a time, still
yielding in order. Opaque tokens (merge policies' ``start``, export jobs' ``offset``), lists
without a total (Catalog, Data Access) and anything else are walked one page after another.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SERVICE_BASES = ("/data/core/ups", "/data/foundation/catalog", "/data/foundation/export")
MAX_PAGES = 10_000


@dataclass(frozen=True)
class PageRequest:
    """One page to fetch: a path (or absolute URL) without query, and its query parameters."""

    url: str
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str | None:
        for key, value in self.params:
            if key == name:
                return value
        return None

    def with_param(self, name: str, value: object) -> PageRequest:
        kept = tuple((k, v) for k, v in self.params if k != name)
        return replace(self, params=(*kept, (name, str(value))))


def make_request(url: str, params: dict[str, object] | None = None) -> PageRequest:
    """A first-page request; ``None`` parameter values are dropped, booleans spelled in JSON."""
    pairs = []
    for key, value in (params or {}).items():
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        pairs.append((key, text))
    return PageRequest(url, tuple(pairs))


@dataclass(frozen=True)
class Page:
    """One parsed page. ``guessed`` marks a ``next`` the client computed (a page number) rather
    than one the server linked: such a page may repeat the previous one (the numbering base is
    undocumented, AEP-API.md §16) and the walk ends once ``total`` items have come back."""

    items: tuple[dict[str, Any], ...]
    next: PageRequest | None
    total: int | None = None
    guessed: bool = False


def resolve_link(current: PageRequest, href: str) -> PageRequest:
    """A request for a ``next`` link as AEP writes them.

    ``https://…`` is absolute; ``@/mergePolicies?start=…`` is anchored where its first segment
    occurs in the current path (``@/segment/definitions`` under ``/data/core/ups/segment/…``),
    else relative to the collection's parent; ``/data/…`` is a platform path; any other
    ``/export/jobs/?…`` is relative to the service base (``/data/core/ups``) of the request.
    """
    parts = urlsplit(href)
    params = tuple(parse_qsl(parts.query, keep_blank_values=True))
    if parts.scheme and parts.netloc:
        return PageRequest(f"{parts.scheme}://{parts.netloc}{parts.path}", params)
    current_path = urlsplit(current.url).path
    prefix = current.url[: len(current.url) - len(current_path)] if current_path else current.url
    path = parts.path
    if path.startswith("@/"):
        path = f"{_anchor(current_path, path[2:])}/{path[2:]}"
    elif not path.startswith("/data/"):
        base = next((b for b in SERVICE_BASES if current_path.startswith(b)), "")
        path = base + (path if path.startswith("/") else "/" + path)
    return PageRequest(prefix + path, params)


def _anchor(current_path: str, rest: str) -> str:
    """The prefix of ``current_path`` that an ``@/rest`` link continues."""
    parts = current_path.rstrip("/").split("/")
    first = rest.split("/", 1)[0]
    if first and first in parts[1:]:
        return "/".join(parts[: parts.index(first, 1)])
    return "/".join(parts[:-1])


def _link_href(link: Any) -> str | None:
    """``"…"`` or ``{"href": "…"}``; empty strings and ``{}`` mean "no next page"."""
    if isinstance(link, str):
        return link or None
    if isinstance(link, dict):
        href = link.get("href")
        return href if isinstance(href, str) and href else None
    return None


def _dicts(value: Any) -> tuple[dict[str, Any], ...]:
    return tuple(v for v in value if isinstance(v, dict)) if isinstance(value, list) else ()


def _object(body: dict[str, Any], key: str) -> dict[str, Any]:
    """``body[key]`` when it is a JSON object, else an empty one."""
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_page_link(body: Any, request: PageRequest, items_key: str = "segments") -> Page:
    """Segment definitions: ``{"segments", "page": {totalPages…}, "link": {"next"?}}``.

    A ``link.next`` (a string or ``{"href"}``) is followed when present; otherwise the page
    number advances. Whether ``page`` counts from 0 (spec example) or 1 is undocumented, so the
    walk (when ``page.totalCount`` is given) goes up to ``page=totalPages``, tolerates one page
    that repeats the first, and stops as soon as ``totalCount`` definitions have come back.
    """
    body = body if isinstance(body, dict) else {}
    items = _dicts(body.get(items_key))
    page = _object(body, "page")
    link = _object(body, "link")
    total = _int(page.get("totalCount"))
    href = _link_href(link.get("next"))
    if href:
        return Page(items, resolve_link(request, href), total)
    total_pages = _int(page.get("totalPages"))
    current = _int(request.param("page")) or 0
    # 0-based, the last page is totalPages - 1; 1-based it is totalPages. That one extra page is
    # only worth asking for when totalCount says whether anything is still missing.
    last = None if total_pages is None else total_pages - (1 if total is None else 0)
    if items and last is not None and current + 1 <= last:
        return Page(items, request.with_param("page", current + 1), total, guessed=True)
    return Page(items, None, total)


def parse_underscore(body: Any, request: PageRequest, items_key: str = "children") -> Page:
    """Segment jobs, schedules, merge policies: ``{"_page", "children", "_links": {"next"}}``."""
    body = body if isinstance(body, dict) else {}
    items = _dicts(body.get(items_key))
    page = _object(body, "_page")
    links = _object(body, "_links")
    total = _int(page.get("totalCount"))
    href = _link_href(links.get("next"))
    if href:
        return Page(items, resolve_link(request, href), total)
    token = page.get("next")
    if items and token not in (None, "", {}):
        return Page(items, request.with_param("start", token), total)
    return Page(items, None, total)


def parse_records(body: Any, request: PageRequest) -> Page:
    """Export jobs: ``{"records", "page": {pageOffset…}, "link": {"next": "/export/jobs/?…"}}``."""
    body = body if isinstance(body, dict) else {}
    items = _dicts(body.get("records"))
    link = _object(body, "link")
    href = _link_href(link.get("next"))
    return Page(items, resolve_link(request, href) if href and items else None)


def parse_catalog_map(body: Any, request: PageRequest) -> Page:
    """Catalog lists: a bare ``{id: object}`` map; another page while a full page came back.

    Each item gets its map key as ``id`` (Catalog objects do not carry it themselves).
    """
    body = body if isinstance(body, dict) else {}
    items = tuple({**obj, "id": key} for key, obj in body.items() if isinstance(obj, dict))
    limit = _int(request.param("limit"))
    start = _int(request.param("start")) or 0
    if limit is not None and len(body) >= limit > 0:
        return Page(items, request.with_param("start", start + len(body)))
    return Page(items, None)


def parse_data_access(body: Any, request: PageRequest) -> Page:
    """Data Access listings: ``{"data": [...], "_page": {limit, count}, "_links": {"next"?}}``."""
    body = body if isinstance(body, dict) else {}
    items = _dicts(body.get("data"))
    links = _object(body, "_links")
    href = _link_href(links.get("next"))
    return Page(items, resolve_link(request, href) if href and items else None)


class Style(enum.Enum):
    PAGE_LINK = "page+link"
    UNDERSCORE = "_page+_links"
    RECORDS = "records+link.next"
    CATALOG = "catalog map"
    DATA_ACCESS = "data+_page"


PARSERS: dict[Style, Callable[[Any, PageRequest], Page]] = {
    Style.PAGE_LINK: parse_page_link,
    Style.UNDERSCORE: parse_underscore,
    Style.RECORDS: parse_records,
    Style.CATALOG: parse_catalog_map,
    Style.DATA_ACCESS: parse_data_access,
}


_STEPPED = ("page", "start", "offset")


def fan_out(first: PageRequest, page: Page, max_pages: int = MAX_PAGES
            ) -> tuple[PageRequest, ...]:
    """The requests for the pages after ``first``, computed from its answer ``page``; empty
    when they cannot be (no total, no next page, or a ``next`` that is not page arithmetic).

    ``next`` must be ``first`` with one of ``page``/``start``/``offset`` moved (parameters the
    server added, such as ``totalCount``, are carried): by 1 (a page number) or by the number
    of items on the page (an offset). The requests cover ``totalCount`` at that page size; a
    guessed page number whose base turns out to be 1 leaves one page for the sequential walk
    that follows the last of them (see :func:`iterate`).
    """
    nxt = page.next
    size = len(page.items)
    if page.total is None or nxt is None or not size:
        return ()
    if urlsplit(nxt.url).path != urlsplit(first.url).path:
        return ()
    before, after = dict(first.params), dict(nxt.params)
    moved = [k for k in after if k in before and before[k] != after[k]]
    moved += [k for k in _STEPPED if k in after and k not in before]
    if len(moved) != 1 or moved[0] not in _STEPPED:
        return ()
    name = moved[0]
    origin, second = _int(before.get(name, "0")), _int(after[name])
    if origin is None or second is None or str(second) != after[name]:
        return ()
    step = second - origin
    if step not in (1, size):
        return ()
    ahead = origin * (size if step == 1 else 1)  # items before the first page
    count = min(math.ceil((page.total - ahead - size) / size), max_pages - 1)
    if count <= 0:
        return ()
    return tuple(nxt.with_param(name, origin + step * k) for k in range(1, count + 1))


def _identity(item: dict[str, Any]) -> str | None:
    for key in ("id", "dataSetFileId", "name"):
        value = item.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return f"{key}:{value}"
    return None


class _Walk:
    """What a walk has seen: requests made, items yielded (by identity), stale guessed pages."""

    def __init__(self) -> None:
        self.requests: set[PageRequest] = set()
        self.items: set[str] = set()
        self.yielded = 0
        self.stale_guesses = 0

    def fresh(self, page: Page) -> list[dict[str, Any]]:
        """The page's items not yielded before, counted as yielded."""
        out = []
        for item in page.items:
            identity = _identity(item)
            if identity is not None:
                if identity in self.items:
                    continue
                self.items.add(identity)
            out.append(item)
        self.yielded += len(out)
        return out

    def ends_after(self, page: Page, fresh: int) -> bool:
        """Whether the walk stops after ``page``, of which ``fresh`` items were new."""
        if page.guessed and page.total is not None and self.yielded >= page.total:
            return True
        if page.items and fresh == 0:
            # a 1-based server answers page=1 with the first page again: go on once, and only
            # while totalCount says items are still missing
            self.stale_guesses += page.guessed
            return not page.guessed or page.total is None or self.stale_guesses > 1
        return False


def iterate(
    fetch: Callable[[PageRequest], Any],
    first: PageRequest,
    style: Style,
    *,
    max_pages: int = MAX_PAGES,
    concurrency: int = 1,
) -> Iterator[dict[str, Any]]:
    """Every item of every page, in order, each at most once.

    Stops when a page names no successor, when a successor repeats a request already made, or
    when a page brings nothing new (a server ignoring the paging parameters would otherwise
    loop forever); one page reached by a guessed page number may repeat an earlier one (a
    1-based server answering ``page=1`` with the first page), and such a walk also ends at
    ``totalCount`` items.

    With ``concurrency`` above 1, once a page has brought new items and its ``next`` is the
    server's link (or, for a guessed page number, from the second page on, which shows the
    numbering base and that the server honours the number), the pages :func:`fan_out`
    computes from it are fetched that many at a time (the same requests a sequential walk
    makes, so the same count) and consumed in order under the same rules; an empty page ends
    them, and the walk goes on one page at a time from the last one's ``next`` if it names a
    page not yet read (the collection grew meanwhile, or a 1-based page number).
    """
    parse = PARSERS[style]
    walk = _Walk()
    request: PageRequest | None = first
    pages = 0
    fanned = concurrency <= 1
    while request is not None and request not in walk.requests and pages < max_pages:
        walk.requests.add(request)
        pages += 1
        page = parse(fetch(request), request)
        fresh = walk.fresh(page)
        yield from fresh
        if walk.ends_after(page, len(fresh)):
            return
        if not fanned and fresh and (not page.guessed or pages > 1):
            fanned = True
            rest = tuple(r for r in fan_out(request, page, max_pages - pages + 1)
                         if r not in walk.requests)
            if rest:
                walk.requests.update(rest)
                last = yield from _fetch_in_order(fetch, parse, rest, concurrency, walk)
                if last is None:
                    return
                pages += len(rest)
                page = last
        request = page.next


def _fetch_in_order(
    fetch: Callable[[PageRequest], Any],
    parse: Callable[[Any, PageRequest], Page],
    requests: tuple[PageRequest, ...],
    concurrency: int,
    walk: _Walk,
) -> Generator[dict[str, Any], None, Page | None]:
    """Yield the items of ``requests``' pages in order, at most ``concurrency`` requests in
    flight; returns the last page, or None when the walk ends among them."""
    pool = ThreadPoolExecutor(max_workers=min(concurrency, len(requests)),
                              thread_name_prefix="segctl-page")
    try:
        pending: list[Future[Any]] = []
        submitted = 0
        for index, request in enumerate(requests):
            while submitted < len(requests) and submitted < index + concurrency:
                pending.append(pool.submit(fetch, requests[submitted]))
                submitted += 1
            page = parse(pending[index].result(), request)
            fresh = walk.fresh(page)
            yield from fresh
            if not page.items or walk.ends_after(page, len(fresh)):
                return None
        return page
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
