"""Request context, routing table machinery and the error bodies of AEP (AEP-API §2.3, §4).

Handlers raise :class:`HttpFailure` for any non-2xx answer; the dispatcher turns it into the
response, so every error shape is written in exactly one place.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from segctl import jsonio
from segctl.sandbox.core.store import Partition

if TYPE_CHECKING:
    from segctl.sandbox.core.host import Host


class HttpFailure(Exception):
    """An error answer: status, JSON body and extra headers."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None):
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def gateway_error(status: int, code: str, message: str) -> HttpFailure:
    """The API gateway's shape: ``{"error_code": "403010", "message": ...}``."""
    return HttpFailure(status, {"error_code": code, "message": message})


def problem(status: int, code: str, title: str) -> HttpFailure:
    """Segmentation/Profile problem-details shape with the ``errors`` map keyed by status."""
    return HttpFailure(status, {
        "type": f"https://ns.adobe.com/aep/errors/{code}",
        "title": title,
        "status": status,
        "requestId": uuid.uuid4().hex,
        "errors": {str(status): [{"code": code, "message": title}]},
    })


def catalog_error(status: int, title: str, detail: str) -> HttpFailure:
    """Catalog's legacy shape."""
    return HttpFailure(status, {"type": "/placeholder/type/uri", "status": status,
                                "title": title, "detail": detail})


def bulk_missing(rid: str) -> dict[str, Any]:
    """The entry a bulk-get answers for an id it does not know (segmentation.yaml, audiences
    bulk-get "One audience was not found"); ``id``/``status`` are kept for readers of old
    sandbox answers."""
    return {"id": rid, "status": 404, "requestId": uuid.uuid4().hex,
            "errors": {"404": [{"code": 404, "message": "Not found."}]}}


def not_found(what: str, rid: str) -> HttpFailure:
    return problem(404, "UPAPI-113430-404",
                   f"The {what} {rid} is not found. Use a valid entity and try again.")


def bad_request(message: str, code: str = "UPAPI-113400-400") -> HttpFailure:
    return problem(400, code, message)


def children_page(ctx: Ctx, docs: list[dict[str, Any]], path: str, *, default_limit: int = 100,
                  next_token: bool = False,
                  present: Callable[[dict[str, Any]], Any] | None = None) -> httpx.Response:
    """The Segmentation/Profile list answer ``{"_page", "children", "_links": {"next"}}`` for the
    ``?start=&limit=`` window of ``docs``; ``path`` is what the next link points at,
    ``next_token`` also puts the next start in ``_page.next`` (schedules), ``present`` turns a
    stored document into the one answered."""
    limit = ctx.int_param("limit", default_limit, lo=1)
    start = ctx.int_param("start", 0)
    window = docs[start:start + limit]
    page: dict[str, Any] = {"totalCount": len(docs), "pageSize": len(window)}
    nxt: dict[str, Any] = {}
    if start + limit < len(docs):
        if next_token:
            page["next"] = str(start + limit)
        nxt = {"href": f"{path}?start={start + limit}&limit={limit}"}
    children = [present(d) for d in window] if present else window
    return json_response(200, {"_page": page, "children": children, "_links": {"next": nxt}})


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None
                  ) -> httpx.Response:
    content = b"" if body is None else jsonio.dumps(body)
    hdrs = {"content-type": "application/json"} if body is not None else {}
    hdrs.update(headers or {})
    return httpx.Response(status, content=content, headers=hdrs)


@dataclass
class Ctx:
    """One request as handlers see it."""

    app: Host
    request: httpx.Request
    params: dict[str, str]
    scope: Partition = field(default_factory=lambda: Partition("", ""))
    client_id: str = ""
    query: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        raw = self.request.content
        if not raw:
            raise bad_request("The request body is empty.")
        try:
            return jsonio.loads(raw)
        except ValueError:
            raise bad_request("The request body is not valid JSON.") from None

    def json_object(self) -> dict[str, Any]:
        body = self.json()
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object.")
        return body

    def int_param(self, name: str, default: int, *, lo: int = 0, hi: int | None = None) -> int:
        text = self.query.get(name)
        if text is None or text == "":
            return default
        try:
            value = int(text)
        except ValueError:
            raise bad_request(f"Query parameter {name} must be an integer.") from None
        if value < lo or (hi is not None and value > hi):
            bound = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
            raise bad_request(f"Query parameter {name} must be {bound}.")
        return value

    def stored(self, kind: str, what: str) -> dict[str, Any]:
        """The stored ``kind`` document the path's ``{id}`` names; the API's 404 for ``what``
        (``"export job"``) when there is none."""
        rid = self.params["id"]
        doc = self.app.store.get(kind, self.scope, rid)
        if doc is None:
            raise not_found(what, rid)
        return self.resume(kind, [doc])[0]

    def resume(self, kind: str, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``docs`` (jobs of ``kind``) as they are now (``core.runner.refresh``): a job whose
        realistic duration has passed shows its end, and one whose owner is gone is resumed:
        reading a job through the API is what brings an interrupted one back."""
        now = self.app.now_ms()
        return [self.app.runner.refresh(kind, self.scope, doc, now) for doc in docs]


def with_status(ctx: Ctx, jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The jobs whose status is one of ``?status=A,b`` (case-insensitive); all without it."""
    if not ctx.query.get("status"):
        return jobs
    wanted = {s.strip().upper() for s in ctx.query["status"].split(",")}
    return [j for j in jobs if j["status"] in wanted]


Handler = Callable[[Ctx], httpx.Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Handler
    gateway: bool = True  # False: not behind the Platform gateway (the IMS token endpoint)
    # the query parameters the handler honours; IMPLEMENTATION_COVERAGE.md lists the spec's
    # other parameters of this operation as not supported ("partial")
    query: tuple[str, ...] = ()
    note: str = ""  # what else is partial (fields, behaviour), for the coverage table

    def compiled(self) -> re.Pattern[str]:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.pattern.rstrip("/"))
        return re.compile(f"^{regex}/?$")


class Router:
    def __init__(self, routes: list[Route]):
        self._routes = [(r, r.compiled()) for r in routes]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        allowed = False
        for route, regex in self._routes:
            m = regex.match(path)
            if m is None:
                continue
            if route.method == method:
                return route, m.groupdict()
            allowed = True
        if allowed:
            raise problem(405, "UPAPI-113405-405", f"Method {method} is not allowed on {path}.")
        raise problem(404, "UPAPI-113404-404", f"No API at {path}.")
