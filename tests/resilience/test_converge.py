"""`segctl apply` under injected faults either succeeds or reports exactly what succeeded,
failed and never started; a clean re-run then converges with every definition and dataset
present exactly once, and the next plan is empty."""

from __future__ import annotations

import pytest

from segctl.aep import NO_RETRY, AepClient, AepConfig, TransportError
from segctl.engine import ApplyReport, Outcome
from segctl.sandbox import FaultConfig, faults_from_env
from segctl.target import open_client
from tests.resilience.conftest import (
    DiesAfter,
    FlakyStatus,
    LossyTransport,
    StuckJobs,
    apply_once,
    assert_converged,
    assert_honest,
    client_for,
)

# The mix from the task: 60% of Platform calls fail (throttled, 503, dropped connection).
SEEDS = (1, 2, 3, 4)


@pytest.mark.parametrize("seed", SEEDS)
def test_sandbox_faults_then_a_clean_rerun_converges(seed: int, project, open_sandbox) -> None:
    faulty = open_sandbox(FaultConfig(rate429=0.3, rate5xx=0.2, drop=0.1, seed=seed))
    first = apply_once(project, faulty.transport(), seed=seed)
    assert_honest(first)
    faulty.wait_idle(30)
    faulty.close()
    assert_converged(project, open_sandbox(None))


@pytest.mark.parametrize("seed", SEEDS)
def test_answers_lost_after_the_write_never_duplicate(seed: int, project, open_sandbox) -> None:
    sandbox = open_sandbox(None)
    network = LossyTransport(sandbox, seed)
    first = apply_once(project, network, seed=seed)
    assert_honest(first)
    assert network.lost["POST"] >= 1  # some creates happened although the client saw a failure
    sandbox.wait_idle(30)
    assert_converged(project, sandbox)


def test_failed_jobs_are_reported_and_the_rerun_catches_up(project, open_sandbox) -> None:
    failing = open_sandbox(FaultConfig(job_fail=1.0))
    first = apply_once(project, failing.transport())
    assert isinstance(first, ApplyReport) and not first.ok
    by_kind = {(r.kind, r.outcome) for r in first.results}
    assert ("segment", Outcome.OK) in by_kind and ("dataset", Outcome.OK) in by_kind
    job = next(r for r in first.results if r.kind == "segment-job")
    assert job.outcome is Outcome.FAILED and "FAILED" in job.detail and job.id
    assert {r.outcome for r in first.results if r.kind == "export"} == {Outcome.SKIPPED}
    failing.wait_idle(30)
    failing.close()
    second = assert_converged(project, open_sandbox(None))
    exports = {r.key: r.outcome for r in second.results if r.kind == "export"}
    assert exports == {e.key: Outcome.OK for e in project.exports}  # the never-run one too


def test_server_gone_midway_is_reported_then_converges(project, open_sandbox) -> None:
    sandbox = open_sandbox(None)
    first = apply_once(project, DiesAfter(sandbox, 14))
    assert isinstance(first, ApplyReport) and not first.ok
    assert_honest(first)
    assert any("could not connect" in r.detail for r in first.results)
    written = [r for r in first.results if r.outcome is Outcome.OK]
    assert written  # some writes landed before the server went away
    with client_for(sandbox.transport()) as client:
        live = {d["id"] for d in client.list_segment_definitions()}
    assert {r.id for r in written if r.kind == "segment"} <= live  # the report is true
    assert_converged(project, sandbox)


def test_short_timeout_reports_the_running_job(project, open_sandbox) -> None:
    sandbox = open_sandbox(None)
    first = apply_once(project, StuckJobs(sandbox), timeout=0.05)
    assert isinstance(first, ApplyReport) and not first.ok
    job = next(r for r in first.results if r.kind == "segment-job")
    assert job.outcome is Outcome.FAILED
    assert "timed out after 0.05s" in job.detail and "still PROCESSING" in job.detail
    assert {r.outcome for r in first.results if r.kind == "export"} == {Outcome.SKIPPED}
    sandbox.wait_idle(30)
    assert_converged(project, sandbox)


def test_segctl_faults_reaches_the_embedded_sandbox(monkeypatch, tmp_path) -> None:
    spec = "rate429=0.3,rate5xx=0.2,drop=0.1,seed=5"
    monkeypatch.setenv("SEGCTL_FAULTS", spec)
    monkeypatch.setenv("SEGCTL_SANDBOX_DIR", str(tmp_path / "embedded"))
    for name in ("AEP_PLATFORM_URL", "AEP_IMS_URL"):
        monkeypatch.delenv(name, raising=False)
    with open_client() as client:
        assert client._sandbox.fault_config == faults_from_env() == FaultConfig(
            rate429=0.3, rate5xx=0.2, drop=0.1, seed=5)


def test_job_status_outage_does_not_abandon_a_running_job(project, open_sandbox) -> None:
    """Jobs are rationed (AEP-API §14): a status endpoint failing for a while must not turn a
    job that is running fine into a failure that makes the next apply run it again."""
    sandbox = open_sandbox(None)
    network = FlakyStatus(sandbox, 12)  # > 2 x the client's 5 attempts
    first = apply_once(project, network)
    assert network.left == 0
    assert isinstance(first, ApplyReport) and first.ok, first
    with client_for(sandbox.transport()) as client:
        assert len(client.list_segment_jobs()) == 1
        assert len(client.list_export_jobs()) == len(project.exports)


def test_job_status_outage_until_the_timeout_is_reported(project, open_sandbox) -> None:
    sandbox = open_sandbox(None)
    first = apply_once(project, FlakyStatus(sandbox, 10**6), timeout=0.05)
    assert isinstance(first, ApplyReport) and not first.ok
    job = next(r for r in first.results if r.kind == "segment-job")
    assert job.outcome is Outcome.FAILED
    assert job.detail.startswith("timed out after 0.05s; the status of job ")
    assert "could not be read (Service unavailable)" in job.detail
    sandbox.wait_idle(30)
    assert_converged(project, sandbox)


@pytest.mark.parametrize(("seed", "acted"), [(4, True), (0, False)])
def test_a_dropped_connection_may_lose_the_answer_after_the_sandbox_acted(
        seed: int, acted: bool, open_sandbox) -> None:
    """SEGCTL_FAULTS drop: half the drops refuse the connection (nothing happened), half time
    out reading the answer of a request the sandbox did carry out, as on a real network."""
    faulty = open_sandbox(FaultConfig(drop=1.0, seed=seed))
    dataset = {"name": "lost answer", "schemaRef": {
        "id": "https://ns.adobe.com/xdm/context/profile__union",
        "contentType": "application/vnd.adobe.xed+json;version=1"}}
    with AepClient(AepConfig.local(), transport=faulty.transport(), retry=NO_RETRY) as client, \
            pytest.raises(TransportError) as dropped:
        client.create_dataset(dataset)
    assert dropped.value.ambiguous is acted  # a read timeout: the request had gone out
    faulty.close()
    with client_for(open_sandbox(None).transport()) as client:
        names = [d["name"] for d in client.list_datasets()]
    assert names.count("lost answer") == (1 if acted else 0)
