"""Segment jobs' requests and answers: create (ids or ``*``), get, list, bulk-get, cancel
(AEP-API §6). The executor is in ``jobs.models``."""

from __future__ import annotations

from typing import Any

import httpx

from segctl.sandbox.audiences.models import EXTERNAL as EXTERNAL_AUDIENCE
from segctl.sandbox.core.runner import TERMINAL
from segctl.sandbox.core.values import PROFILE_SCHEMA, UPS_BASE
from segctl.sandbox.core.web import (
    Ctx,
    bad_request,
    bulk_missing,
    children_page,
    json_response,
    with_status,
)
from segctl.sandbox.definitions.models import KIND as DEFINITION_KIND
from segctl.sandbox.jobs import eligibility
from segctl.sandbox.jobs.models import KIND, new_job, segment_entry, touch
from segctl.sandbox.jobs.ration import RATION_LOCK, check_ration

MAX_IDS = 20


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("__")}


def _requested_ids(body: Any) -> tuple[list[str], bool]:
    """The ids of the array form or of the ``{"schema", "segments": [{"segmentId": "*"}]}``
    form; the flag says whether all segments were asked for."""
    if isinstance(body, dict):
        if (body.get("schema") or {}).get("name", PROFILE_SCHEMA) != PROFILE_SCHEMA:
            raise bad_request(f"schema.name must be {PROFILE_SCHEMA}.")
        items = body.get("segments")
    else:
        items = body
    if not isinstance(items, list) or not items:
        raise bad_request('Body must be [{"segmentId": "..."}] with at least one segment.')
    ids = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("segmentId"), str):
            raise bad_request('Each entry must be {"segmentId": "..."}.')
        ids.append(item["segmentId"])
    if "*" in ids:
        if len(ids) > 1:
            raise bad_request('"*" cannot be combined with other segment ids.')
        return [], True
    if len(ids) > MAX_IDS:
        raise bad_request(f"A segment job takes at most {MAX_IDS} segment ids; got {len(ids)}.",
                          code="UPAPI-113471-400")
    return list(dict.fromkeys(ids)), False


def create(ctx: Ctx) -> httpx.Response:
    ids, all_segments = _requested_ids(ctx.json())
    store = ctx.app.store
    if all_segments:
        entries: list[dict[str, Any]] = [{"segmentId": "*"}]
    else:
        entries = []
        ineligible: dict[str, str] = {}  # flexible-audience-evaluation.md, Guardrails
        for sid in ids:
            doc = store.get(DEFINITION_KIND, ctx.scope, sid)
            if doc is None:
                other = store.get(EXTERNAL_AUDIENCE, ctx.scope, sid)
                if other is not None:
                    ineligible[sid] = eligibility.origin_ineligibility(other)
                    continue
                raise bad_request(f"Segment definition {sid} does not exist.",
                                  code="UPAPI-113430-400")
            why = eligibility.definition_ineligibility(doc)
            if why is not None:
                ineligible[sid] = why
            entries.append(segment_entry(doc))
        if ineligible:  # refused before the ration is read: a refusal spends none of it
            raise eligibility.refusal(ineligible)
    with RATION_LOCK:  # two racing POSTs must not both take the last run of the ration
        check_ration(ctx)
        job = new_job(ctx.app, ctx.scope, entries, source="api",
                      request_id=ctx.request.headers.get("x-request-id"))
    return json_response(200, public(job))


def get(ctx: Ctx) -> httpx.Response:
    return json_response(200, public(ctx.stored(KIND, "segment job")))


def list_(ctx: Ctx) -> httpx.Response:
    jobs = with_status(ctx, ctx.resume(KIND, ctx.app.store.all(KIND, ctx.scope)))
    prop = ctx.query.get("property", "")
    if prop.startswith("segments~segmentId=="):
        sid = prop.split("==", 1)[1]
        jobs = [j for j in jobs if any(s["segmentId"] == sid for s in j["segments"])]
    field, _, direction = (ctx.query.get("sort") or "creationTime:desc").partition(":")
    jobs.sort(key=lambda j: (j.get(field) is None, j.get(field, 0)), reverse=direction != "asc")
    return children_page(ctx, jobs, f"{UPS_BASE}/segment/jobs", present=public)


def bulk_get(ctx: Ctx) -> httpx.Response:
    ids = ctx.json_object().get("ids")
    if not isinstance(ids, list):
        raise bad_request('Body must be {"ids": [{"id": "..."}]}.')
    results: dict[str, Any] = {}
    for item in ids:
        jid = str(item.get("id")) if isinstance(item, dict) else str(item)
        doc = ctx.app.store.get(KIND, ctx.scope, jid)
        if doc:
            doc = ctx.resume(KIND, [doc])[0]
        results[jid] = public(doc) if doc else bulk_missing(jid)
    return json_response(207, {"results": results})


def cancel(ctx: Ctx) -> httpx.Response:
    with ctx.app.store.write():
        doc = ctx.stored(KIND, "segment job")
        if doc["status"] not in TERMINAL:
            doc["status"] = "CANCELLING"
            touch(ctx.app, doc)
            ctx.app.store.put(KIND, ctx.scope, doc["id"], doc)
    return json_response(204, None)
