"""kind: Schedule planned and applied against the local sandbox's batch segmentation schedule:
the diff, the writes sent (one list read, a PATCH of ``add`` ops or a POST when missing), saved
plans, the three renderings, and the run that follows at the new time."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from segctl.aep import AepClient
from segctl.aep._profile import SCHEDULES
from segctl.cli import main
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

SCHEDULE = """\
kind: Schedule
key: nightly
type: batch_segmentation
schedule: "0 30 2 * * ?"
"""


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[LocalSandbox]:
    app = LocalSandbox(tmp_path / "sandbox", sample_profiles=20, now=fixed_now)
    yield app
    app.close()


def _project(root: Path, body: str = SCHEDULE) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "schedule.yaml").write_text(body, encoding="utf-8")
    return root


def test_a_changed_time_is_planned_patched_and_run_at_the_new_time(
        tmp_path: Path, sandbox: LocalSandbox, wire: tuple[AepClient, Recording]) -> None:
    aep, recording = wire
    project = load_project(_project(tmp_path / "p"))
    plan = build_plan(project, aep)
    assert len(recording.to_schedules("GET")) == 1  # one list read
    [system] = aep.list_schedules()
    [change] = plan.schedules
    assert (change.action, change.id, change.fields) == (Action.UPDATE, system["id"], (
        FieldChange("schedule", "0 0 1 * * ?", "0 30 2 * * ?"),))
    assert plan.has_changes and plan.has_work
    assert plan.summary().startswith("Plan: 0 to create, 1 to update, 0 to replace")

    report = apply_plan(plan, aep, FAST)
    assert report.ok, report.results
    [patch] = recording.to_schedules("PATCH")
    assert patch.url.path == f"{SCHEDULES}/{system['id']}"
    assert patch.headers["content-type"] == "application/json"
    assert json.loads(patch.content) == [
        {"op": "add", "path": "/schedule", "value": "0 30 2 * * ?"}]
    assert recording.to_schedules("POST") == []  # never a second batch schedule
    assert aep.get_schedule(system["id"])["schedule"] == "0 30 2 * * ?"

    again = build_plan(load_project(tmp_path / "p"), aep)
    assert [c.action for c in again.schedules] == [Action.NOOP] and not again.has_work

    # the next night the scheduler starts the batch job at 02:30, not at 01:00 (it is noon)
    assert sandbox.advance(timedelta(hours=14)) == []  # 02:00: past the old time only
    started = sandbox.advance(timedelta(hours=1))  # 03:00
    assert [job["source"] for _, job in started] == ["scheduler"]
    [(_, job)] = started
    assert job["properties"]["scheduleId"] == system["id"]
    assert datetime.fromtimestamp(job["creationTime"] / 1000, tz=UTC) == datetime(
        2026, 6, 2, 3, 0, tzinfo=UTC)


def test_state_inactive_pauses_the_nightly_run(
        tmp_path: Path, sandbox: LocalSandbox, wire: tuple[AepClient, Recording]) -> None:
    aep, recording = wire
    body = SCHEDULE.replace("0 30 2", "0 0 1") + "state: inactive\n"
    plan = build_plan(load_project(_project(tmp_path / "p", body)), aep)
    assert [f.field for f in plan.schedules[0].fields] == ["state"]
    assert apply_plan(plan, aep, FAST).ok
    [patch] = recording.to_schedules("PATCH")
    assert json.loads(patch.content) == [{"op": "add", "path": "/state", "value": "inactive"}]
    assert sandbox.advance(timedelta(days=2)) == []


def test_a_missing_batch_schedule_is_created_once(
        tmp_path: Path, wire: tuple[AepClient, Recording]) -> None:
    aep, recording = wire
    [system] = aep.list_schedules()
    aep._delete(f"{SCHEDULES}/{system['id']}")
    body = SCHEDULE.replace("key: nightly", "key: nightly\nname: Nightly <all> audiences")
    project = load_project(_project(tmp_path / "p", body))
    plan = build_plan(project, aep)
    [change] = plan.schedules
    assert change.action is Action.CREATE and plan.summary().startswith("Plan: 1 to create")
    assert apply_plan(plan, aep, FAST).ok
    [post] = recording.to_schedules("POST")
    assert json.loads(post.content) == {
        "name": "Nightly <all> audiences", "type": "batch_segmentation",
        "properties": {"segments": []}, "schedule": "0 30 2 * * ?", "state": "active"}
    [created] = aep.list_schedules()
    assert (created["name"], created["schedule"], created["state"]) == (
        "Nightly <all> audiences", "0 30 2 * * ?", "active")
    assert not build_plan(project, aep).has_work


def test_saved_plan_round_trip_and_edited_plans(
        tmp_path: Path, wire: tuple[AepClient, Recording]) -> None:
    aep, _ = wire
    plan = build_plan(load_project(_project(tmp_path / "p")), aep)
    doc = json.loads(json.dumps(plan_to_dict(plan)))
    assert doc["summary"]["update"] == 1 and doc["summary"]["has_work"] is True
    assert doc["schedules"][0]["fields"] == [
        {"field": "schedule", "before": "0 0 1 * * ?", "after": "0 30 2 * * ?"}]
    loaded = plan_from_dict(doc)
    assert loaded == plan
    assert planned_writes(loaded) == planned_writes(plan)
    assert [(w.kind, w.verb, w.body) for w in planned_writes(loaded)] == [
        ("schedule", "update", {"schedule": "0 30 2 * * ?"})]
    assert inconsistencies(loaded) == []
    # a plan whose shown diff and sent body disagree is caught
    doc["schedules"][0]["fields"][0]["after"] = "0 0 5 * * ?"
    assert inconsistencies(plan_from_dict(doc)) == ["schedule nightly.schedule"]
    # a plan written before schedules existed (same format_version) has none
    old = {k: v for k, v in plan_to_dict(plan).items() if k != "schedules"}
    assert plan_from_dict(old).schedules == ()


def test_renderings_show_the_change_with_user_text_escaped(
        tmp_path: Path, wire: tuple[AepClient, Recording]) -> None:
    aep, _ = wire
    [system] = aep.list_schedules()
    aep._delete(f"{SCHEDULES}/{system['id']}")
    body = SCHEDULE.replace("key: nightly", 'key: nightly\nname: "<img src=x> @team \\e[31m"')
    plan = build_plan(load_project(_project(tmp_path / "p", body)), aep)
    shown = text.render_plan(plan)
    assert "  + schedule 'nightly' (<img src=x> @team \\x1b[31m, batch_segmentation)" in shown
    assert '      + schedule: "0 30 2 * * ?"' in shown and "\x1b" not in shown
    md = markdown.render_plan(plan)
    assert "#### Schedules" in md and "\\<img src=x\\>" in md  # text, not an HTML tag
    assert "<img" not in md.replace("\\<img", "") and "@team" not in md  # no @mention
    assert "`0 30 2 * * ?`" in md
    assert json.loads(json_render.render_plan(plan))["schedules"][0]["action"] == "create"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = int(main(list(args)) or 0)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_journey_plan_apply_plan_advance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    monkeypatch.setenv("SEGCTL_SANDBOX_DIR", str(tmp_path / ".segctl"))
    for name in ("AEP_PLATFORM_URL", "AEP_SANDBOX", "SEGCTL_FAULTS"):
        monkeypatch.delenv(name, raising=False)
    _project(tmp_path / "segments")
    assert _run(capsys, "apply", "segments", "--auto-approve")[0] == 0  # creates the sandbox
    (tmp_path / "segments" / "schedule.yaml").write_text(
        SCHEDULE.replace("0 30 2", "0 45 3"), encoding="utf-8")
    code, out, _ = _run(capsys, "plan", "segments", "--detailed-exitcode")
    assert code == 2
    assert '      ~ schedule: "0 30 2 * * ?" -> "0 45 3 * * ?"' in out
    code, out, err = _run(capsys, "apply", "segments", "--auto-approve")
    assert code == 0, err
    assert "ok: schedule update nightly" in err
    code, out, _ = _run(capsys, "plan", "segments", "--detailed-exitcode")
    assert code == 0 and out.startswith("No changes.")
    code, out, _ = _run(capsys, "sandbox", "advance", "1d")
    assert code == 0 and "Started scheduled segment job" in out
    app = LocalSandbox(tmp_path / ".segctl")
    try:
        [(_, schedule)] = app.store.all_scopes("schedule")
        assert (schedule["schedule"], schedule["state"]) == ("0 45 3 * * ?", "active")
        [job] = [job for _, job in app.store.all_scopes("segjob")
                 if job["source"] == "scheduler"]
        assert job["properties"]["scheduleId"] == schedule["id"]
    finally:
        app.close()


def test_target_plans_a_schedule_only_when_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEGCTL_SANDBOX_DIR", str(tmp_path / ".segctl"))
    for name in ("AEP_PLATFORM_URL", "AEP_SANDBOX", "SEGCTL_FAULTS"):
        monkeypatch.delenv(name, raising=False)
    root = _project(tmp_path / "segments")
    (root / "women.yaml").write_text(
        'kind: Segment\nkey: women\nname: Women\npql: person.gender = "female"\n',
        encoding="utf-8")
    code, out, err = _run(capsys, "plan", "--target", "women", "--format", "json")
    assert code == 0, err
    assert "schedules" not in json.loads(out)
    for args in (("--target", "nightly"), ("segments/schedule.yaml",)):
        code, out, err = _run(capsys, "plan", *args, "--format", "json")
        assert code == 0, err
        doc = json.loads(out)
        assert [s["key"] for s in doc["schedules"]] == ["nightly"]
        assert doc["segment_changes"] == []
