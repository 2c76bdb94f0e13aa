"""The stable JSON plan (documented in PLAN_FORMAT.md) and the JSON apply report."""

from __future__ import annotations

import json
from dataclasses import asdict

from segctl.engine.model import Plan
from segctl.engine.planfile import dumps
from segctl.engine.report import ApplyReport


def render_plan(plan: Plan) -> str:
    return dumps(plan)


def render_report(report: ApplyReport) -> str:
    doc = {
        "ok": report.ok,
        "summary": report.summary(),
        "results": [{**asdict(r), "outcome": r.outcome.value} for r in report.results],
        "notes": list(report.notes),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
