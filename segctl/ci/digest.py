"""The semantic change digest: what a reviewer approved, independent of how it was rendered.

Each change becomes a record of its key, its action and the values it writes (the declared
fields, normalised), never live ids, fingerprints, ``source`` line numbers or jobs. So the
digest survives reformatting, moving a file, a re-plan against a sandbox with unrelated drift,
and a live id that changed; it differs as soon as something different would be written.
A change is *covered* when its record's hash is among the reviewed ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from segctl.engine import Action, DatasetChange, Plan, SegmentChange

# DesiredSegment fields that are not the user's intent: where it was declared, and the live
# id the merge policy name resolved to.
_VOLATILE = frozenset({"source", "merge_policy_id"})


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def segment_record(change: SegmentChange) -> dict[str, Any]:
    record: dict[str, Any] = {"kind": "segment", "key": change.key, "action": change.action.value}
    if change.action is Action.DELETE:
        record["name"] = change.name
        return record
    record["after"] = {f.field: f.after for f in sorted(change.fields, key=lambda f: f.field)}
    if change.desired is not None:
        desired = asdict(change.desired)
        if desired.get("lifecycle") == "published":
            # the default lifecycle (declarable since issue 14) records as before it was, so
            # digests approved earlier still cover the same changes
            del desired["lifecycle"]
        record["desired"] = {k: v for k, v in desired.items() if k not in _VOLATILE}
    return record


def dataset_record(change: DatasetChange) -> dict[str, Any]:
    return {"kind": "dataset", "key": change.name, "action": change.action.value,
            "export": change.export}


def change_records(plan: Plan) -> list[dict[str, Any]]:
    """One record per change the plan writes (no-ops and jobs are not changes)."""
    records = [segment_record(c) for c in plan.changes if c.action is not Action.NOOP]
    records += [dataset_record(d) for d in plan.datasets if d.action is not Action.NOOP]
    return sorted(records, key=lambda r: (r["kind"], r["key"], r["action"]))


def record_hash(record: dict[str, Any]) -> str:
    """A short stable hash of one record (16 hex digits: 64 bits, ample for one repository)."""
    return hashlib.sha256(canonical_json(record).encode()).hexdigest()[:16]


def change_hashes(plan: Plan) -> list[str]:
    return [record_hash(r) for r in change_records(plan)]


def plan_digest(plan: Plan) -> str:
    """``sha256:<hex>`` of the canonical JSON of every change record."""
    return "sha256:" + hashlib.sha256(canonical_json(change_records(plan)).encode()).hexdigest()


def uncovered(plan: Plan, reviewed: Iterable[str]) -> list[dict[str, Any]]:
    """The records of ``plan`` whose hash is not among ``reviewed``."""
    seen = set(reviewed)
    return [r for r in change_records(plan) if record_hash(r) not in seen]
