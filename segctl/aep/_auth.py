"""OAuth Server-to-Server authentication as an ``httpx.Auth``.

The access token comes from the IMS token endpoint (``client_credentials`` grant), is cached
for all threads, renewed ahead of its expiry and renewed once more when a call is answered 401
(a token revoked or expired early). Exactly one thread fetches while the others wait for it.
The same flow stamps the org, sandbox and API-key headers every Platform call needs.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import httpx

from segctl.aep._clock import Clock
from segctl.aep._errors import AuthError
from segctl.aep._redact import Secret, remember_secret

# The retired JWT exchange reported expires_in in milliseconds; anything longer than this many
# seconds is read as milliseconds rather than trusted as a months-long token.
_MAX_PLAUSIBLE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class AccessToken:
    value: Secret
    expires_in: float
    obtained_at: float  # clock.monotonic() when the token arrived

    def fresh(self, now: float, margin: float) -> bool:
        # Renew a little ahead of time, but never sooner than half-way for short-lived tokens.
        lead = min(margin, self.expires_in / 2)
        return now < self.obtained_at + self.expires_in - lead


def parse_token_body(body: Any) -> tuple[str, float]:
    """(access token, lifetime in seconds) from an IMS ``/ims/token/v3`` answer."""
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise AuthError("the token endpoint answered without an access_token")
    try:
        expires_in = float(body.get("expires_in", 3600))
    except (TypeError, ValueError):
        expires_in = 3600.0
    if expires_in > _MAX_PLAUSIBLE_SECONDS:
        expires_in /= 1000.0
    return body["access_token"], max(expires_in, 1.0)


class TokenProvider:
    """Thread-safe cache around ``fetch`` (which performs the IMS request)."""

    def __init__(
        self,
        fetch: Callable[[], tuple[str, float]],
        clock: Clock,
        *,
        refresh_margin: float = 300.0,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._margin = refresh_margin
        self._lock = threading.Lock()
        self._token: AccessToken | None = None
        self._issued: deque[str] = deque(maxlen=16)  # recent values, for redaction

    def token(self) -> AccessToken:
        """The cached token, fetched first if there is none or it is about to expire."""
        with self._lock:
            current = self._token
            if current is not None and current.fresh(self._clock.monotonic(), self._margin):
                return current
            return self._renew()

    def refresh(self, stale: AccessToken | None) -> AccessToken:
        """A token newer than ``stale``: reuse one another thread fetched meanwhile, else fetch."""
        with self._lock:
            current = self._token
            if current is not None and current is not stale:
                return current
            return self._renew()

    def _renew(self) -> AccessToken:
        value, expires_in = self._fetch()
        remember_secret(value)
        self._issued.append(value)
        self._token = AccessToken(Secret(value), expires_in, self._clock.monotonic())
        return self._token

    def known_values(self) -> tuple[str, ...]:
        """Token strings issued so far (for masking); never log what this returns."""
        return tuple(self._issued)

    def __repr__(self) -> str:
        return f"TokenProvider(cached={self._token is not None})"


class ImsAuth(httpx.Auth):
    """Bearer token plus ``x-api-key``, ``x-gw-ims-org-id`` and ``x-sandbox-name`` headers."""

    def __init__(self, tokens: TokenProvider, *, client_id: str, org_id: str, sandbox: str):
        self._tokens = tokens
        self._static = {
            "x-api-key": client_id,
            "x-gw-ims-org-id": org_id,
            "x-sandbox-name": sandbox,
        }

    def _stamp(self, request: httpx.Request, token: AccessToken) -> None:
        for name, value in self._static.items():
            request.headers.setdefault(name, value)  # an explicit per-call value wins
        request.headers["Authorization"] = f"Bearer {token.value.reveal()}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._tokens.token()
        self._stamp(request, token)
        response = yield request
        if response.status_code == 401:
            again = httpx.Request(
                request.method,
                request.url,
                headers=request.headers,
                content=request.content,
                extensions=request.extensions,
            )  # a new request: the one already sent stays as it was
            self._stamp(again, self._tokens.refresh(stale=token))
            yield again

    def __repr__(self) -> str:
        client_id, sandbox = self._static["x-api-key"], self._static["x-sandbox-name"]
        return f"ImsAuth(client_id={client_id!r}, sandbox={sandbox!r})"
