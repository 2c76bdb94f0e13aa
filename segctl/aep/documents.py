"""Pure readers of the JSON documents AEP answers with (no I/O, no client).

The engine, ``segctl import`` (adopt) and ``segctl status`` read the same documents: segment
definitions and audiences (:func:`read_definition`, :func:`evaluation_of`,
:func:`is_platform_audience`), segment jobs (:func:`job_segment_ids`, :func:`job_expressions`)
and export jobs (:func:`export_signature`), and the times on all of them
(:func:`creation_time`, :func:`last_modified`). Each reader accepts every documented variant
and tolerates missing or odd fields, so one malformed object never stops a plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

PROFILE_SCHEMA = "_xdm.context.profile"
PLATFORM_ORIGIN = "REAL_TIME_CUSTOMER_PROFILE"
PLATFORM_TYPE = "SegmentDefinition"
# ``active`` is the deprecated spelling of ``published`` (audiences.md examples, AEP-API §12)
_LIFECYCLE_ALIASES = {"active": "published"}


@dataclass(frozen=True)
class LiveDefinition:
    """A live segment definition (or Platform audience) as typed fields. ``description`` is
    the live text, ownership marker included; ``lifecycle`` (the audience's lifecycleState) is
    None when the object came from /segment/definitions, which shows neither it nor the labels
    (then neither is compared)."""

    id: str
    name: str
    description: str
    schema: str
    ttl_in_days: int | None
    merge_policy_id: str | None
    evaluation: str
    labels: tuple[str, ...]
    expression: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    lifecycle: str | None = None


def read_definition(doc: Mapping[str, Any]) -> LiveDefinition:
    """The fields of a definition or audience document (``id`` is required)."""
    return LiveDefinition(**definition_fields(doc))


def definition_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`read_definition`'s fields by name (for a type that extends
    :class:`LiveDefinition` to be built without building one first)."""
    ttl = doc.get("ttlInDays")
    state = doc.get("lifecycleState")
    description = doc.get("description")
    labels = doc.get("labels")
    return {
        "id": str(doc["id"]),
        "name": str(doc.get("name", "")),
        "description": description if isinstance(description, str) else "",
        "schema": str(_dict(doc.get("schema")).get("name") or PROFILE_SCHEMA),
        "ttl_in_days": int(ttl) if isinstance(ttl, int | str) and str(ttl).isdigit() else None,
        "merge_policy_id": doc.get("mergePolicyId") or None,
        "evaluation": evaluation_of(doc.get("evaluationInfo")),
        "labels": tuple(sorted(str(x) for x in labels)) if labels else (),
        "expression": doc.get("expression") or {},
        "lifecycle": _LIFECYCLE_ALIASES.get(str(state), str(state)) if state else None,
    }


def evaluation_of(info: Any) -> str:
    """The evaluation type an ``evaluationInfo`` object says is enabled (batch when omitted)."""
    if not isinstance(info, Mapping):
        return "batch"
    if _enabled(info, "synchronous"):
        return "edge"
    if _enabled(info, "continuous"):
        return "streaming"
    return "batch"


def _enabled(info: Mapping[str, Any], name: str) -> bool:
    flag = info.get(name)
    return isinstance(flag, Mapping) and flag.get("enabled") in (True, "true")


def is_platform_audience(audience: Mapping[str, Any]) -> bool:
    """True for an audience that is a segment definition (Platform-generated): its
    ``originName`` is REAL_TIME_CUSTOMER_PROFILE, or, where that is missing, its ``type`` is
    SegmentDefinition (audiences.md: "For Platform-generated audiences, this value will be
    REAL_TIME_CUSTOMER_PROFILE")."""
    origin = audience.get("originName")
    if origin is not None:
        return origin == PLATFORM_ORIGIN
    return audience.get("type", PLATFORM_TYPE) == PLATFORM_TYPE


def job_segment_ids(job: Mapping[str, Any]) -> frozenset[str]:
    """The segment ids a segment job names (``*`` for an all-segments job)."""
    return _segment_ids(job.get("segments"))


def job_expressions(job: Mapping[str, Any]) -> dict[str, Any]:
    """Segment id -> the expression the job snapshotted when it was created (where given)."""
    segments = job.get("segments")
    out: dict[str, Any] = {}
    for entry in segments if isinstance(segments, list) else []:
        snapshot = _dict(_dict(entry).get("segment"))
        if "segmentId" in entry and snapshot.get("expression") is not None:
            out[str(entry["segmentId"])] = snapshot["expression"]
    return out


def export_signature(job: Mapping[str, Any]) -> tuple[str | None, frozenset[str]]:
    """(destination dataset id, exported segment ids): what makes two export jobs the same."""
    destination = _dict(job.get("destination"))
    dataset = destination.get("datasetId") or destination.get("dataSetId")
    ids = _segment_ids(_dict(job.get("filter")).get("segments"))
    return (str(dataset) if dataset is not None else None), ids


def creation_time(obj: Mapping[str, Any]) -> int:
    """``creationTime`` in epoch milliseconds (0 when missing or not a number)."""
    value = obj.get("creationTime")
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def last_modified(obj: Mapping[str, Any]) -> int:
    """``updateTime``, else ``creationTime``, in epoch milliseconds (0 when neither)."""
    value = obj.get("updateTime") or obj.get("creationTime")
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _segment_ids(entries: Any) -> frozenset[str]:
    if not isinstance(entries, list):
        return frozenset()
    return frozenset(
        str(e["segmentId"]) for e in entries if isinstance(e, dict) and "segmentId" in e)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
