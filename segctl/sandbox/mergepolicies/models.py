"""Merge policies' state: one seeded default per sandbox, looked up by id or as the default
(AEP-API §9; Real-time Customer Profile API, merge-policies.yaml)."""

from __future__ import annotations

from typing import Any

from segctl.sandbox.core.host import Host
from segctl.sandbox.core.store import Partition
from segctl.sandbox.core.values import PROFILE_SCHEMA, new_uuid, sandbox_object

POLICY = "mergepolicy"
IDENTITY_GRAPHS = ("none", "pdg")
ATTRIBUTE_MERGES = ("timestampOrdered", "dataSetPrecedence")


def _seed_policy(app: Host, scope: Partition) -> dict[str, Any]:
    now = app.now_ms()
    pid = new_uuid()
    doc: dict[str, Any] = {"id": pid, "name": "Default Timebased", "imsOrgId": scope.org,
           "sandbox": sandbox_object(scope), "schema": {"name": PROFILE_SCHEMA}, "version": 1,
           "identityGraph": {"type": "pdg"}, "attributeMerge": {"type": "timestampOrdered"},
           "isActiveOnEdge": True, "default": True, "updateEpoch": now // 1000}
    app.store.put(POLICY, scope, pid, doc, name=doc["name"], created=now)
    return doc


def policies(app: Host, scope: Partition) -> list[dict[str, Any]]:
    docs = app.store.all(POLICY, scope)
    if docs:
        return docs
    with app.store.write():  # seed once even when two requests race here
        docs = app.store.all(POLICY, scope)
        return docs or [_seed_policy(app, scope)]


def merge_policy(app: Host, scope: Partition, pid: str | None) -> dict[str, Any] | None:
    """The policy with this id, or the sandbox default when ``pid`` is empty."""
    docs = policies(app, scope)
    if not pid:
        return next((d for d in docs if d.get("default")), docs[0])
    return next((d for d in docs if d["id"] == pid), None)
