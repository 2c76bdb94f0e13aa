"""Merge policies (one seeded default per sandbox) and segmentation schedules
(AEP-API §9, §11)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx

from segctl.sandbox.common import PROFILE_SCHEMA, UPS_BASE, new_uuid, sandbox_object
from segctl.sandbox.store import Scope
from segctl.sandbox.web import (
    Ctx,
    Route,
    bad_request,
    bulk_missing,
    children_page,
    json_response,
    not_found,
)

if TYPE_CHECKING:
    from segctl.sandbox.app import LocalSandbox

POLICY = "mergepolicy"
SCHEDULE = "schedule"
_IDENTITY_GRAPHS = ("none", "pdg")
_ATTRIBUTE_MERGES = ("timestampOrdered", "dataSetPrecedence")


def _seed_policy(app: LocalSandbox, scope: Scope) -> dict[str, Any]:
    now = app.now_ms()
    pid = new_uuid()
    doc: dict[str, Any] = {"id": pid, "name": "Default Timebased", "imsOrgId": scope.org,
           "sandbox": sandbox_object(scope), "schema": {"name": PROFILE_SCHEMA}, "version": 1,
           "identityGraph": {"type": "pdg"}, "attributeMerge": {"type": "timestampOrdered"},
           "isActiveOnEdge": True, "default": True, "updateEpoch": now // 1000}
    app.store.put(POLICY, scope, pid, doc, name=doc["name"], created=now)
    return doc


def policies(app: LocalSandbox, scope: Scope) -> list[dict[str, Any]]:
    docs = app.store.all(POLICY, scope)
    if docs:
        return docs
    with app.store.write():  # seed once even when two requests race here
        docs = app.store.all(POLICY, scope)
        return docs or [_seed_policy(app, scope)]


def merge_policy(app: LocalSandbox, scope: Scope, pid: str | None) -> dict[str, Any] | None:
    """The policy with this id, or the sandbox default when ``pid`` is empty."""
    docs = policies(app, scope)
    if not pid:
        return next((d for d in docs if d.get("default")), docs[0])
    return next((d for d in docs if d["id"] == pid), None)


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
    if (body.get("identityGraph") or {}).get("type") not in _IDENTITY_GRAPHS:
        raise bad_request("identityGraph.type must be none or pdg.")
    if (body.get("attributeMerge") or {}).get("type") not in _ATTRIBUTE_MERGES:
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


# -- schedules --------------------------------------------------------------------------------
_FIXED = re.compile(r"^\d{1,2}$")


def _check_cron(expr: Any) -> str:
    """Quartz cron (6 or 7 fields, UTC) that fires at most once a day: seconds, minutes and
    hours must be single numbers."""
    if not isinstance(expr, str):
        raise bad_request("schedule must be a Quartz cron string.")
    parts = expr.split()
    if len(parts) not in (6, 7):
        raise bad_request("schedule must have 6 or 7 fields (sec min hour dom month dow [year]).")
    sec, minute, hour = parts[:3]
    if not all(_FIXED.match(p) for p in (sec, minute, hour)) or int(hour) > 23 \
            or int(minute) > 59 or int(sec) > 59:
        raise bad_request("A schedule may run at most once every 24 hours.")
    return expr


def list_schedules(ctx: Ctx) -> httpx.Response:
    docs = ctx.app.store.all(SCHEDULE, ctx.scope)
    return children_page(ctx, docs, f"{UPS_BASE}/config/schedules", next_token=True)


def get_schedule(ctx: Ctx) -> httpx.Response:
    return json_response(200, ctx.stored(SCHEDULE, "schedule"))


def create_schedule(ctx: Ctx) -> httpx.Response:
    body = ctx.json_object()
    if not body.get("name"):
        raise bad_request("name is required.")
    if body.get("type") not in ("batch_segmentation", "export"):
        raise bad_request("type must be batch_segmentation or export.")
    segments = (body.get("properties") or {}).get("segments")
    if body["type"] == "batch_segmentation" and not isinstance(segments, list):
        raise bad_request("properties.segments is required for batch_segmentation.")
    state = body.get("state", "inactive")
    if state not in ("active", "inactive"):
        raise bad_request("state must be active or inactive.")
    now = ctx.app.now_ms()
    doc = {"id": new_uuid(), "imsOrgId": ctx.scope.org, "sandbox": sandbox_object(ctx.scope),
           "name": body["name"], "state": state, "type": body["type"],
           "schedule": _check_cron(body.get("schedule", "0 0 1 * * ?")),
           "properties": body.get("properties", {}),
           "createEpoch": now // 1000, "updateEpoch": now // 1000}
    ctx.app.store.put(SCHEDULE, ctx.scope, doc["id"], doc, name=doc["name"], created=now)
    return json_response(200, doc)


def patch_schedule(ctx: Ctx) -> httpx.Response:
    doc = ctx.stored(SCHEDULE, "schedule")
    ops = ctx.json()
    if not isinstance(ops, list) or not ops:
        raise bad_request("PATCH body must be a JSON Patch array.")
    for op in ops:
        if not isinstance(op, dict) or op.get("op") != "add" \
                or op.get("path") not in ("/state", "/schedule"):
            raise bad_request('Only {"op": "add"} on /state or /schedule is supported.')
        if op["path"] == "/state":
            if op.get("value") not in ("active", "inactive"):
                raise bad_request("state must be active or inactive.")
            doc["state"] = op["value"]
        else:
            doc["schedule"] = _check_cron(op.get("value"))
    doc["updateEpoch"] = ctx.app.now_ms() // 1000
    ctx.app.store.put(SCHEDULE, ctx.scope, doc["id"], doc, name=doc["name"])
    return json_response(204, None)


def delete_schedule(ctx: Ctx) -> httpx.Response:
    doc = ctx.stored(SCHEDULE, "schedule")
    ctx.app.store.delete(SCHEDULE, ctx.scope, doc["id"])
    return json_response(204, None)


ROUTES = [
    Route("GET", f"{UPS_BASE}/config/mergePolicies", list_policies),
    Route("POST", f"{UPS_BASE}/config/mergePolicies", create_policy),
    Route("POST", f"{UPS_BASE}/config/mergePolicies/bulk-get", bulk_get_policies),
    Route("GET", f"{UPS_BASE}/config/mergePolicies/{{id}}", get_policy),
    Route("PATCH", f"{UPS_BASE}/config/mergePolicies/{{id}}", patch_policy),
    Route("PUT", f"{UPS_BASE}/config/mergePolicies/{{id}}", put_policy),
    Route("DELETE", f"{UPS_BASE}/config/mergePolicies/{{id}}", delete_policy),
    Route("GET", f"{UPS_BASE}/config/schedules", list_schedules),
    Route("POST", f"{UPS_BASE}/config/schedules", create_schedule),
    Route("GET", f"{UPS_BASE}/config/schedules/{{id}}", get_schedule),
    Route("PATCH", f"{UPS_BASE}/config/schedules/{{id}}", patch_schedule),
    Route("DELETE", f"{UPS_BASE}/config/schedules/{{id}}", delete_schedule),
]
