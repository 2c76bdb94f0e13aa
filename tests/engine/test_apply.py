"""plan/apply against the local sandbox: convergence, identity, ordering, staleness, prune."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from segctl import pql
from segctl.aep import AepClient, AepConfig
from segctl.engine import (
    Action,
    ApplyOptions,
    Outcome,
    StalePlanError,
    apply_plan,
    build_plan,
    check_fresh,
    load_plan,
    read_live_state,
    save_plan,
)
from segctl.project import load_project
from segctl.sandbox import LocalSandbox

from .conftest import write_project

FAST = ApplyOptions(concurrency=4, timeout=120, poll_interval=0.05)


def converge(path: Path, client: AepClient, *, prune: bool = False) -> None:
    plan = build_plan(load_project(path), client, prune=prune)
    report = apply_plan(plan, client, FAST)
    assert report.ok, report.results


def test_apply_example_then_plan_is_empty(example: Path, client: AepClient) -> None:
    plan = build_plan(load_project(example), client)
    assert [c.action for c in plan.changes] == [Action.CREATE] * 3
    report = apply_plan(plan, client, FAST)
    assert report.ok
    kinds = [(r.kind, r.action, r.outcome) for r in report.results]
    assert kinds.count(("segment", "create", Outcome.OK)) == 3
    assert ("dataset", "create", Outcome.OK) in kinds
    assert ("segment-job", "run", Outcome.OK) in kinds and ("export", "run", Outcome.OK) in kinds

    again = build_plan(load_project(example), client)
    assert not again.has_changes
    assert {c.action for c in again.changes} == {Action.NOOP}
    live = client.list_segment_definitions()
    assert len(live) == 3
    assert all("[segctl:project=default;key=" in d["description"] for d in live)
    both = next(d for d in live if d["name"] == "Female gold members")
    ids = {d["name"]: d["id"] for d in live}
    assert ids["All Female Customers"] in both["expression"]["value"]  # keys rewritten to ids


def test_whitespace_edit_is_no_change_logic_edit_is_one_update(
    example: Path, client: AepClient
) -> None:
    converge(example, client)
    path = example / "customers.yaml"
    text = path.read_text()
    path.write_text(text.replace('pql: person.gender = "female"',
                                 'pql: |\n  person.gender   =\n     "female"'))
    assert not build_plan(load_project(example), client).has_changes
    path.write_text(text.replace('loyalty.tier = "gold"', 'loyalty.tier = "platinum"'))
    plan = build_plan(load_project(example), client)
    assert [c.key for c in plan.actionable] == ["gold-members"]
    assert [f.field for f in plan.actionable[0].fields] == ["pql"]
    # the dependent is re-evaluated with it, in one job
    assert plan.segment_jobs[0].segments == ("gold-members", "female-gold")


def test_rename_keeps_the_id(example: Path, client: AepClient) -> None:
    converge(example, client)
    before = {d["name"]: d["id"] for d in client.list_segment_definitions()}
    path = example / "customers.yaml"
    path.write_text(path.read_text().replace("name: All Female Customers", "name: Women"))
    plan = build_plan(load_project(example), client)
    assert [(c.key, c.action) for c in plan.actionable] == [("female-customers", Action.UPDATE)]
    converge(example, client)
    after = {d["name"]: d["id"] for d in client.list_segment_definitions()}
    assert after["Women"] == before["All Female Customers"]
    assert len(after) == 3


def test_live_pql_json_matches_declared_text(tmp_path: Path, client: AepClient) -> None:
    text = 'person.gender = "female" and person.birthYear > 1980'
    client.create_segment_definition({
        "name": "Young women", "schema": {"name": "_xdm.context.profile"},
        "expression": {"type": "PQL", "format": "pql/json",
                       "value": json.dumps(pql.to_json(pql.parse(text)))},
    })
    proj = write_project(tmp_path / "p", {"s.yaml": f"""\
        kind: Segment
        key: young-women
        name: Young women
        pql: {text}
        """})
    plan = build_plan(load_project(proj), client)
    change = plan.changes[0]
    assert change.action is Action.UPDATE and change.adopted and change.fields == ()
    converge(proj, client)
    assert not build_plan(load_project(proj), client).has_changes


def test_saved_plan_is_refused_when_stale(example: Path, client: AepClient,
                                          tmp_path: Path) -> None:
    converge(example, client)
    path = example / "customers.yaml"
    path.write_text(path.read_text().replace('"gold"', '"silver"'))
    out = tmp_path / "plan.json"
    save_plan(build_plan(load_project(example), client), out)
    saved = load_plan(out)

    def fresh() -> None:
        proj = load_project(example)
        state = read_live_state(client, [e.dataset for e in proj.exports])
        check_fresh(saved, proj.files_hash, state.fingerprint())

    fresh()  # nothing changed yet
    some = client.list_segment_definitions()[0]
    client.update_segment_definition(some["id"], {**some, "description": "edited by hand"})
    with pytest.raises(StalePlanError, match="live sandbox changed"):
        fresh()
    path.write_text(path.read_text() + "\n# a comment\n")
    with pytest.raises(StalePlanError, match="files changed"):
        fresh()


def test_prune_deletes_only_marked_never_protected(example: Path, client: AepClient,
                                                   tmp_path: Path) -> None:
    converge(example, client)
    client.create_segment_definition({
        "name": "Hand made", "schema": {"name": "_xdm.context.profile"},
        "expression": {"type": "PQL", "format": "pql/text", "value": 'person.gender = "male"'},
    })
    keep = write_project(tmp_path / "kept", {"k.yaml": """\
        kind: Segment
        key: guarded
        name: Guarded
        protect: true
        pql: person.birthYear > 1990
        """})
    converge(keep, client)  # guarded is now live, marked and protected
    only = write_project(tmp_path / "only", {"o.yaml": """\
        kind: Segment
        key: gold-members
        name: Gold loyalty members
        pql: loyalty.tier = "gold"
        """})
    plan = build_plan(load_project(only), client, prune=True)
    deletes = [c.key for c in plan.changes if c.action is Action.DELETE]
    assert deletes == ["female-gold", "female-customers"]  # dependents first
    # these folders declare no project name: all three share the unnamed project "default"
    assert [w.code for w in plan.warnings] == ["project-unnamed", "protected"]
    converge(only, client, prune=True)
    names = sorted(d["name"] for d in client.list_segment_definitions())
    assert names == ["Gold loyalty members", "Guarded", "Hand made"]


class Recording(httpx.BaseTransport):
    """Records (method, path, body) of every request, and fails chosen creates."""

    def __init__(self, inner: httpx.BaseTransport, fail_names: set[str] | None = None) -> None:
        self.inner = inner
        self.fail_names = fail_names or set()
        self.calls: list[tuple[str, str, object]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content.startswith((b"{", b"[")) else None
        self.calls.append((request.method, request.url.path, body))
        if (request.method == "POST" and isinstance(body, dict)
                and body.get("name") in self.fail_names):
            return httpx.Response(400, json={"type": "x", "title": "Bad", "status": 400,
                                             "detail": "injected by the test"}, request=request)
        return self.inner.handle_request(request)


def test_dependency_order_for_create_and_delete(example: Path, sandbox: LocalSandbox,
                                                tmp_path: Path) -> None:
    rec = Recording(sandbox.transport())
    with AepClient(AepConfig.local(), transport=rec) as aep:
        converge(example, aep)
        created = [b["name"] for m, p, b in rec.calls
                   if m == "POST" and p.endswith("/segment/definitions") and isinstance(b, dict)]
        assert created.index("Female gold members") > created.index("All Female Customers")
        assert created.index("Female gold members") > created.index("Gold loyalty members")
        ids = {d["name"]: d["id"] for d in aep.list_segment_definitions()}
        rec.calls.clear()
        empty = write_project(tmp_path / "empty", {"e.yaml": """\
            kind: Segment
            key: other
            name: Other
            pql: person.birthYear > 2000
            """})
        converge(empty, aep, prune=True)
        deleted = [p.rsplit("/", 1)[1] for m, p, _ in rec.calls if m == "DELETE"]
        first = deleted.index(ids["Female gold members"])
        assert first < deleted.index(ids["Gold loyalty members"])
        assert first < deleted.index(ids["All Female Customers"])


def test_partial_failure_reports_then_rerun_converges(example: Path, sandbox: LocalSandbox) -> None:
    rec = Recording(sandbox.transport(), fail_names={"Gold loyalty members"})
    with AepClient(AepConfig.local(), transport=rec) as aep:
        plan = build_plan(load_project(example), aep)
        report = apply_plan(plan, aep, FAST)
    outcome = {(r.kind, r.key): r.outcome for r in report.results}
    assert not report.ok
    assert outcome[("segment", "gold-members")] is Outcome.FAILED
    assert outcome[("segment", "female-gold")] is Outcome.SKIPPED  # needed gold's id
    assert outcome[("export", "female-customers-daily")] is Outcome.SKIPPED
    with AepClient(AepConfig.local(), transport=sandbox.transport()) as aep:
        names = [d["name"] for d in aep.list_segment_definitions()]
        assert "Gold loyalty members" not in names
        converge(example, aep)
        names = sorted(d["name"] for d in aep.list_segment_definitions())
        assert names == ["All Female Customers", "Female gold members", "Gold loyalty members"]
        assert not build_plan(load_project(example), aep).has_changes


def test_sandbox_faults_then_rerun_converges_without_duplicates(tmp_path: Path,
                                                                example: Path) -> None:
    from segctl.aep import NO_RETRY
    from segctl.sandbox import parse_faults

    data = tmp_path / "faulty"
    with LocalSandbox(data, parse_faults("rate5xx=0.5,seed=3"), sample_profiles=300) as sbx:
        with AepClient(AepConfig.local(), transport=sbx.transport()) as patient:
            plan = build_plan(load_project(example), patient)  # retries ride out the faults
        with AepClient(AepConfig.local(), transport=sbx.transport(), retry=NO_RETRY) as aep:
            report = apply_plan(plan, aep, ApplyOptions(concurrency=1, poll_interval=0.05))
        assert not report.ok
        assert report.count(Outcome.FAILED) >= 1
    with LocalSandbox(data, sample_profiles=300) as sbx, \
            AepClient(AepConfig.local(), transport=sbx.transport()) as aep:
        converge(example, aep)
        names = [d["name"] for d in aep.list_segment_definitions()]
        assert sorted(names) == sorted(set(names)) and len(names) == 3
        assert not build_plan(load_project(example), aep).has_changes


def test_exported_rows_match_the_pql(example: Path, sandbox: LocalSandbox,
                                     client: AepClient) -> None:
    converge(example, client)
    dataset = client.find_dataset_by_name("Female customers")
    assert dataset is not None and dataset["tags"]["segctl"] == [
        "project=default", "export=female-customers-daily"]  # besides Catalog's system tags
    rows = []
    for batch in client.list_dataset_batches(dataset["id"]):
        for part in client.read_batch_files(batch["id"]):
            assert part.name.endswith(".parquet") and part.content.startswith(b"PAR1")
            rows += pq.read_table(io.BytesIO(part.content)).to_pylist()
    exported = {row["_id"] for row in rows}
    assert rows and all(set(row) <= {"_id", "personalEmail", "person", "segmentMembership"}
                        for row in rows)
    predicate = pql.compile(pql.parse('person.gender = "female"'))
    data = sandbox.profile_data()
    expected = {pid for pid, profile, events in data.rows()
                if predicate.evaluate(profile, events, sandbox.now(), lambda _sid: False)}
    assert exported == expected and expected


def test_replace_moves_dependents_to_the_new_id(example: Path, client: AepClient) -> None:
    converge(example, client)
    before = {d["name"]: d for d in client.list_segment_definitions()}
    gold = before["Gold loyalty members"]
    # someone changed the schema by hand: AEP cannot change it back in place
    client.update_segment_definition(gold["id"], {**gold, "schema": {"name": "_xdm.context.other"}})
    plan = build_plan(load_project(example), client)
    assert [(c.key, c.action) for c in plan.actionable] == [
        ("gold-members", Action.REPLACE), ("female-gold", Action.UPDATE)]
    sent: list[tuple[str, dict[str, Any]]] = []
    real_update = client.update_segment_definition

    def recording_update(segment_id: str, body: dict[str, Any]) -> dict[str, Any]:
        sent.append((segment_id, dict(body)))
        return real_update(segment_id, body)

    client.update_segment_definition = recording_update  # type: ignore[method-assign]
    report = apply_plan(plan, client, FAST)
    assert report.ok, report.results
    # PATCH overwrites in AEP: parking the old definition sends the whole object, renamed
    parked = next(body for sid, body in sent if sid == gold["id"])
    assert parked["name"].startswith("Gold loyalty members [replaced by segctl")
    assert parked["expression"] == gold["expression"] and "schema" in parked
    after = {d["name"]: d for d in client.list_segment_definitions()}
    assert sorted(after) == sorted(before)
    new_gold = after["Gold loyalty members"]
    assert new_gold["id"] != gold["id"] and new_gold["schema"]["name"] == "_xdm.context.profile"
    assert new_gold["id"] in after["Female gold members"]["expression"]["value"]
    assert not build_plan(load_project(example), client).has_changes


def test_saved_plan_is_refused_for_another_sandbox(example: Path, client: AepClient) -> None:
    from segctl.engine import Target
    from segctl.engine.plan import target_of

    proj = load_project(example)
    plan = build_plan(proj, client)
    state = read_live_state(client, [e.dataset for e in proj.exports])
    check_fresh(plan, proj.files_hash, state.fingerprint(), target_of(proj, client))
    other = Target(plan.target.environment, "dev", plan.target.platform_url)
    with pytest.raises(StalePlanError, match="not for sandbox 'dev'"):
        check_fresh(plan, proj.files_hash, state.fingerprint(), other)


def test_failed_job_then_rerun_runs_the_jobs_and_exports(tmp_path: Path, example: Path) -> None:
    from segctl.sandbox import parse_faults

    data = tmp_path / "jobs-fail"
    with LocalSandbox(data, parse_faults("job_fail=1"), sample_profiles=300) as sbx, \
            AepClient(AepConfig.local(), transport=sbx.transport()) as aep:
        report = apply_plan(build_plan(load_project(example), aep), aep, FAST)
        outcome = {(r.kind, r.key): r.outcome for r in report.results}
        assert outcome[("segment-job", "job 1/1")] is Outcome.FAILED
        assert outcome[("export", "female-customers-daily")] is Outcome.SKIPPED
    with LocalSandbox(data, sample_profiles=300) as sbx, \
            AepClient(AepConfig.local(), transport=sbx.transport()) as aep:
        plan = build_plan(load_project(example), aep)
        assert not plan.has_changes  # definitions and dataset are there...
        assert [r.reason for r in plan.export_runs] == ["no successful export yet"]
        assert plan.segment_jobs[0].segments == ("female-customers",)  # ...memberships are not
        assert apply_plan(plan, aep, FAST).ok
        assert not build_plan(load_project(example), aep).has_work


def test_prune_deletes_datasets_made_for_exports_no_longer_declared(
    example: Path, client: AepClient, tmp_path: Path
) -> None:
    converge(example, client)
    client.create_dataset({"name": "Not ours", "tags": {"team": ["crm"]}})
    (example / "exports.yaml").unlink()
    plan = build_plan(load_project(example), client, prune=True)
    assert [(d.action, d.name) for d in plan.datasets] == [(Action.DELETE, "Female customers")]
    assert plan.has_changes and plan.summary().startswith("Plan: 0 to create, 0 to update, "
                                                          "0 to replace, 1 to delete;")
    assert not build_plan(load_project(example), client).has_changes  # only with --prune
    converge(example, client, prune=True)
    assert client.find_dataset_by_name("Female customers") is None
    assert client.find_dataset_by_name("Not ours") is not None
    assert not build_plan(load_project(example), client, prune=True).has_changes


def test_prune_deletes_the_dataset_an_export_was_re_pointed_away_from(
    example: Path, client: AepClient
) -> None:
    converge(example, client)
    exports = example / "exports.yaml"
    exports.write_text(exports.read_text().replace("dataset: Female customers",
                                                   "dataset: Women"))
    quiet = build_plan(load_project(example), client)
    assert [(d.action, d.name) for d in quiet.datasets] == [(Action.CREATE, "Women")]
    plan = build_plan(load_project(example), client, prune=True)
    assert sorted((d.action.value, d.name) for d in plan.datasets) == [
        ("create", "Women"), ("delete", "Female customers")]
    converge(example, client, prune=True)
    assert client.find_dataset_by_name("Female customers") is None
    assert client.find_dataset_by_name("Women") is not None
    assert not build_plan(load_project(example), client, prune=True).has_work


def test_the_repository_example_project_converges(tmp_path: Path, client: AepClient) -> None:
    import shutil

    source = Path(__file__).resolve().parents[2] / "segments"
    if not source.is_dir():
        pytest.skip("no example project in this checkout")
    root = tmp_path / "segments"
    shutil.copytree(source, root)
    converge(root, client)
    again = build_plan(load_project(root), client)
    assert not again.has_changes, [c for c in again.actionable]
    # only `run: always` exports (and their segments) are still run by a converged apply
    assert all(r.reason == "run: always" for r in again.export_runs)
