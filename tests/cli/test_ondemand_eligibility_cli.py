"""On-demand segment jobs name only segments AEP lets it evaluate on demand
(help/segmentation/methods/flexible-audience-evaluation.md: batch-evaluated people audiences of
Segmentation Service origin), and the local sandbox enforces that by default. `segctl apply`
never sends a streaming or edge segment; when a segment becomes ineligible between the plan
and the job (someone changes it in the UI), apply leaves it to AEP's own evaluation, says so,
and does not fail."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from segctl.aep import AepClient, AepConfig
from segctl.sandbox import LocalSandbox
from segctl.sandbox.jobs.models import KIND as JOB_KIND

from .conftest import Run

STREAMING = {"batch": {"enabled": False}, "continuous": {"enabled": True},
             "synchronous": {"enabled": False}}


def _sandbox_state(workdir: Path) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The sandbox's segment jobs and its definitions by name."""
    sandbox = LocalSandbox(workdir / ".segctl")
    try:
        jobs = [doc for _, doc in sandbox.store.all_scopes(JOB_KIND)]
        with AepClient(AepConfig.local(), transport=sandbox.transport()) as aep:
            names = {str(d["name"]): d for d in aep.list_segment_definitions()}
        return jobs, names
    finally:
        sandbox.close()


@pytest.fixture(autouse=True)
def _aep_ration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGCTL_ONDEMAND_RATION", raising=False)  # the sandbox's default


def test_streaming_and_edge_segments_never_go_into_an_on_demand_job(workdir: Path,
                                                                   run: Run) -> None:
    code, out, err = run("apply", "--auto-approve")
    assert code == 0, err
    assert "Apply complete" in out
    jobs, live = _sandbox_state(workdir)
    assert [j["source"] for j in jobs] == ["api"]
    sent = {s["segmentId"] for s in jobs[0]["segments"]}
    # declared streaming and edge (segments/browse-to-cart-24h.yaml, canada-residents.yaml),
    # and kept so by the sandbox: both are ineligible for an on-demand job
    streaming, edge = live["Browsed Then Added to Cart (24 Hours)"], live["Canada Residents"]
    assert streaming["evaluationInfo"]["continuous"]["enabled"] is True
    assert edge["evaluationInfo"]["synchronous"]["enabled"] is True
    assert streaming["id"] not in sent and edge["id"] not in sent
    assert live["US Residents"]["id"] in sent
    assert run("plan", "--detailed-exitcode")[0] == 0


def test_a_segment_made_streaming_while_apply_runs_is_left_out_and_apply_succeeds(
        workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    original = AepClient.create_segment_jobs
    changed: list[str] = []

    def meanwhile(self: AepClient, segment_ids: Iterable[str]) -> list[dict[str, Any]]:
        if not changed:  # just before the first job: "US Residents" is made streaming
            found = self.find_segment_definition_by_name("US Residents")
            assert found is not None
            self.update_segment_definition(str(found["id"]), {"evaluationInfo": STREAMING})
            changed.append(str(found["id"]))
        return original(self, segment_ids)

    monkeypatch.setattr(AepClient, "create_segment_jobs", meanwhile)
    code, out, err = run("apply", "--auto-approve")
    assert code == 0, (out, err)
    assert "Apply complete" in out
    assert ("1 segment(s) left to AEP's streaming or scheduled evaluation: not eligible for an "
            "on-demand segment job (us-residents: streaming-evaluated, not batch)") in out
    jobs, _ = _sandbox_state(workdir)
    assert len(jobs) == 1 and changed[0] not in {s["segmentId"] for s in jobs[0]["segments"]}

    monkeypatch.setattr(AepClient, "create_segment_jobs", original)
    code, out, _ = run("plan", "--detailed-exitcode")  # the drift is planned back to batch
    assert code == 2 and '~ evaluation: "streaming" -> "batch"' in out
