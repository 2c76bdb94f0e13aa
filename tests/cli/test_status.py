"""`segctl status`: the live side of the project, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from segctl.aep import AepClient, AepConfig
from segctl.sandbox import LocalSandbox

from .conftest import Run


def _create(workdir: Path, name: str, description: str) -> str:
    """A definition made by someone else, straight through the API."""
    app = LocalSandbox(workdir / ".segctl")
    try:
        with AepClient(AepConfig.local(), transport=app.transport()) as client:
            made = client.create_segment_definition({
                "name": name, "description": description, "schema": {"name":
                                                                     "_xdm.context.profile"},
                "expression": {"type": "PQL", "format": "pql/text",
                               "value": 'person.gender = "male"'}})
    finally:
        app.close()
    return str(made["id"])


def _their_dataset(workdir: Path) -> None:
    """A dataset another project's export made (its Catalog tag names that project)."""
    app = LocalSandbox(workdir / ".segctl")
    try:
        with AepClient(AepConfig.local(), transport=app.transport()) as client:
            client.create_dataset({
                "name": "Their dataset", "schemaRef": {
                    "id": "https://ns.adobe.com/xdm/context/profile__union",
                    "contentType": "application/vnd.adobe.xed+json;version=1"},
                "tags": {"segctl": ["project=web-team", "export=theirs"]}})
    finally:
        app.close()


def _status(run: Run) -> dict:  # type: ignore[type-arg]
    code, out, err = run("status", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["format_version"] == 1
    return doc  # type: ignore[no-any-return]


def test_before_and_after_apply(workdir: Path, run: Run) -> None:
    doc = _status(run)
    assert doc["segments"] == [] and doc["datasets"] == []
    assert len(doc["not_live"]) == 11 and "vip-women" in doc["not_live"]
    assert run("apply", "--auto-approve")[0] == 0
    doc = _status(run)
    rows = {r["key"]: r for r in doc["segments"]}
    assert doc["not_live"] == [] and len(rows) == 11
    female = rows["female-customers"]
    assert female["owner"] == "this project" and female["evaluation"] == "batch"
    assert female["awaiting_evaluation"] is False and female["size"] > 0
    assert female["last_evaluated"].endswith("Z")
    assert rows["browse-to-cart-24h"]["evaluation"] == "streaming"
    assert rows["browse-to-cart-24h"]["awaiting_evaluation"] is False  # continuous
    datasets = {d["name"]: d for d in doc["datasets"]}
    assert set(datasets) == {"Female customers", "local-Retargeting audiences"}
    export = datasets["Female customers"]
    assert export["export"] == "female-customers-daily"
    assert export["last_export_status"] == "SUCCEEDED" and export["exported_profiles"] == \
        female["size"]


def test_owners_and_awaiting_evaluation(workdir: Path, run: Run) -> None:
    assert run("apply", "--auto-approve", "--no-jobs")[0] == 0
    _create(workdir, "Somebody else's", "made in the UI")
    _create(workdir, "Other project", "theirs\n\n[segctl:project=web-team;key=other-segment]")
    _create(workdir, "Before projects", "old\n\n[segctl:key=old-segment]")
    _their_dataset(workdir)
    doc = _status(run)
    owners = {r["name"]: (r["owner"], r["owner_project"]) for r in doc["segments"]}
    assert owners["Somebody else's"] == ("unmanaged", None)
    assert owners["Other project"] == ("another project", "web-team")
    assert owners["Before projects"] == ("unmanaged", None)  # unclaimed, not declared here
    assert owners["All Female Customers"] == ("this project", "example-segments")
    mine = [r for r in doc["segments"] if r["owner"] == "this project"]
    batch = [r for r in mine if r["evaluation"] == "batch"]
    assert batch and all(r["awaiting_evaluation"] and r["size"] is None for r in batch)
    # status and plan read the same job history and agree on what awaits evaluation
    code, out, _ = run("plan", "--format", "json")
    planned = json.loads(out)
    assert code == 0
    in_jobs = {k for job in planned["segment_jobs"] for k in job["segments"]}
    in_jobs |= set(planned["evaluation"]["deferred"])
    assert in_jobs == {r["key"] for r in batch}
    code, out, _ = run("status")
    assert code == 0
    assert out.startswith("Live segments in environment 'local' (the local sandbox 'prod'):")
    assert "KEY" in out and "AWAITING" in out and "unmanaged" in out
    assert "another project (web-team)" in out
    assert "Their dataset" not in out  # only this project's datasets are listed
    assert "local-Retargeting audiences" in out and "never" in out  # datasets, no export yet
    assert out.rstrip().endswith(f"11 segment(s) of this project live, {len(batch)} awaiting "
                                 "evaluation; 3 other; 2 owned dataset(s).")
