"""Previews' and estimates' requests and answers (AEP-API §10;
help/segmentation/api/previews-and-estimates.md, segmentation.yaml createPreview /
retrievePreview / deletePreview / retrieveEstimate).

One POST creates both jobs under the same id (201, state NEW); GET reads the preview's members
or the estimate's counts, which grow while the job is RUNNING. DELETE cancels: the answer is the
spec's MessageResponse ``{"status": true, "message": "KILLED"}`` and both ids answer 404 from
then on. The worker is in ``previews.models``."""

from __future__ import annotations

import base64
import secrets
from typing import Any

import httpx

from segctl.sandbox.core import pqlbridge
from segctl.sandbox.core.runner import OWNER_KEY
from segctl.sandbox.core.values import PROFILE_SCHEMA, UPS_BASE, new_uuid
from segctl.sandbox.core.web import Ctx, bad_request, json_response
from segctl.sandbox.previews.models import CONFIDENCE, KIND, MAX_RESULTS


def create(ctx: Ctx) -> httpx.Response:
    body = ctx.json_object()
    if body.get("predicateType", "pql/text") != "pql/text":
        raise bad_request("predicateType must be pql/text.")
    text = body.get("predicateExpression")
    pqlbridge.parse_expression({"type": "PQL", "format": "pql/text", "value": text})
    if body.get("graphType", "none") not in ("none", "pdg"):
        raise bad_request("graphType must be none or pdg.")
    raw = f"0:app-{secrets.token_hex(4)}:{secrets.token_hex(16)}"
    pid = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    doc = {"id": pid, "previewId": pid, "previewQueryId": new_uuid(), "previewExecutionId": 0,
           "state": "NEW", "previewQueryStatus": "NEW", "predicateExpression": text,
           "read": 0, "matched": 0, "rowsToRead": 0, "totalRows": 0, "estimated": 0,
           "standardError": 0,
           "predicateModel": body.get("predicateModel", PROFILE_SCHEMA),
           "createdTime": ctx.app.now_ms(), OWNER_KEY: ctx.app.runner.owner}
    ctx.app.store.put(KIND, ctx.scope, pid, doc, created=doc["createdTime"])
    ctx.app.runner.submit(KIND, ctx.scope, pid)
    answer = {k: doc[k] for k in ("state", "previewQueryId", "previewQueryStatus", "previewId",
                                  "previewExecutionId")}
    return json_response(201, answer, {"X-Location": f"{UPS_BASE}/preview/{pid}"})


def get_preview(ctx: Ctx) -> httpx.Response:
    doc = ctx.stored(KIND, "preview")
    offset = ctx.int_param("offset", 0)
    limit = ctx.int_param("limit", MAX_RESULTS, lo=1)
    members = doc.get("members", [])
    window = members[offset:offset + limit]
    base = f"{ctx.app.base_url}/data/core/ups"
    results = [{m: {"_href": f"{base}/models/profile/{m}", "endCustomerIds": {}}} for m in window]
    self_link = f"{base}/preview/{doc['id']}?offset={offset}&limit={limit}"
    nxt = (f"{base}/preview/{doc['id']}?offset={offset + limit}&limit={limit}"
           if offset + limit < len(members) else "")
    return json_response(200, {"results": results, "state": doc["state"],
                               "links": {"_self": self_link, "next": nxt, "prev": ""},
                               "page": {"offset": offset, "size": len(window)}})


def get_estimate(ctx: Ctx) -> httpx.Response:
    return json_response(200, estimate_view(ctx.stored(KIND, "preview"), ctx.app.base_url))


def estimate_view(doc: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The estimate job as retrieveEstimate answers it, whatever its state (the counts grow
    while it is RUNNING)."""
    return {
        "estimatedSize": doc.get("estimated", 0), "numRowsToRead": doc.get("rowsToRead", 0),
        "estimatedNamespaceDistribution": doc.get("namespaces", []),
        "state": doc["state"], "profilesReadSoFar": doc.get("read", 0),
        "standardError": doc.get("standardError", 0),
        "error": {"description": doc.get("error", ""), "traceback": doc.get("traceback", "")},
        "profilesMatchedSoFar": doc.get("matched", 0), "totalRows": doc.get("totalRows", 0),
        "confidenceInterval": CONFIDENCE,
        "_links": {"preview": f"{base_url}{UPS_BASE}/preview/{doc['id']}/execution/0"
                              f"?previewQueryId={doc['previewQueryId']}"}}


def delete(ctx: Ctx) -> httpx.Response:
    doc = ctx.stored(KIND, "preview")
    ctx.app.store.delete(KIND, ctx.scope, doc["id"])
    return json_response(200, {"status": True, "message": "KILLED"})
