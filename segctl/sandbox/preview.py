"""Previews and estimates (AEP-API §10; help/segmentation/api/previews-and-estimates.md,
segmentation.yaml createPreview / retrievePreview / deletePreview / retrieveEstimate).

One POST creates both jobs under the same id (201, state NEW). The worker moves them to RUNNING
and reads a sample of the profile store chosen by AEP's table ("How estimates are generated": the
full store under 1 million entities, 1 million up to 20 million, 5% above) in a few steps,
refining ``estimatedSize`` and ``standardError`` as it reads ("beginning with a rough estimate and
refining as more records are read"), then RESULT_READY, or FAILED with ``error.description``.
DELETE cancels: the answer is the spec's MessageResponse ``{"status": true, "message": "KILLED"}``,
the job stops at its next step and both ids answer 404 from then on."""

from __future__ import annotations

import base64
import functools
import math
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
STEPS = 4  # reads per estimate: each one refines estimatedSize and standardError
CONFIDENCE = "95%"  # the level every documented estimate states


@dataclass(frozen=True)
class Sampling:
    """How many profiles an estimate reads, from the table in previews-and-estimates.md: the
    full data set below ``full_below`` entities, ``fixed`` entities up to ``fraction_above``,
    ``fraction`` of the store beyond. Tests scale it down to exercise sampling on a small store."""

    full_below: int = 1_000_000
    fixed: int = 1_000_000
    fraction_above: int = 20_000_000
    fraction: float = 0.05

    def size(self, population: int) -> int:
        if population < self.full_below:
            return population
        if population <= self.fraction_above:
            return min(self.fixed, population)
        return max(1, round(population * self.fraction))


SAMPLING = Sampling()


def refine(matched: int, read: int, population: int) -> tuple[int, int]:
    """(estimatedSize, standardError) after ``read`` sampled profiles of which ``matched``
    qualified: the sample proportion scaled to the store, and its standard error (with the
    finite-population correction, so a full read has an error of 0), in profiles."""
    if read <= 0 or population <= 0:
        return 0, 0
    share = matched / read
    estimated = round(share * population)
    if read >= population:
        return estimated, 0
    correction = (population - read) / (population - 1)
    error = population * math.sqrt(share * (1 - share) / read * correction)
    return estimated, round(error)


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


ROUTES = [
    Route("POST", f"{UPS_BASE}/preview", create),
    Route("GET", f"{UPS_BASE}/preview/{{id}}", get_preview),
    Route("DELETE", f"{UPS_BASE}/preview/{{id}}", delete),
    Route("GET", f"{UPS_BASE}/estimate/{{id}}", get_estimate),
]


def _member(lookup: Callable[[str, str], bool], pid: str, ref: str) -> bool:
    return lookup(ref, pid)


def _write(app: LocalSandbox, scope: Scope, pid: str, **changes: Any) -> dict[str, Any] | None:
    """Read-modify-write the job; None once it was cancelled (deleted): the worker stops and
    never writes a cancelled job back."""
    with app.store.write():
        doc = app.store.get(KIND, scope, pid)
        if doc is None:
            return None
        doc.update(changes)
        if "state" in changes:
            doc["previewQueryStatus"] = changes["state"]
        app.store.put(KIND, scope, pid, doc)
        return doc


def sample_order(population: int, size: int, seed: str) -> list[int]:
    """Which profiles (by position) an estimate reads: all in store order for a full read,
    else a uniform random sample, fixed by the job's query id so a resumed job reads the same."""
    if size >= population:
        return list(range(population))
    return sorted(random.Random(seed).sample(range(population), size))


def execute(app: LocalSandbox, scope: Scope, pid: str) -> None:
    doc = _write(app, scope, pid, state="RUNNING", read=0, matched=0, estimated=0,
                 standardError=0, namespaces=[], members=[])
    if doc is None:
        return
    if app.faults.job_should_fail():
        _write(app, scope, pid, state="FAILED", error="Estimate failed (injected fault)")
        return
    try:
        _run(app, scope, doc)
    except Exception as err:
        _write(app, scope, pid, state="FAILED", error=f"{type(err).__name__}: {err}",
               traceback=type(err).__name__)  # no server stack to show


def _run(app: LocalSandbox, scope: Scope, doc: dict[str, Any]) -> None:
    pid = str(doc["id"])
    predicate = pql.compile(pql.parse(doc["predicateExpression"]))
    data = app.profile_data()
    rows = list(data.rows())
    population = len(rows)
    order = sample_order(population, SAMPLING.size(population), str(doc["previewQueryId"]))
    if _write(app, scope, pid, rowsToRead=len(order), totalRows=population) is None:
        return
    now = app.now()
    lookup = evaluate.membership_lookup({}, lambda sid: app.store.memberships(scope, sid))
    members: list[str] = []
    namespaces: dict[str, int] = {}
    matched = 0
    chunk = max(1, math.ceil(len(order) / STEPS))
    for start in range(0, max(len(order), 1), chunk):
        if app.runner.closing:
            return  # left RUNNING: the next sandbox on this data directory runs it again
        for index in order[start:start + chunk]:
            ref, profile, events = rows[index]
            if predicate.evaluate(profile, events, now, functools.partial(_member, lookup, ref)):
                matched += 1
                if len(members) < MAX_RESULTS:
                    members.append(ref)
                for ns in profile.get("identityMap") or {}:
                    namespaces[ns] = namespaces.get(ns, 0) + 1
        read = min(start + chunk, len(order))
        estimated, error = refine(matched, read, population)
        progress = _write(app, scope, pid, read=read, matched=matched, estimated=estimated,
                          standardError=error, members=members,
                          namespaces=[{"namespaceId": ns, "profilesMatchedSoFar": n}
                                      for ns, n in sorted(namespaces.items())])
        if progress is None:
            return
    _write(app, scope, pid, state="RESULT_READY")
