"""Hand-made desired and live states for the pure engine tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from segctl.engine import LiveState, Plan, plan_from_state
from segctl.engine.marker import stamp
from segctl.project import Export, Project, ProjectInfo, Segment

DEFAULT_POLICY = {
    "id": "mp-default", "name": "Profile Default Merge Policy", "default": True,
    "isActiveOnEdge": True, "schema": {"name": "_xdm.context.profile"},
}
OTHER_POLICY = {
    "id": "mp-other", "name": "Dataset precedence", "default": False,
    "isActiveOnEdge": False, "schema": {"name": "_xdm.context.profile"},
}


def seg(key: str, pql: str, **kw: Any) -> Segment:
    kw.setdefault("name", key.replace("-", " ").title())
    return Segment(key=key, pql=pql, **kw)


def project(*segments: Segment, exports: tuple[Export, ...] = (),
            name: str = "default") -> Project:
    return Project(root=Path("segments"), segments=tuple(segments), exports=exports,
                   files_hash="hash-1", documents={"Project": (ProjectInfo(name),)})


def live(
    sid: str,
    name: str,
    value: str | dict[str, Any],
    *,
    key: str | None = None,
    description: str = "",
    protect: bool = False,
    project: str | None = "default",
    **extra: Any,
) -> dict[str, Any]:
    """A live definition as the API returns it (read-only fields included). A ``key`` stamps
    the marker of ``project`` ("default": the unnamed project of these tests; None: a marker
    from before projects)."""
    if isinstance(value, dict):
        expression = {"type": "PQL", "format": "pql/json", "value": json.dumps(value)}
    else:
        expression = {"type": "PQL", "format": "pql/text", "value": value}
    doc: dict[str, Any] = {
        "id": sid, "name": name, "expression": expression,
        "description": (stamp(description, key, project=project, protect=protect) if key
                        else description),
        "schema": {"name": "_xdm.context.profile"}, "mergePolicyId": "mp-default",
        "evaluationInfo": {"batch": {"enabled": True}, "continuous": {"enabled": False},
                           "synchronous": {"enabled": False}},
        "dataGovernancePolicy": {"excludeOptOut": True}, "profileInstanceId": "ups",
        "creationTime": 1700000000000, "updateTime": 1700000000000, "updateEpoch": 1700000000,
    }
    doc.update(extra)
    return doc


def state(*segments: dict[str, Any], datasets: dict[str, Any] | None = None) -> LiveState:
    return LiveState(tuple(segments), (DEFAULT_POLICY, OTHER_POLICY), datasets or {})


def plan_of(proj: Project, st: LiveState, *, prune: bool = False) -> Plan:
    return plan_from_state(proj, st, prune=prune)


def actions(plan: Plan) -> dict[str, str]:
    return {c.key: c.action.value for c in plan.changes}
