"""Apply converges even when an earlier run stopped short of its jobs: the recent job history
says which evaluations and exports are out of date although the definitions already match."""

from __future__ import annotations

from pathlib import Path

from segctl.aep import AepClient
from segctl.engine import ApplyOptions, apply_plan, build_plan
from segctl.engine.freshness import ExportSettings, assess
from segctl.project import load_project

from .test_apply import FAST, converge

NO_JOBS = ApplyOptions(concurrency=4, timeout=120, poll_interval=0.05, run_jobs=False)


def _edit_female_pql(example: Path) -> None:
    path = example / "customers.yaml"
    text = path.read_text()
    path.write_text(text.replace('pql: person.gender = "female"', 'pql: person.gender = "male"'))


def _only(example: Path, client: AepClient) -> tuple[list[str], list[str]]:
    plan = build_plan(load_project(example), client)
    return ([k for job in plan.segment_jobs for k in job.segments],
            [run.export for run in plan.export_runs])


def test_a_change_applied_with_no_jobs_is_evaluated_and_exported_next_time(
    example: Path, client: AepClient
) -> None:
    converge(example, client)
    _edit_female_pql(example)
    plan = build_plan(load_project(example), client)
    assert plan.has_changes
    assert apply_plan(plan, client, NO_JOBS).ok

    again = build_plan(load_project(example), client)
    assert not again.has_changes  # the definitions match the files ...
    jobs, exports = _only(example, client)  # ... but nothing evaluated the new expression yet
    assert "female-customers" in jobs and exports == ["female-customers-daily"]

    assert apply_plan(again, client, FAST).ok
    assert _only(example, client) == ([], [])  # converged: nothing left to run


def test_a_failed_export_runs_again(example: Path, client: AepClient) -> None:
    converge(example, client)
    assert _only(example, client) == ([], [])
    exports = client.recent_export_jobs()
    dataset = exports[0]["destination"]["datasetId"]
    failed = {**exports[0], "id": 99999, "status": "FAILED",
              "creationTime": exports[0]["creationTime"] + 1}
    seen = assess([], [], [failed, *exports], [(dataset, [])])
    assert seen.stale_datasets == {dataset: "last export failed"}


def test_scheduled_evaluations_and_unknown_history_spend_no_job() -> None:
    definition = {"id": "s1", "expression": {"type": "PQL", "format": "pql/text",
                                             "value": "a = 1"}}
    old = {"segmentId": "s1", "segment": {"expression": {**definition["expression"],
                                                         "value": "a = 2"}}}
    now = {"segmentId": "s1", "segment": {"expression": definition["expression"]}}
    # no job ever evaluated s1: unknown is not stale (jobs are rationed)
    assert assess([definition], [], [], []).stale_segments == frozenset()
    # the newest successful run used the current expression; an older one does not matter
    jobs = [{"status": "SUCCEEDED", "creationTime": 2, "segments": [now]},
            {"status": "SUCCEEDED", "creationTime": 1, "segments": [old]}]
    assert assess([definition], jobs, [], []).stale_segments == frozenset()
    # the newest successful run used another expression: stale
    assert assess([definition], list(reversed([
        {"status": "SUCCEEDED", "creationTime": 1, "segments": [now]},
        {"status": "SUCCEEDED", "creationTime": 2, "segments": [old]}])), [], []
    ).stale_segments == {"s1"}
    # a daily scheduled evaluation after the last export does not re-export
    export = {"status": "SUCCEEDED", "creationTime": 5, "destination": {"datasetId": "d1"}}
    scheduled = {"status": "SUCCEEDED", "creationTime": 9, "source": "scheduler",
                 "segments": [now]}
    assert assess([definition], [scheduled], [export], [("d1", ["s1"])]).stale_datasets == {}
    on_demand = {**scheduled, "source": "api"}
    assert assess([definition], [on_demand], [export], [("d1", ["s1"])]).stale_datasets == {
        "d1": "segments evaluated since the last export"}


def _export_job(segments: list[dict[str, object]], fields: str | None = None) -> dict[str, object]:
    job: dict[str, object] = {"id": 7, "status": "SUCCEEDED", "creationTime": 5,
                              "destination": {"datasetId": "d1"},
                              "filter": {"segments": segments}}
    if fields is not None:
        job["fields"] = fields
    return job


def _reason(job: dict[str, object], ids: list[str], settings: ExportSettings) -> str | None:
    return assess([], [], [job], [("d1", ids)], {"d1": settings}).stale_datasets.get("d1")


def test_an_export_whose_settings_changed_names_each_field_path() -> None:
    names = {"s1": "vip", "s2": "churn", "s3": "new"}
    both = ["realized", "existing"]
    job = _export_job([{"segmentId": "s1", "status": both},
                       {"segmentId": "s2", "status": ["realized"]}], fields="a,b")
    same = ExportSettings(("a", "b"), ("existing", "realized"), names)
    assert _reason(job, ["s1", "s2"], ExportSettings(("a", "b"), tuple(both), names)) == (
        "filter.segments[churn].status changed since the last export")
    # a segment added and one dropped, a field added: every path, keys for declared segments
    assert _reason(job, ["s1", "s3"], ExportSettings(("a", "b", "c"), tuple(both), names)) == (
        "fields, filter.segments[churn], filter.segments[new] changed since the last export")
    # a segment no longer declared keeps its live id; order of statuses does not matter
    job = _export_job([{"segmentId": "s1", "status": both}, {"segmentId": "s9", "status": both}],
                      fields="a,b")
    assert _reason(job, ["s1"], same) == "filter.segments[s9] changed since the last export"
    assert _reason(_export_job([{"segmentId": "s1", "status": both}], fields="a,b"),
                   ["s1"], same) is None


def test_a_job_record_without_statuses_or_filter_says_nothing_about_them() -> None:
    settings = ExportSettings(None, ("realized",), {"s1": "vip"})
    assert _reason(_export_job([{"segmentId": "s1"}]), ["s1"], settings) is None
    assert _reason({**_export_job([]), "filter": {}}, ["s1"], settings) is None
