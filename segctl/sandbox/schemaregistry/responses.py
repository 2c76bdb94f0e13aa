"""Schema Registry answers: ``GET /tenant/unions/{UNION_ID}`` for the profile union by its
``meta:altId`` (help/xdm/api/unions.md; getting-started: an id is the altId or the URL-encoded
``$id``, and the encoded form's ``%2F`` is not routed here)."""

from __future__ import annotations

from urllib.parse import unquote

import httpx

from segctl.sandbox.core.web import Ctx, HttpFailure, json_response
from segctl.sandbox.schemaregistry.models import (
    PROFILE_UNION_ALT_ID,
    PROFILE_UNION_ID,
    profile_union,
)

SCHEMA_REGISTRY_BASE = "/data/foundation/schemaregistry"


def get_union(ctx: Ctx) -> httpx.Response:
    wanted = unquote(ctx.params["id"])
    if wanted not in (PROFILE_UNION_ID, PROFILE_UNION_ALT_ID):
        raise HttpFailure(404, {
            "type": "http://ns.adobe.com/aep/errors/XDM-1010-404", "status": 404,
            "title": "Not Found", "report": {"registryRequestId": "local"},
            "detail": f"The union {wanted} was not found."})
    return json_response(200, profile_union())
