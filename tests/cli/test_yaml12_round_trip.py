"""Names and labels that YAML 1.1 reads as something else (``No``, ``on``, ``0777``, ``1:30``,
``~``) survive ``import`` -> ``validate`` -> ``plan``: the files say exactly what the sandbox
holds, validate has nothing to warn about, and the plan is empty."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from segctl.target import open_client

from .conftest import Run

AWKWARD = ("No", "on", "0777", "1:30", "~", "yes", "1_000", "1e3", "null", "0o17")


def _create_live_segments() -> None:
    with open_client(None, project_root=Path(os.environ["SEGCTL_SANDBOX_DIR"]).parent) as client:
        for index, name in enumerate(AWKWARD):
            created = client.create_segment_definition({
                "name": name,
                "description": f"awkward {index}",
                "schema": {"name": "_xdm.context.profile"},
                "expression": {"type": "PQL", "format": "pql/text",
                               "value": 'person.gender = "female"'},
            })
            # labels live on the audience (one object, two APIs)
            client.patch_audience(created["id"], {
                "labels": list(AWKWARD) if index == 0 else [name]})


def test_awkward_names_and_labels_round_trip(workdir: Path, run: Run) -> None:
    _create_live_segments()
    code, out, err = run("import", "--out", "adopted")
    assert code == 0, err

    texts = {p.name: p.read_text() for p in (workdir / "adopted").glob("*.yaml")}
    segments = [d for text in texts.values() for d in yaml.safe_load_all(text)
                if d and d.get("kind") == "Segment"]
    # PyYAML reads YAML 1.1: what import wrote means the same text there too (quoted)
    assert sorted(s["name"] for s in segments) == sorted(AWKWARD)
    first = next(s for s in segments if s["name"] == "No")
    assert sorted(first["labels"]) == sorted(AWKWARD)
    assert "name: 'No'" in texts[f"{first['key']}.yaml"]

    code, out, err = run("validate", "adopted")
    assert code == 0, err
    assert "warning" not in err and out.startswith(f"OK: {len(AWKWARD)} segments")

    code, out, err = run("plan", "adopted", "--format", "json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["summary"]["has_changes"] is False
    assert sorted(c["name"] for c in plan["segment_changes"]) == sorted(AWKWARD)
    # nothing differs; segctl only adopts what it did not create (stamps its marker)
    assert {(c["action"], c["adopted"], tuple(c["changes"]))
            for c in plan["segment_changes"]} == {("update", True, ())}
    assert run("apply", "adopted", "--auto-approve", "--no-jobs")[0] == 0
    code, out, err = run("plan", "adopted", "--format", "json")
    assert code == 0, err
    assert {c["action"] for c in json.loads(out)["segment_changes"]} == {"no-op"}

    # fmt leaves what import wrote as it is
    assert run("fmt", "--check", "adopted")[0] == 0


def test_plain_awkward_values_are_read_as_yaml_1_2_with_a_warning(workdir: Path, run: Run
                                                                   ) -> None:
    (workdir / "segments" / "awkward.yaml").write_text(
        "kind: Segment\nkey: awkward\nname: No\npql: person.gender = \"female\"\n"
        "labels: [on, 1:30]\nttlInDays: 0777\n")
    code, out, err = run("validate", "segments", "--format", "json")
    assert code == 0, err
    found = {(d["line"], d["col"]): d for d in json.loads(out)["diagnostics"]
             if d["file"].endswith("awkward.yaml")}
    assert sorted(found) == [(3, 7), (5, 10), (5, 14), (6, 12)]
    assert all(d["severity"] == "warning" for d in found.values())
    assert "the boolean false in YAML 1.1" in found[(3, 7)]["message"]
    assert "the integer 511 in YAML 1.1" in found[(6, 12)]["message"]

    code, out, err = run("plan", "segments", "--format", "json")
    assert code == 0, err
    created = next(c for c in json.loads(out)["segment_changes"] if c["key"] == "awkward")
    assert created["action"] == "create"
    assert created["desired"]["name"] == "No"
    assert created["desired"]["labels"] == ["1:30", "on"]  # sorted, as AEP keeps them
    assert created["desired"]["ttl_in_days"] == 777
