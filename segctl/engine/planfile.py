"""The stable JSON form of a plan (``PLAN_FORMAT.md`` beside this file): the document, derived
from the plan's dataclasses by ``codec``; its JSON Schema; saving a plan, and reading one back
with every check that needs no sandbox (version, checksum, schema, diff against writes)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from segctl.engine.codec import Codec, Derived, ShapeError, Spelling, describe
from segctl.engine.model import (
    Action,
    LastSize,
    Plan,
    Ration,
    ScheduleChange,
    SegmentChange,
    SizeEstimate,
)
from segctl.engine.writes import inconsistencies
from segctl.errors import Location, SegctlError, UsageError
from segctl.project.schemas import is_valid, validator

# 2: a self-checksum; the project name, unclaimed and foreign objects
FORMAT_VERSION = 2
#: the published JSON Schema of a saved plan (schemas/, shipped as segctl/_schemas)
PLAN_SCHEMA = "plan.schema.json"


class TamperedPlanError(SegctlError):
    """A saved plan whose content is not what ``segctl plan --out`` wrote (edited, truncated
    or corrupted): refused whole, nothing applied."""


def checksum(doc: Mapping[str, Any]) -> str:
    """The digest of a plan document's own content (every key but ``checksum``)."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _summary(plan: Plan) -> dict[str, Any]:
    return {
        "create": (plan.count(Action.CREATE) + plan.datasets_to_create
                   + plan.schedule_count(Action.CREATE)),
        "update": plan.count(Action.UPDATE) + plan.schedule_count(Action.UPDATE),
        "replace": plan.count(Action.REPLACE) + plan.schedule_count(Action.REPLACE),
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
    }


_COUNT = {"type": "integer", "minimum": 0}
_SUMMARY_SCHEMA = {
    "type": "object",
    "description": "counts and predicates of the plan, written for readers; never read back",
    "properties": {
        **{k: _COUNT for k in ("create", "update", "replace", "delete", "segment_jobs",
                               "exports", "running_jobs", "awaiting_evaluation", "deferred")},
        "has_changes": {"type": "boolean"}, "has_work": {"type": "boolean"},
        "unmanaged": _COUNT, "other_projects": _COUNT,
    },
}

#: How format_version 2 spells the plan's dataclasses where it differs from their fields (the
#: format predates this derivation); any other dataclass is an object of its fields, in field
#: order. A field added to the model appears under its own name with no entry here; give it a
#: ``sparse`` entry when plans without it must keep their bytes (as ``schedules``).
SPELLINGS: Mapping[type, Spelling] = {
    Plan: Spelling(
        keys={"project_root": "root", "project": "name", "fingerprint": "live_fingerprint",
              "changes": "segment_changes", "foreign": "other_projects"},
        groups={"project": ("project_root", "files_hash", "project"),
                "evaluation": ("awaiting", "running_jobs", "deferred", "ration")},
        derived={"format_version": Derived(lambda _: FORMAT_VERSION,
                                           {"const": FORMAT_VERSION}),
                 "summary": Derived(_summary, _SUMMARY_SCHEMA)},
        order=("format_version", "target", "project", "prune", "live_fingerprint", "summary",
               "segment_changes", "datasets", "segment_jobs", "export_runs", "warnings",
               "unmanaged", "targets", "unclaimed", "other_projects", "other_origins",
               "estimates", "evaluation", "schedules"),
        sparse=frozenset({"estimates", "schedules"}),
        required=frozenset({"project_root", "files_hash", "fingerprint", "datasets",
                            "segment_jobs", "export_runs"}),
    ),
    SegmentChange: Spelling(
        keys={"fields": "changes"},
        order=("action", "key", "name", "id", "reason", "adopted", "evaluation", "depends_on",
               "changes", "desired"),
    ),
    Ration: Spelling(derived={"left_today": Derived(lambda r: r.left_today,
                                                    {"type": ["integer", "null"]})}),
    SizeEstimate: Spelling(keys={"profiles": "estimated_size", "last": "last_evaluated"}),
    LastSize: Spelling(keys={"profiles": "size"}),
    # export and properties: export schedules only (batch entries keep their bytes)
    ScheduleChange: Spelling(sparse=frozenset({"export", "properties"})),
}
_CODEC = Codec(SPELLINGS)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as its stable JSON document, ending with the checksum of everything above it."""
    doc: dict[str, Any] = _CODEC.encode(plan)
    doc["checksum"] = checksum(doc)
    return doc


def plan_from_dict(doc: Mapping[str, Any]) -> Plan:
    """Read a plan written by :func:`plan_to_dict` (raises UsageError on anything else).
    Unknown keys are ignored (fields are only ever added within a format version); a missing
    key reads as its field's default unless the field has none."""
    _check_version(doc)
    try:
        plan: Plan = _CODEC.decode(dict(doc), Plan)
    except ShapeError as err:
        raise UsageError(f"not a segctl plan file: bad field at {err}", hint=_MAKE_ONE) from None
    return plan


def _check_version(doc: Mapping[str, Any]) -> None:
    version = doc.get("format_version")
    if version is None:
        raise UsageError("not a segctl plan file: it has no format_version", hint=_MAKE_ONE)
    if version != FORMAT_VERSION:
        raise UsageError(f"unsupported plan format_version {version!r} "
                         f"(this segctl reads {FORMAT_VERSION})", hint=_MAKE_ONE)


def plan_schema() -> dict[str, Any]:
    """The JSON Schema of a saved plan, derived like the codec (``schemas/plan.schema.json``
    is this, written out; a test keeps the two equal)."""
    defs: dict[str, Any] = {}
    _CODEC.schema(Plan, defs)
    root = defs.pop("Plan")
    root["properties"]["checksum"] = {
        "type": "string", "pattern": "^sha256:[0-9a-f]{64}$",
        "description": "sha256 over every other key (sorted-key compact JSON)"}
    root["required"] = ["format_version", *root.get("required", ()), "checksum"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://segctl.dev/schemas/plan.schema.json",
        "title": "segctl saved plan",
        "description": (
            f"The JSON plan of `segctl plan --format json` / `--out FILE` (format_version "
            f"{FORMAT_VERSION}). Generated from the plan's dataclasses; unknown keys are "
            "allowed, as fields are only ever added within a format version."),
        **root,
        "$defs": dict(sorted(defs.items())),
    }


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
    try:
        _check_version(doc)
        _check_integrity(doc, path)
        _check_schema(doc)
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


def _check_schema(doc: Mapping[str, Any]) -> None:
    """Refuse a plan that ``schemas/plan.schema.json`` does not accept, naming the place.
    The compiled validator recognises a valid plan; only a refused one is walked by
    ``jsonschema``, whose errors name the place (the project loader does the same)."""
    if is_valid(doc, PLAN_SCHEMA):
        return
    from jsonschema.exceptions import best_match  # only explaining a refusal needs it

    error = best_match(validator(PLAN_SCHEMA).iter_errors(doc))
    if error is not None:
        raise UsageError(f"not a segctl plan file: at {describe(tuple(error.absolute_path))}: "
                         f"{error.message}", hint=_MAKE_ONE)


def _check_integrity(doc: Mapping[str, Any], path: Path) -> None:
    """Refuse a plan whose checksum is missing or does not match its content."""
    recorded = doc.get("checksum")
    if not isinstance(recorded, str):
        raise TamperedPlanError("the saved plan has no checksum, so it cannot be trusted",
                                location=Location(str(path)), hint=_EDITED)
    if recorded != checksum(doc):
        raise TamperedPlanError(
            "the saved plan was edited, truncated or corrupted after `segctl plan --out` wrote "
            "it (its checksum does not match its content); nothing was applied",
            location=Location(str(path)), hint=_EDITED)
