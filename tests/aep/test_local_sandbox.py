"""The client against the local sandbox: both sides read AEP-API.md on their own, so this checks
that they agree on the real shapes, and that retries and recovery hold up against a server that
actually keeps state (injected faults, responses lost after the write happened)."""

from __future__ import annotations

import random
from pathlib import Path

import httpx
import pytest

import segctl.pql
from segctl.aep import AepClient, AepConfig, ManualClock, RetryPolicy
from segctl.sandbox import FaultConfig, LocalSandbox

PATIENT = RetryPolicy(max_attempts=12, base_delay=0.5, max_delay=8, max_elapsed=10_000)
PQL_READY = all(hasattr(segctl.pql, name) for name in ("parse", "classify", "compile"))


class LoseFirstResponse(httpx.BaseTransport):
    """Lets each matching request reach the server, then loses the first answer (a timeout)."""

    def __init__(self, inner: httpx.BaseTransport, method: str, path: str) -> None:
        self._inner, self._method, self._path = inner, method, path
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        if request.method == self._method and request.url.path == self._path and not self.lost:
            self.lost += 1
            raise httpx.ReadTimeout("response lost after the server acted", request=request)
        return response


def _client(transport: httpx.BaseTransport) -> AepClient:
    return AepClient(
        AepConfig.local(), transport, retry=PATIENT, clock=ManualClock(), rng=random.Random(3)
    )


def _dataset(name: str) -> dict[str, object]:
    return {
        "name": name,
        "schemaRef": {
            "id": "https://ns.adobe.com/xdm/context/profile__union",
            "contentType": "application/vnd.adobe.xed+json;version=1",
        },
    }


def test_lost_create_response_does_not_duplicate_the_dataset(tmp_path: Path) -> None:
    transport = LoseFirstResponse(
        LocalSandbox(tmp_path).transport(), "POST", "/data/foundation/catalog/dataSets"
    )
    with _client(transport) as client:
        dataset_id = client.create_dataset(_dataset("Female customers"))
        assert transport.lost == 1
        found = [d for d in client.list_datasets() if d.get("name") == "Female customers"]
        assert [d["id"] for d in found] == [dataset_id]
        assert client.get_dataset(dataset_id)["name"] == "Female customers"


def test_datasets_survive_injected_faults(tmp_path: Path) -> None:
    faults = FaultConfig(rate429=0.2, rate5xx=0.15, drop=0.1, seed=11, ims=True)
    with _client(LocalSandbox(tmp_path, faults=faults).transport()) as client:
        ids = {client.create_dataset(_dataset(f"export {n}")) for n in range(12)}
        listed = client.list_datasets()
        names = sorted(d["name"] for d in listed)
        assert names == sorted(f"export {n}" for n in range(12))  # each exactly once
        assert {d["id"] for d in listed} == ids
        assert client.request_count > 13  # some calls were retried
        default = client.get_default_merge_policy()
        assert default is not None and default.get("default") is True


@pytest.mark.skipif(not PQL_READY, reason="the sandbox needs segctl.pql to accept definitions")
def test_definitions_page_and_jobs_split_against_the_sandbox(tmp_path: Path) -> None:
    with _client(LocalSandbox(tmp_path).transport()) as client:
        created = [
            client.create_segment_definition(
                {
                    "name": f"segment {n}",
                    "expression": {
                        "type": "PQL",
                        "format": "pql/text",
                        "value": 'person.gender = "female"',
                    },
                    "schema": {"name": "_xdm.context.profile"},
                }
            )
            for n in range(7)
        ]
        listed = client.list_segment_definitions(limit=3)
        assert sorted(d["id"] for d in listed) == sorted(d["id"] for d in created)
        found = client.find_segment_definition_by_name("segment 4")
        assert found is not None and found["id"] == created[4]["id"]


@pytest.mark.skipif(not PQL_READY, reason="the sandbox needs segctl.pql to evaluate segments")
def test_the_manual_workflow_end_to_end(tmp_path: Path) -> None:
    """DESIGN.md §1 through the client: definition, segment job, dataset, export, preview."""
    sandbox = LocalSandbox(tmp_path)
    try:
        with _client(sandbox.transport()) as client:
            definition = client.create_segment_definition(
                {
                    "name": "Everyone",
                    "expression": {"type": "PQL", "format": "pql/text", "value": "true"},
                    "schema": {"name": "_xdm.context.profile"},
                }
            )
            [job] = client.create_segment_jobs([definition["id"]])
            assert sandbox.wait_idle(120)
            assert client.get_segment_job(job["id"])["status"] == "SUCCEEDED"

            dataset_id = client.create_dataset(_dataset("Everyone export"))
            export = client.create_export_job(
                {
                    "fields": "identities.id,person.gender",
                    "filter": {
                        "segments": [{"segmentId": definition["id"], "status": ["realized"]}]
                    },
                    "destination": {"datasetId": dataset_id, "segmentPerBatch": False},
                    "schema": {"name": "_xdm.context.profile"},
                }
            )
            assert isinstance(export["id"], int)
            assert sandbox.wait_idle(120)
            assert client.get_export_job(export["id"])["status"] == "SUCCEEDED"

            [batch, *_] = client.list_dataset_batches(dataset_id)
            files = client.read_batch_files(batch["id"])
            assert files and all(f.content for f in files)
    finally:
        sandbox.close()
