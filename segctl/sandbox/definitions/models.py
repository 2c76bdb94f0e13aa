"""Segment definitions' state: the stored kind, which fields a client writes and which are
the server's, and the inSegment references between definitions (AEP-API §5)."""

from __future__ import annotations

from typing import Any

from segctl.sandbox.core import pqlbridge

KIND = "segment"
READ_ONLY = ("id", "imsOrgId", "sandbox", "creationTime", "updateTime", "updateEpoch",
              "evaluationInfo", "dataGovernancePolicy", "baselineTime")
CLIENT_FIELDS = ("name", "description", "expression", "schema", "ttlInDays", "mergePolicyId",
                  "profileInstanceId", "payloadSchema", "labels")



def refs(doc: dict[str, Any]) -> frozenset[str]:
    try:
        return pqlbridge.segment_refs(pqlbridge.parse_expression(doc["expression"]))
    except Exception:
        return frozenset()
