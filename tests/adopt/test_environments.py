"""Environments: one project, several sandboxes, each converged independently.

The local sandbox partitions its state by organisation and sandbox name, so two sandbox names on
one data directory behave like two AEP sandboxes: separate segments, merge policies (with
different ids) and datasets.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from segctl.aep import AepClient, AepConfig
from segctl.engine import Action, apply_plan, build_plan
from segctl.engine.apply import ApplyOptions
from segctl.project import load_project
from segctl.project.model import Environment, Project
from segctl.sandbox import LocalSandbox

from .conftest import UPS, raw_client

PROJECT = """\
kind: Environment
name: local
sandbox: prod
vars: {prefix: "", datasetPrefix: "local-"}
---
kind: Environment
name: dev
sandbox: dev
vars: {prefix: "[dev] ", datasetPrefix: "dev-"}
---
kind: Environment
name: stage
sandbox: stage
vars: {prefix: "[stage] ", datasetPrefix: "stage-"}
---
kind: Environment
name: prod
sandbox: prod
orgId: 0000000000000000000000AA@AdobeOrg
platformUrl: https://platform.adobe.io
vars: {prefix: "", datasetPrefix: ""}
---
kind: Segment
key: female
name: ${vars.prefix}Female customers
pql: person.gender = "female"
---
kind: Segment
key: eu-female
name: ${vars.prefix}EU female customers
pql: inSegment("key:female") and homeAddress.countryCode in ["FR", "DE", "IT"]
mergePolicy: EU merge
---
kind: Export
key: female-daily
segments: [female]
dataset: ${vars.datasetPrefix}Female customers
"""


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    root = tmp_path / "segments"
    root.mkdir()
    (root / "project.yaml").write_text(PROJECT)
    return root


def client_for(sandbox: LocalSandbox, environment: Environment) -> AepClient:
    config = AepConfig.from_env({"sandbox": environment.sandbox}, env={})
    assert config.is_local
    return AepClient(config, transport=sandbox.transport())


def create_policy(raw: httpx.Client, name: str) -> str:
    response = raw.post(f"{UPS}/config/mergePolicies", json={
        "name": name, "schema": {"name": "_xdm.context.profile"},
        "identityGraph": {"type": "none"}, "attributeMerge": {"type": "timestampOrdered"}})
    assert response.status_code in (200, 201), response.text
    return str(response.json()["id"])


def converge(project: Project, client: AepClient) -> None:
    apply_plan(build_plan(project, client), client, ApplyOptions(poll_interval=0.01))


def test_env_selects_sandbox_and_vars(project_dir: Path) -> None:
    default = load_project(project_dir)
    assert default.environment is not None and default.environment.name == "local"
    assert default.environment.is_local
    dev = load_project(project_dir, "dev")
    assert dev.environment is not None and dev.environment.sandbox == "dev"
    assert [s.name for s in dev.segments] == ["[dev] Female customers",
                                              "[dev] EU female customers"]
    assert dev.exports[0].dataset == "dev-Female customers"
    prod = load_project(project_dir, "prod")
    assert prod.environment is not None and not prod.environment.is_local
    assert prod.exports[0].dataset == "Female customers"


def test_same_files_converge_two_sandboxes_independently(
    sandbox: LocalSandbox, project_dir: Path
) -> None:
    policy_ids = {}
    for name in ("dev", "stage"):
        raw = raw_client(sandbox, name)
        policy_ids[name] = create_policy(raw, "EU merge")
        raw.close()
    assert policy_ids["dev"] != policy_ids["stage"]

    projects = {name: load_project(project_dir, name) for name in ("dev", "stage")}
    clients = {name: client_for(sandbox, p.environment) for name, p in projects.items()
               if p.environment is not None}
    converge(projects["dev"], clients["dev"])
    # stage is untouched by the dev apply
    assert clients["stage"].list_segment_definitions() == []
    converge(projects["stage"], clients["stage"])

    for name in ("dev", "stage"):
        live = {d["name"]: d for d in clients[name].list_segment_definitions()}
        prefix = f"[{name}] "
        assert sorted(live) == [f"{prefix}EU female customers", f"{prefix}Female customers"]
        female, eu = live[f"{prefix}Female customers"], live[f"{prefix}EU female customers"]
        # the merge policy was resolved by name in each sandbox
        assert eu["mergePolicyId"] == policy_ids[name]
        # inSegment("key:female") became this sandbox's own id
        assert f'inSegment("{female["id"]}")' in eu["expression"]["value"]
        other = "stage" if name == "dev" else "dev"
        datasets = [d["name"] for d in clients[name].list_datasets()]
        assert f"{name}-Female customers" in datasets
        assert f"{other}-Female customers" not in datasets
        again = build_plan(projects[name], clients[name])
        assert [c.action for c in again.changes] == [Action.NOOP, Action.NOOP]

    dev_ids = {d["id"] for d in clients["dev"].list_segment_definitions()}
    stage_ids = {d["id"] for d in clients["stage"].list_segment_definitions()}
    assert dev_ids.isdisjoint(stage_ids)
