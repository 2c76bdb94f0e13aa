"""The IMS token endpoint (AEP-API §2): client credentials in, a bearer token out."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qsl

import httpx

from segctl.sandbox.core.web import Ctx, HttpFailure, json_response

TOKEN_LIFETIME_S = 86399


def _ims_error(status: int, error: str, description: str) -> HttpFailure:
    return HttpFailure(status, {"error": error, "error_description": description})


def issue_token(ctx: Ctx) -> httpx.Response:
    """``POST /ims/token/v3`` (form-encoded; query parameters are accepted too, as IMS does)."""
    form = dict(parse_qsl(ctx.request.content.decode("utf-8", "replace")))
    for key, value in ctx.request.url.params.items():
        form.setdefault(key, value)
    if form.get("grant_type") != "client_credentials":
        raise _ims_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
    if not client_id or not client_secret:
        raise _ims_error(400, "invalid_request", "client_id and client_secret are required")
    expected = ctx.app.credentials
    if expected is not None and not _same_credentials((client_id, client_secret), expected):
        raise _ims_error(401, "invalid_client", "invalid client_id or client_secret")
    token = "local-" + secrets.token_urlsafe(32)
    ctx.app.store.add_token(token, client_id, ctx.app.now_ms() + TOKEN_LIFETIME_S * 1000)
    return json_response(200, {"access_token": token, "token_type": "bearer",
                               "expires_in": TOKEN_LIFETIME_S})


def _same_credentials(given: tuple[str, str], expected: tuple[str, str]) -> bool:
    """Compared in constant time, so response timing tells nothing about the secret."""
    same_id = hmac.compare_digest(given[0].encode(), expected[0].encode())
    same_secret = hmac.compare_digest(given[1].encode(), expected[1].encode())
    return same_id and same_secret
