"""What awaits evaluation and the on-demand ration, in the three plan renderings, and the
exit code while that work remains."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run

BATCH = {"active-males-90d", "birthday-this-month", "cart-abandoners-7d", "female-customers",
         "gmail-subscribers", "high-value-purchasers", "loyalty-gold-platinum", "us-residents",
         "vip-women"}


def test_segments_written_without_jobs_await_evaluation_until_applied(workdir: Path,
                                                                       run: Run) -> None:
    assert run("apply", "--auto-approve", "--no-jobs")[0] == 0
    code, out, _ = run("plan", "--format", "json", "--detailed-exitcode")
    assert code == 2  # no definition differs, but nothing is evaluated yet
    doc = json.loads(out)
    assert not doc["summary"]["has_changes"] and doc["summary"]["has_work"]
    assert doc["summary"]["awaiting_evaluation"] == len(BATCH)
    evaluation = doc["evaluation"]
    assert {a["key"] for a in evaluation["awaiting"]} == BATCH
    assert {a["reason"] for a in evaluation["awaiting"]} == {"never evaluated"}
    assert evaluation["running_jobs"] == [] and evaluation["deferred"] == []
    assert evaluation["ration"] == {"per_day": 2, "per_year": 50, "used_today": 0,
                                    "used_this_year": 0, "spends": 1,
                                    "sandbox_type": "unknown", "left_today": 1}

    code, out, _ = run("plan", "--format", "markdown")
    assert code == 0
    assert "#### Awaiting evaluation" in out and "- `female-customers`: never evaluated" in out
    assert "**On-demand evaluation ration:** apply starts 1 on-demand segment job; 0 of 2 " \
           "used today" in out

    assert run("apply", "--auto-approve")[0] == 0
    code, out, _ = run("plan", "--detailed-exitcode")
    assert (code, out.startswith("No changes.")) == (0, True)
    assert "Awaiting evaluation" not in out
