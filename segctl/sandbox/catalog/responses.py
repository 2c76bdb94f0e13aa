"""Catalog dataSets and batches (AEP-API §8): create, get, list with Catalog's filters, PATCH,
delete; batches list and get."""

from __future__ import annotations

import fnmatch
import re
from typing import Any

import httpx

from segctl.sandbox.catalog.models import BATCH, DATASET, FILE
from segctl.sandbox.core.values import CATALOG_BASE, PROFILE_UNION, catalog_id
from segctl.sandbox.core.web import Ctx, HttpFailure, catalog_error, json_response


def _int_param(ctx: Ctx, name: str, default: int, *, lo: int = 0, hi: int | None = None
               ) -> int:
    """``ctx.int_param`` with Catalog's own error body: filter-data.md, "Invalid limit
    parameters (including limit=0) result in 400-level error responses that outline proper
    ranges", in the ``/placeholder/type/uri`` shape Catalog uses for every error."""
    try:
        return ctx.int_param(name, default, lo=lo, hi=hi)
    except HttpFailure as failure:
        raise catalog_error(400, "BadRequestError", failure.body["title"]) from None


def missing(kind: str) -> HttpFailure:
    return catalog_error(404, "NotFoundError", f"{kind} not found.")


def _ref(did: str) -> list[str]:
    return [f"@/dataSets/{did}"]


def _check_dataset(body: dict[str, Any]) -> None:
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        raise catalog_error(400, "BadRequestError", "A dataset needs a name.")
    schema_ref = body.get("schemaRef")
    ref_id = str(schema_ref.get("id", "")) if isinstance(schema_ref, dict) else ""
    if schema_ref is not None and not (ref_id.startswith("http")
                                       or ref_id == "_xdm.context.profile__union"):
        raise catalog_error(400, "BadRequestError", "There was a problem retrieving xdm schema.")
    tags = body.get("tags", {})
    if not isinstance(tags, dict) or not all(isinstance(v, list) for v in tags.values()):
        raise catalog_error(400, "BadRequestError", "tags must map names to lists of strings.")


_TABLE_CHARS = re.compile(r"[^a-z0-9_]+")


def _server_fields(doc: dict[str, Any], did: str) -> None:
    """What Catalog adds to every dataset it creates (catalog.yaml ``dataSet`` /
    ``datasetPatchRequestV2``): ``classification`` {dataBehavior, managedBy} (a profile-class
    schema holds records, any other class time series; created through the API it is the
    customer's), and the system tags ``adobe/pqs/table`` (its Query Service table name) and
    ``adobe/siphon/table/format`` (``parquet``, the format batches are stored in). A client's
    own tags and classification are kept."""
    schema = str((doc.get("schemaRef") or {}).get("id", ""))
    behavior = "record" if "profile" in schema else "time-series"
    classification = doc.get("classification")
    if not isinstance(classification, dict):
        classification = {}
    doc["classification"] = {"dataBehavior": behavior, "managedBy": "CUSTOMER",
                             **classification}
    table = _TABLE_CHARS.sub("_", str(doc.get("name", "")).lower()).strip("_") or did
    tags = doc.setdefault("tags", {})
    tags.setdefault("adobe/pqs/table", [table])
    tags.setdefault("adobe/siphon/table/format", ["parquet"])


def create_dataset(ctx: Ctx) -> httpx.Response:
    body = ctx.json_object()
    _check_dataset(body)
    did, now = catalog_id(), ctx.app.now_ms()
    doc = dict(body)
    doc.setdefault("description", "")
    doc.setdefault("schemaRef", {"id": PROFILE_UNION,
                                 "contentType": "application/vnd.adobe.xed+json;version=1"})
    doc.setdefault("tags", {})
    _server_fields(doc, did)
    doc.update({"version": "1.0.0", "imsOrg": ctx.scope.org, "created": now, "updated": now,
                "createdClient": ctx.client_id, "createdUser": f"{ctx.client_id}@AdobeID",
                "updatedUser": f"{ctx.client_id}@AdobeID", "state": "DRAFT",
                "files": f"@/dataSetFiles?dataSetId={did}"})
    ctx.app.store.put(DATASET, ctx.scope, did, doc, name=doc["name"], created=now)
    return json_response(201, _ref(did), {"Location": f"{CATALOG_BASE}/dataSets/{did}"})


def _project(doc: dict[str, Any], properties: str | None) -> dict[str, Any]:
    if not properties:
        return doc
    wanted = [p.strip() for p in properties.split(",") if p.strip()]
    return {k: doc[k] for k in wanted if k in doc}


def get_dataset(ctx: Ctx) -> httpx.Response:
    did = ctx.params["id"]
    doc = ctx.app.store.get(DATASET, ctx.scope, did)
    if doc is None:
        raise missing("DataSet")
    return json_response(200, {did: _project(doc, ctx.query.get("properties"))})


def _match_simple(value: Any, spec: str) -> bool:
    """Catalog simple filters: ``a,b`` (any of), ``!x`` (not), ``*`` wildcards (``**`` = *)."""
    text = "" if value is None else str(value)
    for option in spec.split(","):
        negate = option.startswith("!")
        pattern = option[1:] if negate else option
        if "*" in pattern:
            chunks = (".*".join(re.escape(p) for p in chunk.split("*"))
                      for chunk in pattern.split("**"))
            hit = re.fullmatch(re.escape("*").join(chunks), text) is not None
        else:
            hit = text == pattern
        if hit != negate:
            return True
    return False


_PROPERTY = re.compile(r"^(!?)([\w.]+)(?:(==|!=|~|<=|>=|<|>)(.*))?$")


def _match_property(doc: dict[str, Any], expr: str) -> bool:
    m = _PROPERTY.match(expr)
    if m is None:
        raise catalog_error(400, "BadRequestError", f"Bad property filter: {expr}")
    negate, path, op, operand = m.groups()
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if op is None:
        return (value is None) if negate else (value is not None)
    if op == "~":
        return value is not None and re.search(operand, str(value)) is not None
    if op in ("==", "!="):
        return (str(value) == operand) == (op == "==")
    try:
        left, right = float(value), float(operand)
    except (TypeError, ValueError):
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _match_tags(doc: dict[str, Any], spec: str) -> bool:
    tags = doc.get("tags") or {}
    for clause in spec.split(","):
        name, _, value = clause.partition(":")
        values = [str(v) for v in tags.get(name, [])] if name in tags else None
        if values is None:
            return False
        if value and value != "*" and not any(fnmatch.fnmatchcase(v, value) for v in values):
            return False
    return True


def list_datasets(ctx: Ctx) -> httpx.Response:
    limit = _int_param(ctx, "limit", 20, lo=1, hi=100)
    start = _int_param(ctx, "start", 0)
    selected = []
    for did, doc in ctx.app.store.items(DATASET, ctx.scope):
        if "name" in ctx.query and not _match_simple(doc.get("name"), ctx.query["name"]):
            continue
        if "property" in ctx.query and not _match_property(doc, ctx.query["property"]):
            continue
        if "tags" in ctx.query and not _match_tags(doc, ctx.query["tags"]):
            continue
        selected.append((did, doc))
    order = ctx.query.get("orderBy", "")
    if order:
        direction, _, fields = order.partition(":") if ":" in order else ("asc", ":", order)
        key = fields.split(",")[0] or "created"
        selected.sort(key=lambda item: str(item[1].get(key, "")).zfill(20),
                      reverse=direction == "desc")
    window = selected[start:start + limit]
    props = ctx.query.get("properties")
    return json_response(200, {did: _project(doc, props) for did, doc in window})


def patch_dataset(ctx: Ctx) -> httpx.Response:
    did = ctx.params["id"]
    doc = ctx.app.store.get(DATASET, ctx.scope, did)
    if doc is None:
        raise missing("DataSet")
    body = ctx.json()
    if isinstance(body, list):  # JSON Patch: add/replace/remove on top-level or tags/<name>
        for op in body:
            parts = str(op.get("path", "")).strip("/").split("/")
            target = doc
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            if op.get("op") in ("add", "replace"):
                target[parts[-1]] = op.get("value")
            elif op.get("op") == "remove":
                target.pop(parts[-1], None)
            else:
                raise catalog_error(400, "BadRequestError", f"Unsupported op {op.get('op')}.")
    elif isinstance(body, dict):
        doc.update({k: v for k, v in body.items() if k not in ("created", "imsOrg")})
    else:
        raise catalog_error(400, "BadRequestError", "PATCH body must be an object or array.")
    _check_dataset(doc)
    doc["updated"] = ctx.app.now_ms()
    ctx.app.store.put(DATASET, ctx.scope, did, doc, name=doc["name"])
    return json_response(200, _ref(did))


def delete_dataset(ctx: Ctx) -> httpx.Response:
    did = ctx.params["id"]
    if not ctx.app.store.delete(DATASET, ctx.scope, did):
        raise missing("DataSet")
    return json_response(200, _ref(did))


# -- batches ----------------------------------------------------------------------------------
def list_batches(ctx: Ctx) -> httpx.Response:
    limit = _int_param(ctx, "limit", 20, lo=1, hi=100)
    start = _int_param(ctx, "start", 0)
    batches = ctx.app.store.all(BATCH, ctx.scope)
    dataset = ctx.query.get("dataSet")
    if dataset:
        batches = [b for b in batches if any(o.get("id") == dataset
                                             for o in b.get("relatedObjects", []))]
    if "status" in ctx.query:
        batches = [b for b in batches if _match_simple(b.get("status"), ctx.query["status"])]
    order = ctx.query.get("orderBy", "desc:created")
    batches.sort(key=lambda b: (b.get("created", 0), b["id"]), reverse=order.startswith("desc"))
    window = batches[start:start + limit]
    return json_response(200, {b["id"]: _project(b, ctx.query.get("properties")) for b in window})


def get_batch(ctx: Ctx) -> httpx.Response:
    doc = ctx.app.store.get(BATCH, ctx.scope, ctx.params["id"])
    if doc is None:
        raise missing("Batch")
    return json_response(200, {doc["id"]: doc})


def list_dataset_files(ctx: Ctx) -> httpx.Response:
    """``GET /dataSetFiles?dataSetId=`` (the dataset's ``files`` reference, ``@/dataSetFiles``):
    Catalog's map of the dataset's files, each with its ``dataSetId``, ``batchId``, ``name``,
    ``records`` and ``created``."""
    limit = _int_param(ctx, "limit", 20, lo=1, hi=100)
    start = _int_param(ctx, "start", 0)
    files = ctx.app.store.all(FILE, ctx.scope)
    wanted = ctx.query.get("dataSetId")
    if wanted:
        files = [f for f in files if f["dataSetId"] == wanted]
    window = files[start:start + limit]
    return json_response(200, {f["id"]: {k: f[k] for k in
                                         ("dataSetId", "batchId", "name", "records", "created")
                                         if k in f} for f in window})
