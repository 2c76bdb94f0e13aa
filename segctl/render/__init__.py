"""Renderings of plans and apply reports: ``text`` (terraform-style), ``json`` (the stable
format of segctl/engine/PLAN_FORMAT.md) and ``markdown`` (a pull-request comment).

Public names: :func:`render_plan`, :func:`render_report`, ``FORMATS``, :class:`StreamProgress`
(apply's progress on a stream) and the three renderer modules.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from segctl.engine.model import Plan
    from segctl.engine.report import ActionResult, ApplyReport
    from segctl.render import json, markdown, text
    from segctl.render.progress import StreamProgress

FORMATS = ("text", "json", "markdown")
#: imported on first use, so that ``segctl.render.escape`` (which every command prints user text
#: through) does not bring in the engine and its HTTP client with it
_LAZY = {"json": "segctl.render.json", "markdown": "segctl.render.markdown",
         "text": "segctl.render.text", "StreamProgress": "segctl.render.progress"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    loaded = importlib.import_module(module)
    return loaded if module.endswith(f".{name}") else getattr(loaded, name)


def render_plan(plan: Plan, output_format: str = "text", *, color: bool = False) -> str:
    """``plan`` in one of ``FORMATS`` (colour only applies to text)."""
    if output_format == "json":
        from segctl.render import json

        return json.render_plan(plan)
    if output_format == "markdown":
        from segctl.render import markdown  # brings fmt's rule layout (and ruamel) with it

        return markdown.render_plan(plan)
    from segctl.render import text

    return text.render_plan(plan, color=color)


def render_report(report: ApplyReport, output_format: str = "text", *, color: bool = False,
                  plan: Plan | None = None, seconds: float | None = None,
                  shown: Collection[ActionResult] = ()) -> str:
    """An apply report as text or json (markdown renders plans only). ``plan`` names the
    target in json; ``seconds`` is the total time; ``shown`` are the results the progress
    already printed (text lists only the others)."""
    from segctl.render import json, text

    if output_format == "json":
        return json.render_report(report, plan, seconds)
    return text.render_report(report, color=color, seconds=seconds, shown=shown)


__all__ = ["FORMATS", "StreamProgress", "json", "markdown", "render_plan", "render_report", "text"]
