"""The stable JSON form of a plan (``segctl/render/PLAN_FORMAT.md``), saved plans, and the
staleness check ``apply PLANFILE`` makes before writing anything."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from segctl.engine.model import (
    Action,
    Awaiting,
    DatasetChange,
    DesiredSegment,
    ExportRun,
    FieldChange,
    Foreign,
    LastSize,
    Plan,
    PlanWarning,
    Ration,
    RunningJob,
    ScheduleChange,
    SegmentChange,
    SegmentJob,
    SizeEstimate,
    Target,
)
from segctl.engine.writes import inconsistencies
from segctl.errors import Location, SegctlError, UsageError

# 2: a self-checksum; the project name, unclaimed and foreign objects
FORMAT_VERSION = 2


class StalePlanError(SegctlError):
    """A saved plan no longer matches the files or the live sandbox; nothing was applied."""


class TamperedPlanError(SegctlError):
    """A saved plan whose content is not what ``segctl plan --out`` wrote (edited, truncated
    or corrupted): refused whole, nothing applied."""


def checksum(doc: Mapping[str, Any]) -> str:
    """The digest of a plan document's own content (every key but ``checksum``)."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as its stable JSON document, ending with the checksum of everything above it."""
    doc = _plan_body(plan)
    doc["checksum"] = checksum(doc)
    return doc


def _plan_body(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "target": asdict(plan.target),
        "project": {"root": plan.project_root, "files_hash": plan.files_hash,
                    "name": plan.project},
        "prune": plan.prune,
        "live_fingerprint": plan.fingerprint,
        "summary": {
            "create": (plan.count(Action.CREATE) + plan.datasets_to_create
                       + plan.schedule_count(Action.CREATE)),
            "update": plan.count(Action.UPDATE) + plan.schedule_count(Action.UPDATE),
            "replace": plan.count(Action.REPLACE),
            "delete": plan.count(Action.DELETE) + plan.datasets_to_delete,
            "segment_jobs": len(plan.segment_jobs),
            "exports": len(plan.export_runs),
            "running_jobs": len(plan.running_jobs),
            "awaiting_evaluation": len(plan.awaiting_evaluation),
            "deferred": len(plan.deferred),
            "has_changes": plan.has_changes,
            "has_work": plan.has_work,
            "unmanaged": len(plan.unclaimed),
            "other_projects": len(plan.foreign),
        },
        "segment_changes": [_change_to_dict(c) for c in plan.changes],
        "datasets": [
            {"action": d.action.value, "name": d.name, "export": d.export, "id": d.id,
             "reason": d.reason}
            for d in plan.datasets
        ],
        "segment_jobs": [{"segments": list(job.segments)} for job in plan.segment_jobs],
        "export_runs": [
            {"export": r.export, "dataset": r.dataset, "segments": list(r.segments),
             "fields": list(r.fields) if r.fields is not None else None,
             "status": list(r.status), "reason": r.reason, "job": r.job}
            for r in plan.export_runs
        ],
        "warnings": [asdict(w) for w in plan.warnings],
        "unmanaged": list(plan.unmanaged),
        "targets": list(plan.targets),
        "unclaimed": list(plan.unclaimed),
        "other_projects": [asdict(f) for f in plan.foreign],
        "other_origins": list(plan.other_origins),
        **({} if plan.estimates is None
           else {"estimates": [_estimate_to_dict(e) for e in plan.estimates]}),
        "evaluation": _evaluation_to_dict(plan),
        **({"schedules": [_schedule_to_dict(s) for s in plan.schedules]}
           if plan.schedules else {}),
    }


def _evaluation_to_dict(plan: Plan) -> dict[str, Any]:
    """Evaluation work read from live state, and the on-demand ration (PLAN_FORMAT.md)."""
    ration = plan.ration
    return {
        "awaiting": [asdict(a) for a in plan.awaiting],
        "running_jobs": [{"id": j.id, "segments": list(j.segments)} for j in plan.running_jobs],
        "deferred": list(plan.deferred),
        "ration": None if ration is None else {
            **asdict(ration), "left_today": ration.left_today},
    }


def _evaluation_from_dict(doc: Mapping[str, Any]) -> dict[str, Any]:
    ration = doc.get("ration")
    if ration is not None:
        ration = Ration(**{k: v for k, v in ration.items() if k != "left_today"})
    return {
        "awaiting": tuple(Awaiting(**a) for a in doc.get("awaiting", ())),
        "running_jobs": tuple(RunningJob(j["id"], tuple(j["segments"]))
                              for j in doc.get("running_jobs", ())),
        "deferred": tuple(doc.get("deferred", ())),
        "ration": ration,
    }


def _schedule_to_dict(change: ScheduleChange) -> dict[str, Any]:
    return {"action": change.action.value, "key": change.key, "type": change.type,
            "name": change.name, "schedule": change.schedule, "state": change.state,
            "id": change.id, "fields": [asdict(f) for f in change.fields]}


def _schedule_from_dict(doc: Mapping[str, Any]) -> ScheduleChange:
    return ScheduleChange(Action(doc["action"]), doc["key"], doc["type"], doc["name"],
                          doc["schedule"], doc["state"], doc.get("id"),
                          tuple(FieldChange(f["field"], f["before"], f["after"])
                                for f in doc.get("fields", ())))


def _estimate_to_dict(estimate: SizeEstimate) -> dict[str, Any]:
    last = estimate.last
    return {
        "key": estimate.key,
        "available": estimate.available,
        "estimated_size": estimate.profiles,
        "margin": estimate.margin,
        "confidence": estimate.confidence,
        "exact": estimate.exact,
        "profiles_read": estimate.profiles_read,
        "total_profiles": estimate.total_profiles,
        "reason": estimate.reason,
        "last_evaluated": None if last is None else {
            "size": last.profiles, "job_id": last.job_id, "evaluated_at": last.evaluated_at},
    }


def _estimate_from_dict(doc: Mapping[str, Any]) -> SizeEstimate:
    last = doc.get("last_evaluated")
    return SizeEstimate(
        key=doc["key"], available=bool(doc["available"]), profiles=doc.get("estimated_size"),
        margin=doc.get("margin"), confidence=doc.get("confidence", ""),
        exact=bool(doc.get("exact", False)), profiles_read=doc.get("profiles_read"),
        total_profiles=doc.get("total_profiles"), reason=doc.get("reason", ""),
        last=None if last is None else LastSize(
            last["size"], last.get("job_id", ""), last.get("evaluated_at", "")),
    )


def _change_to_dict(change: SegmentChange) -> dict[str, Any]:
    desired = None
    if change.desired is not None:
        desired = asdict(change.desired)
        desired["labels"] = list(change.desired.labels)
        desired["refs"] = list(change.desired.refs)
        desired["previous_keys"] = list(change.desired.previous_keys)
    return {
        "action": change.action.value,
        "key": change.key,
        "name": change.name,
        "id": change.id,
        "reason": change.reason,
        "adopted": change.adopted,
        "evaluation": change.evaluation,
        "depends_on": list(change.depends_on),
        "changes": [asdict(f) for f in change.fields],
        "desired": desired,
    }


def plan_from_dict(doc: Mapping[str, Any]) -> Plan:
    """Read a plan written by :func:`plan_to_dict` (raises UsageError on anything else)."""
    version = doc.get("format_version")
    if version is None:
        raise UsageError("not a segctl plan file: it has no format_version", hint=_MAKE_ONE)
    if version != FORMAT_VERSION:
        raise UsageError(f"unsupported plan format_version {version!r} "
                         f"(this segctl reads {FORMAT_VERSION})", hint=_MAKE_ONE)
    try:
        return Plan(
            changes=tuple(_change_from_dict(c) for c in doc["segment_changes"]),
            datasets=tuple(
                DatasetChange(Action(d["action"]), d["name"], d["export"], d.get("id"),
                              d.get("reason", ""))
                for d in doc["datasets"]
            ),
            segment_jobs=tuple(SegmentJob(tuple(j["segments"])) for j in doc["segment_jobs"]),
            export_runs=tuple(
                ExportRun(r["export"], r["dataset"], tuple(r["segments"]),
                          tuple(r["fields"]) if r.get("fields") is not None else None,
                          tuple(r["status"]), r.get("reason", ""), r.get("job"))
                for r in doc["export_runs"]
            ),
            warnings=tuple(PlanWarning(**w) for w in doc.get("warnings", ())),
            unmanaged=tuple(doc.get("unmanaged", ())),
            prune=bool(doc.get("prune", False)),
            project=str(doc["project"].get("name", "")),
            unclaimed=tuple(doc.get("unclaimed", ())),
            foreign=tuple(Foreign(**f) for f in doc.get("other_projects", ())),
            other_origins=tuple(doc.get("other_origins", ())),
            target=Target(**doc.get("target", {})),
            project_root=doc["project"]["root"],
            files_hash=doc["project"]["files_hash"],
            fingerprint=doc["live_fingerprint"],
            targets=tuple(doc.get("targets", ())),
            estimates=(None if doc.get("estimates") is None
                       else tuple(_estimate_from_dict(e) for e in doc["estimates"])),
            **_evaluation_from_dict(doc.get("evaluation") or {}),
            schedules=tuple(_schedule_from_dict(c) for c in doc.get("schedules", ())),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise UsageError(f"not a segctl plan file: missing or bad field ({err})",
                         hint=_MAKE_ONE) from None


def _change_from_dict(doc: Mapping[str, Any]) -> SegmentChange:
    desired = None
    if doc.get("desired") is not None:
        raw = dict(doc["desired"])
        raw["labels"] = tuple(raw.get("labels", ()))
        raw["refs"] = tuple(raw.get("refs", ()))
        raw["previous_keys"] = tuple(raw.get("previous_keys", ()))
        desired = DesiredSegment(**raw)
    return SegmentChange(
        action=Action(doc["action"]),
        key=doc["key"],
        name=doc["name"],
        id=doc.get("id"),
        fields=tuple(FieldChange(**f) for f in doc.get("changes", ())),
        desired=desired,
        depends_on=tuple(doc.get("depends_on", ())),
        reason=doc.get("reason", ""),
        adopted=bool(doc.get("adopted", False)),
        evaluation=doc.get("evaluation", "batch"),
    )


def _target_text(target: Target) -> str:
    where = target.platform_url or "the local sandbox"
    return f"sandbox {target.sandbox!r} on {where}"


def dumps(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n"


_MAKE_ONE = "make one with `segctl plan --out FILE`"


def save_plan(plan: Plan, path: Path) -> None:
    try:
        path.write_text(dumps(plan), encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot write the plan to {path}: {err.strerror or err}",
                         hint="--out takes a file in an existing, writable folder") from None


def is_plan_file(path: Path) -> bool:
    """True when ``path`` is a JSON file that declares a plan ``format_version``."""
    if not path.is_file() or path.suffix.lower() in (".yaml", ".yml"):
        return False
    try:
        head = path.read_text(encoding="utf-8")
        doc = json.loads(head)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(doc, dict) and "format_version" in doc


def load_plan(path: Path) -> Plan:
    """Read a saved plan; a located UsageError when the file is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot read plan file {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise UsageError("not a segctl plan file: it is not UTF-8 text",
                         location=Location(str(path)), hint=_MAKE_ONE) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        lines = text.splitlines()
        source = lines[err.lineno - 1] if 0 < err.lineno <= len(lines) else None
        raise UsageError(f"not a segctl plan file: invalid JSON ({err.msg})",
                         location=Location(str(path), err.lineno, err.colno, source),
                         hint=f"{_MAKE_ONE}; a truncated or edited plan cannot be applied"
                         ) from None
    if not isinstance(doc, dict):
        raise UsageError("not a segctl plan file: expected a JSON object",
                         location=Location(str(path), 1, 1), hint=_MAKE_ONE)
    _check_integrity(doc, path)
    try:
        plan = plan_from_dict(doc)
    except UsageError as err:
        raise UsageError(err.message, location=Location(str(path)), hint=err.hint) from None
    edited = inconsistencies(plan)
    if edited:
        raise TamperedPlanError(
            f"the saved plan does not hold together: the diff shown for {', '.join(edited)} "
            "is not what apply would send", location=Location(str(path)), hint=_EDITED)
    return plan


_EDITED = ("a saved plan is applied exactly as reviewed; make a new one with "
           "`segctl plan --out FILE` instead of editing it")


def _check_integrity(doc: Mapping[str, Any], path: Path) -> None:
    """Refuse a plan whose checksum is missing or does not match its content."""
    if doc.get("format_version") != FORMAT_VERSION:
        return  # plan_from_dict says which versions it reads
    recorded = doc.get("checksum")
    if not isinstance(recorded, str):
        raise TamperedPlanError("the saved plan has no checksum, so it cannot be trusted",
                                location=Location(str(path)), hint=_EDITED)
    if recorded != checksum(doc):
        raise TamperedPlanError(
            "the saved plan was edited, truncated or corrupted after `segctl plan --out` wrote "
            "it (its checksum does not match its content); nothing was applied",
            location=Location(str(path)), hint=_EDITED)


def check_fresh(
    saved: Plan, files_hash: str, fingerprint: str, target: Target | None = None
) -> None:
    """Refuse a saved plan made from other files, another live state or for another target."""
    if target is not None and target != saved.target:
        raise StalePlanError(
            f"the saved plan was made for {_target_text(saved.target)}, not for "
            f"{_target_text(target)}",
            hint="apply it with the same --env and AEP_* settings, or plan again",
        )
    if saved.files_hash != files_hash:
        raise StalePlanError(
            "the saved plan is stale: the project files changed since it was made "
            "(or the plan comes from another project)",
            hint="run `segctl plan --out FILE` again and apply the new plan",
        )
    if saved.fingerprint != fingerprint:
        raise StalePlanError(
            "the saved plan is stale: the live sandbox changed since it was made (it may "
            "have been applied already; or segment definitions, datasets or merge policies "
            "were created, edited or deleted; or this is another sandbox)",
            hint="run `segctl plan --out FILE` again and apply the new plan",
        )
