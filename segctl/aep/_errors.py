"""The ``ApiError`` family: every failure of an AEP call, HTTP or transport, as one type.

AEP answers errors in three body shapes (AEP-API.md §2.3, §4): the gateway's
``{"error_code", "message"}``, problem details with an ``errors`` map keyed by status, and
Catalog's ``{"type": "/placeholder/type/uri", "title", "detail"}``. IMS adds the OAuth2
``{"error", "error_description"}``. All are reduced to status, code, message and request id
here, and httpx's transport exceptions are translated at this one boundary.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx

from segctl.aep._redact import redact_text
from segctl.errors import SegctlError

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_MAX_MESSAGE = 500


class ApiError(SegctlError):
    """An AEP call failed. ``status`` is None for transport failures (nothing came back)."""

    retryable_status = RETRYABLE_STATUS

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.request_id = request_id
        self.method = method
        self.path = urlsplit(url).path if url else None
        self.retry_after = retry_after
        # Set by the retry loop: an earlier attempt of the same call may have been applied.
        self.after_ambiguous = False
        super().__init__(self._summary(message), hint=hint)
        self.message = message  # the server's own words; str(self) is the full summary

    def _summary(self, message: str) -> str:
        head = "AEP API error"
        if self.status is not None:
            head += f" {self.status}"
        if self.code:
            head += f" ({self.code})"
        if self.method and self.path:
            head += f" on {self.method} {self.path}"
        text = f"{head}: {message}"
        if self.request_id:
            text += f" [request id {self.request_id}]"
        return text

    @property
    def retryable(self) -> bool:
        """True when the same request may succeed later (429, 5xx, most transport errors)."""
        return self.status in self.retryable_status

    @property
    def ambiguous(self) -> bool:
        """True when the server may have acted on the request although it failed."""
        return self.status is not None and self.status >= 500

    def format(self) -> str:
        text = f"error: {self.args[0]}"
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.args[0]!r})"


class BadRequestError(ApiError):
    """400 (or a 422 that is not a duplicate): the request itself is wrong."""


class AuthError(ApiError):
    """401 / IMS refusal: credentials missing, invalid or expired."""


class ForbiddenError(AuthError):
    """403: authenticated, but not allowed (product profile, sandbox, org)."""


class NotFoundError(ApiError):
    """404: the object does not exist (any more)."""


class ConflictError(ApiError):
    """409, or 422 "already exists": a duplicate name or a conflicting state."""


class RateLimitedError(ApiError):
    """429: throttled; ``retry_after`` seconds is the server's advice when it gave one."""


class ServerError(ApiError):
    """5xx: the service failed; a create may or may not have happened."""


class TransportError(ApiError):
    """No HTTP response: connection refused, timeout, dropped connection."""

    def __init__(self, message: str, *, sent: bool, retryable: bool, **kwargs: Any) -> None:
        self.sent = sent
        self._retryable = retryable
        super().__init__(message, **kwargs)

    @property
    def retryable(self) -> bool:
        return self._retryable

    @property
    def ambiguous(self) -> bool:
        return self.sent


def _class_for(status: int, message: str) -> type[ApiError]:
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    if status == 401:
        return AuthError
    if status == 403:
        return ForbiddenError
    if status == 404:
        return NotFoundError
    if status == 409:
        return ConflictError
    if status == 422:
        return ConflictError if _says_duplicate(message) else BadRequestError
    if status in (400, 405, 406, 413, 415):
        return BadRequestError
    return ApiError


_MISSING = ("does not exist", "doesn't exist", "do not exist", "not exist", "not found",
            "cannot be retrieved")


def _says_duplicate(message: str) -> bool:
    """A 422 means "already exists" (the spec's duplicate-name answer) only when it says so: a
    422 about a dataset that "does not exist" is a bad reference, not a conflict."""
    lowered = message.lower()
    if any(phrase in lowered for phrase in _MISSING):
        return False
    return "exist" in lowered or "duplicate" in lowered


def describe_error_body(body: Any) -> tuple[str | None, str | None, str | None]:
    """(code, message, request id) from any of the known error body shapes (pure)."""
    if not isinstance(body, dict):
        return None, None, None
    request_id = _str(body.get("requestId") or body.get("request_id"))
    if "error_code" in body:  # gateway
        return _str(body["error_code"]), _str(body.get("message")), request_id
    if isinstance(body.get("error"), str):  # IMS / OAuth2
        message = body.get("error_description") or body.get("message") or body["error"]
        return body["error"], _str(message), request_id
    entries = list(_error_entries(body.get("errors")))
    type_uri = _str(body.get("type")) or ""
    title, detail = _str(body.get("title")), _str(body.get("detail"))
    code: str | None
    if type_uri and "placeholder" not in type_uri:  # problem details with an AEP type URI
        code = type_uri.rstrip("/").rsplit("/", 1)[-1]
    elif type_uri:  # Catalog's placeholder type: the title is the only code it has
        code = title
    else:
        code = _str(entries[0].get("code")) if entries else None
    first = _str(entries[0].get("message") or entries[0].get("msg")) if entries else None
    message = first or detail or title or _str(body.get("message"))
    return code, message, request_id


def _error_entries(errors: Any) -> Iterable[dict[str, Any]]:
    if isinstance(errors, dict):
        for value in errors.values():
            if isinstance(value, list):
                yield from (e for e in value if isinstance(e, dict))
            elif isinstance(value, dict):
                yield value
    elif isinstance(errors, list):
        yield from (e for e in errors if isinstance(e, dict))


def _str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def error_from_response(
    response: httpx.Response,
    *,
    secrets: Iterable[str] = (),
    retry_after: float | None = None,
) -> ApiError:
    """The typed error for a non-2xx response (its body must already be read)."""
    status = response.status_code
    text = response.text if response.content else ""
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = None
    code, message, body_request_id = describe_error_body(body)
    if message is None:
        message = text.strip()[:_MAX_MESSAGE] or response.reason_phrase or "no details"
    message = redact_text(message[:_MAX_MESSAGE], secrets)
    request_id = (
        response.headers.get("x-request-id")
        or body_request_id
        or response.request.headers.get("x-request-id")
    )
    cls = _class_for(status, message)
    hint = None
    if issubclass(cls, AuthError):
        hint = (
            "check AEP_CLIENT_ID, AEP_CLIENT_SECRET, AEP_ORG_ID and AEP_SANDBOX, and that the "
            "Developer Console project has access to this sandbox"
        )
        if code == "403025":  # also what a sandbox the org does not have gets
            hint += " (`segctl sandbox list` shows the org's sandboxes)"
    return cls(
        message,
        status=status,
        code=code,
        request_id=request_id,
        method=response.request.method,
        url=str(response.request.url),
        retry_after=retry_after,
        hint=hint,
    )


# Failures where the request certainly never reached the server: always safe to repeat.
_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
# Failures after (part of) the request went out: the server may have acted on it.
_AMBIGUOUS: tuple[type[Exception], ...] = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


def error_from_transport(
    exc: httpx.HTTPError, request: httpx.Request, *, secrets: Iterable[str] = ()
) -> TransportError:
    """Translate an httpx exception (the only place they are caught) into TransportError."""
    kind = type(exc).__name__
    detail = redact_text(str(exc) or kind, secrets)[:_MAX_MESSAGE]
    if isinstance(exc, _NOT_SENT):
        sent, retryable = False, True
        message = f"could not connect to {request.url.host}: {detail}"
    elif isinstance(exc, _AMBIGUOUS):
        sent, retryable = True, True
        message = f"no complete response from {request.url.host} ({kind}): {detail}"
    else:
        sent, retryable = False, False
        message = f"HTTP failure ({kind}): {detail}"
    return TransportError(
        message,
        sent=sent,
        retryable=retryable,
        code=kind,
        request_id=request.headers.get("x-request-id"),
        method=request.method,
        url=str(request.url),
    )
