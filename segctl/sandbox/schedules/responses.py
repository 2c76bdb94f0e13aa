"""Segmentation schedules: list, get, create, PATCH (state, cron) and delete (AEP-API §11).
Their runs are in ``schedules.models``."""

from __future__ import annotations

import httpx

from segctl.sandbox.core.values import UPS_BASE
from segctl.sandbox.core.web import Ctx, bad_request, children_page, json_response
from segctl.sandbox.exports.models import check_request
from segctl.sandbox.schedules.models import (
    LAST_RUN,
    SCHEDULE,
    CronError,
    check_cron,
    new_schedule,
    public,
)


def _cron(expr: object) -> str:
    try:
        return check_cron(expr)
    except CronError as err:
        raise bad_request(str(err)) from None


def list_schedules(ctx: Ctx) -> httpx.Response:
    docs = ctx.app.store.all(SCHEDULE, ctx.scope)
    return children_page(ctx, docs, f"{UPS_BASE}/config/schedules", next_token=True,
                         present=public)


def get_schedule(ctx: Ctx) -> httpx.Response:
    return json_response(200, public(ctx.stored(SCHEDULE, "schedule")))


def create_schedule(ctx: Ctx) -> httpx.Response:
    body = ctx.json_object()
    if not body.get("name"):
        raise bad_request("name is required.")
    if body.get("type") not in ("batch_segmentation", "export"):
        raise bad_request("type must be batch_segmentation or export.")
    properties = body.get("properties")
    if properties is not None and not isinstance(properties, dict):
        raise bad_request("properties must be an object.")
    segments = (properties or {}).get("segments")
    if body["type"] == "batch_segmentation" and not isinstance(segments, list):
        raise bad_request("properties.segments is required for batch_segmentation.")
    if body["type"] == "export":
        # the body each run posts to /export/jobs, checked as that POST checks it (a choice:
        # the docs do not say what an export schedule's properties hold; see models)
        if properties is None:
            raise bad_request("properties is required: the export job each run creates.")
        check_request(ctx.app, ctx.scope, properties)
    if body.get("state", "inactive") not in ("active", "inactive"):
        raise bad_request("state must be active or inactive.")
    _cron(body.get("schedule", "0 0 1 * * ?"))
    return json_response(200, public(new_schedule(ctx.app, ctx.scope, body)))


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
            doc["schedule"] = _cron(op.get("value"))
    now = ctx.app.now_ms()
    doc["updateEpoch"] = now // 1000
    doc[LAST_RUN] = max(int(doc.get(LAST_RUN, 0)), now)  # a change applies from now on
    ctx.app.store.put(SCHEDULE, ctx.scope, doc["id"], doc, name=doc["name"])
    return json_response(204, None)


def delete_schedule(ctx: Ctx) -> httpx.Response:
    doc = ctx.stored(SCHEDULE, "schedule")
    ctx.app.store.delete(SCHEDULE, ctx.scope, doc["id"])
    return json_response(204, None)
