"""Two segctl projects on one sandbox: B never adopts, updates, replaces or prunes A's
segments or datasets; a collision is an error naming the owner; the summary counts what is
left alone. Markers from before projects are re-stamped, without duplicates."""

from __future__ import annotations

import json
from pathlib import Path

from segctl.aep import AepClient, AepConfig
from segctl.sandbox import LocalSandbox

from .conftest import Run

B_FILES = """\
kind: Project
name: team-b
---
kind: Segment
key: b-gmail
name: B gmail users
pql: personalEmail.address.endsWith("@gmail.com")
---
kind: Export
key: b-daily
segments: [b-gmail]
dataset: B dataset
"""


def _project_b(workdir: Path, extra: str = "") -> Path:
    folder = workdir / "b"
    folder.mkdir(exist_ok=True)
    (folder / "b.yaml").write_text(B_FILES + extra, encoding="utf-8")
    return folder


def _live(workdir: Path) -> list[dict[str, object]]:
    sandbox = LocalSandbox(workdir / ".segctl")
    try:
        with AepClient(AepConfig.local(), transport=sandbox.transport()) as aep:
            return aep.list_segment_definitions()
    finally:
        sandbox.close()


def test_project_b_leaves_project_a_alone(workdir: Path, run: Run) -> None:
    assert run("apply", "--auto-approve")[0] == 0  # project A: example-segments
    before = {d["id"]: (d["updateTime"], d["description"]) for d in _live(workdir)}
    _project_b(workdir)
    code, out, err = run("plan", "b", "--prune")
    assert code == 0, err
    assert "to delete" in out and "0 to delete" in out  # none of A's segments or datasets
    assert "Left alone: 0 unmanaged, 13 owned by other projects." in out
    assert "segment 'All Female Customers' (example-segments)" in out
    doc = json.loads(run("plan", "b", "--prune", "--format", "json")[1])
    assert doc["summary"]["delete"] == 0 and doc["summary"]["other_projects"] == 13
    assert doc["project"]["name"] == "team-b"
    markdown = run("plan", "b", "--prune", "--format", "markdown")[1]
    assert "Left alone: 0 unmanaged, 13 owned by other projects." in markdown
    assert "Owned by other projects (never touched):" in markdown

    assert run("apply", "b", "--prune", "--auto-approve")[0] == 0
    after = {d["id"]: (d["updateTime"], d["description"]) for d in _live(workdir)}
    assert {i: v for i, v in after.items() if i in before} == before  # A untouched
    assert run("plan", "--detailed-exitcode")[0] == 0  # A still converged
    assert run("plan", "b", "--prune", "--detailed-exitcode")[0] == 0
    # and A pruning does not delete B's segment or dataset either
    code, out, _ = run("plan", "--prune")
    assert code == 0 and "0 to delete" in out and "B gmail users" in out


def test_a_declared_name_held_by_another_project_fails_naming_the_owner(
        workdir: Path, run: Run) -> None:
    assert run("apply", "--auto-approve", "--no-jobs")[0] == 0
    _project_b(workdir, "---\nkind: Segment\nkey: women\nname: All Female Customers\n"
                        "pql: person.gender = \"female\"\n")
    for command in (("plan", "b"), ("apply", "b", "--auto-approve")):
        code, out, err = run(*command)
        assert (code, out) == (1, "")
        assert "segment 'women': the name 'All Female Customers' belongs to live segment" in err
        assert "owned by project 'example-segments'" in err


def test_an_export_into_another_projects_dataset_fails(workdir: Path, run: Run) -> None:
    assert run("apply", "--auto-approve")[0] == 0
    folder = _project_b(workdir)
    (folder / "b.yaml").write_text(B_FILES.replace("dataset: B dataset",
                                                   "dataset: Female customers"))
    code, _, err = run("plan", "b")
    assert code == 1
    assert "b/b.yaml:12:10: error: export 'b-daily': the dataset 'Female customers'" in err
    assert "owned by project 'example-segments'" in err


def test_markers_from_before_projects_are_restamped_without_duplicates(
        workdir: Path, run: Run) -> None:
    assert run("apply", "--auto-approve", "--no-jobs")[0] == 0
    sandbox = LocalSandbox(workdir / ".segctl")
    try:
        with AepClient(AepConfig.local(), transport=sandbox.transport()) as aep:
            for doc in aep.list_segment_definitions():  # what segctl 0.x wrote
                old = str(doc["description"]).replace("project=example-segments;", "")
                aep.update_segment_definition(str(doc["id"]), {**doc, "description": old})
            ids = sorted(str(d["id"]) for d in aep.list_segment_definitions())
            female = aep.find_dataset_by_name("Female customers")
            assert female is not None
            aep.set_dataset_tag(female["id"], "segctl", ["export=female-customers-daily"])
            datasets = sorted(str(d["id"]) for d in aep.list_datasets())
    finally:
        sandbox.close()
    code, out, _ = run("plan", "--prune")
    assert code == 0
    assert "12 to adopt" in out and "0 to create" in out and "0 to delete" in out
    assert "marked before projects existed" in out
    assert "~ dataset 'Female customers'" in out and "tagged before projects existed" in out
    assert run("apply", "--auto-approve", "--no-jobs")[0] == 0
    live = _live(workdir)
    assert sorted(str(d["id"]) for d in live) == ids  # same definitions, none added
    assert all("[segctl:project=example-segments;key=" in str(d["description"]) for d in live)
    sandbox = LocalSandbox(workdir / ".segctl")
    try:
        with AepClient(AepConfig.local(), transport=sandbox.transport()) as aep:
            assert sorted(str(d["id"]) for d in aep.list_datasets()) == datasets
            female = aep.find_dataset_by_name("Female customers")
            assert female is not None and female["tags"]["segctl"] == [
                "project=example-segments", "export=female-customers-daily"]
    finally:
        sandbox.close()
    assert "0 to adopt" not in run("plan")[1] and "to adopt" not in run("plan")[1]


def test_unmarked_segments_are_counted_and_still_adoptable(workdir: Path, run: Run) -> None:
    sandbox = LocalSandbox(workdir / ".segctl")
    try:
        with AepClient(AepConfig.local(), transport=sandbox.transport()) as aep:
            for name, pql in (("Hand made", 'person.gender = "male"'),
                              ("All Female Customers", 'person.gender = "female"')):
                aep.create_segment_definition({
                    "name": name, "schema": {"name": "_xdm.context.profile"},
                    "expression": {"type": "PQL", "format": "pql/text", "value": pql}})
    finally:
        sandbox.close()
    code, out, _ = run("plan", "--prune")
    assert code == 0
    assert "adopted by name" in out  # the unmarked 'All Female Customers'
    assert "Left alone: 1 unmanaged, 0 owned by other projects." in out
    assert "'Hand made'" not in out.split("Left alone")[0]  # never pruned

