"""Previews and estimates (AEP-API §10): one POST creates both under the same id; the worker
evaluates the PQL over the sample profiles and fills in results and counts."""

from __future__ import annotations

import base64
import functools
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from segctl import pql
from segctl.sandbox import evaluate, pqlbridge
from segctl.sandbox.common import PROFILE_SCHEMA, UPS_BASE, new_uuid
from segctl.sandbox.runner import OWNER_KEY
from segctl.sandbox.store import Scope
from segctl.sandbox.web import Ctx, Route, bad_request, json_response

if TYPE_CHECKING:
    from segctl.sandbox.app import LocalSandbox

KIND = "preview"
MAX_RESULTS = 1000


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
    doc = ctx.stored(KIND, "preview")
    matched = doc.get("matched", 0)
    read = doc.get("read", 0)
    return json_response(200, {
        "estimatedSize": matched, "numRowsToRead": read,
        "estimatedNamespaceDistribution": doc.get("namespaces", []),
        "state": doc["state"], "profilesReadSoFar": read, "standardError": 0,
        "error": {"description": doc.get("error", ""), "traceback": ""},
        "profilesMatchedSoFar": matched, "totalRows": read, "confidenceInterval": "95%",
        "_links": {"preview": f"{ctx.app.base_url}{UPS_BASE}/preview/{doc['id']}/execution/0"
                              f"?previewQueryId={doc['previewQueryId']}"}})


def delete(ctx: Ctx) -> httpx.Response:
    doc = ctx.stored(KIND, "preview")
    ctx.app.store.delete(KIND, ctx.scope, doc["id"])
    return json_response(200, {"status": True, "message": "KILLED"})


ROUTES = [
    Route("POST", f"{UPS_BASE}/preview", create),
    Route("GET", f"{UPS_BASE}/preview/{{id}}", get_preview),
    Route("DELETE", f"{UPS_BASE}/preview/{{id}}", delete),
    Route("GET", f"{UPS_BASE}/estimate/{{id}}", get_estimate),
]


def _member(lookup: Callable[[str, str], bool], pid: str, ref: str) -> bool:
    return lookup(ref, pid)


def execute(app: LocalSandbox, scope: Scope, pid: str) -> None:
    doc = app.store.get(KIND, scope, pid)
    if doc is None:
        return
    doc.update(state="RUNNING", previewQueryStatus="RUNNING")
    app.store.put(KIND, scope, pid, doc)
    try:
        predicate = pql.compile(pql.parse(doc["predicateExpression"]))
        data = app.profile_data()
        now = app.now()
        lookup = evaluate.membership_lookup({}, lambda sid: app.store.memberships(scope, sid))
        members: list[str] = []
        namespaces: dict[str, int] = {}
        matched = 0
        for pid_, profile, events in data.rows():
            if predicate.evaluate(profile, events, now, functools.partial(_member, lookup, pid_)):
                matched += 1
                if len(members) < MAX_RESULTS:
                    members.append(pid_)
                for ns in profile.get("identityMap") or {}:
                    namespaces[ns] = namespaces.get(ns, 0) + 1
        doc.update(state="RESULT_READY", previewQueryStatus="RESULT_READY", members=members,
                   read=len(data), matched=matched,
                   namespaces=[{"namespaceId": ns, "profilesMatchedSoFar": n}
                               for ns, n in sorted(namespaces.items())])
    except Exception as err:
        doc.update(state="FAILED", previewQueryStatus="FAILED", error=str(err))
    app.store.put(KIND, scope, pid, doc)
