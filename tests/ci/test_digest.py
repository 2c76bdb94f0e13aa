"""The change digest is what a reviewer approved: stable across re-plans of the same files,
different as soon as something different would be written."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from segctl.aep import AepClient, AepConfig
from segctl.ci.digest import change_hashes, change_records, plan_digest
from segctl.engine import apply_plan, build_plan
from segctl.project import load_project
from segctl.sandbox import LocalSandbox

FILES = {
    "a.yaml": """\
        kind: Segment
        key: female-customers
        name: All Female Customers
        description: Profiles whose gender is female.
        pql: person.gender = "female"
        ---
        kind: Segment
        key: gold-members
        name: Gold loyalty members
        pql: loyalty.tier = "gold"
        """,
    "b.yaml": """\
        kind: Segment
        key: female-gold
        name: Female gold members
        pql: inSegment("key:female-customers") and inSegment("key:gold-members")
        """,
}


def write(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def client(tmp_path: Path) -> Iterator[AepClient]:
    sandbox = LocalSandbox(tmp_path / "sandbox", sample_profiles=50)
    with AepClient(AepConfig.local(), transport=sandbox.transport()) as aep:
        yield aep
    sandbox.close()


def digest_of(root: Path, client: AepClient) -> tuple[str, list[str]]:
    plan = build_plan(load_project(root), client)
    return plan_digest(plan), change_hashes(plan)


def test_stable_across_re_plans_reformatting_moves_and_unrelated_drift(
        tmp_path: Path, client: AepClient) -> None:
    first = digest_of(write(tmp_path / "one", FILES), client)
    assert first == digest_of(tmp_path / "one", client)
    # the same documents, reformatted, commented, in other files and another folder
    moved = {"all.yaml": "# moved here\n\n" + textwrap.dedent(FILES["b.yaml"]) + "---\n"
             + textwrap.dedent(
        FILES["a.yaml"]).replace('pql: person.gender = "female"',
                                 "pql: >-\n  person.gender   =\n  \"female\"")}
    assert digest_of(write(tmp_path / "two", moved), client) == first
    # unrelated live drift: another segment created in the sandbox by someone else
    client.create_segment_definition({
        "name": "Someone else's", "expression": {"type": "PQL", "format": "pql/text",
                                                 "value": "person.gender = \"male\""},
        "schema": {"name": "_xdm.context.profile"}})
    assert digest_of(tmp_path / "one", client) == first


def test_after_values_not_live_ids_decide(tmp_path: Path, client: AepClient) -> None:
    root = write(tmp_path / "p", FILES)
    apply_plan(build_plan(load_project(root), client), client)
    (root / "a.yaml").write_text((root / "a.yaml").read_text().replace(
        "is female.", "is female (self-declared)."))
    plan = build_plan(load_project(root), client)
    [record] = change_records(plan)
    assert record["key"] == "female-customers" and record["action"] == "update"
    assert record["after"] == {"description": "Profiles whose gender is female "
                                              "(self-declared)."}
    text = repr(record)
    assert "a.yaml" not in text and all(c.id not in text for c in plan.changes if c.id)
    assert plan.fingerprint and plan.fingerprint not in text
    before = plan_digest(plan)
    (root / "a.yaml").write_text((root / "a.yaml").read_text().replace(
        "(self-declared)", "(declared)"))
    assert plan_digest(build_plan(load_project(root), client)) != before
