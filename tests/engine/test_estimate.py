"""``plan --estimate`` in the engine, against the local sandbox: which segments are estimated,
the estimate beside the last evaluated size, and every way an estimate can be unavailable
without failing the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from segctl.aep import AepClient, ApiError
from segctl.engine import (
    Action,
    ApplyOptions,
    DesiredSegment,
    FieldChange,
    LastSize,
    Plan,
    SegmentChange,
    SizeEstimate,
    apply_plan,
    build_plan,
    estimate_plan,
)
from segctl.engine.estimate import (
    preview_pql,
    segments_to_estimate,
    sizes_from_audiences,
    sizes_from_jobs,
)
from segctl.project import load_project
from segctl.sandbox import LocalSandbox
from segctl.sandbox.profilestore import profiles as sample_profiles

FAST = ApplyOptions(concurrency=4, timeout=120, poll_interval=0.05)


class Recorder:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.cleared = 0

    def step(self, result: Any) -> None:
        raise AssertionError("estimates report no steps")

    def status(self, text: str) -> None:
        self.lines.append(text)

    def clear(self) -> None:
        self.cleared += 1


def females(sandbox: LocalSandbox) -> int:
    data = sample_profiles.cached(sandbox.data_dir)
    return sum(1 for _, p, _ in data.rows() if (p.get("person") or {}).get("gender") == "female")


def converge(path: Path, client: AepClient) -> None:
    assert apply_plan(build_plan(load_project(path), client), client, FAST).ok


def previews_left(sandbox: LocalSandbox) -> list[Any]:
    return list(sandbox.store.all_scopes("preview"))


def test_new_segments_get_exact_local_counts_and_a_reference_to_a_new_one_is_unavailable(
        example: Path, client: AepClient, sandbox: LocalSandbox) -> None:
    plan = build_plan(load_project(example), client)
    progress = Recorder()
    estimated = estimate_plan(plan, client, timeout=60, interval=0.01, progress=progress)
    assert [e.key for e in estimated.estimates or ()] == \
        ["female-customers", "gold-members", "female-gold"]
    female = estimated.estimate_for("female-customers")
    assert female == SizeEstimate("female-customers", True, profiles=females(sandbox), margin=0,
                                  confidence="95%", exact=True, profiles_read=300,
                                  total_profiles=300)
    both = estimated.estimate_for("female-gold")
    assert both is not None and not both.available
    assert "segment 'female-customers', which this plan creates" in both.reason
    # the plan itself is untouched: same diff, same exit-code inputs
    assert estimated.changes == plan.changes and estimated.has_changes == plan.has_changes
    assert estimated.fingerprint == plan.fingerprint
    assert any(line.startswith("estimate 1/2 female-customers: ") for line in progress.lines)
    assert progress.cleared == 2
    assert previews_left(sandbox) == []  # each preview is deleted once read


def test_a_changed_segment_shows_its_estimate_beside_the_last_evaluated_size(
        example: Path, client: AepClient, sandbox: LocalSandbox) -> None:
    converge(example, client)
    text = (example / "customers.yaml").read_text()
    (example / "customers.yaml").write_text(
        text.replace("description: Profiles whose gender is female.",
                     "description: Women."), encoding="utf-8")
    plan = estimate_plan(build_plan(load_project(example), client), client, interval=0.01)
    assert [c.key for c in segments_to_estimate(plan)] == ["female-customers"]
    (estimate,) = plan.estimates or ()
    assert estimate.available and estimate.exact
    assert estimate.last is not None and estimate.last.profiles == estimate.profiles \
        == females(sandbox)
    assert estimate.last.job_id and estimate.last.evaluated_at.endswith("Z")


def test_a_reference_to_a_live_segment_is_estimated_through_its_id(
        example: Path, client: AepClient, sandbox: LocalSandbox) -> None:
    converge(example, client)
    text = (example / "customers.yaml").read_text()
    (example / "customers.yaml").write_text(text.replace(
        'pql: inSegment("key:female-customers") and inSegment("key:gold-members")',
        'pql: inSegment("key:female-customers")'), encoding="utf-8")
    plan = build_plan(load_project(example), client)
    (change,) = segments_to_estimate(plan)
    female_id = next(c.id for c in plan.changes if c.key == "female-customers")
    assert preview_pql(change, plan) == f'inSegment("{female_id}")'
    (estimate,) = estimate_plan(plan, client, interval=0.01).estimates or ()
    assert estimate.available and estimate.profiles == females(sandbox)


def test_nothing_new_or_changed_means_an_empty_list(example: Path, client: AepClient) -> None:
    converge(example, client)
    plan = estimate_plan(build_plan(load_project(example), client), client)
    assert plan.estimates == () and not plan.has_changes


def test_a_failed_estimate_is_unavailable_with_its_reason(
        tmp_path: Path, example: Path) -> None:
    from segctl.aep import AepConfig
    from segctl.sandbox import FaultConfig

    failing = LocalSandbox(tmp_path / "failing", FaultConfig(job_fail=1.0), sample_profiles=50)
    try:
        with AepClient(AepConfig.local(), transport=failing.transport()) as aep:
            plan = estimate_plan(build_plan(load_project(example), aep), aep, interval=0.01)
    finally:
        failing.close()
    female = plan.estimate_for("female-customers")
    assert female == SizeEstimate(
        "female-customers", False, reason="estimate FAILED: Estimate failed (injected fault)")


def test_a_late_estimate_times_out_and_is_cancelled(
        example: Path, client: AepClient, sandbox: LocalSandbox,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox.runner, "submit", lambda *a: None)  # previews stay NEW
    plan = estimate_plan(build_plan(load_project(example), client), client, timeout=0)
    female = plan.estimate_for("female-customers")
    assert female is not None and not female.available
    assert female.reason == "timed out after 0s; the estimate is still NEW"
    assert previews_left(sandbox) == []


def test_an_estimate_that_cannot_start_or_be_read_never_fails_the_plan(
        example: Path, client: AepClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> str:
        raise ApiError("Access is forbidden.", status=403)

    made = build_plan(load_project(example), client)
    monkeypatch.setattr(client, "start_estimate", refuse)
    monkeypatch.setattr(client, "recent_segment_jobs", refuse)
    plan = estimate_plan(made, client)
    reasons = {e.key: e.reason for e in plan.estimates or ()}
    assert reasons["female-customers"] == "could not start: Access is forbidden."
    assert all(not e.available for e in plan.estimates or ())


def test_the_reason_loses_control_characters() -> None:
    from segctl.engine.estimate import unavailable

    assert unavailable("k", "bad\n\x1b[31mred\x07").reason == "bad  [31mred"


def test_last_sizes_come_from_the_newest_succeeded_job_that_counted_the_segment() -> None:
    jobs = [
        {"id": "j3", "status": "FAILED", "metrics": {"segmentedProfileCounter": {"a": 1}}},
        {"id": "j2", "status": "SUCCEEDED", "updateTime": 1780315200000,
         "metrics": {"segmentedProfileCounter": {"a": 10}}},
        {"id": "j1", "status": "SUCCEEDED",
         "metrics": {"totalTime": {"endTimeInMs": 1780228800000},
                     "segmentedProfileCounter": {"a": 7, "b": "5", "c": None}}},
        {"id": "j0", "status": "SUCCEEDED", "metrics": "sparse"},
    ]
    assert sizes_from_jobs(jobs) == {
        "a": LastSize(10, "j2", "2026-06-01T12:00:00Z"),
        "b": LastSize(5, "j1", "2026-05-31T12:00:00Z"),
    }


def test_last_sizes_come_from_the_audience_metrics() -> None:
    audiences = [
        {"id": "a", "metrics": {"type": "export", "jobId": "j9", "updateEpoch": 1780315200,
                                "data": {"totalProfiles": 42}}},
        {"id": "b"},  # never evaluated: no metrics
        {"id": "c", "metrics": {"data": {"totalProfiles": "7"}}},
    ]
    assert sizes_from_audiences(audiences) == {
        "a": LastSize(42, "j9", "2026-06-01T12:00:00Z"), "c": LastSize(7, "", "")}


def test_only_creates_updates_and_replaces_are_estimated() -> None:
    def change(action: Action, key: str, **kw: Any) -> SegmentChange:
        want = DesiredSegment(key, key, "", "true", "_xdm.context.profile", None, "default",
                              None, "batch", (), False)
        return SegmentChange(action, key, key, desired=None if action is Action.DELETE else want,
                             **kw)

    plan = Plan(changes=(
        change(Action.DELETE, "gone", id="1"), change(Action.CREATE, "new"),
        change(Action.UPDATE, "changed", id="2", fields=(FieldChange("pql", "a", "b"),)),
        change(Action.REPLACE, "moved", id="3"), change(Action.NOOP, "same", id="4"),
        change(Action.UPDATE, "adopted", id="5", adopted=True),
    ))
    assert [c.key for c in segments_to_estimate(plan)] == ["new", "changed", "moved"]


def test_an_interrupted_estimate_cancels_every_preview_it_started(
        example: Path, client: AepClient, sandbox: LocalSandbox,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox.runner, "submit", lambda *a: None)  # previews stay NEW
    plan = build_plan(load_project(example), client)

    def interrupt(*args: Any, **kwargs: Any) -> Any:
        assert len(previews_left(sandbox)) == 2  # both asked before the first wait
        raise KeyboardInterrupt

    monkeypatch.setattr(client, "wait_estimate", interrupt)
    with pytest.raises(KeyboardInterrupt):
        estimate_plan(plan, client)
    assert previews_left(sandbox) == []


def test_on_a_terminal_the_progress_line_is_rewritten_in_place(
        example: Path, client: AepClient) -> None:
    import io

    from segctl.render import StreamProgress

    stream = io.StringIO()
    plan = build_plan(load_project(example), client)
    estimate_plan(plan, client, interval=0.01, progress=StreamProgress(stream, live=True))
    text = stream.getvalue()
    assert "\r\x1b[Kestimate 1/2 female-customers: " in text
    assert "\n" not in text and text.endswith("\r\x1b[K")  # wiped when each wait ends
