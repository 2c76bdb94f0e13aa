"""kind: Schedule of type export, planned and applied against the local sandbox: created with
its export's job body (the ids of segments and a dataset created by the same apply filled in),
a second plan empty, state and time PATCHed, a changed export replaced (DELETE then POST: the
API patches only state and time), the three renderings, saved plans, and the nightly run that
writes a new batch into the export's dataset."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from segctl.aep import AepClient
from segctl.aep._profile import SCHEDULES
from segctl.engine import Action, apply_plan, build_plan
from segctl.engine.model import FieldChange
from segctl.engine.planfile import plan_from_dict, plan_to_dict
from segctl.engine.writes import inconsistencies, planned_writes
from segctl.project import load_project
from segctl.render import json as json_render
from segctl.render import markdown, text
from segctl.sandbox import LocalSandbox
from tests.sandbox.conftest import fixed_now

from .conftest import Recording
from .test_apply import FAST

FILES = {
    "women.yaml": """\
kind: Segment
key: women
name: Women
pql: person.gender = "female"
---
kind: Segment
key: men
name: Men
pql: person.gender = "male"
""",
    "export.yaml": """\
kind: Export
key: women-daily
segments: [women]
dataset: Women export
fields: [person.gender]
""",
    "schedule.yaml": """\
kind: Schedule
key: women-nightly
type: export
export: women-daily
schedule: "0 0 3 * * ?"
""",
}


def _project(root: Path, **changed: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, body in {**FILES, **changed}.items():
        (root / name).write_text(body, encoding="utf-8")
    return root


def _exports(aep: AepClient) -> list[dict]:
    return [s for s in aep.list_schedules() if s["type"] == "export"]



@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[LocalSandbox]:
    app = LocalSandbox(tmp_path / "sandbox", sample_profiles=20, now=fixed_now)
    yield app
    app.close()

def test_created_with_the_ids_of_what_the_same_apply_creates(
        tmp_path: Path, sandbox: LocalSandbox, wire: tuple[AepClient, Recording]) -> None:
    aep, recording = wire
    plan = build_plan(load_project(_project(tmp_path / "p")), aep)
    [change] = plan.schedules
    assert (change.action, change.key, change.type, change.export, change.name) == (
        Action.CREATE, "women-nightly", "export", "women-daily", "segctl export women-daily")
    assert change.properties == {
        "filter": {"segments": [{"segmentId": "key:women", "segmentNs": "ups",
                                 "status": ["realized", "existing"]}]},
        "destination": {"datasetId": "dataset:Women export", "segmentPerBatch": False},
        "schema": {"name": "_xdm.context.profile"}, "fields": "person.gender"}
    assert plan.summary().startswith("Plan: 4 to create, 0 to update")  # 2 + dataset + this

    report = apply_plan(plan, aep, FAST)
    assert report.ok, report.results
    [post] = recording.to_schedules("POST")
    sent = json.loads(post.content)
    women = next(c.id for c in build_plan(load_project(tmp_path / "p"), aep).changes
                 if c.key == "women")
    dataset = aep.find_dataset_by_name("Women export")
    assert dataset is not None
    assert sent == {"name": "segctl export women-daily", "type": "export",
                    "properties": {
                        "filter": {"segments": [{"segmentId": women, "segmentNs": "ups",
                                                 "status": ["realized", "existing"]}]},
                        "destination": {"datasetId": dataset["id"], "segmentPerBatch": False},
                        "schema": {"name": "_xdm.context.profile"}, "fields": "person.gender"},
                    "schedule": "0 0 3 * * ?", "state": "active"}
    [live] = _exports(aep)
    assert (live["state"], live["schedule"], live["properties"]) == (
        "active", "0 0 3 * * ?", sent["properties"])
    result = next(r for r in report.results if r.kind == "schedule")
    assert (result.action, result.key, result.id) == ("create", "women-nightly", live["id"])

    again = build_plan(load_project(tmp_path / "p"), aep)
    assert [c.action for c in again.schedules] == [Action.NOOP] and not again.has_work
    assert again.schedules[0].id == live["id"]

    # the sandbox runs it the next night at 03:00: a new batch in the export's dataset
    before = aep.find_dataset_by_name("Women export")
    assert before is not None
    started = sandbox.advance(timedelta(hours=16))
    assert [("destination" in job) for _, job in started] == [False, True]
    assert sandbox.wait_idle(60)
    after = aep.find_dataset_by_name("Women export")
    assert after is not None
    assert after["lastSuccessfulBatch"] != before["lastSuccessfulBatch"]
    assert after["lastSuccessfulBatch"] == started[1][1]["destination"]["batchId"]
    # the scheduled run exported what the export declares: nothing is stale afterwards
    assert not build_plan(load_project(tmp_path / "p"), aep).has_work


def test_state_and_time_are_patched(tmp_path: Path, wire: tuple[AepClient, Recording]) -> None:
    aep, recording = wire
    assert apply_plan(build_plan(load_project(_project(tmp_path / "p")), aep), aep, FAST).ok
    [live] = _exports(aep)
    body = FILES["schedule.yaml"].replace("0 0 3", "0 15 4") + "state: inactive\n"
    plan = build_plan(load_project(_project(tmp_path / "p", **{"schedule.yaml": body})), aep)
    [change] = plan.schedules
    assert (change.action, change.id, change.fields) == (Action.UPDATE, live["id"], (
        FieldChange("schedule", "0 0 3 * * ?", "0 15 4 * * ?"),
        FieldChange("state", "active", "inactive")))
    assert apply_plan(plan, aep, FAST).ok
    [patch] = recording.to_schedules("PATCH")
    assert patch.url.path == f"{SCHEDULES}/{live['id']}"
    assert json.loads(patch.content) == [
        {"op": "add", "path": "/schedule", "value": "0 15 4 * * ?"},
        {"op": "add", "path": "/state", "value": "inactive"}]
    assert recording.to_schedules("DELETE") == []
    [now] = _exports(aep)
    assert (now["id"], now["schedule"], now["state"]) == (live["id"], "0 15 4 * * ?",
                                                           "inactive")
    assert not build_plan(load_project(tmp_path / "p"), aep).has_work


def test_a_changed_export_replaces_the_schedule(
        tmp_path: Path, wire: tuple[AepClient, Recording]) -> None:
    aep, recording = wire
    assert apply_plan(build_plan(load_project(_project(tmp_path / "p")), aep), aep, FAST).ok
    [old] = _exports(aep)
    export = FILES["export.yaml"].replace("[women]", "[women, men]").replace(
        "[person.gender]", "[person.gender, personalEmail.address]")
    plan = build_plan(load_project(_project(tmp_path / "p", **{"export.yaml": export})), aep)
    [change] = plan.schedules
    assert (change.action, change.id) == (Action.REPLACE, old["id"])
    assert change.fields == (
        FieldChange("export.segments", ["women"], ["men", "women"]),
        FieldChange("export.fields", ["person.gender"],
                    ["person.gender", "personalEmail.address"]))
    assert "0 to update, 1 to replace" in plan.summary()
    assert inconsistencies(plan) == []

    shown = text.render_plan(plan)
    assert "  -/+ schedule 'women-nightly' (segctl export women-daily, export)" in shown
    assert '      ~ export.segments: ["women"] -> ["men", "women"]' in shown
    assert "deleted and created anew" in shown
    md = markdown.render_plan(plan)
    assert "**women-nightly**" in md and "replace it (AEP patches only state and time)" in md
    doc = json.loads(json_render.render_plan(plan))
    assert doc["summary"]["replace"] == 1
    assert doc["schedules"][0]["action"] == "replace"
    assert doc["schedules"][0]["export"] == "women-daily"

    recording.sent.clear()
    report = apply_plan(plan, aep, FAST)
    assert report.ok, report.results
    [delete] = recording.to_schedules("DELETE")
    [post] = recording.to_schedules("POST")
    assert delete.url.path == f"{SCHEDULES}/{old['id']}"
    assert recording.sent.index(delete) < recording.sent.index(post)
    [new] = _exports(aep)
    assert new["id"] != old["id"]
    assert new["properties"]["fields"] == "person.gender,personalEmail.address"
    assert len(new["properties"]["filter"]["segments"]) == 2
    assert not build_plan(load_project(tmp_path / "p"), aep).has_work


def test_renderings_and_saved_plan_of_a_create(
        tmp_path: Path, wire: tuple[AepClient, Recording]) -> None:
    aep, _ = wire
    body = FILES["schedule.yaml"] + 'name: "<b>Women</b> @team"\n'
    plan = build_plan(load_project(_project(tmp_path / "p", **{"schedule.yaml": body})), aep)
    shown = text.render_plan(plan)
    assert "  + schedule 'women-nightly' (<b>Women</b> @team, export)" in shown
    assert "      # the sandbox has no schedule of export women-daily" in shown
    assert '      + schedule: "0 0 3 * * ?"' in shown and '      + export: "women-daily"' in shown
    md = markdown.render_plan(plan)
    assert "#### Schedules" in md and "running export **women-daily**" in md
    assert "<b>Women</b>" not in md and "@team" not in md  # escaped: no tag, no mention
    assert json.loads(json_render.render_plan(plan))["schedules"][0]["action"] == "create"

    doc = json.loads(json.dumps(plan_to_dict(plan)))
    assert doc["schedules"][0]["properties"]["destination"]["datasetId"] == \
        "dataset:Women export"
    loaded = plan_from_dict(doc)
    assert loaded == plan
    assert [(w.kind, w.verb, w.key) for w in planned_writes(loaded)][-1] == (
        "schedule", "create", "women-nightly")
    assert inconsistencies(loaded) == []


def test_a_batch_schedule_entry_keeps_its_bytes(
        tmp_path: Path, wire: tuple[AepClient, Recording]) -> None:
    """Batch schedules carry neither export nor properties in a saved plan."""
    aep, _ = wire
    batch = 'kind: Schedule\nkey: nightly\ntype: batch_segmentation\nschedule: "0 30 2 * * ?"\n'
    plan = build_plan(load_project(_project(tmp_path / "p", **{"schedule.yaml": batch})), aep)
    [entry] = plan_to_dict(plan)["schedules"]
    assert "export" not in entry and "properties" not in entry
