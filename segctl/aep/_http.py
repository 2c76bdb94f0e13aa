"""The one place HTTP happens: send, count, log (masked), translate errors, retry or recover.

``HttpCore.call`` is a small loop around ``httpx.Client.send``. Each failure is turned into an
``ApiError`` and handed to :func:`~segctl.aep._retry.decide_retry`, which says raise, retry, or
(for a create whose outcome is unknown) look the object up first via the caller's ``recover``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import httpx

from segctl import jsonio
from segctl.aep._auth import ImsAuth, TokenProvider, parse_token_body
from segctl.aep._clock import Clock
from segctl.aep._config import AepConfig
from segctl.aep._errors import (
    ApiError,
    AuthError,
    ConflictError,
    RateLimitedError,
    error_from_response,
    error_from_transport,
)
from segctl.aep._redact import (
    MASK,
    SENSITIVE_KEYS,
    install_log_filters,
    redact_headers,
    redact_json,
    redact_text,
    remember_secret,
)
from segctl.aep._retry import (
    IDEMPOTENT_METHODS,
    RetryAction,
    RetryPolicy,
    decide_retry,
    parse_retry_after,
)

T = TypeVar("T")

logger = logging.getLogger("segctl.aep")
install_log_filters()

_BODY_PREVIEW = 2000


class RequestCounter:
    """Counts every HTTP request handed to the transport (token calls and retries included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    @property
    def count(self) -> int:
        with self._lock:
            return self._count

    def __call__(self, request: httpx.Request) -> None:
        with self._lock:
            self._count += 1


def parse_json(response: httpx.Response) -> Any:
    """The JSON body, or None for an empty one (several DELETEs answer 200/204 with nothing)."""
    if not response.content or not response.content.strip():
        return None
    try:
        return jsonio.loads(response.content)
    except ValueError:
        raise ApiError(
            "the response is not valid JSON",
            status=response.status_code,
            request_id=response.headers.get("x-request-id"),
            method=response.request.method,
            url=str(response.request.url),
        ) from None


class HttpCore:
    """Shared by every resource method of one client; safe to use from several threads."""

    def __init__(
        self,
        config: AepConfig,
        transport: httpx.BaseTransport | None,
        *,
        retry: RetryPolicy,
        clock: Clock,
        rng: random.Random,
    ) -> None:
        self.config = config
        remember_secret(config.client_secret.reveal())
        self._retry = retry
        self._clock = clock
        self._rng = rng
        self._counter = RequestCounter()
        self._client = httpx.Client(
            base_url=config.platform_url,
            transport=transport,  # None: httpx's own, which honours the *_PROXY variables
            timeout=config.timeout,
            headers={"Accept": "application/json"},
            event_hooks={
                "request": [self._counter, self._log_request],
                "response": [self._log_response],
            },
        )
        # the service's clock as its latest response dated it: (Date, clock.monotonic() then)
        self._service_date: tuple[float, float] | None = None
        self._tokens = TokenProvider(self._fetch_token, clock)
        self._auth = ImsAuth(
            self._tokens,
            client_id=config.client_id,
            org_id=config.org_id,
            sandbox=config.sandbox,
        )

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def request_count(self) -> int:
        return self._counter.count

    def service_time(self) -> float:
        """The service's time now (epoch seconds): the ``Date`` of its latest response (RFC
        9110 §6.6.1: the time the origin server generated it, to the second) plus what the
        local monotonic clock counted since; the local clock before any response carried one.
        The service's day is what its rations count by (AEP, or a local sandbox whose clock
        ``segctl sandbox advance`` moved), whatever this machine's clock says."""
        seen = self._service_date
        if seen is None:
            return self._clock.time()
        date, at = seen
        return date + max(0.0, self._clock.monotonic() - at)

    def close(self) -> None:
        self._client.close()

    def secrets(self) -> tuple[str, ...]:
        """Values to mask wherever they appear: the client secret and every token issued."""
        return (self.config.client_secret.reveal(), *self._tokens.known_values())

    # -- the loop -----------------------------------------------------------------------------

    def call(
        self,
        method: str,
        url: str,
        *,
        parse: Callable[[httpx.Response], T],
        params: Mapping[str, Any] | Iterable[tuple[str, str]] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
        replayable: bool | None = None,
        recover: Callable[[], T | None] | None = None,
    ) -> T:
        """Send one logical request, retrying per policy; ``parse`` turns success into ``T``.

        ``replayable`` defaults to True for GET/PUT/PATCH/DELETE and False for POST. A
        non-replayable request is repeated only when the failure proves it was not processed
        (connection refused, 429) or when ``recover()`` (a lookup) finds nothing.
        """
        method = method.upper()
        can_replay = method in IDEMPOTENT_METHODS if replayable is None else replayable
        started = self._clock.monotonic()
        attempt = 0
        after_ambiguous = False
        while True:
            attempt += 1
            request = self._client.build_request(
                method,
                url,
                params=_params(params),
                json=json_body,
                data=form,
                headers={**(headers or {}), "x-request-id": str(uuid.uuid4())},
            )
            outcome = self._attempt(request, authenticated)
            if isinstance(outcome, httpx.Response):
                return parse(outcome)
            error = outcome
            decision = decide_retry(
                error,
                replayable=can_replay,
                can_recover=recover is not None,
                after_ambiguous=after_ambiguous,
                attempt=attempt,
                elapsed=self._clock.monotonic() - started,
                policy=self._retry,
                rng=self._rng,
            )
            if decision.action is RetryAction.RAISE:
                if not can_replay and error.ambiguous and error.hint is None:
                    error.hint = (
                        "the request may have been applied by the service although it failed; "
                        "check the sandbox before running it again"
                    )
                logger.debug("giving up on %s %s: %s", method, request.url.path, decision.reason)
                error.after_ambiguous = after_ambiguous
                raise error
            logger.info(
                "%s %s failed (%s); %s in %.2fs (attempt %d of %d)",
                method,
                request.url.path,
                error.status or error.code,
                "looking it up" if decision.action is RetryAction.RECOVER else "retrying",
                decision.delay,
                attempt,
                self._retry.attempts(can_replay),
            )
            self._clock.sleep(decision.delay)
            if decision.action is RetryAction.RECOVER:
                assert recover is not None
                found = recover()
                if found is not None:
                    logger.info("%s %s had succeeded; not sent again", method, request.url.path)
                    return found
                if isinstance(error, ConflictError):
                    raise error
            after_ambiguous = after_ambiguous or error.ambiguous

    def _attempt(self, request: httpx.Request, authenticated: bool) -> httpx.Response | ApiError:
        """One send: the successful response, or the failure as an ApiError (never httpx's)."""
        try:
            response = self._client.send(request, auth=self._auth if authenticated else None)
        except ApiError:
            raise  # the token call failed; it already had its own retries
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            if isinstance(exc, httpx.InvalidURL):
                exc = httpx.UnsupportedProtocol(str(exc), request=request)
            return error_from_transport(exc, request, secrets=self.secrets())
        date = response_date(response)
        if date is not None:
            self._service_date = (date, self._clock.monotonic())  # one tuple: an atomic swap
        if response.is_success:
            return response
        # an HTTP-date in Retry-After is on the service's clock: measured from this answer's
        # Date when it has one, so a skewed (or moved) clock on either side waits no longer
        retry_after = parse_retry_after(response.headers.get("retry-after"),
                                        self._clock.time() if date is None else date)
        return error_from_response(response, secrets=self.secrets(), retry_after=retry_after)

    # -- token --------------------------------------------------------------------------------

    def _fetch_token(self) -> tuple[str, float]:
        config = self.config
        form = {
            "grant_type": "client_credentials",
            "client_id": config.client_id,
            "client_secret": config.client_secret.reveal(),
            "scope": config.scope,
        }
        try:
            return self.call(
                "POST",
                config.ims_url,
                form=form,
                authenticated=False,
                replayable=True,  # asking for a token twice does no harm
                parse=lambda r: parse_token_body(parse_json(r)),
            )
        except ApiError as exc:
            refused = exc.status is not None and 400 <= exc.status < 500
            if not refused or isinstance(exc, RateLimitedError):
                raise
            raise AuthError(
                f"the token endpoint refused the credentials: {exc.message}",
                status=exc.status,
                code=exc.code,
                request_id=exc.request_id,
                method="POST",
                url=config.ims_url,
                hint="check AEP_CLIENT_ID, AEP_CLIENT_SECRET and AEP_SCOPES "
                f"(token endpoint {config.ims_url}, set with AEP_IMS_URL)",
            ) from None

    # -- logging (DEBUG on "segctl.aep"; everything masked) ----------------------------------

    def _log_request(self, request: httpx.Request) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        request.extensions["segctl_started"] = time.monotonic()  # for the response's duration
        logger.debug(
            "→ %s %s headers=%s body=%s",
            request.method,
            request.url,
            redact_headers(request.headers.items()),
            self._preview(request.headers.get("content-type"), request.content),
        )

    def _log_response(self, response: httpx.Response) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        response.read()
        started = response.request.extensions.get("segctl_started")
        took = time.monotonic() - started if isinstance(started, float) else 0.0
        logger.debug(
            "← %d %s %s %d ms request-id=%s body=%s",
            response.status_code,
            response.request.method,
            response.request.url,
            round(took * 1000),
            response.headers.get("x-request-id", "-"),
            self._preview(response.headers.get("content-type"), response.content),
        )

    def _preview(self, content_type: str | None, content: bytes) -> str:
        if not content:
            return "<empty>"
        text = content.decode("utf-8", errors="replace")
        kind = (content_type or "").lower()
        if "x-www-form-urlencoded" in kind:
            pairs = parse_qsl(text, keep_blank_values=True)
            text = "&".join(f"{k}={MASK if k.lower() in SENSITIVE_KEYS else v}" for k, v in pairs)
        elif "json" in kind:
            with contextlib.suppress(ValueError):
                text = json.dumps(redact_json(json.loads(text)), ensure_ascii=False)
        elif not kind.startswith("text/"):
            return f"<{len(content)} bytes of {content_type or 'unknown type'}>"
        text = redact_text(text, self.secrets())
        if len(text) > _BODY_PREVIEW:
            text = text[:_BODY_PREVIEW] + f"… ({len(content)} bytes)"
        return text


def response_date(response: httpx.Response) -> float | None:
    """The response's ``Date`` header as epoch seconds (RFC 9110 §6.6.1; IMF-fixdate, or the
    obsolete formats a recipient must accept), or None when it is absent or unreadable."""
    value = response.headers.get("date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC by RFC 5322
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def _params(
    params: Mapping[str, Any] | Iterable[tuple[str, str]] | None,
) -> list[tuple[str, str | int | float | bool | None]] | None:
    if params is None:
        return None
    items = params.items() if isinstance(params, Mapping) else params
    out: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in items:
        if value is None:
            continue
        out.append((key, ("true" if value else "false") if isinstance(value, bool) else str(value)))
    return out or None
