"""Segment definitions' requests and answers: list, create, get, PATCH (object merge), delete,
bulk-get, conversion (AEP-API §5)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

import httpx

from segctl.sandbox.core import pqlbridge
from segctl.sandbox.core.values import UPS_BASE, new_uuid, sandbox_object
from segctl.sandbox.core.web import (
    Ctx,
    bad_request,
    bulk_missing,
    json_response,
    problem,
)
from segctl.sandbox.definitions.models import (
    AUDIENCE_FIELDS,
    CLIENT_FIELDS,
    KIND,
    LIFECYCLE_DEFAULT,
    READ_ONLY,
    REFS,
    definition_view,
    dependents,
)
from segctl.sandbox.mergepolicies.models import merge_policy


def _location(sid: str) -> dict[str, str]:
    return {"X-Location": f"{UPS_BASE}/segment/definitions/{sid}"}


def validate(ctx: Ctx, doc: dict[str, Any], *, current_id: str | None,
              requested_info: Any) -> dict[str, Any]:
    """Check a full definition (after merge) and fill the server-derived fields; the audiences
    API checks a Platform audience with the same rules (one store)."""
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("name is required.")
    schema = doc.get("schema")
    if not isinstance(schema, dict) or not (schema.get("name") or schema.get("id")):
        raise bad_request("schema is required (schema.name, e.g. _xdm.context.profile).")
    if "expression" not in doc:
        raise bad_request("expression is required.")
    expr = pqlbridge.parse_definition(doc["expression"])
    ttl = doc.get("ttlInDays")
    if ttl is not None and (not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 1):
        raise bad_request("ttlInDays must be a positive integer.")
    other = ctx.app.store.find_by_name(KIND, ctx.scope, name)
    if other is not None and other["id"] != current_id:
        raise problem(422, "UPAPI-113422-422",
                      f"A segment definition named '{name}' already exists."
                      " Use PATCH to update it.")
    policy = merge_policy(ctx.app, ctx.scope, doc.get("mergePolicyId"))
    if policy is None:
        raise bad_request(f"Merge policy {doc.get('mergePolicyId')} does not exist.")
    doc["mergePolicyId"] = policy["id"]
    doc["evaluationInfo"] = pqlbridge.evaluation_info(
        expr, pqlbridge.requested_evaluation(requested_info),
        active_on_edge=bool(policy.get("isActiveOnEdge")))
    references = pqlbridge.segment_refs(expr)
    if current_id is not None and current_id in references:
        raise bad_request("A segment definition cannot reference itself with inSegment.")
    doc[REFS] = sorted(references)
    return doc


def create(ctx: Ctx) -> httpx.Response:
    body = ctx.json_object()
    now = ctx.app.now_ms()
    sid = new_uuid()
    doc: dict[str, Any] = {k: body[k] for k in CLIENT_FIELDS if k in body}
    doc.setdefault("description", "")
    doc.setdefault("profileInstanceId", "ups")
    doc.update(created_by(ctx))
    with ctx.app.store.write():  # the name check and the insert are one transaction
        doc = validate(ctx, doc, current_id=None, requested_info=body.get("evaluationInfo"))
        doc.update({"id": sid, "imsOrgId": ctx.scope.org, "sandbox": sandbox_object(ctx.scope),
                    "dataGovernancePolicy": {"excludeOptOut": True},
                    "creationTime": now, "updateTime": now, "updateEpoch": now // 1000})
        ctx.app.store.put(KIND, ctx.scope, sid, doc, name=doc["name"], created=now)
    return json_response(200, definition_view(doc), _location(sid))


def created_by(ctx: Ctx) -> dict[str, Any]:
    """The audience-only fields a new Platform audience starts with, whichever API made it:
    published (audiences.md: ``lifecycleState`` of a new audience) and its creator."""
    return {"lifecycleState": LIFECYCLE_DEFAULT,
            "createdBy": f"{ctx.client_id or 'local'}@AdobeID"}


def get(ctx: Ctx) -> httpx.Response:
    return json_response(200, definition_view(ctx.stored(KIND, "segment definition")))


def patch(ctx: Ctx) -> httpx.Response:
    """Top-level merge of the keys sent; read-only keys are ignored (AEP-API §5.5)."""
    sid = ctx.params["id"]
    body = ctx.json_object()
    with ctx.app.store.write():
        doc = ctx.stored(KIND, "segment definition")
        for key, value in body.items():
            if key not in READ_ONLY and key not in AUDIENCE_FIELDS:
                doc[key] = value
        doc = validate(ctx, doc, current_id=sid,
                        requested_info=body.get("evaluationInfo", doc.get("evaluationInfo")))
        now = ctx.app.now_ms()
        doc.update({"updateTime": now, "updateEpoch": now // 1000})
        ctx.app.store.put(KIND, ctx.scope, sid, doc, name=doc["name"])
    return json_response(200, definition_view(doc), _location(sid))


def delete(ctx: Ctx) -> httpx.Response:
    sid = ctx.params["id"]
    ctx.stored(KIND, "segment definition")
    users = [d["name"] for d in dependents(ctx.app, ctx.scope, sid)]
    if users:
        raise bad_request(f"Segment definition {sid} is used by: {', '.join(sorted(users))}.",
                          code="UPAPI-113436-400")
    ctx.app.store.delete(KIND, ctx.scope, sid)
    ctx.app.store.drop_memberships(ctx.scope, sid)
    return json_response(200, {"status": True, "message": f"Segment definition {sid} deleted"})


def list_(ctx: Ctx) -> httpx.Response:
    filters = {flag: wanted.lower() == "true"
               for flag in ("continuous", "synchronous", "batch")
               if (wanted := ctx.query.get(f"evaluationInfo.{flag}.enabled")) is not None}
    sort_field, sort_dir = "creationTime", "desc"
    if ctx.query.get("sort"):
        sort_field, _, direction = ctx.query["sort"].split(",")[0].partition(":")
        sort_dir = "asc" if direction.lower() == "asc" else "desc"
    limit = ctx.int_param("limit", 100, lo=1, hi=100)
    start = ctx.int_param("start", 0)
    page = ctx.int_param("page", 0)
    offset = start + page * limit
    store = ctx.app.store
    if sort_field == "creationTime" and not filters:
        # creationTime is the row's ``created`` column (set together on create, read-only
        # after), so the page is ordered and cut in SQL: no decoding of the other definitions
        total = store.count(KIND, ctx.scope)
        window = store.page_by_created(KIND, ctx.scope, descending=sort_dir == "desc",
                                       offset=offset, limit=limit) if offset < total else []
    else:
        docs = store.all(KIND, ctx.scope)
        for flag, want in filters.items():
            docs = [d for d in docs if d["evaluationInfo"][flag]["enabled"] == want]
        order = {d["id"]: i for i, d in enumerate(docs)}  # creation order breaks ties
        docs.sort(key=lambda d: (d.get(sort_field) is None, d.get(sort_field, ""),
                                 order[d["id"]]),
                  reverse=sort_dir == "desc")
        window = docs[offset:offset + limit]
        total = len(docs)
    link: dict[str, str] = {}
    if offset + limit < total:
        # the next page keeps every filter and the sort of this one; only `page` moves
        carried = {k: v for k, v in ctx.query.items()
                   if k == "sort" or k.startswith("evaluationInfo.")}
        link["next"] = f"{UPS_BASE}/segment/definitions?" + urlencode(
            {**carried, "page": page + 1, "limit": limit, **({"start": start} if start else {})})
    return json_response(200, {
        "segments": [definition_view(d) for d in window],
        "page": {"totalCount": total, "totalPages": math.ceil(total / limit) if total else 0,
                 "sortField": sort_field, "sort": sort_dir, "pageSize": len(window),
                 "limit": limit},
        "link": link,
    })


def bulk_get(ctx: Ctx) -> httpx.Response:
    body = ctx.json_object()
    ids = body.get("ids")
    if not isinstance(ids, list):
        raise bad_request('Body must be {"ids": [{"id": "..."}]}.')
    results: dict[str, Any] = {}
    for item in ids:
        sid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(sid, str):
            raise bad_request('Each entry of ids must be {"id": "..."}.')
        doc = ctx.app.store.get(KIND, ctx.scope, sid)
        results[sid] = definition_view(doc) if doc is not None else bulk_missing(sid)
    return json_response(207, {"results": results})


def conversion(ctx: Ctx) -> httpx.Response:
    body = ctx.json_object()
    expression = body.get("expression")
    expr = pqlbridge.parse_expression(expression)
    assert isinstance(expression, dict)  # parse_expression refused anything else
    target = "pql/json" if expression.get("format", "pql/text") == "pql/text" else "pql/text"
    # the definition sent comes back with its expression converted: pql-conversions.md sends
    # and answers only description/expression; segmentation.yaml's example sends and answers
    # the whole definition (id, name, schema, mergePolicyId, evaluationInfo, ...)
    out: dict[str, Any] = {k: v for k, v in body.items() if k not in ("imsOrgId", "sandbox")}
    out.update({"imsOrgId": ctx.scope.org, "sandbox": sandbox_object(ctx.scope)})
    out["expression"] = pqlbridge.convert(expr, target)
    return json_response(200, out)
