"""Audiences' state: one store with segment definitions, seen through the audience lens.

A Platform-generated audience *is* a segment definition (``id == audienceId ==`` the
definition's id; ``type: SegmentDefinition``, ``originName: REAL_TIME_CUSTOMER_PROFILE``), so a
write through either API is visible through the other. Audiences of other origins (custom
uploads, Audience Orchestration, ...) have no definition and are stored on their own; every
sandbox starts with a few of them, so every list holds audiences segctl must not own.

Sources: ``segmentation.yaml`` (``PlatformGeneratedAudience``, ``ExternallyGeneratedAudience``,
the ``AudiencesListWithMetrics`` example) and ``help/segmentation/api/audiences.md``; the choices
where they disagree are in FIDELITY.md.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any

from segctl.sandbox.core.host import Host
from segctl.sandbox.core.store import Partition
from segctl.sandbox.core.values import PROFILE_SCHEMA, PROFILE_UNION, new_uuid, sandbox_object
from segctl.sandbox.definitions.models import KIND as DEFINITION_KIND
from segctl.sandbox.definitions.models import LIFECYCLE_DEFAULT, REFS, refs, refs_of_json
from segctl.sandbox.exports.models import KIND as EXPORT_KIND
from segctl.sandbox.jobs.models import KIND as SEGMENT_JOB_KIND

EXTERNAL = "audience"  # audiences of other origins (a Platform audience is a "segment")
_SEEDED = "audienceseed"
PLATFORM_TYPE = "SegmentDefinition"
PLATFORM_ORIGIN = "REAL_TIME_CUSTOMER_PROFILE"
EXTERNAL_TYPE = "ExternalSegment"  # docs and examples; the spec's enum says ExternalAudience
EXTERNAL_TYPES = frozenset({EXTERNAL_TYPE, "ExternalAudience"})
ORIGINS = ("REAL_TIME_CUSTOMER_PROFILE", "CUSTOM_UPLOAD", "AUDIENCE_ORCHESTRATION",
           "AUDIENCE_MANAGER", "AUDIENCE_MATCH")
# the states a client may set (audiences.md, create and PUT: draft, published, inactive);
# ``archived`` is the service's own, ``active`` the deprecated spelling of published
SETTABLE_STATES = ("draft", "published", "inactive")
# external audiences' client fields (CreateExternalAudienceRequestBody, UpdateAudienceName)
EXTERNAL_FIELDS = ("audienceId", "name", "namespace", "description", "originName",
                   "lifecycleState", "datasetId", "labels", "audienceMeta", "linkedAudienceRef",
                   "ttlInDays")
_SEED_AGE_MS = 30 * 24 * 3600 * 1000
# every sandbox starts with these, like a sandbox where other teams work (audiences.md list
# example: a CUSTOM_UPLOAD audience next to a Platform one)
_SEEDS: tuple[dict[str, Any], ...] = (
    {"audienceId": "crm-loyalty-gold", "name": "Loyalty gold members (CRM upload)",
     "namespace": "CustomerAudienceUpload", "originName": "CUSTOM_UPLOAD",
     "description": "Uploaded from the CRM every night", "labels": ["C2"],
     "linkedAudienceRef": {"flowId": "4685ea90-d2b6-11ec-9d64-0242ac120002"},
     "audienceMeta": {"segmentStatus": "ACTIVE"}},
    {"audienceId": "ao-winback-q3", "name": "Win-back composition (Audience Orchestration)",
     "namespace": "AO", "originName": "AUDIENCE_ORCHESTRATION",
     "description": "Composed in Audience Composition",
     "linkedAudienceRef": {"aoWorkflowId": "62bf31858e87e34c8364befa"}},
)


def etag(doc: dict[str, Any]) -> str:
    """A quoted, version-like tag that changes with every write (``"33120d7c-0000-..."``)."""
    digest = hashlib.sha1(f"{doc.get('id')}:{doc.get('updateTime')}".encode()).hexdigest()
    return f'"{digest[:8]}-0000-0200-0000-{digest[8:20]}"'


_DERIVED: dict[tuple[int, Partition, str], tuple[tuple[int, int, int], Any]] = {}
_DERIVED_LOCK = threading.Lock()


def _derived(app: Host, scope: Partition, name: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, cached until the store changes (each list page would otherwise read
    every definition and job again)."""
    key = (id(app.store), scope, name)
    generation = app.store.generation()
    with _DERIVED_LOCK:
        hit = _DERIVED.get(key)
    if hit is not None and hit[0] == generation:
        return hit[1]
    value = compute()
    with _DERIVED_LOCK:
        if len(_DERIVED) > 256:
            _DERIVED.clear()
        _DERIVED[key] = (generation, value)
    return value


def dependents_map(app: Host, scope: Partition) -> dict[str, list[str]]:
    return dict(_derived(app, scope, "dependents", lambda: _dependents(app, scope)))


def _dependents(app: Host, scope: Partition) -> dict[str, list[str]]:
    """Definition id -> ids of the definitions that reference it. Only definitions whose
    stored JSON mentions inSegment (pql/text and pql/json alike) are read: their references as
    kept at their last write, else found in their expression (each distinct one parsed once
    per process)."""
    out: dict[str, list[str]] = {}
    for sid, (kept, expression) in app.store.fields_where_contains(
            DEFINITION_KIND, scope, (REFS, "expression"), "inSegment"):
        stored = json.loads(kept) if kept is not None else None
        found = stored if isinstance(stored, list) else refs_of_json(expression or "null")
        for ref in sorted(found):
            out.setdefault(ref, []).append(sid)
    return out


def platform_view(doc: dict[str, Any], dependents: list[str],
                  metrics: dict[str, Any] | None) -> dict[str, Any]:
    """A stored definition as /audiences answers it (PlatformGeneratedAudience, in the order of
    the spec's example). ``dependents`` are the audiences that reference this one,
    ``dependencies`` the ones it references (audiences.md's reading; FIDELITY.md)."""
    created = int(doc.get("creationTime", 0))
    view: dict[str, Any] = {
        "id": doc["id"], "audienceId": doc["id"], "schema": doc.get("schema"),
    }
    if doc.get("ttlInDays") is not None:
        view["ttlInDays"] = doc["ttlInDays"]
    view.update({
        "profileInstanceId": doc.get("profileInstanceId", "ups"), "imsOrgId": doc.get("imsOrgId"),
        "sandbox": doc.get("sandbox"), "isSystem": False, "name": doc.get("name"),
        "description": doc.get("description", ""), "expression": doc.get("expression"),
        "mergePolicyId": doc.get("mergePolicyId"), "evaluationInfo": doc.get("evaluationInfo"),
        "dataGovernancePolicy": doc.get("dataGovernancePolicy", {"excludeOptOut": True}),
        "creationTime": created, "updateEpoch": doc.get("updateEpoch"),
        "updateTime": doc.get("updateTime"), "createEpoch": created // 1000,
        "_etag": etag(doc), "dependents": list(dependents),
        "definedOn": [{"meta:resourceType": "unions", "meta:containerId": "tenant",
                       "$ref": PROFILE_UNION}],
        "dependencies": sorted(refs(doc)),
        "type": PLATFORM_TYPE, "originName": PLATFORM_ORIGIN,
        "overridePerformanceWarnings": bool(doc.get("overridePerformanceWarnings", False)),
        "createdBy": doc.get("createdBy", ""),
        "lifecycleState": doc.get("lifecycleState", LIFECYCLE_DEFAULT),
        "labels": list(doc.get("labels") or []), "namespace": "AEPSegments",
    })
    if metrics is not None:
        view["metrics"] = metrics
    return view


def external_view(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored audience of another origin (ExternallyGeneratedAudience)."""
    view = {k: v for k, v in doc.items() if not k.startswith("__")}
    view["_etag"] = etag(doc)
    return view


def new_external(app: Host, scope: Partition, body: dict[str, Any], created_by: str
                 ) -> dict[str, Any]:
    """The stored document of a new audience of another origin."""
    now = app.now_ms()
    doc: dict[str, Any] = {k: body[k] for k in EXTERNAL_FIELDS if k in body}
    aid = new_uuid()
    doc.setdefault("audienceId", aid)
    doc.setdefault("originName", "CUSTOM_UPLOAD")
    doc.setdefault("lifecycleState", LIFECYCLE_DEFAULT)
    doc.setdefault("description", "")
    doc.setdefault("labels", [])
    doc.update({"id": aid, "imsOrgId": scope.org, "sandbox": sandbox_object(scope),
                "isSystem": False, "type": EXTERNAL_TYPE, "createdBy": created_by,
                "creationTime": now, "createEpoch": now // 1000, "updateTime": now,
                "updateEpoch": now // 1000})
    return doc


def seed(app: Host, scope: Partition) -> None:
    """Put the audiences of other origins into a sandbox the first time its audiences are
    read; once only, so a deleted seed stays deleted."""
    if app.store.get(_SEEDED, scope, "done") is not None:
        return
    with app.store.write():
        if app.store.get(_SEEDED, scope, "done") is not None:
            return
        for age, body in enumerate(_SEEDS, start=1):
            doc = new_external(app, scope, body, "crm-sync@AdobeID")
            then = app.now_ms() - age * _SEED_AGE_MS  # made before anything segctl writes
            doc.update({"creationTime": then, "createEpoch": then // 1000,
                        "updateTime": then, "updateEpoch": then // 1000})
            app.store.put(EXTERNAL, scope, doc["id"], doc, name=doc["name"],
                          created=doc["creationTime"])
        app.store.put(_SEEDED, scope, "done", {"id": "done"})


def metrics_by_audience(app: Host, scope: Partition) -> dict[str, dict[str, Any]]:
    return dict(_derived(app, scope, "metrics", lambda: _metrics(app, scope)))


def _metrics(app: Host, scope: Partition) -> dict[str, dict[str, Any]]:
    """Audience id -> ``metrics`` from the newest succeeded segment job that evaluated it or
    export job that exported only it (the spec's ``AudiencesListWithMetrics`` shape)."""
    best: dict[str, tuple[int, dict[str, Any]]] = {}

    def offer(sid: str, job: dict[str, Any], data: dict[str, Any]) -> None:
        when = int(job.get("updateTime") or job.get("creationTime") or 0)
        if sid in best and best[sid][0] >= when:
            return
        best[sid] = (when, {
            "type": "export", "jobId": str(job["id"]), "id": sid, "data": data,
            "createEpoch": int(job.get("creationTime") or 0) // 1000,
            "updateEpoch": when // 1000,
        })

    for job in app.store.all(SEGMENT_JOB_KIND, scope):
        metrics = job.get("metrics") or {}
        if job.get("status") != "SUCCEEDED":
            continue
        by_status = metrics.get("segmentedProfileByStatusCounter") or {}
        for sid, members in (metrics.get("segmentedProfileCounter") or {}).items():
            offer(sid, job, {"totalProfiles": members, "totalProfilesByNamespace": {},
                             "totalProfilesByStatus": dict(by_status.get(sid) or {})})
    for job in app.store.all(EXPORT_KIND, scope):
        segments = (job.get("filter") or {}).get("segments") or []
        if job.get("status") != "SUCCEEDED" or len(segments) != 1:
            continue
        metrics = job.get("metrics") or {}
        offer(segments[0]["segmentId"], job, {
            "totalProfiles": metrics.get("totalExportedProfileCounter", 0),
            "totalProfilesByNamespace": dict(metrics.get("exportedProfileByNamespaceCounter")
                                             or {})})
    return {sid: entry for sid, (_, entry) in best.items()}


def views(app: Host, scope: Partition, stored: list[tuple[str, dict[str, Any]]]
          ) -> list[dict[str, Any]]:
    """The API's view of each stored (kind, document): a definition or another audience."""
    dependents = dependents_map(app, scope)
    metrics = metrics_by_audience(app, scope)
    return [platform_view(d, dependents.get(d["id"], []), metrics.get(d["id"]))
            if kind == DEFINITION_KIND else external_view(d) for kind, d in stored]


def all_views(app: Host, scope: Partition) -> list[dict[str, Any]]:
    """Every audience of the sandbox as the API shows it: Platform ones, then the others."""
    seed(app, scope)
    stored = [(DEFINITION_KIND, d) for d in app.store.all(DEFINITION_KIND, scope)]
    stored += [(EXTERNAL, d) for d in app.store.all(EXTERNAL, scope)]
    return views(app, scope, stored)


def page_by_created(app: Host, scope: Partition, *, descending: bool, offset: int, limit: int
                    ) -> tuple[list[dict[str, Any]], int]:
    """(one page of every audience in creation order, the total), both kinds in one order:
    the order is read from the index once until the store changes (a plan walks every page),
    and only the page's documents are read."""
    seed(app, scope)
    kinds = (DEFINITION_KIND, EXTERNAL)
    order: list[int] = _derived(
        app, scope, f"created-{'desc' if descending else 'asc'}",
        lambda: app.store.order_by_created(kinds, scope, descending=descending))
    return views(app, scope, app.store.bodies_of(order[offset:offset + limit])), len(order)


def one_view(app: Host, scope: Partition, aid: str) -> dict[str, Any] | None:
    """The audience with this ``id`` (not ``audienceId``), or None."""
    seed(app, scope)
    doc = app.store.get(DEFINITION_KIND, scope, aid)
    if doc is not None:
        return views(app, scope, [(DEFINITION_KIND, doc)])[0]
    external = app.store.get(EXTERNAL, scope, aid)
    return external_view(external) if external is not None else None


def entity_type(view: dict[str, Any]) -> str:
    return str((view.get("schema") or {}).get("name") or PROFILE_SCHEMA)
