"""Renderings of plans and apply reports: ``text`` (terraform-style), ``json`` (the stable
format in PLAN_FORMAT.md) and ``markdown`` (a pull-request comment)."""

from __future__ import annotations

from segctl.engine.model import Plan
from segctl.engine.report import ApplyReport
from segctl.render import json, markdown, text
from segctl.render.progress import StreamProgress

FORMATS = ("text", "json", "markdown")


def render_plan(plan: Plan, output_format: str = "text", *, color: bool = False) -> str:
    if output_format == "json":
        return json.render_plan(plan)
    if output_format == "markdown":
        return markdown.render_plan(plan)
    return text.render_plan(plan, color=color)


def render_report(report: ApplyReport, output_format: str = "text", *, color: bool = False) -> str:
    if output_format == "json":
        return json.render_report(report)
    return text.render_report(report, color=color)


__all__ = ["FORMATS", "StreamProgress", "json", "markdown", "render_plan", "render_report", "text"]
