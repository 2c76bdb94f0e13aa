"""Merge policies' requests and answers: list, get, create, PATCH, PUT, bulk-get, delete
(AEP-API §9)."""

from __future__ import annotations

from typing import Any

import httpx

from segctl.sandbox.core.values import PROFILE_SCHEMA, new_uuid, sandbox_object
from segctl.sandbox.core.web import (
    Ctx,
    bad_request,
    bulk_missing,
    children_page,
    json_response,
    not_found,
)
from segctl.sandbox.mergepolicies.models import (
    ATTRIBUTE_MERGES,
    IDENTITY_GRAPHS,
    POLICY,
    merge_policy,
    policies,
)


def list_policies(ctx: Ctx) -> httpx.Response:
    docs = policies(ctx.app, ctx.scope)
    for key in ("default", "isActiveOnEdge"):
        if key in ctx.query:
            want = ctx.query[key].lower() == "true"
            docs = [d for d in docs if bool(d.get(key)) == want]
    return children_page(ctx, docs, "@/mergePolicies", default_limit=20)


def get_policy(ctx: Ctx) -> httpx.Response:
    return json_response(200, _load_policy(ctx))


def _check_policy(body: dict[str, Any]) -> None:
    if (body.get("schema") or {}).get("name") != PROFILE_SCHEMA:
        raise bad_request(f"schema.name must be {PROFILE_SCHEMA}.")
    if (body.get("identityGraph") or {}).get("type") not in IDENTITY_GRAPHS:
        raise bad_request("identityGraph.type must be none or pdg.")
    if (body.get("attributeMerge") or {}).get("type") not in ATTRIBUTE_MERGES:
        raise bad_request("attributeMerge.type must be timestampOrdered or dataSetPrecedence.")


def create_policy(ctx: Ctx) -> httpx.Response:
    body = ctx.json_object()
    if not body.get("name"):
        raise bad_request("name is required.")
    _check_policy(body)
    existing = policies(ctx.app, ctx.scope)
    if len(existing) >= 5:
        raise bad_request("A sandbox holds at most 5 merge policies.")
    now = ctx.app.now_ms()
    doc: dict[str, Any] = {k: body[k] for k in ("name", "schema", "identityGraph",
                                                "attributeMerge") if k in body}
    doc.update({"id": new_uuid(), "imsOrgId": ctx.scope.org, "sandbox": sandbox_object(ctx.scope),
                "version": 1, "default": bool(body.get("default")),
                "isActiveOnEdge": bool(body.get("isActiveOnEdge")), "updateEpoch": now // 1000})
    with ctx.app.store.write():
        _unset_others(ctx, doc)
        ctx.app.store.put(POLICY, ctx.scope, doc["id"], doc, name=doc["name"], created=now)
    return json_response(200, doc)


def _unset_others(ctx: Ctx, doc: dict[str, Any]) -> None:
    """At most one default and one active-on-edge policy: ``doc`` takes the flags it sets."""
    for other in policies(ctx.app, ctx.scope):
        if other["id"] == doc["id"]:
            continue
        changed = False
        for key in ("default", "isActiveOnEdge"):
            if doc.get(key) and other.get(key):
                other[key] = False
                changed = True
        if changed:
            ctx.app.store.put(POLICY, ctx.scope, other["id"], other, name=other["name"])


def _store_policy(ctx: Ctx, doc: dict[str, Any]) -> None:
    with ctx.app.store.write():
        _unset_others(ctx, doc)
        doc["version"] = int(doc.get("version", 1)) + 1
        doc["updateEpoch"] = ctx.app.now_ms() // 1000
        ctx.app.store.put(POLICY, ctx.scope, doc["id"], doc, name=doc["name"])


def _load_policy(ctx: Ctx) -> dict[str, Any]:
    doc = merge_policy(ctx.app, ctx.scope, ctx.params["id"])
    if doc is None:
        raise not_found("merge policy", ctx.params["id"])
    return doc


_PATCHABLE = {"/name": ("name",), "/identityGraph.type": ("identityGraph", "type"),
              "/attributeMerge.type": ("attributeMerge", "type"),
              "/schema.name": ("schema", "name"),
              "/default": ("default",), "/isActiveOnEdge": ("isActiveOnEdge",)}


def patch_policy(ctx: Ctx) -> httpx.Response:
    """JSON-Patch-style ``add`` ops (the docs also show a single op object, accepted too)."""
    doc = _load_policy(ctx)
    body = ctx.json()
    ops = body if isinstance(body, list) else [body]
    for op in ops:
        target = _PATCHABLE.get(str(op.get("path"))) if isinstance(op, dict) else None
        if target is None or op.get("op") != "add":
            raise bad_request(f"Only op add on {', '.join(_PATCHABLE)} is supported.")
        holder = doc
        for key in target[:-1]:
            holder = holder.setdefault(key, {})
        holder[target[-1]] = op.get("value")
    _check_policy(doc)
    _store_policy(ctx, doc)
    return json_response(200, doc)


def put_policy(ctx: Ctx) -> httpx.Response:
    doc = _load_policy(ctx)
    body = ctx.json_object()
    _check_policy(body)
    for key in ("name", "schema", "identityGraph", "attributeMerge"):
        if key in body:
            doc[key] = body[key]
    doc["default"] = bool(body.get("default"))
    doc["isActiveOnEdge"] = bool(body.get("isActiveOnEdge"))
    _store_policy(ctx, doc)
    return json_response(200, doc)


def bulk_get_policies(ctx: Ctx) -> httpx.Response:
    ids = ctx.json_object().get("ids")
    if not isinstance(ids, list):
        raise bad_request('Body must be {"ids": [{"id": "..."}]}.')
    docs = {d["id"]: d for d in policies(ctx.app, ctx.scope)}
    results = {}
    for item in ids:
        pid = str(item.get("id")) if isinstance(item, dict) else str(item)
        results[pid] = docs.get(pid) or bulk_missing(pid)
    return json_response(207, {"results": results})


def delete_policy(ctx: Ctx) -> httpx.Response:
    doc = _load_policy(ctx)
    if doc.get("isActiveOnEdge") or doc.get("default"):
        raise bad_request("The default or active-on-edge merge policy cannot be deleted.")
    ctx.app.store.delete(POLICY, ctx.scope, doc["id"])
    return json_response(200, None)
