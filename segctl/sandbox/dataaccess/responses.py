"""The Data Access API: list the files of a batch and download a file, so exported rows are
read through the same client as on real AEP (AEP-API §8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from segctl.sandbox.catalog.models import BATCH, DATASET, FILE
from segctl.sandbox.catalog.responses import missing
from segctl.sandbox.core.values import EXPORT_BASE, iso
from segctl.sandbox.core.web import Ctx, json_response
from segctl.sandbox.dataaccess.models import PREVIEW_ROWS, read_rows


def batch_files(ctx: Ctx) -> httpx.Response:
    bid = ctx.params["id"]
    batch = ctx.app.store.get(BATCH, ctx.scope, bid)
    if batch is None:
        raise missing("Batch")
    files = [f for f in ctx.app.store.all(FILE, ctx.scope) if f["batchId"] == bid]
    data = [{"dataSetFileId": f["id"], "dataSetViewId": f["dataSetId"], "version": "1.0.0",
             "created": iso(f["created"]), "updated": iso(f["created"]), "isValid": True,
             "records": str(f.get("records", 0)), "size": str(_size(ctx, f)),
             "_links": {"self": {"href": f"{ctx.app.base_url}{EXPORT_BASE}/files/{f['id']}"}}}
            for f in files]
    return json_response(200, {"data": data, "_page": {"limit": 100, "count": len(data)}})


def _size(ctx: Ctx, meta: dict[str, Any]) -> int:
    path = ctx.app.data_dir / meta["path"]
    return path.stat().st_size if path.is_file() else 0


def file_info(ctx: Ctx) -> httpx.Response:
    meta = ctx.app.store.get(FILE, ctx.scope, ctx.params["id"])
    if meta is None:
        raise missing("File")
    path = ctx.app.data_dir / meta["path"]
    wanted = ctx.query.get("path")
    if wanted is not None:
        if wanted != meta["name"] or not path.is_file():
            raise missing("File")
        return httpx.Response(200, content=Path(path).read_bytes(),
                              headers={"content-type": "application/octet-stream"})
    length = _size(ctx, meta)
    href = f"{ctx.app.base_url}{EXPORT_BASE}/files/{meta['id']}?path={meta['name']}"
    return json_response(200, {"data": [{"name": meta["name"], "length": str(length),
                                         "_links": {"self": {"href": href}}}],
                               "_page": {"limit": 100, "count": 1}})


def dataset_preview(ctx: Ctx) -> httpx.Response:
    """``GET /datasets/{id}/preview`` (data-access.yaml retrieveDatasetPreview): the first 100
    rows of the dataset's files as ``{"data": [row, ...]}``, read from its last successful
    batch (the newest data, as Catalog's ``lastSuccessfulBatch`` names it); a dataset with no
    batch yet previews no rows; an unknown dataset is the spec's 404."""
    did = ctx.params["id"]
    dataset = ctx.app.store.get(DATASET, ctx.scope, did)
    if dataset is None:
        raise missing("DataSet")
    bid = dataset.get("lastSuccessfulBatch")
    rows: list[dict[str, Any]] = []
    if bid:
        for meta in ctx.app.store.all(FILE, ctx.scope):
            path = ctx.app.data_dir / meta["path"]
            if meta["batchId"] != bid or not path.is_file():
                continue
            rows.extend(read_rows(path, PREVIEW_ROWS - len(rows)))
            if len(rows) >= PREVIEW_ROWS:
                break
    return json_response(200, {"data": rows})
