"""The IMS token endpoint and the Platform gateway's header checks (AEP-API §2)."""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import parse_qsl

import httpx

from segctl.sandbox.store import Scope
from segctl.sandbox.web import Ctx, HttpFailure, gateway_error, json_response

TOKEN_LIFETIME_S = 86399
_SANDBOX_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


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


def check_gateway(ctx: Ctx) -> None:
    """Authorization, x-api-key, x-gw-ims-org-id, x-sandbox-name; fills ctx.scope/client_id."""
    headers = ctx.request.headers
    auth = headers.get("authorization", "").strip()
    if not auth:
        raise gateway_error(403, "403010", "Oauth token is missing.")
    scheme, _, token = auth.partition(" ")
    client = None
    if scheme.lower() == "bearer" and token.strip():
        client = ctx.app.store.token_client(token.strip(), ctx.app.now_ms())
    if client is None:
        raise gateway_error(401, "401013", "Oauth token is not valid")
    api_key = headers.get("x-api-key", "").strip()
    if not api_key:
        raise gateway_error(403, "403000", "Api Key is required")
    if api_key != client:
        raise gateway_error(403, "403003", "Api Key is invalid")
    org = headers.get("x-gw-ims-org-id", "").strip()
    if not org:
        raise gateway_error(400, "400003", "Missing header")
    if not org.endswith("@AdobeOrg"):
        raise gateway_error(403, "403027", "User region is missing")
    if ctx.app.org_id is not None and org != ctx.app.org_id:  # not the credentials' org
        raise gateway_error(403, "403025", "Profile is not valid")
    sandbox = headers.get("x-sandbox-name", "").strip()
    if not sandbox:
        raise gateway_error(400, "400003", "Missing header")
    if not _SANDBOX_NAME.match(sandbox):
        raise gateway_error(403, "403025", "Profile is not valid")
    ctx.scope = Scope(org, sandbox)
    ctx.client_id = client
