"""Plumbing shared by the resource mixins of :class:`~segctl.aep._client.AepClient`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from segctl.aep._errors import ApiError, NotFoundError
from segctl.aep._http import HttpCore, parse_json
from segctl.aep._paging import PageRequest, Style, iterate, make_request

UPS = "/data/core/ups"
CATALOG = "/data/foundation/catalog"
DATA_ACCESS = "/data/foundation/export"

T = TypeVar("T")


def seg(value: object) -> str:
    """One path segment, percent-encoded so an id can never change the path."""
    return quote(str(value), safe="")


class ResourceBase:
    _http: HttpCore
    _read_concurrency: int = 1  # reads in flight at a time (AepClient sets it)

    def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        return self._http.call(method, url, parse=parse_json, **kwargs)

    def _object(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        return self._http.call(method, url, parse=expect_object, **kwargs)

    def _maybe_object(self, method: str, url: str, **kwargs: Any) -> dict[str, Any] | None:
        """For DELETEs that answer either nothing or a small JSON message."""
        body = self._json(method, url, **kwargs)
        return body if isinstance(body, dict) else None

    def _delete(self, url: str) -> dict[str, Any] | None:
        """DELETE; a 404 after an attempt whose answer was lost means that attempt worked."""
        try:
            return self._maybe_object("DELETE", url)
        except NotFoundError as exc:
            if exc.after_ambiguous:
                return None
            raise

    def _create(
        self,
        url: str,
        body: Any,
        *,
        parse: Callable[[httpx.Response], T],
        recover: Callable[[], T | None] | None,
        headers: Mapping[str, str] | None = None,
    ) -> T:
        """A POST that creates: never replayed blindly, only after ``recover`` finds nothing."""
        return self._http.call(
            "POST", url, json_body=body, parse=parse, recover=recover, headers=headers
        )

    def _all(self, url: str, style: Style, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        return list(iterate(self._get_page, make_request(url, dict(params)), style,
                            concurrency=self._read_concurrency))

    def _first_page(
        self, url: str, style: Style, params: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """Only the first page: for "the most recent N" reads, which must not walk history."""
        return list(iterate(self._get_page, make_request(url, dict(params)), style, max_pages=1))

    def _get_page(self, request: PageRequest) -> Any:
        return self._json("GET", request.url, params=request.params)

    def _now_ms(self) -> int:
        return int(self._http.service_time() * 1000)  # the service's clock, as it dates jobs


def expect_object(response: httpx.Response) -> dict[str, Any]:
    body = parse_json(response)
    if not isinstance(body, dict):
        raise ApiError(
            f"expected a JSON object, got {type(body).__name__}",
            status=response.status_code,
            request_id=response.headers.get("x-request-id"),
            method=response.request.method,
            url=str(response.request.url),
        )
    return body
