"""The four paging styles of the AEP endpoints we use, as pure page parsers (AEP-API.md §3).

Each parser turns one response body into a :class:`Page`: its items and the request for the
next page, if any. :func:`iterate` drives any of them. A request always keeps its query in
``params`` (links the server hands out are split up when resolved), so page arithmetic never
has to reparse URLs.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
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
    page = body.get("page") if isinstance(body.get("page"), dict) else {}
    link = body.get("link") if isinstance(body.get("link"), dict) else {}
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
    page = body.get("_page") if isinstance(body.get("_page"), dict) else {}
    links = body.get("_links") if isinstance(body.get("_links"), dict) else {}
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
    link = body.get("link") if isinstance(body.get("link"), dict) else {}
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
    links = body.get("_links") if isinstance(body.get("_links"), dict) else {}
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


def _identity(item: dict[str, Any]) -> str | None:
    for key in ("id", "dataSetFileId", "name"):
        value = item.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return f"{key}:{value}"
    return None


def iterate(
    fetch: Callable[[PageRequest], Any],
    first: PageRequest,
    style: Style,
    *,
    max_pages: int = MAX_PAGES,
) -> Iterator[dict[str, Any]]:
    """Every item of every page, in order, each at most once.

    Stops when a page names no successor, when a successor repeats a request already made, or
    when a page brings nothing new (a server ignoring the paging parameters would otherwise
    loop forever); one page reached by a guessed page number may repeat an earlier one (a
    1-based server answering ``page=1`` with the first page), and such a walk also ends at
    ``totalCount`` items.
    """
    parse = PARSERS[style]
    request: PageRequest | None = first
    seen_requests: set[PageRequest] = set()
    seen_items: set[str] = set()
    pages = yielded = stale_guesses = 0
    while request is not None and request not in seen_requests and pages < max_pages:
        seen_requests.add(request)
        pages += 1
        page = parse(fetch(request), request)
        fresh = 0
        for item in page.items:
            identity = _identity(item)
            if identity is not None:
                if identity in seen_items:
                    continue
                seen_items.add(identity)
            fresh += 1
            yielded += 1
            yield item
        if page.guessed and page.total is not None and yielded >= page.total:
            return
        if page.items and fresh == 0:
            # a 1-based server answers page=1 with the first page again: go on once, and only
            # while totalCount says items are still missing
            stale_guesses += page.guessed
            if not page.guessed or page.total is None or stale_guesses > 1:
                return
        request = page.next
