"""Export jobs' requests and answers (AEP-API §7): create, get, the ``records/page/link``
listing with integer ids, cancel. The request checks, the new job and the executor are in
``exports.models`` (a schedule's run creates its jobs there too)."""

from __future__ import annotations

from typing import Any

import httpx

from segctl.sandbox.core.values import UPS_BASE, new_uuid
from segctl.sandbox.core.web import Ctx, bad_request, json_response, with_status
from segctl.sandbox.exports.models import KIND, new_export_job
from segctl.sandbox.jobs.responses import public


def create(ctx: Ctx) -> httpx.Response:
    job = new_export_job(ctx.app, ctx.scope, ctx.json_object(),
                         request_id=ctx.request.headers.get("x-request-id") or new_uuid())
    return json_response(200, public(job), {"X-Location": f"{UPS_BASE}/export/jobs/{job['id']}"})


def get(ctx: Ctx) -> httpx.Response:
    return json_response(200, public(ctx.stored(KIND, "export job")))


def list_(ctx: Ctx) -> httpx.Response:
    jobs = with_status(ctx, ctx.resume(KIND, ctx.app.store.all(KIND, ctx.scope)))
    jobs.sort(key=lambda j: (j["creationTime"], j["id"]), reverse=True)
    offset = ctx.query.get("offset")
    if offset:
        try:
            ms_text, _, id_text = offset.partition("_")
            cursor = (int(ms_text), int(id_text))
        except ValueError:
            raise bad_request("offset must look like <creationTimeMs>_<jobId>.") from None
        jobs = [j for j in jobs if (j["creationTime"], j["id"]) < cursor]
    limit = ctx.int_param("limit", 100, lo=1)
    window = jobs[:limit]
    page: dict[str, Any] = {"sortField": "createdTime", "sort": "desc", "pageSize": len(window)}
    link: dict[str, str] = {"next": ""}
    if window:  # spec: "the creation time and job id for the last record on the page"
        last = window[-1]
        page["pageOffset"] = f"{last['creationTime']}_{last['id']}"
    if len(jobs) > limit:
        link["next"] = f"/export/jobs/?limit={limit}&offset={page['pageOffset']}"
    return json_response(200, {"records": [public(j) for j in window], "page": page,
                               "link": link})


def cancel(ctx: Ctx) -> httpx.Response:
    with ctx.app.store.write():
        doc = ctx.stored(KIND, "export job")
        if doc["status"] in ("NEW", "PROCESSING"):
            doc["status"] = "CANCELLING"
            ctx.app.store.put(KIND, ctx.scope, str(doc["id"]), doc)
    return json_response(200, {"status": True,
                               "message": "Export job has been marked for cancelling"})
