"""A local sandbox, a raw gateway client to fill it, and segctl's own client on top."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from segctl.aep import AepClient, AepConfig
from segctl.sandbox import LocalSandbox

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
UPS = "/data/core/ups"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[LocalSandbox]:
    app = LocalSandbox(tmp_path / "sandbox", now=lambda: NOW, sample_profiles=40)
    yield app
    app.close()


def raw_client(sandbox: LocalSandbox, sandbox_name: str = "prod") -> httpx.Client:
    """Plain httpx against the sandbox: a token and the gateway headers, nothing of segctl."""
    config = AepConfig.local()
    sandbox.provision(config.org_id, sandbox_name)  # as the embedded target does
    client = httpx.Client(base_url=config.platform_url, transport=sandbox.transport())
    token = client.post("/ims/token/v3", data={
        "grant_type": "client_credentials", "client_id": config.client_id,
        "client_secret": "local-client-secret", "scope": "openid,AdobeID"})
    assert token.status_code == 200, token.text
    client.headers.update({
        "Authorization": f"Bearer {token.json()['access_token']}",
        "x-api-key": config.client_id, "x-gw-ims-org-id": config.org_id,
        "x-sandbox-name": sandbox_name,
    })
    return client


@pytest.fixture
def raw(sandbox: LocalSandbox) -> Iterator[httpx.Client]:
    client = raw_client(sandbox)
    yield client
    client.close()


def segctl_client(sandbox: LocalSandbox, sandbox_name: str = "prod") -> AepClient:
    return AepClient(AepConfig.local(sandbox=sandbox_name), transport=sandbox.transport())


def create(raw: httpx.Client, name: str, value: str | dict[str, Any], **extra: Any) -> str:
    """POST a definition as a user of the API would; pql/json when ``value`` is a tree."""
    if isinstance(value, dict):
        expression = {"type": "PQL", "format": "pql/json", "value": json.dumps(value)}
    else:
        expression = {"type": "PQL", "format": "pql/text", "value": value}
    body = {"name": name, "schema": {"name": "_xdm.context.profile"}, "expression": expression,
            **extra}
    response = raw.post(f"{UPS}/segment/definitions", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def lookup(field: str, *path: str) -> dict[str, Any]:
    node: dict[str, Any] = {"nodeType": "parameterReference", "position": 1}
    for name in (*path, field):
        node = {"nodeType": "fieldLookup", "fieldName": name, "object": node}
    return node


def equals(left: dict[str, Any], value: str) -> dict[str, Any]:
    return {"nodeType": "fnApply", "fnName": "=",
            "params": [left, {"nodeType": "literal", "literalType": "String", "value": value}]}


def in_segment(segment_id: str) -> dict[str, Any]:
    return {"nodeType": "fnApply", "fnName": "inSegment",
            "params": [{"nodeType": "literal", "literalType": "String", "value": segment_id}]}


@pytest.fixture
def filled(raw: httpx.Client) -> dict[str, str]:
    """A sandbox nobody managed with segctl: text and json expressions, inSegment by id."""
    ids: dict[str, str] = {}
    ids["female"] = create(raw, "All Female Customers", 'person.gender = "female"',
                           description="Profiles whose gender is female.")
    ids["us"] = create(raw, "US Customers", equals(lookup("countryCode", "homeAddress"), "US"))
    ids["both"] = create(raw, "US Female Customers",
                         f'inSegment("{ids["female"]}") and inSegment("{ids["us"]}")')
    policy = raw.post(f"{UPS}/config/mergePolicies", json={
        "name": "EU merge", "schema": {"name": "_xdm.context.profile"},
        "identityGraph": {"type": "none"}, "attributeMerge": {"type": "timestampOrdered"}})
    assert policy.status_code in (200, 201), policy.text
    ids["vip"] = create(raw, "VIP (EU) — gold", "person.birthYear < 1980", ttlInDays=30,
                        mergePolicyId=policy.json()["id"])
    # labels live on the audience (segmentation.yaml has them only there)
    labelled = raw.patch(f"{UPS}/audiences/{ids['vip']}",
                         json=[{"op": "add", "path": "/labels", "value": ["C1"]}])
    assert labelled.status_code == 200, labelled.text
    tree = {"nodeType": "fnApply", "fnName": "and", "params": [
        in_segment(ids["both"]), equals(lookup("gender", "person"), "female")]}
    ids["json-chain"] = create(raw, "us female (json)", tree)
    return ids
