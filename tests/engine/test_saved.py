"""The saved-plan façade (engine/saved.py): what apply PLANFILE and ci apply are told."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from segctl.aep import AepClient
from segctl.engine import (
    StalePlanError,
    build_plan,
    check_saved_plan,
    check_unchanged,
    open_saved_plan,
    save_plan,
)
from segctl.errors import UsageError
from segctl.project import load_project, select


def _save(example: Path, client: AepClient, out: Path, *, targets: tuple[str, ...] = (),
          prune: bool = False) -> None:
    project = load_project(example)
    plan = build_plan(project if not targets else select(project, targets).project, client,
                      prune=prune)
    save_plan(replace(plan, targets=targets) if targets else plan, out)


def test_a_fresh_saved_plan_is_returned_as_saved(example: Path, client: AepClient,
                                                 tmp_path: Path) -> None:
    _save(example, client, tmp_path / "p.plan")
    saved = open_saved_plan(tmp_path / "p.plan")
    assert saved.project.root == load_project(example).root
    assert check_saved_plan(saved.plan, saved.project, client) is saved.plan


def test_a_partial_plan_is_compared_with_the_project_narrowed_the_same_way(
        example: Path, client: AepClient, tmp_path: Path) -> None:
    _save(example, client, tmp_path / "p.plan", targets=("gold-members",))
    saved = open_saved_plan(tmp_path / "p.plan")
    assert [c.key for c in saved.plan.changes] == ["gold-members"]
    assert len(saved.project.segments) == 3  # the whole project; the check narrows it
    assert check_saved_plan(saved.plan, saved.project, client) is saved.plan


def test_changed_files_live_state_or_target_make_a_saved_plan_stale(
        example: Path, client: AepClient, tmp_path: Path) -> None:
    _save(example, client, tmp_path / "p.plan")
    saved = open_saved_plan(tmp_path / "p.plan")
    elsewhere = replace(saved.plan, target=replace(saved.plan.target, sandbox="dev"))
    with pytest.raises(StalePlanError, match=r"made for sandbox 'dev'.*not for sandbox 'prod'"):
        check_saved_plan(elsewhere, saved.project, client)
    customers = example / "customers.yaml"
    customers.write_text(customers.read_text().replace('"gold"', '"silver"'))
    with pytest.raises(StalePlanError, match="project files changed"):
        check_saved_plan(saved.plan, load_project(example), client)
    some = client.list_segment_definitions()
    client.create_segment_definition({**_definition(), "name": "made by hand"})
    assert len(client.list_segment_definitions()) == len(some) + 1
    with pytest.raises(StalePlanError, match="live sandbox changed"):
        check_saved_plan(saved.plan, saved.project, client)
    with pytest.raises(StalePlanError, match="changed after the plan was shown"):
        check_unchanged(saved.plan, saved.project, client)


def test_check_unchanged_passes_while_nobody_writes(example: Path, client: AepClient) -> None:
    project = load_project(example)
    plan = build_plan(project, client)
    check_unchanged(plan, project, client)


def test_open_refuses_a_contradicting_env_or_prune_and_a_missing_folder(
        example: Path, client: AepClient, tmp_path: Path) -> None:
    out = tmp_path / "p.plan"
    _save(example, client, out)
    with pytest.raises(UsageError, match="made for environment None, not 'prod'"):
        open_saved_plan(out, environment="prod")
    with pytest.raises(UsageError, match="--prune is decided when the plan is made"):
        open_saved_plan(out, prune=True)
    _save(example, client, out, prune=True)
    assert open_saved_plan(out, prune=True).plan.prune
    moved = example.rename(tmp_path / "elsewhere")
    with pytest.raises(UsageError, match=r"project folder .* is not here") as caught:
        open_saved_plan(out)
    assert caught.value.location is not None and caught.value.location.file == str(out)
    assert moved.is_dir()


def _definition() -> dict[str, object]:
    return {"name": "x", "expression": {"type": "PQL", "format": "pql/text",
                                        "value": 'person.gender = "male"'},
            "schema": {"name": "_xdm.context.profile"}, "evaluationInfo": {
                "batch": {"enabled": True}, "continuous": {"enabled": False},
                "synchronous": {"enabled": False}}}
