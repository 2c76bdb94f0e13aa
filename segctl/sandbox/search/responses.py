"""Segment search (segmentation.yaml ``/search/*``; help/segmentation/api/segment-search.md):
search counts per namespace, the matching entities of one namespace, and an entity's
taxonomy (the folders above it).

The local sandbox has one namespace, ``ups``: the segment definitions of the sandbox
(Segmentation Service's own; AEP adds external namespaces such as AAMTraits, which the local
sandbox has none of). Definitions have no folders, so every entity's parent is ``root`` and
its taxonomy is the entity alone. ``s`` is matched, case-insensitively, as a substring of the
name or description (the spec: a Lucene query; chosen: the plain-term subset of it).
"""

from __future__ import annotations

import base64
from typing import Any

import httpx

from segctl.sandbox.core.values import PROFILE_SCHEMA
from segctl.sandbox.core.web import Ctx, bad_request, json_response, not_found
from segctl.sandbox.definitions.models import KIND as DEFINITION_KIND

NAMESPACE = "ups"
DISPLAY_NAME = "Segmentation Service"


def _required(ctx: Ctx, *names: str) -> None:
    for name in names:
        if not ctx.query.get(name):
            raise bad_request(f"Query parameter {name} is required.")


def _check_schema(ctx: Ctx, param: str) -> None:
    _required(ctx, param)
    if ctx.query[param] != PROFILE_SCHEMA:
        raise bad_request(f"{param} must be {PROFILE_SCHEMA}.")


def _matches(doc: dict[str, Any], term: str | None) -> bool:
    if not term:
        return True
    text = f"{doc.get('name', '')} {doc.get('description', '')}".lower()
    return all(word in text for word in term.lower().split())


def _entity(doc: dict[str, Any]) -> dict[str, Any]:
    source = f"{doc['id']}-{NAMESPACE}".encode()
    return {"id": doc["id"], "base64EncodedSourceId": base64.b64encode(source).decode(),
            "sourceId": {"id": doc["id"], "namespace": NAMESPACE}, "isFolder": False,
            "parentFolderId": "root", "name": doc.get("name", "")}


def _found(ctx: Ctx) -> list[dict[str, Any]]:
    term = ctx.query.get("s")
    return [d for d in ctx.app.store.all(DEFINITION_KIND, ctx.scope) if _matches(d, term)]


def namespaces(ctx: Ctx) -> httpx.Response:
    _check_schema(ctx, "schema.name")
    found = _found(ctx)
    listed = [{"namespace": NAMESPACE, "displayName": DISPLAY_NAME, "count": len(found)}]
    return json_response(200, {"namespaces": listed, "totalCount": str(len(listed)),
                               "status": {"message": "Success"}})


def entities(ctx: Ctx) -> httpx.Response:
    _check_schema(ctx, "schemaClass")
    _required(ctx, "namespace")
    found = _found(ctx) if ctx.query["namespace"] == NAMESPACE else []
    if ctx.query.get("entityId"):  # the entities inside a folder: definitions have none
        found = []
    limit = ctx.int_param("limit", 50, lo=1)
    page = ctx.int_param("page", 0)
    window = found[page * limit:(page + 1) * limit]
    total = len(found)
    return json_response(200, {
        "entities": [_entity(d) for d in window],
        "page": {"totalCount": total, "totalPages": -(-total // limit),
                 "pageOffset": page, "pageSize": len(window)},
        "status": {"message": "Success"}})


def taxonomy(ctx: Ctx) -> httpx.Response:
    _check_schema(ctx, "schema.name")
    _required(ctx, "namespace", "entityId")
    eid = ctx.query["entityId"]
    doc = ctx.app.store.get(DEFINITION_KIND, ctx.scope, eid) \
        if ctx.query["namespace"] == NAMESPACE else None
    if doc is None:
        raise not_found("entity", eid)
    entry = {k: v for k, v in _entity(doc).items() if k in
             ("id", "base64EncodedSourceId", "name", "parentFolderId")}
    return json_response(200, {"taxonomy": [entry], "status": {"message": "Success"}})
