"""Golden renderings of plans (tests/fixtures/plans/).

Regenerate after an intended change with:

    SEGCTL_UPDATE_GOLDEN=1 python -m pytest tests/render -q

and review the diff of tests/fixtures/plans/ like any other change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from segctl.engine import plan_from_dict, plan_to_dict
from segctl.render import render_plan
from segctl.render.markdown import MAX_CHARS

from .sample_plans import PLANS, many_changes

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
SUFFIX = {"text": "txt", "json": "json", "markdown": "md"}


def check(name: str, rendered: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SEGCTL_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with SEGCTL_UPDATE_GOLDEN=1"
    assert rendered == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
@pytest.mark.parametrize("plan_name", sorted(PLANS))
def test_golden(plan_name: str, fmt: str) -> None:
    check(f"{plan_name}.{SUFFIX[fmt]}", render_plan(PLANS[plan_name](), fmt))


def test_json_round_trips_through_the_codec() -> None:
    for make in PLANS.values():
        plan = make()
        doc = json.loads(render_plan(plan, "json"))
        assert doc["format_version"] == 2
        assert plan_from_dict(doc) == plan
        assert plan_to_dict(plan_from_dict(doc)) == doc


def test_text_summary_line_and_glyphs() -> None:
    text = render_plan(PLANS["every_action"](), "text")
    assert text.rstrip().endswith(
        "Plan: 3 to create, 1 to update, 1 to replace, 2 to delete, 1 to adopt; "
        "1 segment job, 1 export. Left alone: 1 unmanaged, 2 owned by other projects."
    )
    for glyph in ("  + segment", "  ~ segment", "  -/+ segment", "  - segment"):
        assert glyph in text
    assert "\x1b[" not in text
    assert "\x1b[32m" in render_plan(PLANS["every_action"](), "text", color=True)


def test_markdown_has_details_and_mermaid() -> None:
    md = render_plan(PLANS["every_action"](), "markdown")
    assert md.count("<details>") == 6 and "```mermaid" in md
    assert "-->" in md


def test_markdown_is_truncated_under_the_limit_with_a_note() -> None:
    md = render_plan(many_changes(3000), "markdown")
    assert len(md) <= MAX_CHARS
    assert "**Truncated:**" in md and "of 3000 changes are not shown" in md
    assert md.count("<details>") == md.count("</details>")
    assert md.count("```") % 2 == 0  # no fence left open
    assert "and 125 more segment jobs" in md and "and 2975 more" in md
