"""Partial runs: `--target KEY` (repeatable) and a single file as PATH, like terraform -target."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run


def _creates(out: str) -> list[str]:
    return sorted(c["key"] for c in json.loads(out)["segment_changes"] if c["action"] == "create")


def test_target_includes_dependencies_and_nothing_else(workdir: Path, run: Run) -> None:
    code, out, err = run("plan", "--target", "vip-women", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert _creates(out) == ["female-customers", "high-value-purchasers", "vip-women"]
    assert doc["targets"] == ["vip-women"] and doc["export_runs"] == []
    assert any(w["code"] == "partial" for w in doc["warnings"])
    code, out, err = run("apply", "--target", "vip-women", "--auto-approve")
    assert code == 0, err
    assert "Apply complete: 4 succeeded" in out  # 3 segments + 1 segment job
    # the rest of the project is still to create; the targeted ones are converged
    code, out, _ = run("plan", "--format", "json")
    assert "vip-women" not in _creates(out) and "cart-abandoners-7d" in _creates(out)


def test_export_target_takes_its_segments_and_dataset(workdir: Path, run: Run) -> None:
    code, out, err = run("plan", "--target", "female-customers-daily", "--target",
                         "us-residents", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert _creates(out) == ["female-customers", "us-residents"]
    assert [d["name"] for d in doc["datasets"]] == ["Female customers"]
    assert [r["export"] for r in doc["export_runs"]] == ["female-customers-daily"]


def test_unknown_target_suggests_the_closest_key(workdir: Path, run: Run) -> None:
    code, _, err = run("plan", "--target", "vip-woman")
    assert code == 1 and "no segment or export with this key" in err
    assert "did you mean 'vip-women'?" in err


def test_target_with_prune_is_refused(workdir: Path, run: Run) -> None:
    code, _, err = run("plan", "--target", "vip-women", "--prune")
    assert code == 1 and "--prune cannot be combined with --target" in err


def test_single_file_keeps_environment_and_vars_and_ignores_the_rest(workdir: Path,
                                                                     run: Run) -> None:
    assert run("apply", "--auto-approve")[0] == 0
    code, out, err = run("plan", "segments/exports.yaml")
    assert code == 0, err
    # the Environment (and its datasetPrefix var) still apply: no dataset is renamed
    assert out.startswith("No changes. Environment 'local'")
    assert "Not declared" not in out  # the other files' segments are out of scope, not gone
    code, out, _ = run("plan", "segments/vip-women.yaml", "--format", "json")
    assert json.loads(out)["targets"] == ["vip-women"] and json.loads(out)["unmanaged"] == []


def test_saved_partial_plan_applies(workdir: Path, run: Run) -> None:
    code, _, err = run("plan", "--target", "us-residents", "--out", "p.plan")
    assert code == 0, err
    code, out, err = run("apply", "p.plan")
    assert code == 0, err
    assert "Apply complete: 2 succeeded" in out  # the segment and its job
    code, _, err = run("apply", "p.plan", "--target", "x")
    assert code == 1 and "--target is decided when the plan is made" in err
