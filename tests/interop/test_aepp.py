"""A real third-party client against ``segctl sandbox serve``: aepp 0.6.0's audience calls
(``getAudiences``, ``getAudience``, ``createAudience``, ``patchAudience``, ``deleteAudience``),
unchanged; only its configuration points at the served sandbox, as a user would point it at a
real AEP. Needs the optional extra (``pip install -e '.[aepp]'``); skipped without it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

aepp = pytest.importorskip("aepp", reason="aepp is an optional extra: pip install -e '.[aepp]'")

ORG = "INTEROP0000000000000000@AdobeOrg"
CLIENT_ID = "aepp-interop-client"
SECRET = "aepp-interop-secret"  # a made-up secret the served sandbox is started with


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """``segctl sandbox serve`` as a process, with client credentials and an org."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "segctl", "sandbox", "serve", "--port", "0", "--data",
         str(tmp_path / "served"), "--client-id", CLIENT_ID, "--org-id", ORG],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "SEGCTL_FAULTS": "", "SEGCTL_SANDBOX_CLIENT_SECRET": SECRET})
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", first)
        assert url, first
        yield url.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def segmentation(served: str) -> Any:
    from aepp import segmentation as module

    aepp.configure(org_id=ORG, client_id=CLIENT_ID, secret=SECRET, sandbox="prod",
                   scopes="openid,AdobeID,read_organizations")
    # where a user points aepp at another platform and IMS: its configuration, not its calls
    aepp.config.endpoints["global"] = served
    aepp.config.config_object["oauthTokenEndpointV2"] = f"{served}/ims/token/v3"
    return module.Segmentation()


def test_aepp_audience_calls_work_unchanged(segmentation: Any) -> None:
    seg = segmentation
    listed = seg.getAudiences()
    origins = {a["originName"] for a in listed}
    assert "CUSTOM_UPLOAD" in origins  # the seeded audiences of other origins

    created = seg.createAudience({
        "name": "aepp audience", "profileInstanceId": "ups", "description": "from aepp",
        "type": "SegmentDefinition",
        "expression": {"type": "PQL", "format": "pql/text", "value": 'person.gender = "male"'},
        "schema": {"name": "_xdm.context.profile"}, "labels": ["core/C1"], "ttlInDays": 60})
    assert created["audienceId"] == created["id"]
    assert created["labels"] == ["core/C1"] and created["lifecycleState"] == "published"

    fetched = seg.getAudience(created["id"])
    assert fetched["name"] == "aepp audience"
    # the audience is the segment definition with the same id
    assert seg.getSegment(created["id"])["name"] == "aepp audience"

    patched = seg.patchAudience(created["id"], [
        {"op": "add", "path": "/expression", "value": {
            "type": "PQL", "format": "pql/text", "value": 'workAddress.country = "US"'}},
        {"op": "add", "path": "/lifecycleState", "value": "inactive"}])
    assert patched["expression"]["value"] == 'workAddress.country = "US"'
    assert patched["lifecycleState"] == "inactive"

    by_name = seg.getAudiences(name="AEPP AUD")
    assert [a["id"] for a in by_name] == [created["id"]]
    exact = seg.getAudiences(prop=f"audienceId=={created['id']}")
    assert [a["id"] for a in exact] == [created["id"]]

    many = [seg.createAudience({
        "name": f"paged {n}", "type": "SegmentDefinition",
        "expression": {"type": "PQL", "format": "pql/text", "value": f"a = {n}"},
        "schema": {"name": "_xdm.context.profile"}}) for n in range(5)]
    paged = seg.getAudiences(limit=2)  # aepp follows _page.next with start=
    assert len(paged) == len({a["id"] for a in paged}) == len(listed) + 1 + len(many)

    assert seg.deleteAudience(created["id"]) == 204
    gone = seg.getAudience(created["id"])
    assert gone["status"] == 404 and "UPAPI-113430-404" in gone["type"]
