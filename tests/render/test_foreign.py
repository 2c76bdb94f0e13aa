"""Audiences of other origins in the three renderings of a plan."""

from __future__ import annotations

import json

from segctl.engine import Plan
from segctl.render import render_plan

FOREIGN = tuple(f"Upload {n:02d} (CUSTOM_UPLOAD)" for n in range(30))


def test_text_names_25_then_counts() -> None:
    text = render_plan(Plan(changes=(), other_origins=FOREIGN), "text")
    line = next(x for x in text.splitlines() if x.startswith("Audiences of other origins"))
    assert line.endswith("Upload 24 (CUSTOM_UPLOAD) and 5 more")
    assert "Upload 25" not in line


def test_json_lists_them_all_and_markdown_caps() -> None:
    rendered = json.loads(render_plan(Plan(changes=(), other_origins=FOREIGN), "json"))
    assert rendered["other_origins"] == list(FOREIGN)
    markdown = render_plan(Plan(changes=(), other_origins=FOREIGN), "markdown")
    assert "Audiences of other origins, not managed by segctl: Upload 00" in markdown


def test_nothing_said_without_them() -> None:
    for fmt in ("text", "markdown"):
        assert "other origins" not in render_plan(Plan(changes=()), fmt)
