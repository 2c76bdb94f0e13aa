"""Evaluation is part of convergence: what awaits evaluation is read from the sandbox's job
history, a segment in a running job is never put in a second one, a segment evaluated since
its last change is never evaluated again, and AEP's on-demand ration is planned for."""

from __future__ import annotations

import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from segctl.aep import AepClient, AepConfig, ManualClock
from segctl.aep.ration import AEP_DEFAULT, OnDemandRation, usage
from segctl.engine import ApplyOptions, Outcome, apply_plan, build_plan
from segctl.project import load_project
from segctl.sandbox import LocalSandbox
from segctl.sandbox.exports import models as sandbox_exports
from segctl.sandbox.jobs import models as sandbox_jobs

from .conftest import write_project

FAST = ApplyOptions(timeout=60, poll_interval=0.02)


def jobs_in(sandbox: LocalSandbox) -> list[dict[str, Any]]:
    return [doc for _, doc in sandbox.store.all_scopes(sandbox_jobs.KIND)]


def converge(path: Path, client: AepClient) -> None:
    assert apply_plan(build_plan(load_project(path), client), client, FAST).ok


@pytest.fixture
def gate(sandbox: LocalSandbox) -> Iterator[threading.Event]:
    """Segment jobs stay PROCESSING until the event is set (a long AEP evaluation)."""
    opened = threading.Event()
    run = sandbox.runner.executors[sandbox_jobs.KIND]

    def slow(app: LocalSandbox, scope: Any, jid: str) -> None:
        sandbox_jobs.JobStep(app, sandbox_jobs.KIND, scope, jid).update(status="PROCESSING")
        opened.wait(30)
        run(app, scope, jid)

    sandbox.runner.executors[sandbox_jobs.KIND] = slow
    yield opened
    opened.set()


def test_rerun_after_timeout_waits_for_the_running_job_instead_of_a_second_one(
    example: Path, client: AepClient, sandbox: LocalSandbox, gate: threading.Event
) -> None:
    first = apply_plan(build_plan(load_project(example), client), client,
                       ApplyOptions(timeout=1, poll_interval=0.02))
    job = next(r for r in first.results if r.kind == "segment-job")
    assert job.outcome is Outcome.FAILED and "timed out" in job.detail
    assert len(jobs_in(sandbox)) == 1

    plan = build_plan(load_project(example), client)
    assert not plan.has_changes and plan.has_work  # --detailed-exitcode: 2
    assert plan.segment_jobs == ()  # never a second job for the same definitions
    (running,) = plan.running_jobs
    assert running.id == jobs_in(sandbox)[0]["id"]
    assert set(running.segments) == {"female-customers", "gold-members", "female-gold"}

    gate.set()
    report = apply_plan(plan, client, FAST)
    assert report.ok
    wait = next(r for r in report.results if r.kind == "segment-job")
    assert (wait.action, wait.id) == ("wait", running.id)
    assert len(jobs_in(sandbox)) == 1  # still the one job
    assert not build_plan(load_project(example), client).has_work


def test_a_segment_evaluated_since_its_last_change_is_never_evaluated_again(
    example: Path, client: AepClient, sandbox: LocalSandbox
) -> None:
    converge(example, client)
    assert len(jobs_in(sandbox)) == 1
    customers = example / "customers.yaml"
    customers.write_text(customers.read_text().replace(
        "Profiles whose gender is female.", "Every female profile."))
    plan = build_plan(load_project(example), client)
    assert plan.has_changes and plan.segment_jobs == () and plan.awaiting == ()
    converge(example, client)  # a description is not membership: no job
    assert len(jobs_in(sandbox)) == 1
    assert not build_plan(load_project(example), client).has_work

    customers.write_text(customers.read_text().replace('"gold"', '"platinum"'))
    apply_plan(build_plan(load_project(example), client), client,
               ApplyOptions(run_jobs=False))
    plan = build_plan(load_project(example), client)  # written, never evaluated
    assert not plan.has_changes and plan.has_work
    assert [(a.key, a.reason) for a in plan.awaiting] == [
        ("gold-members", "changed since its last evaluation")]
    assert plan.segment_jobs[0].segments == ("gold-members", "female-gold")  # + its dependent
    converge(example, client)
    assert len(jobs_in(sandbox)) == 2
    assert not build_plan(load_project(example), client).has_work


def test_run_always_spends_the_ration_at_every_apply_and_on_change_does_not(
    tmp_path: Path, client: AepClient, sandbox: LocalSandbox
) -> None:
    text = """\
        kind: Segment
        key: women
        name: Women
        pql: person.gender = "female"
        ---
        kind: Export
        key: women-daily
        segments: [women]
        dataset: Women
        run: always
        """
    path = write_project(tmp_path / "always", {"all.yaml": text})
    converge(path, client)
    plan = build_plan(load_project(path), client)  # nothing changed...
    assert not plan.has_changes and plan.has_work
    assert [j.segments for j in plan.segment_jobs] == [("women",)]  # ...yet one job: always
    assert [r.reason for r in plan.export_runs] == ["run: always"]
    assert plan.ration is not None and plan.ration.spends == 1
    converge(path, client)
    assert len(jobs_in(sandbox)) == 2

    (path / "all.yaml").write_text(textwrap.dedent(text).replace("always", "on-change"))
    plan = build_plan(load_project(path), client)
    assert not plan.has_work  # on-change: a no-change apply spends nothing
    assert len(jobs_in(sandbox)) == 2


def test_the_ration_leaves_what_it_cannot_cover_to_the_scheduled_run(tmp_path: Path) -> None:
    now = [datetime(2026, 6, 1, 9, 0, tzinfo=UTC)]
    clock = ManualClock(now[0].timestamp())
    segments = "---\n".join(
        f"kind: Segment\nkey: s{i:02d}\nname: S{i:02d}\npql: person.birthYear = {1950 + i}\n"
        for i in range(41))
    path = write_project(tmp_path / "many", {"all.yaml": segments})
    sbx = LocalSandbox(tmp_path / "sandbox", now=lambda: now[0], sample_profiles=100)
    with sbx, AepClient(AepConfig.local(), transport=sbx.transport(), clock=clock) as aep:
        plan = build_plan(load_project(path), aep)
        assert [len(j.segments) for j in plan.segment_jobs] == [20, 20]
        assert plan.deferred == ("s40",)
        assert plan.ration is not None and plan.ration.describe() == (
            "apply starts 2 on-demand segment jobs; 0 of 2 used today, 0 of 50 used this year "
            "(sandbox type not known yet: a production sandbox's allowance); 0 left today "
            "after apply")
        report = apply_plan(plan, aep, FAST)
        assert report.ok and "1 segment(s) left to the scheduled evaluation" in report.notes[0]

        later = build_plan(load_project(path), aep)  # same day: nothing can start
        assert later.segment_jobs == () and later.deferred == ("s40",) and later.has_work
        assert [(a.key, a.reason) for a in later.awaiting] == [("s40", "never evaluated")]

        now[0] += timedelta(days=1)  # the nightly scheduled evaluation covers what was left
        clock.advance(86_400)
        tomorrow = build_plan(load_project(path), aep)
        assert tomorrow.segment_jobs == () and not tomorrow.deferred
        if tomorrow.has_work:  # the scheduled run may still be running: apply waits for it
            assert [j.segments for j in tomorrow.running_jobs] and \
                apply_plan(tomorrow, aep, FAST).ok
        assert not build_plan(load_project(path), aep).has_work
        sources = sorted(str(j.get("source")) for j in jobs_in(sbx))
        assert sources == ["api", "api", "scheduler"]  # no on-demand run spent on s40


def test_a_ration_refusal_leaves_the_jobs_to_the_scheduled_run(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGCTL_ONDEMAND_RATION", "off")  # segctl thinks there is no limit...
    sbx = LocalSandbox(tmp_path / "sandbox", sample_profiles=100,
                       ration=OnDemandRation(per_day=0))  # ...but AEP has none left
    with sbx, AepClient(AepConfig.local(), transport=sbx.transport()) as aep:
        report = apply_plan(build_plan(load_project(example), aep), aep, FAST)
        job = next(r for r in report.results if r.kind == "segment-job")
        assert job.outcome is Outcome.OK and report.ok  # a spent ration never fails apply
        assert job.detail.startswith("not started: left to the scheduled run: AEP refused")
        assert any("left to the scheduled evaluation: AEP refused the on-demand job" in n
                   for n in report.notes)
        assert jobs_in(sbx) == []
        later = build_plan(load_project(example), aep)  # the next plan knows they wait
        assert later.has_work and later.awaiting


def test_a_rerun_waits_for_an_export_still_running_instead_of_exporting_twice(
    example: Path, client: AepClient, sandbox: LocalSandbox
) -> None:
    opened = threading.Event()
    run = sandbox.runner.executors[sandbox_exports.KIND]

    def slow(app: LocalSandbox, scope: Any, jid: str) -> None:
        opened.wait(30)
        run(app, scope, jid)

    def exports() -> list[dict[str, Any]]:
        return [doc for _, doc in sandbox.store.all_scopes(sandbox_exports.KIND)]

    sandbox.runner.executors[sandbox_exports.KIND] = slow
    # an apply that stopped while its export runs (killed, or timed out): here still waiting
    first = threading.Thread(target=lambda: apply_plan(
        build_plan(load_project(example), client), client, FAST))
    first.start()
    try:
        deadline = time.monotonic() + 30
        while not exports() and time.monotonic() < deadline:
            time.sleep(0.02)
        (running,) = exports()
        plan = build_plan(load_project(example), client)
        (again,) = plan.export_runs
        assert again.job == running["id"] and plan.segment_jobs == ()
        assert again.reason == f"export job {again.job} still running"
        assert plan.has_work
    finally:
        opened.set()
        first.join(60)
    assert apply_plan(plan, client, FAST).ok
    assert len(exports()) == 1  # exported once
    assert not build_plan(load_project(example), client).has_work


STREAMING = {"batch": {"enabled": False}, "continuous": {"enabled": True},
             "synchronous": {"enabled": False}}


def test_a_segment_no_longer_eligible_on_demand_is_left_out_of_the_job_not_failed(
    example: Path, client: AepClient, sandbox: LocalSandbox
) -> None:
    """Between plan and apply, someone makes a planned segment streaming-evaluated: AEP refuses
    the on-demand job for it (flexible-audience-evaluation.md: batch audiences only). Apply
    starts the job without it, says so, and the export still runs."""
    apply_plan(build_plan(load_project(example), client), client, ApplyOptions(run_jobs=False))
    plan = build_plan(load_project(example), client)
    assert plan.segment_jobs[0].segments == ("female-customers", "gold-members", "female-gold")
    gold = next(c.id for c in plan.changes if c.key == "gold-members")
    assert gold is not None
    client.update_segment_definition(gold, {"evaluationInfo": STREAMING})  # the UI, meanwhile

    report = apply_plan(plan, client, FAST)
    assert report.ok, [(r.key, r.outcome, r.detail) for r in report.results]
    [note] = [n for n in report.notes if "on-demand segment job" in n]
    assert note.startswith("1 segment(s) left to AEP's streaming or scheduled evaluation")
    assert "gold-members: streaming-evaluated, not batch" in note
    [job] = jobs_in(sandbox)  # the refused request stored nothing and spent no run
    assert [s["segmentId"] for s in job["segments"]] == [
        next(c.id for c in plan.changes if c.key == k) for k in ("female-customers", "female-gold")]
    assert job["status"] == "SUCCEEDED"
    assert [r.outcome for r in report.results if r.kind == "export"] == [Outcome.OK]
    spent = usage(AEP_DEFAULT, jobs_in(sandbox), int(time.time() * 1000))
    assert spent.used_today == 1

    after = build_plan(load_project(example), client)  # the drift is planned back to batch
    assert [(c.key, c.action.value) for c in after.changes if c.action.value != "no-op"] == [
        ("gold-members", "update")]


def test_a_job_with_no_eligible_segment_is_not_started_and_apply_succeeds(
    tmp_path: Path, client: AepClient, sandbox: LocalSandbox
) -> None:
    path = write_project(tmp_path / "one", {"one.yaml": """\
        kind: Segment
        key: gold
        name: Gold
        pql: loyalty.tier = "gold"
        """})
    apply_plan(build_plan(load_project(path), client), client, ApplyOptions(run_jobs=False))
    plan = build_plan(load_project(path), client)
    assert [j.segments for j in plan.segment_jobs] == [("gold",)]
    client.update_segment_definition(str(plan.changes[0].id), {"evaluationInfo": STREAMING})
    report = apply_plan(plan, client, FAST)
    assert report.ok
    [job] = [r for r in report.results if r.kind == "segment-job"]
    assert job.outcome is Outcome.OK and job.detail.startswith("not started: no segment eligible")
    assert any("gold: streaming-evaluated" in n for n in report.notes)
    assert jobs_in(sandbox) == []
