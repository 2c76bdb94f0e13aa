"""The stable JSON plan (segctl/engine/PLAN_FORMAT.md, written by engine.planfile) and the
JSON apply report (documented in REPORT_FORMATS.md)."""

from __future__ import annotations

import json
from typing import Any

from segctl.engine.model import Plan
from segctl.engine.planfile import dumps
from segctl.engine.report import ActionResult, ApplyReport, Outcome

#: the version of the apply report document; bumped on a removal or change of meaning
REPORT_FORMAT_VERSION = 1


def render_plan(plan: Plan) -> str:
    return dumps(plan)


def render_report(report: ApplyReport, plan: Plan | None = None,
                  seconds: float | None = None) -> str:
    """``apply --format json``: the document of REPORT_FORMATS.md."""
    target = plan.target if plan is not None else None
    doc = {
        "format_version": REPORT_FORMAT_VERSION,
        "ok": report.ok,
        "target": None if target is None else {
            "environment": target.environment, "sandbox": target.sandbox,
            "platform_url": target.platform_url},
        "summary": {"succeeded": report.count(Outcome.OK),
                    "failed": report.count(Outcome.FAILED),
                    "skipped": report.count(Outcome.SKIPPED),
                    "text": report.summary()},
        "seconds": None if seconds is None else round(seconds, 3),
        "actions": [action_document(r) for r in report.results],
        "notes": list(report.notes),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def action_document(result: ActionResult) -> dict[str, Any]:
    """One action: for jobs, ``job_ids`` lists the job ids and ``id`` is null."""
    is_job = result.kind in ("segment-job", "export")
    return {
        "kind": result.kind,
        "action": result.action,
        "key": result.key,
        "name": result.name,
        "outcome": result.outcome.value,
        "id": None if is_job else result.id,
        "job_ids": [i for i in (result.id or "").split(",") if i] if is_job else [],
        "seconds": result.seconds,
        "size": result.size,
        "detail": result.detail,
    }
