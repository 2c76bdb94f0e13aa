"""Segment definitions' state: the stored kind, which fields a client writes and which are
the server's, and the inSegment references between definitions (AEP-API §5)."""

from __future__ import annotations

from typing import Any

from segctl.sandbox.core import pqlbridge
from segctl.sandbox.core.host import Host
from segctl.sandbox.core.store import Partition

KIND = "segment"
READ_ONLY = ("id", "imsOrgId", "sandbox", "creationTime", "updateTime", "updateEpoch",
             "evaluationInfo", "dataGovernancePolicy", "baselineTime")
CLIENT_FIELDS = ("name", "description", "expression", "schema", "ttlInDays", "mergePolicyId",
                 "profileInstanceId", "payloadSchema")
# Kept on the same stored document, but shown and written only through /audiences: the spec's
# SegmentDefinition and CreateSegmentDefinition schemas have none of them, its
# PlatformGeneratedAudience has them all (segmentation.yaml; AEP-API §5 field table: "labels:
# not shown on segment definitions; present on audiences"). A definition written with them
# through /segment/definitions keeps what the audience holds.
AUDIENCE_FIELDS = ("labels", "lifecycleState", "createdBy", "overridePerformanceWarnings")
LIFECYCLE_DEFAULT = "published"


def refs(doc: dict[str, Any]) -> frozenset[str]:
    try:
        return pqlbridge.segment_refs(pqlbridge.parse_expression(doc["expression"]))
    except Exception:
        return frozenset()


def definition_view(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored definition as /segment/definitions answers it: without the audience-only
    fields and the sandbox's private ``__`` keys."""
    return {k: v for k, v in doc.items() if k not in AUDIENCE_FIELDS and not k.startswith("__")}


def dependents(app: Host, scope: Partition, sid: str) -> list[dict[str, Any]]:
    """The other definitions whose expression references ``sid`` with inSegment."""
    return [d for d in app.store.all(KIND, scope) if d["id"] != sid and sid in refs(d)]
