"""`segctl plan --estimate` through the real entry point: sizes in the three renderings,
progress on stderr, read-only, and never a failed plan because of an estimate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import Run

EXACT = re.compile(r"size: [\d,]+ profiles \(exact: all 2,000 profiles read\); "
                   r"last evaluated: never \(new segment\)")


def test_text_shows_exact_local_sizes_and_progress_on_stderr(workdir: Path, run: Run) -> None:
    code, out, err = run("plan", "--estimate")
    assert code == 0
    block = out.split("  + segment 'female-customers'")[1].split("\n\n")[0]
    assert EXACT.search(block), block
    vip = out.split("  + segment 'vip-women'")[1].split("\n\n")[0]
    assert "size: unavailable (it uses segment 'female-customers', which this plan creates" \
        in vip
    # no TTY: one plain line per state, no carriage returns
    assert re.search(r"^estimate \d+/10 female-customers: RESULT_READY \(\d+s\)$", err, re.M)
    assert "\r" not in err


def test_estimates_do_not_change_the_detailed_exit_code(workdir: Path, run: Run) -> None:
    assert run("plan", "--detailed-exitcode")[0] == 2
    assert run("plan", "--estimate", "--detailed-exitcode")[0] == 2
    assert run("apply", "--auto-approve")[0] == 0
    code, out, _ = run("plan", "--estimate", "--detailed-exitcode")
    assert code == 0
    assert "Estimates: no new or changed segment to estimate." in out


def test_json_and_markdown_carry_the_sizes_beside_the_last_evaluated_size(
        workdir: Path, run: Run) -> None:
    assert run("apply", "--auto-approve")[0] == 0
    path = workdir / "segments"
    target = next(p for p in path.rglob("*.yaml")
                  if "description: Profiles whose gender is female." in p.read_text())
    target.write_text(target.read_text().replace(
        "description: Profiles whose gender is female.", "description: Women."))
    code, out, _ = run("plan", "--estimate", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["format_version"] == 2
    (estimate,) = doc["estimates"]
    assert estimate["key"] == "female-customers" and estimate["available"] is True
    assert estimate["exact"] is True and estimate["margin"] == 0
    assert estimate["confidence"] == "95%" and estimate["total_profiles"] == 2000
    assert estimate["last_evaluated"]["size"] == estimate["estimated_size"] > 0
    code, md, _ = run("plan", "--estimate", "--format", "markdown")
    assert code == 0
    size = f"{estimate['estimated_size']:,}"
    assert "#### Estimated audience sizes" in md
    assert (f"| <b>female-customers</b> | {size} profiles (exact: all 2,000 profiles read) | "
            f"{size} profiles on ") in md
    assert "(change +0) |" in md  # a description edit moves nobody


def test_without_the_flag_nothing_is_estimated(workdir: Path, run: Run) -> None:
    code, out, err = run("plan", "--format", "json")
    assert code == 0 and "estimates" not in json.loads(out) and "estimate" not in err


def test_a_failed_estimate_is_shown_unavailable_and_the_plan_still_works(
        workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGCTL_FAULTS", "job_fail=1")
    code, out, _ = run("plan", "--estimate")
    assert code == 0
    assert "size: unavailable (estimate FAILED: Estimate failed (injected fault))" in out


def test_a_saved_plan_keeps_its_estimates_and_applies(workdir: Path, run: Run) -> None:
    code, _, _ = run("plan", "--estimate", "--out", "p.plan")
    assert code == 0
    saved = json.loads((workdir / "p.plan").read_text())
    assert len(saved["estimates"]) == 11  # one per new segment (10 asked, 1 unavailable)
    code, out, _ = run("apply", "p.plan")
    assert code == 0, out
    assert run("plan", "--detailed-exitcode")[0] == 0


def test_a_timeout_without_the_flag_is_a_usage_error(workdir: Path, run: Run) -> None:
    code, out, err = run("plan", "--estimate-timeout", "5")
    assert code == 1 and out == ""
    assert "--estimate-timeout only applies with --estimate" in err
