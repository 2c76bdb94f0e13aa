"""Segmentation schedules: list, get, create, PATCH (state, cron) and delete (AEP-API §11)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from segctl.sandbox.core.common import UPS_BASE, new_uuid, sandbox_object
from segctl.sandbox.core.web import Ctx, bad_request, children_page, json_response

SCHEDULE = "schedule"
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
