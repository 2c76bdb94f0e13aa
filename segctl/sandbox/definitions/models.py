"""Segment definitions' state: the stored kind, which fields a client writes and which are
the server's, and the inSegment references between definitions (AEP-API §5)."""

from __future__ import annotations

import functools
import json
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


#: the ids a definition's expression references with inSegment, kept on the stored document at
#: each write (its rule is parsed then anyway), so that reading them parses nothing
REFS = "__refs"


def refs(doc: dict[str, Any]) -> frozenset[str]:
    """The definition ids ``doc``'s expression references: as stored at its last write, else
    (a document written before the sandbox kept them) found in its expression."""
    stored = doc.get(REFS)
    if isinstance(stored, list):
        return frozenset(stored)
    expression = doc.get("expression")
    value = expression.get("value") if isinstance(expression, dict) else None
    if isinstance(expression, dict) and isinstance(value, str):
        if "inSegment" not in value:
            return frozenset()
        return _refs_of_value(str(expression.get("format", "pql/text")), value)
    return refs_of_json(json.dumps(expression, sort_keys=True))


@functools.lru_cache(maxsize=65536)
def refs_of_json(expression: str) -> frozenset[str]:
    """The references of an expression given as its JSON text (cached by that text)."""
    try:
        return pqlbridge.segment_refs(pqlbridge.parse_expression(json.loads(expression)))
    except Exception:
        return frozenset()


@functools.lru_cache(maxsize=65536)
def _refs_of_value(fmt: str, value: str) -> frozenset[str]:
    try:
        return pqlbridge.segment_refs(pqlbridge.parse_expression(
            {"type": "PQL", "format": fmt, "value": value}))
    except Exception:
        return frozenset()


def definition_view(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored definition as /segment/definitions answers it: without the audience-only
    fields and the sandbox's private ``__`` keys."""
    return {k: v for k, v in doc.items() if k not in AUDIENCE_FIELDS and not k.startswith("__")}


def dependents(app: Host, scope: Partition, sid: str) -> list[dict[str, Any]]:
    """The other definitions whose expression references ``sid`` with inSegment."""
    return [d for d in app.store.all(KIND, scope) if d["id"] != sid and sid in refs(d)]
