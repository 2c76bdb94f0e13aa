"""Which owned segments await evaluation, from live state alone (pure).

A batch segment's memberships are computed by segment jobs. Whether the current definition has
been evaluated is read from the sandbox's job history and the definitions themselves, never
from a local state file, so a killed apply, ``--no-jobs``, ``--timeout`` or another machine's
apply all leave evidence the next plan reads:

- **current**: the newest successful job that covered the segment evaluated the expression
  (and merge policy) it has now. Jobs snapshot what they evaluate (AEP-API §6.2); a job
  without a snapshot counts when it was created after the definition's last update;
- **running**: a job not yet finished covers the current definition: apply waits for it and
  never puts the segment in a second job;
- **stale**: the newest successful job evaluated an older expression;
- **never**: no job created since the definition was created covered it;
- **unknown**: the history read does not reach back to the definition's creation (it is not
  counted as awaiting: "unknown" must not spend the ration on every plan).

Failed and cancelled jobs evaluate nothing. Scheduled runs (``source: scheduler``) count as
evaluations like on-demand ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from segctl.aep.documents import creation_time, job_segment_ids, last_modified

RUNNING = frozenset({"NEW", "QUEUED", "PROCESSING"})
AWAITING = frozenset({"never", "stale"})


@dataclass(frozen=True)
class SegmentEvaluation:
    state: str  # current | running | stale | never | unknown
    job: str | None = None  # the running job (running), else the last successful one

    @property
    def awaiting(self) -> bool:
        return self.state in AWAITING


def _covers(job: Mapping[str, Any], sid: str) -> dict[str, Any] | None:
    """The job's entry for ``sid`` (``{}`` for an all-segments job), or None."""
    for entry in job.get("segments") or ():
        if not isinstance(entry, dict):
            continue
        if entry.get("segmentId") == sid:
            snapshot = entry.get("segment")
            return snapshot if isinstance(snapshot, dict) else {}
        if entry.get("segmentId") == "*":
            return {}
    return None


def _evaluates_current(snapshot: Mapping[str, Any], job: Mapping[str, Any],
                       definition: Mapping[str, Any]) -> bool:
    same = _same_expression(snapshot.get("expression"), definition.get("expression"))
    if same is None:  # nothing comparable: the job must be newer than the last update
        return creation_time(job) >= last_modified(definition)
    if not same:
        return False
    policy = snapshot.get("mergePolicyId")
    return policy is None or policy == definition.get("mergePolicyId")


def _same_expression(snapshot: Any, current: Any) -> bool | None:
    """Whether a job's snapshot is the definition's expression; None when it cannot tell (no
    snapshot, or the two are in different formats: the doc's own job example shows pql/json
    in the create answer and pql/text in the GET for the same job)."""
    if not isinstance(snapshot, Mapping) or not isinstance(current, Mapping):
        return None if snapshot is None else snapshot == current
    if snapshot.get("format") != current.get("format"):
        return None
    return snapshot.get("value") == current.get("value")


def assess_segment(
    definition: Mapping[str, Any], jobs_newest_first: Sequence[Mapping[str, Any]],
    history_from_ms: int,
) -> SegmentEvaluation:
    """``history_from_ms``: the jobs read reach back to this creation time (0 = all of it)."""
    sid = str(definition.get("id"))
    for job in jobs_newest_first:
        status = job.get("status")
        if status not in RUNNING and status != "SUCCEEDED":
            continue
        snapshot = _covers(job, sid)
        if snapshot is None:
            continue
        current = _evaluates_current(snapshot, job, definition)
        if status in RUNNING:
            if current:
                return SegmentEvaluation("running", str(job.get("id")))
            continue  # evaluates an older expression: not this definition's evaluation
        return SegmentEvaluation("current" if current else "stale", str(job.get("id")))
    if history_from_ms and creation_time(definition) < history_from_ms:
        return SegmentEvaluation("unknown")
    return SegmentEvaluation("never")


def assess_all(
    definitions: Sequence[Mapping[str, Any]], jobs: Sequence[Mapping[str, Any]],
    history_from_ms: int = 0,
) -> dict[str, SegmentEvaluation]:
    """Live segment id -> its evaluation state. Each definition only looks at the jobs that
    name it (and all-segments jobs), so a plan over thousands of segments and a year of jobs
    stays linear in their sizes."""
    newest_first = sorted((j for j in jobs if j.get("status") in RUNNING
                           or j.get("status") == "SUCCEEDED"), key=creation_time, reverse=True)
    by_segment: dict[str, list[Mapping[str, Any]]] = {}
    for job in newest_first:
        for sid in job_segment_ids(job):
            by_segment.setdefault(sid, []).append(job)
    everything = by_segment.pop("*", [])
    result = {}
    for definition in definitions:
        sid = str(definition.get("id"))
        mine = by_segment.get(sid, [])
        if everything:
            mine = sorted([*mine, *everything], key=creation_time, reverse=True)
        result[sid] = assess_segment(definition, mine, history_from_ms)
    return result


PEOPLE_SCHEMAS = frozenset({"_xdm.context.profile", "https://ns.adobe.com/xdm/context/profile"})


def on_demand_ineligibility(definition: Mapping[str, Any] | None) -> str | None:
    """Why a live definition cannot be in an on-demand segment job, or None when it can (or is
    not known). ``help/segmentation/methods/flexible-audience-evaluation.md`` (Guardrails): the
    audiences must be batch-evaluated, people-based and of Segmentation Service origin (every
    segment definition is). The plan only sends batch segments of ``_xdm.context.profile``; this
    reads the live definition when AEP refuses a job anyway (it changed since the plan)."""
    if definition is None:
        return None
    schema = definition.get("schema")
    name = (schema.get("name") or schema.get("id")) if isinstance(schema, Mapping) else None
    if name is not None and name not in PEOPLE_SCHEMAS:
        return f"not a people audience (schema {name})"
    info = definition.get("evaluationInfo")
    if not isinstance(info, Mapping):
        return None

    def enabled(flag: str) -> bool:
        block = info.get(flag)
        return isinstance(block, Mapping) and block.get("enabled") is True

    if enabled("batch"):
        return None
    if enabled("synchronous"):
        return "edge-evaluated, not batch"
    if enabled("continuous"):
        return "streaming-evaluated, not batch"
    return None
