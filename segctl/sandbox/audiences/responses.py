"""Audiences' requests and answers (segmentation.yaml ``/audiences``; audiences.md; AEP-API
§12): list with filters and ``_page``/``_links`` paging, get, create (201), JSON-Patch PATCH,
PUT, DELETE (204; 400 while other audiences depend on it) and bulk-get (207).

A Platform audience is checked and stored as the segment definition it is (the definitions'
own ``validate``), so the two APIs never disagree.
"""

from __future__ import annotations

import math
import uuid
from typing import Any
from urllib.parse import urlencode

import httpx

from segctl.sandbox.audiences.models import (
    EXTERNAL,
    EXTERNAL_FIELDS,
    EXTERNAL_TYPES,
    ORIGINS,
    PLATFORM_ORIGIN,
    PLATFORM_TYPE,
    SETTABLE_STATES,
    all_views,
    entity_type,
    new_external,
    one_view,
    page_by_created,
)
from segctl.sandbox.catalog.models import DATASET
from segctl.sandbox.core.values import CATALOG_BASE, new_uuid, sandbox_object
from segctl.sandbox.core.web import Ctx, HttpFailure, json_response
from segctl.sandbox.definitions.models import (
    CLIENT_FIELDS,
    KIND,
    LIFECYCLE_DEFAULT,
    dependents,
)
from segctl.sandbox.definitions.responses import created_by, validate

_MAX_LIMIT = 100
_MAX_BULK = 100
# fields a JSON-Patch ``add`` may set, per kind of audience (one level, or into an object)
_PATCHABLE_PLATFORM = ("name", "description", "expression", "labels", "ttlInDays",
                       "lifecycleState", "mergePolicyId", "evaluationInfo", "schema")
_PATCHABLE_EXTERNAL = ("name", "description", "labels", "lifecycleState", "datasetId",
                       "audienceMeta", "linkedAudienceRef", "ttlInDays")


def _error(status: int, code: str, messages: list[str], title: str | None = None,
           type_code: str | None = None) -> HttpFailure:
    """The audiences API's error body (segmentation.yaml examples): ``errors`` keyed by the
    status, each entry ``{code, message}``."""
    return HttpFailure(status, {
        "requestId": uuid.uuid4().hex,
        "errors": {str(status): [{"code": status, "message": m} for m in messages]},
        "type": f"https://ns.adobe.com/aep/errors/{type_code or code}",
        "title": title or messages[0], "status": status})


def _invalid(message: str) -> HttpFailure:
    """``UPAPI-113434-400``: "There is a problem in audience validation. ..." """
    return _error(400, "UPAPI-113434-400", [f"There is a problem in audience validation. "
                                            f"{message}"])


def _not_found(aid: str) -> HttpFailure:
    text = f"The audience entity {aid} is not found. Use a valid entity and try again."
    return _error(404, "UPAPI-113430-404", [text])


def _missing_name() -> HttpFailure:
    """The spec's "Name is a mandatory field" example, type and all."""
    title = ("There is a problem extracting the user JSON, field(s) missing or invalid. "
             "Correct and try again.")
    return _error(400, "UPLIB-101206-500", [
        title, "No usable value for name\nDid not find value which can be converted into "
        "java.lang.String", "Did not find value which can be converted into java.lang.String"],
        title=title)


def _check_state(value: Any, *, patch: bool = False) -> str:
    if value in ("deleted", "archived"):
        if patch:
            raise _invalid("lifecycle field can not be modified to Delete using Patch operation")
        raise _invalid(f"Cannot set lifecycleState as {value}")
    if value not in SETTABLE_STATES:
        raise _invalid(f"lifecycleState must be one of {', '.join(SETTABLE_STATES)}.")
    return str(value)


def _check_labels(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise _invalid("labels must be an array of strings.")
    return list(value)


def _is_platform(body: dict[str, Any]) -> bool:
    kind = body.get("type")
    if kind in EXTERNAL_TYPES:
        return False
    return kind == PLATFORM_TYPE or "expression" in body


def _audience_fields(doc: dict[str, Any], body: dict[str, Any], *, patch: bool = False
                     ) -> None:
    """Copy and check the audience-only fields a body sets."""
    if "labels" in body:
        doc["labels"] = _check_labels(body["labels"])
    if "lifecycleState" in body:
        doc["lifecycleState"] = _check_state(body["lifecycleState"], patch=patch)


def _check_dataset(ctx: Ctx, body: dict[str, Any]) -> None:
    did = body.get("datasetId")
    if did is None:
        return
    if not isinstance(did, str) or ctx.app.store.get(DATASET, ctx.scope, did) is None:
        url = f"https://platform.adobe.io{CATALOG_BASE}/dataSets/{did}"
        raise _error(400, "UPLIB-101554-503",
                     [f"Dataset {did} cannot be retrieved from Catalog {url}."])


# -- create -----------------------------------------------------------------------------------
def create(ctx: Ctx) -> httpx.Response:
    body = ctx.json_object()
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _missing_name()
    if body.get("originName", PLATFORM_ORIGIN) not in ORIGINS:
        raise _invalid(f"originName must be one of {', '.join(ORIGINS)}.")
    if _is_platform(body):
        return json_response(201, _create_platform(ctx, body))
    _check_dataset(ctx, body)
    doc = new_external(ctx.app, ctx.scope, body, created_by(ctx)["createdBy"])
    _audience_fields(doc, body)
    ctx.app.store.put(EXTERNAL, ctx.scope, doc["id"], doc, name=doc["name"],
                      created=doc["creationTime"])
    return json_response(201, _view(ctx, doc["id"]))


def _create_platform(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    now = ctx.app.now_ms()
    sid = new_uuid()
    doc: dict[str, Any] = {k: body[k] for k in CLIENT_FIELDS if k in body}
    doc.setdefault("description", "")
    doc.setdefault("profileInstanceId", "ups")
    doc.update(created_by(ctx))
    _audience_fields(doc, body)
    with ctx.app.store.write():
        doc = validate(ctx, doc, current_id=None, requested_info=body.get("evaluationInfo"))
        doc.update({"id": sid, "imsOrgId": ctx.scope.org, "sandbox": sandbox_object(ctx.scope),
                    "dataGovernancePolicy": {"excludeOptOut": True},
                    "creationTime": now, "updateTime": now, "updateEpoch": now // 1000})
        ctx.app.store.put(KIND, ctx.scope, sid, doc, name=doc["name"], created=now)
    return _view(ctx, sid)


def _view(ctx: Ctx, aid: str) -> dict[str, Any]:
    view = one_view(ctx.app, ctx.scope, aid)
    if view is None:
        raise _not_found(aid)
    return view


# -- read -------------------------------------------------------------------------------------
def get(ctx: Ctx) -> httpx.Response:
    return json_response(200, _view(ctx, ctx.params["id"]))


def _matches(view: dict[str, Any], query: dict[str, str]) -> bool:
    for key in ("name", "description"):
        wanted = query.get(key)
        if wanted and wanted.lower() not in str(view.get(key) or "").lower():
            return False
    if query.get("entityType") and entity_type(view) != query["entityType"]:
        return False
    prop = query.get("property")
    if prop:
        negate = "!=" in prop
        field, _, value = prop.partition("!=" if negate else "==")
        actual = view.get(field.strip())
        if (str(actual) == value) == negate:
            return False
    return True


_FILTERS = ("name", "description", "entityType", "property")


def list_(ctx: Ctx) -> httpx.Response:
    sort_field, _, direction = (ctx.query.get("sort") or "creationTime:desc").partition(":")
    descending = direction.lower() != "asc"
    limit = min(ctx.int_param("limit", 20, lo=1), _MAX_LIMIT)
    start = ctx.int_param("start", 0)
    if sort_field == "creationTime" and not any(ctx.query.get(f) for f in _FILTERS):
        # creationTime is the rows' ``created`` column for both kinds: the page is ordered and
        # cut in SQL, and only its documents are read
        window, total = page_by_created(ctx.app, ctx.scope, descending=descending,
                                        offset=start, limit=limit)
    else:
        views = [v for v in all_views(ctx.app, ctx.scope) if _matches(v, ctx.query)]
        order = {v["id"]: i for i, v in enumerate(views)}
        views.sort(key=lambda v: (v.get(sort_field) is None, _sortable(v.get(sort_field)),
                                  order[v["id"]] if not descending else -order[v["id"]]),
                   reverse=descending)
        window = views[start:start + limit]
        total = len(views)
    page: dict[str, Any] = {"totalCount": total,
                            "totalPages": math.ceil(total / limit) if total else 0,
                            "sortField": sort_field, "sort": "desc" if descending else "asc",
                            "pageSize": len(window), "limit": limit, "start": start}
    links: dict[str, Any] = {}
    if start + limit < total:
        page["next"] = start + limit
        carried = {k: v for k, v in ctx.query.items()
                   if k in ("sort", "property", "name", "description", "entityType")}
        query = urlencode({**carried, "start": start + limit, "limit": limit,
                           "totalCount": total})
        links["next"] = {"href": f"@/audiences?{query}"}
    return json_response(200, {"children": window, "_page": page, "_links": links})


def _sortable(value: Any) -> Any:
    return value if isinstance(value, int | float) else str(value if value is not None else "")


def bulk_get(ctx: Ctx) -> httpx.Response:
    ids = ctx.json_object().get("ids")
    if not isinstance(ids, list) or not 0 < len(ids) <= _MAX_BULK:
        text = "The number of requested IDs is invalid. Cannot be 0 or exceed 100."
        failure = _error(400, "UPAPI-113015-400", [text])
        failure.body["errors"]["400"][0]["code"] = "UPAPI-113015-400"
        raise failure
    wanted = [str(i.get("id")) if isinstance(i, dict) else str(i) for i in ids]
    views = {aid: view for aid in dict.fromkeys(wanted)
             if (view := one_view(ctx.app, ctx.scope, aid)) is not None}
    missing = [w for w in wanted if w not in views]
    if len(missing) == len(wanted):
        failure = _error(404, "UPAPI-113000-404",
                         [f"The entity {','.join(missing)} is not found."])
        failure.body["errors"]["404"][0]["code"] = "UPAPI-113000-404"
        raise failure
    results: dict[str, Any] = {}
    for aid in wanted:
        results[aid] = views.get(aid) or {
            "requestId": uuid.uuid4().hex,
            "errors": {"404": [{"code": 404, "message": "Not found."}]}}
    return json_response(207, {"results": results})


# -- write ------------------------------------------------------------------------------------
def _pointer(path: Any) -> list[str]:
    if not isinstance(path, str) or not path.startswith("/") or path == "/":
        raise _invalid(f"Unsupported patch path {path!r}.")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _apply_ops(doc: dict[str, Any], ops: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    """JSON-Patch ``add`` (``replace`` too) on ``doc``; returns the top-level fields set."""
    if not isinstance(ops, list) or not ops:
        raise _invalid("The PATCH body must be a JSON Patch array.")
    touched: dict[str, Any] = {}
    for op in ops:
        if not isinstance(op, dict) or op.get("op") not in ("add", "replace"):
            raise _invalid('Only {"op": "add"} operations are supported.')
        parts = _pointer(op.get("path"))
        if parts[0] == "namespace":
            raise _invalid("Namespace is immutable field.")
        if parts[0] not in allowed:
            raise _invalid(f"{parts[0]} cannot be changed with PATCH.")
        if len(parts) == 1:
            doc[parts[0]] = op.get("value")
        else:
            holder = doc.setdefault(parts[0], {})
            for key in parts[1:-1]:
                holder = holder.setdefault(key, {}) if isinstance(holder, dict) else holder
            if not isinstance(holder, dict):
                raise _invalid(f"{op.get('path')} does not name an object field.")
            holder[parts[-1]] = op.get("value")
        touched[parts[0]] = doc[parts[0]]
    return touched


def patch(ctx: Ctx) -> httpx.Response:
    aid = ctx.params["id"]
    ops = ctx.json()
    with ctx.app.store.write():
        doc = ctx.app.store.get(KIND, ctx.scope, aid)
        if doc is not None:
            touched = _apply_ops(doc, ops, _PATCHABLE_PLATFORM)
            _audience_fields(doc, touched, patch=True)
            _store_platform(ctx, doc, touched.get("evaluationInfo", doc.get("evaluationInfo")))
        else:
            doc = _stored_external(ctx, aid)
            touched = _apply_ops(doc, ops, _PATCHABLE_EXTERNAL)
            _audience_fields(doc, touched, patch=True)
            _check_dataset(ctx, touched)
            _store_external(ctx, doc)
    return json_response(200, _view(ctx, aid))


def put(ctx: Ctx) -> httpx.Response:
    """Overwrite: the client fields of the body replace the stored ones; ``namespace`` is
    immutable (spec: "Namespace is immutable field")."""
    aid = ctx.params["id"]
    body = ctx.json_object()
    with ctx.app.store.write():
        doc = ctx.app.store.get(KIND, ctx.scope, aid)
        if doc is not None:
            if body.get("namespace", "AEPSegments") != "AEPSegments":
                raise _invalid("Namespace is immutable field.")
            for key in (*CLIENT_FIELDS, "labels"):
                doc.pop(key, None)
            doc.update({k: body[k] for k in CLIENT_FIELDS if k in body})
            doc.setdefault("description", "")
            doc.setdefault("profileInstanceId", "ups")
            doc["labels"] = []
            _audience_fields(doc, body)
            _store_platform(ctx, doc, body.get("evaluationInfo"))
        else:
            doc = _stored_external(ctx, aid)
            if "namespace" in body and body["namespace"] != doc.get("namespace"):
                raise _invalid("Namespace is immutable field.")
            _check_dataset(ctx, body)
            for key in EXTERNAL_FIELDS:
                if key not in ("audienceId", "namespace", "originName"):
                    doc.pop(key, None)
            doc.update({k: body[k] for k in EXTERNAL_FIELDS
                        if k in body and k not in ("namespace", "originName")})
            doc.setdefault("lifecycleState", LIFECYCLE_DEFAULT)
            _audience_fields(doc, body)
            _store_external(ctx, doc)
    return json_response(200, _view(ctx, aid))


def _store_platform(ctx: Ctx, doc: dict[str, Any], requested_info: Any) -> None:
    doc = validate(ctx, doc, current_id=doc["id"], requested_info=requested_info)
    now = ctx.app.now_ms()
    doc.update({"updateTime": now, "updateEpoch": now // 1000})
    ctx.app.store.put(KIND, ctx.scope, doc["id"], doc, name=doc["name"])


def _stored_external(ctx: Ctx, aid: str) -> dict[str, Any]:
    doc = ctx.app.store.get(EXTERNAL, ctx.scope, aid)
    if doc is None:
        raise _not_found(aid)
    return doc


def _store_external(ctx: Ctx, doc: dict[str, Any]) -> None:
    if not isinstance(doc.get("name"), str) or not doc["name"].strip():
        raise _missing_name()
    now = ctx.app.now_ms()
    doc.update({"updateTime": now, "updateEpoch": now // 1000})
    ctx.app.store.put(EXTERNAL, ctx.scope, doc["id"], doc, name=doc["name"])


def delete(ctx: Ctx) -> httpx.Response:
    aid = ctx.params["id"]
    with ctx.app.store.write():
        if ctx.app.store.get(KIND, ctx.scope, aid) is not None:
            if dependents(ctx.app, ctx.scope, aid):
                raise _error(400, "UPAPI-113631-403", ["The audience cannot be deleted."])
            ctx.app.store.delete(KIND, ctx.scope, aid)
            ctx.app.store.drop_memberships(ctx.scope, aid)
        elif not ctx.app.store.delete(EXTERNAL, ctx.scope, aid):
            raise _not_found(aid)
    return json_response(204, None)
