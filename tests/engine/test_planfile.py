"""The plan format's room: the codec derived from the dataclasses, the published JSON Schema
(schemas/plan.schema.json) and what load_plan accepts and refuses.

Regenerate the schema after a change to the plan's dataclasses with:

    SEGCTL_UPDATE_GOLDEN=1 python -m pytest tests/engine/test_planfile.py -q
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from segctl.aep import AepClient
from segctl.engine import (
    Action,
    FieldChange,
    TamperedPlanError,
    build_plan,
    load_plan,
    plan_from_dict,
    plan_to_dict,
    save_plan,
)
from segctl.engine.model import ScheduleChange
from segctl.engine.planfile import checksum, plan_schema
from segctl.errors import UsageError
from segctl.project import load_project
from tests.render.sample_plans import PLANS

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "schemas" / "plan.schema.json"
GOLDEN = REPO / "tests" / "fixtures" / "plans"


def test_the_published_schema_is_the_one_derived_from_the_dataclasses() -> None:
    derived = json.dumps(plan_schema(), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("SEGCTL_UPDATE_GOLDEN"):
        SCHEMA_FILE.write_text(derived, encoding="utf-8")
    assert SCHEMA_FILE.read_text(encoding="utf-8") == derived, (
        "schemas/plan.schema.json is out of date: run "
        "SEGCTL_UPDATE_GOLDEN=1 python -m pytest tests/engine/test_planfile.py")
    Draft202012Validator.check_schema(json.loads(derived))


def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def _problems(doc: Any) -> list[str]:
    return sorted(f"{list(e.absolute_path)}: {e.validator}" for e in _validator().iter_errors(doc))


def _every_plan_document(built: dict[str, Any]) -> dict[str, Any]:
    docs = {f"golden {p.name}": json.loads(p.read_text()) for p in sorted(GOLDEN.glob("*.json"))}
    docs.update({f"sample {name}": plan_to_dict(make()) for name, make in PLANS.items()})
    docs.update(built)
    return docs


def test_the_schema_accepts_every_plan_the_goldens_and_the_engine_produce(
        example: Path, client: AepClient) -> None:
    project = load_project(example)
    with_schedule = replace(PLANS["every_action"](), schedules=(
        ScheduleChange(Action.UPDATE, "nightly", "batch_segmentation", "nightly", "0 0 1 * * ?",
                       "active", "sch-1", (FieldChange("state", "inactive", "active"),)),))
    built = {"built (create)": plan_to_dict(build_plan(project, client)),
             "with a schedule": plan_to_dict(with_schedule)}
    assert "schedules" in built["with a schedule"]
    docs = _every_plan_document(built)
    assert len(docs) >= len(PLANS) * 2 + 1
    for name, doc in docs.items():
        assert _problems(doc) == [], name
    every_action = plan_to_dict(PLANS["every_action"]())
    assert {c["action"] for c in every_action["segment_changes"]} == {
        "create", "update", "replace", "delete"}


_TAMPERINGS: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "an unknown action": (
        lambda d: d["segment_changes"][0].update(action="frobnicate"),
        "segment_changes[0].action: 'frobnicate' is not one of"),
    "a number where a string belongs": (
        lambda d: d["segment_changes"][1]["desired"].update(pql=42),
        "segment_changes[1].desired.pql: 42 is not of type 'string'"),
    "a missing required key": (
        lambda d: d["datasets"][0].pop("export"),
        "datasets[0]: 'export' is a required property"),
    "labels as a string": (
        lambda d: d["segment_changes"][1]["desired"].update(labels="gold"),
        "segment_changes[1].desired.labels: 'gold' is not of type 'array'"),
    "a ration count as text": (
        lambda d: d["evaluation"]["ration"].update(used_today="1"),
        "evaluation.ration.used_today: '1' is not of type 'integer'"),
    "no live fingerprint": (
        lambda d: d.pop("live_fingerprint"),
        "the document: 'live_fingerprint' is a required property"),
}


@pytest.mark.parametrize("tampering", sorted(_TAMPERINGS))
def test_a_tampered_plan_is_refused_naming_the_place(tmp_path: Path, tampering: str) -> None:
    edit, message = _TAMPERINGS[tampering]
    source = PLANS["evaluation_work" if "ration" in tampering else "every_action"]()
    doc = plan_to_dict(source)
    assert _problems(doc) == []
    edit(doc)
    assert _problems(doc) != []
    doc["checksum"] = checksum(doc)  # a hand-made plan: the checksum alone would pass it
    path = tmp_path / "p.plan"
    path.write_text(json.dumps(doc, indent=2))
    with pytest.raises(UsageError) as caught:
        load_plan(path)
    assert caught.value.exit_code == 1
    assert caught.value.message.startswith("not a segctl plan file: at ")
    assert message in caught.value.message
    assert caught.value.location is not None and caught.value.location.file == str(path)


def _with_unknown_keys(doc: dict[str, Any]) -> dict[str, Any]:
    """Every object of the document gains a key a later segctl (same format_version) might
    write (not inside the free JSON values of a field change, nor in the summary)."""
    out = copy.deepcopy(doc)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in ("before", "after", "summary"):
                    visit(value)
            node["added_later"] = {"any": ["json"]}
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(out)
    return out


@pytest.mark.parametrize("name", sorted(PLANS))
def test_unknown_keys_are_tolerated_within_the_format_version(name: str, tmp_path: Path) -> None:
    plan = PLANS[name]()
    doc = _with_unknown_keys(plan_to_dict(plan))
    assert doc != plan_to_dict(plan)
    assert plan_from_dict(doc) == plan
    doc["checksum"] = checksum(doc)
    path = tmp_path / "p.plan"
    path.write_text(json.dumps(doc))
    assert load_plan(path) == plan


def test_unknown_keys_reach_every_nested_object() -> None:
    doc = _with_unknown_keys(plan_to_dict(PLANS["every_action"]()))
    assert "added_later" in doc["segment_changes"][1]["desired"]
    assert "added_later" in doc["segment_changes"][2]["changes"][0]
    assert "added_later" in doc["target"] and "added_later" in doc["other_projects"][0]
    assert "added_later" in doc["project"]
    estimates = _with_unknown_keys(plan_to_dict(PLANS["with_estimates"]()))
    last = next(e["last_evaluated"] for e in estimates["estimates"] if e["last_evaluated"])
    assert "added_later" in last
    work = _with_unknown_keys(plan_to_dict(PLANS["evaluation_work"]()))
    assert "added_later" in work["evaluation"]["ration"]
    assert "added_later" in work["evaluation"]["awaiting"][0]


def test_keys_added_within_the_version_read_as_their_defaults() -> None:
    plan = PLANS["evaluation_work"]()
    doc = plan_to_dict(plan)
    for added in ("evaluation", "targets", "other_origins", "estimates", "schedules"):
        doc.pop(added, None)
    for dataset in doc["datasets"]:
        dataset.pop("reason")
    read = plan_from_dict(doc)
    assert read.awaiting == () and read.ration is None and read.targets == ()
    assert read.changes == plan.changes


def test_plan_from_dict_names_the_bad_field() -> None:
    doc = plan_to_dict(PLANS["every_action"]())
    doc["segment_changes"][2]["desired"]["protect"] = "yes"
    with pytest.raises(UsageError, match=r"segment_changes\[2\]\.desired\.protect: "
                                         r"expected boolean, got a string"):
        plan_from_dict(doc)
    del doc["segment_changes"][2]["key"]
    with pytest.raises(UsageError, match=r"segment_changes\[2\]: missing required key 'key'"):
        plan_from_dict(doc)


def test_checksum_and_version_checks_come_first(tmp_path: Path, example: Path,
                                                client: AepClient) -> None:
    path = tmp_path / "p.plan"
    save_plan(build_plan(load_project(example), client), path)
    assert load_plan(path).files_hash
    doc = json.loads(path.read_text())
    doc["segment_changes"][0]["action"] = "frobnicate"  # checksum not recomputed: tampered
    path.write_text(json.dumps(doc))
    with pytest.raises(TamperedPlanError, match="checksum does not match"):
        load_plan(path)
    doc["format_version"] = 3
    path.write_text(json.dumps(doc))
    with pytest.raises(UsageError, match="unsupported plan format_version 3"):
        load_plan(path)
