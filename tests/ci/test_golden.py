"""Golden plan comments (tests/fixtures/ci/), from the render suite's hand-built plans.

Regenerate after an intended change with:

    SEGCTL_UPDATE_GOLDEN=1 python -m pytest tests/ci/test_golden.py -q

and review the diff of tests/fixtures/ci/ like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from render.sample_plans import PLANS  # tests/ is on sys.path (rootdir-less packages)

from segctl.ci.comment import Header, plan_comment
from segctl.ci.digest import change_hashes, plan_digest

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "ci"
HEADER = Header(env="prod", head_sha="a1" * 20, base_sha="c0" * 20,
                run_url="https://github.test/acme/segments/actions/runs/7", run_number="7",
                artifact="segctl-plan-prod-a1a1a1a1a1a1")


@pytest.mark.parametrize("plan_name", sorted(PLANS))
def test_golden_comment(plan_name: str) -> None:
    plan = PLANS[plan_name]()
    marker = {"key": "plan:prod:segments", "sha": HEADER.head_sha,
              "digest": plan_digest(plan), "changes": change_hashes(plan)}
    rendered = plan_comment(plan, HEADER, marker)
    path = GOLDEN / f"{plan_name}.md"
    if os.environ.get("SEGCTL_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with SEGCTL_UPDATE_GOLDEN=1"
    assert rendered == path.read_text(encoding="utf-8")
