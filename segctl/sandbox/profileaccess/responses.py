"""``GET /access/entities`` (profile.yaml retrieveEntity; help/profile/api/entities.md): one
profile by identity (``entityId`` + ``entityIdNS``) or by its id (``entityId`` alone), as
``{"<id>": {"entityId", "sources", "entity", "lastModifiedAt"}}``, the entity carrying its
``segmentMembership`` (``{"ups": {segmentId: {status, lastQualificationTime}}}``, the shape
export rows carry). ``fields`` projects the entity (comma-separated paths); ``segmentMembership``
is then kept only when asked for. Only the profile class is served
(``schema.name=_xdm.context.profile``); ExperienceEvent look-ups answer 422.
"""

from __future__ import annotations

from typing import Any

import httpx

from segctl.sandbox.core.values import PROFILE_SCHEMA, iso
from segctl.sandbox.core.web import Ctx, bad_request, json_response, not_found, problem
from segctl.sandbox.definitions.models import KIND as DEFINITION_KIND
from segctl.sandbox.profilestore import evaluate

_MEMBER = ("realized", "existing", "exited")


def _find(ctx: Ctx, entity_id: str, namespace: str | None) -> tuple[str, dict[str, Any]]:
    found = ctx.app.profile_data().find(entity_id, namespace)
    if found is not None:
        return found
    raise not_found("entity", entity_id if namespace is None else f"{namespace}:{entity_id}")


def _membership(ctx: Ctx, pid: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for doc in ctx.app.store.all(DEFINITION_KIND, ctx.scope):
        entry = ctx.app.store.memberships(ctx.scope, doc["id"]).get(pid)
        if entry is not None and entry[0] in _MEMBER:
            found[doc["id"]] = {"status": entry[0], "lastQualificationTime": iso(entry[1])}
    return found


def _answer(ctx: Ctx, pid: str, profile: dict[str, Any]) -> httpx.Response:
    entity = dict(profile)
    membership = _membership(ctx, pid)
    if membership:
        entity["segmentMembership"] = {"ups": membership}
    fields = evaluate.parse_fields(ctx.query.get("fields"))
    if fields is not None:
        entity = evaluate.project(entity, fields)
    return json_response(200, {pid: {"entityId": pid, "sources": ["local-sandbox"],
                                     "entity": entity,
                                     "lastModifiedAt": ctx.app.now().isoformat()}})


def get_profile_model(ctx: Ctx) -> httpx.Response:
    """The profile a preview result's ``_href`` points at, in the same shape."""
    pid, profile = _find(ctx, ctx.params["id"], None)
    return _answer(ctx, pid, profile)


def get_entity(ctx: Ctx) -> httpx.Response:
    schema = ctx.query.get("schema.name")
    if not schema:
        raise bad_request("Query parameter schema.name is required.")
    if schema != PROFILE_SCHEMA:
        raise problem(422, "UPAPI-113422-422",
                      f"The local sandbox serves {PROFILE_SCHEMA} entities only.")
    entity_id = ctx.query.get("entityId")
    if not entity_id:
        raise bad_request("Query parameter entityId is required for a profile look-up.")
    pid, profile = _find(ctx, entity_id, ctx.query.get("entityIdNS"))
    return _answer(ctx, pid, profile)
