"""Sandbox API requests and answers: list, look up, create (help/sandboxes/api/sandboxes.md,
sandbox.yaml). Errors use the Sandbox Management service's shape shown for reset refusals:
``{"status", "title", "type": "http://ns.adobe.com/aep/errors/SMS-<code>-<status>"}``."""

from __future__ import annotations

from typing import Any

import httpx

from segctl.sandbox.core.web import Ctx, HttpFailure, json_response
from segctl.sandbox.sandboxes import models

BASE = "/data/foundation/sandbox-management"
_DEFAULT_LIMIT = 50  # appendix.md: "If you specify none, default limit is 50 and offset is 0"


def sms_error(status: int, code: str, title: str) -> HttpFailure:
    return HttpFailure(status, {"status": status, "title": title,
                                "type": f"http://ns.adobe.com/aep/errors/SMS-{code}-{status}"})


def list_sandboxes(ctx: Ctx) -> httpx.Response:
    if ("limit" in ctx.query) != ("offset" in ctx.query):  # appendix.md: "specified together"
        raise sms_error(400, "1001", "The limit and offset query parameters must be given "
                                     "together.")
    limit = ctx.int_param("limit", _DEFAULT_LIMIT, lo=1)
    offset = ctx.int_param("offset", 0)
    docs = models.sandboxes(ctx.app, ctx.scope.org)
    window = docs[offset:offset + limit]
    links: dict[str, Any] = {
        "page": {"href": f"{BASE}/sandboxes?offset={offset}&limit={limit}", "templated": None}}
    if offset + limit < len(docs):
        links["next"] = {"href": f"{BASE}/sandboxes?offset={offset + limit}&limit={limit}",
                         "templated": None}
    return json_response(200, {"sandboxes": window,
                               "_page": {"limit": limit, "count": len(window)},
                               "_links": links})


def get_sandbox(ctx: Ctx) -> httpx.Response:
    name = ctx.params["name"]
    found = models.find(ctx.app, ctx.scope.org, name)
    if found is None:
        raise sms_error(404, "1404", f"Sandbox `{name}` does not exist.")
    return json_response(200, found)


def create_sandbox(ctx: Ctx) -> httpx.Response:
    body = ctx.json_object()
    name, title, kind = body.get("name"), body.get("title"), body.get("type")
    if not isinstance(name, str) or not models.NAME.match(name):
        raise sms_error(400, "1002", "The sandbox name must be 1 to 64 lower-case letters, "
                                     "digits or hyphens, starting with a letter or digit.")
    if kind not in models.TYPES:
        raise sms_error(400, "1003", f"The sandbox type must be one of {list(models.TYPES)}.")
    if not isinstance(title, str) or not title.strip():
        raise sms_error(400, "1004", "A sandbox needs a title.")
    if models.find(ctx.app, ctx.scope.org, name) is not None:
        raise sms_error(409, "1409", f"Sandbox `{name}` already exists.")
    doc = models.create(ctx.app, ctx.scope.org, name, title, str(kind), ctx.client_id)
    # the documented answer shows the sandbox still provisioning
    return json_response(202, {key: doc[key] for key in ("name", "title", "type", "region")}
                         | {"state": "creating"})
