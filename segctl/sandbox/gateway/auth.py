"""The Platform gateway's header checks (AEP-API §2): bearer token, API key, IMS org and
sandbox name, before any service acts."""

from __future__ import annotations

import re
from typing import Any

import httpx

from segctl.sandbox.core.store import Partition
from segctl.sandbox.core.values import UPS_BASE
from segctl.sandbox.core.web import Ctx, catalog_error, gateway_error
from segctl.sandbox.sandboxes import models as sandbox_models
from segctl.sandbox.sandboxes.responses import BASE as SANDBOX_MANAGEMENT

# Request bodies the spec declares as ``*/*``: conversion today; the bulk-gets and the schedule
# PATCH in segmentation.yaml as first published (AdobeDocs/experience-platform-apis@7e0d3bf,
# "Move swagger folder"), which clients written against it still send.
_ANY_CONTENT = (re.compile(f"^{UPS_BASE}/segment/conversion/?$"),
                re.compile(f"^{UPS_BASE}/segment/(definitions|jobs)/bulk-get/?$"),
                re.compile(f"^{UPS_BASE}/config/mergePolicies/bulk-get/?$"),
                re.compile(f"^{UPS_BASE}/config/schedules/[^/]+/?$"))
# A request without x-sandbox-name goes to the org's default production sandbox
# (help/destinations/api/*.md, "Getting started": "If the `x-sandbox-name` header is not
# specified, requests are resolved under the `prod` sandbox.").
DEFAULT_SANDBOX = "prod"
_SANDBOX_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


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
    if not org:  # help/landing/troubleshooting.md "Missing header", naming which one
        raise gateway_error(400, "400003", "Missing header: x-gw-ims-org-id")
    if not org.endswith("@AdobeOrg"):
        raise gateway_error(403, "403027", "User region is missing")
    if ctx.app.org_id is not None and org != ctx.app.org_id:  # not the credentials' org
        raise gateway_error(403, "403025", "Profile is not valid")
    sandbox = headers.get("x-sandbox-name", "").strip() or DEFAULT_SANDBOX
    if not _SANDBOX_NAME.match(sandbox):
        raise gateway_error(403, "403025", "Profile is not valid")
    refuse_unknown_sandbox(ctx, org, sandbox)
    ctx.scope = Partition(org, sandbox)
    ctx.client_id = client


# ---- w17a (issue 17): a sandbox must exist before anything can be done in it ----------------
def refuse_unknown_sandbox(ctx: Ctx, org: str, sandbox: str) -> None:
    """Refuse an ``x-sandbox-name`` the org has no (active) sandbox of.

    The docs list no error for it (AEP-API §16 leaves it open); access to a sandbox comes from
    the caller's product profile (help/sandboxes/troubleshooting-guide.md), so the gateway
    answers as for any identity without access: 403 ``403025`` "Profile is not valid"
    [CHOSEN]. Sandbox management itself is org-level and answers whatever sandbox is named.
    """
    if ctx.request.url.path.startswith(SANDBOX_MANAGEMENT):
        return
    if not sandbox_models.exists(ctx.app, org, sandbox):
        raise gateway_error(403, "403025", "Profile is not valid")


def traced(body: Any, request: httpx.Request) -> Any:
    """A problem-details body carries the caller's ``x-request-id`` as its ``requestId`` (the
    spec's header is "used to track a request"), so a reported error names the id the client
    logged; without the header the generated id stays."""
    rid = request.headers.get("x-request-id")
    if rid and isinstance(body, dict) and "requestId" in body:
        return {**body, "requestId": rid}
    return body


def check_content_type(request: httpx.Request, path: str) -> None:
    if request.method not in ("POST", "PUT", "PATCH") or not request.content:
        return
    ctype = request.headers.get("content-type", "").lower()
    if any(p.match(path) for p in _ANY_CONTENT):
        return
    if "json" not in ctype:
        raise catalog_error(400, "BadRequestError", "A valid content-type must be specified")
