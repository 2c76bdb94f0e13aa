"""Which audiences an on-demand segment job (flexible audience evaluation) may name.

``help/segmentation/methods/flexible-audience-evaluation.md`` (Guardrails): "All the audiences
**must** have an origin of "Segmentation Service"", "**must** be evaluated using batch
segmentation", "**must** be people-based audiences"; its FAQ adds that "compositions, custom
upload, or Data Distiller" audiences "are not supported". The doc gives no API error for an
ineligible id (the UI drops it from the job), and ``segmentation.yaml`` documents only a bodiless
400 for ``createSegmentJob`` ("The segment job request could not be posted. Double check your
request body content."). Chosen (FIDELITY.md): the whole request is refused with 400 in the
problem-details shape of the other job refusals, code ``UPAPI-113472-400``, one ``errors``
entry per ineligible id, and nothing is stored, so the refusal spends none of the ration.
Only ``POST /segment/jobs`` with ids is checked: the ``"*"`` form and the jobs the scheduler
starts (``source: scheduler``) are not on-demand evaluations of chosen audiences.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from segctl.sandbox.core.values import PROFILE_SCHEMA
from segctl.sandbox.core.web import HttpFailure, problem

INELIGIBLE_CODE = "UPAPI-113472-400"
PEOPLE_SCHEMAS = frozenset({PROFILE_SCHEMA, "https://ns.adobe.com/xdm/context/profile"})


def evaluation_type(definition: Mapping[str, Any]) -> str:
    """``batch``, ``streaming`` (``continuous``) or ``edge`` (``synchronous``), as stored."""
    info = definition.get("evaluationInfo") or {}

    def enabled(flag: str) -> bool:
        return bool((info.get(flag) or {}).get("enabled"))

    if not info or enabled("batch"):
        return "batch"  # a document written before evaluationInfo existed was batch
    return "edge" if enabled("synchronous") else "streaming"


def definition_ineligibility(definition: Mapping[str, Any]) -> str | None:
    """Why a segment definition (a Segmentation Service audience) cannot be evaluated on
    demand, or None when it can."""
    schema = definition.get("schema") or {}
    name = schema.get("name") or schema.get("id") if isinstance(schema, Mapping) else None
    if name not in PEOPLE_SCHEMAS:
        return f"not a people audience (schema {name}; only {PROFILE_SCHEMA} qualifies)"
    kind = evaluation_type(definition)
    if kind != "batch":
        return (f"evaluated by {kind} segmentation; only batch-evaluated audiences "
                "(evaluationInfo.batch.enabled) qualify")
    return None


def origin_ineligibility(audience: Mapping[str, Any]) -> str:
    """Why an audience of another origin (custom upload, composition, ...) cannot."""
    return (f"an audience of origin {audience.get('originName')}; only audiences of "
            "Segmentation Service origin qualify")


def refusal(reasons: Mapping[str, str]) -> HttpFailure:
    """The 400 for the ids of ``reasons`` (id -> why), in the order given."""
    listed = "; ".join(f"{sid}: {why}" for sid, why in reasons.items())
    failure = problem(400, INELIGIBLE_CODE,
                      f"{len(reasons)} segment definition(s) cannot be evaluated on demand "
                      f"(flexible audience evaluation): {listed}")
    failure.body["errors"]["400"] = [
        {"code": INELIGIBLE_CODE, "message": f"Segment {sid} is not eligible for on-demand "
                                             f"evaluation: {why}."}
        for sid, why in reasons.items()]
    return failure
