"""The emulated estimate follows AEP's documented sampling and states
(help/segmentation/api/previews-and-estimates.md; segmentation.yaml EstimateResponse), not an
instant exact count."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from segctl.sandbox import FaultConfig, LocalSandbox
from segctl.sandbox.previews import models as preview
from segctl.sandbox.previews.models import Sampling, refine, sample_order

from .conftest import SAMPLE_PROFILES, UPS, fixed_now, gateway_headers, issue_token, wait_job

FEMALE = 'person.gender = "female"'
BODY = {"predicateExpression": FEMALE, "predicateType": "pql/text",
        "predicateModel": "_xdm.context.profile", "graphType": "none"}


def start(client: httpx.Client, body: dict[str, Any] = BODY) -> str:
    created = client.post(f"{UPS}/preview", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "NEW"
    return str(created.json()["previewId"])


def finished_estimate(client: httpx.Client, pid: str) -> dict[str, Any]:
    wait_job(client, f"{UPS}/preview/{pid}")
    answer = client.get(f"{UPS}/estimate/{pid}")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def females(data_dir: Path) -> int:
    from segctl.sandbox.profilestore import profiles

    data = profiles.cached(data_dir)
    return sum(1 for _, p, _ in data.rows() if (p.get("person") or {}).get("gender") == "female")


@pytest.mark.parametrize(("population", "read"), [
    (0, 0), (2000, 2000), (999_999, 999_999),             # under 1 million: the full data set
    (1_000_000, 1_000_000), (20_000_000, 1_000_000),      # 1 to 20 million: 1 million
    (20_000_001, 1_000_000), (100_000_000, 5_000_000),    # over 20 million: 5% of total
])
def test_sample_size_follows_the_documented_table(population: int, read: int) -> None:
    assert Sampling().size(population) == read


def test_refine_is_exact_on_a_full_read_and_has_an_error_on_a_sample() -> None:
    assert refine(812, 2000, 2000) == (812, 0)
    estimated, error = refine(25, 100, 400)
    assert estimated == 100
    # 400 * sqrt(.25 * .75 / 100 * 300/399)
    assert error == round(400 * math.sqrt(0.25 * 0.75 / 100 * 300 / 399)) == 15
    assert refine(0, 0, 10) == (0, 0)


def test_a_sample_is_uniform_fixed_by_its_seed_and_whole_when_small() -> None:
    assert sample_order(5, 5, "q") == [0, 1, 2, 3, 4]
    one, two = sample_order(1000, 50, "q1"), sample_order(1000, 50, "q1")
    assert one == two and len(set(one)) == 50 and one != sample_order(1000, 50, "q2")


def test_local_estimate_reads_the_whole_store_and_is_exact(
        local: httpx.Client, data_dir: Path) -> None:
    body = finished_estimate(local, start(local))
    assert body["state"] == "RESULT_READY"
    assert body["numRowsToRead"] == body["totalRows"] == body["profilesReadSoFar"] \
        == SAMPLE_PROFILES
    assert body["estimatedSize"] == body["profilesMatchedSoFar"] == females(data_dir) > 0
    assert body["standardError"] == 0 and body["confidenceInterval"] == "95%"
    assert body["error"] == {"description": "", "traceback": ""}
    assert body["_links"]["preview"].endswith(f"/execution/0?previewQueryId="
                                              f"{body['_links']['preview'].split('=')[-1]}")
    assert set(body) == {"estimatedSize", "numRowsToRead", "estimatedNamespaceDistribution",
                         "state", "profilesReadSoFar", "standardError", "error",
                         "profilesMatchedSoFar", "totalRows", "confidenceInterval", "_links"}


def test_a_sampled_estimate_scales_the_sample_and_states_its_error(
        local: httpx.Client, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(preview, "SAMPLING", Sampling(full_below=100, fixed=100))
    body = finished_estimate(local, start(local))
    assert body["numRowsToRead"] == body["profilesReadSoFar"] == 100
    assert body["totalRows"] == SAMPLE_PROFILES
    matched = body["profilesMatchedSoFar"]
    assert body["estimatedSize"] == round(matched / 100 * SAMPLE_PROFILES)
    assert (body["estimatedSize"], body["standardError"]) == refine(matched, 100, SAMPLE_PROFILES)
    assert body["standardError"] > 0
    truth = females(data_dir)
    assert abs(body["estimatedSize"] - truth) <= 5 * body["standardError"]


def test_states_go_new_running_result_ready_refining_as_it_reads(
        local: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, int, int]] = []
    real = preview._write

    def record(*args: Any, **changes: Any) -> dict[str, Any] | None:
        doc = real(*args, **changes)
        if doc is not None:
            seen.append((doc["state"], doc["read"], doc["estimated"]))
        return doc

    monkeypatch.setattr(preview, "_write", record)
    pid = start(local)
    finished_estimate(local, pid)
    states = [s for s, _, _ in seen]
    assert states[0] == "RUNNING" and states[-1] == "RESULT_READY"
    reads = [r for s, r, _ in seen if s == "RUNNING"]
    assert reads == sorted(reads) and reads[-1] == SAMPLE_PROFILES
    assert len({r for r in reads if r}) == preview.STEPS  # a rough estimate first, then refined


def test_a_failed_estimate_says_why(data_dir: Path) -> None:
    app = LocalSandbox(data_dir, FaultConfig(job_fail=1.0), now=fixed_now)
    try:
        with httpx.Client(base_url="http://sandbox.test", transport=app.transport()) as client:
            client.headers.update(gateway_headers(issue_token(client)))
            body = finished_estimate(client, start(client))
    finally:
        app.close()
    assert body["state"] == "FAILED"
    assert body["error"]["description"] == "Estimate failed (injected fault)"
    assert body["estimatedSize"] == 0


@pytest.fixture
def idle_sandbox(data_dir: Path) -> Iterator[LocalSandbox]:
    app = LocalSandbox(data_dir, now=fixed_now)
    yield app
    app.close()


def test_delete_cancels_and_the_worker_never_brings_it_back(
        idle_sandbox: LocalSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    held: list[tuple[Any, str]] = []
    monkeypatch.setattr(idle_sandbox.runner, "submit",  # hold the job at NEW
                        lambda kind, scope, rid: held.append((scope, rid)))
    with httpx.Client(base_url="http://sandbox.test",
                      transport=idle_sandbox.transport()) as client:
        client.headers.update(gateway_headers(issue_token(client)))
        pid = start(client)
        assert client.get(f"{UPS}/estimate/{pid}").json()["state"] == "NEW"
        killed = client.delete(f"{UPS}/preview/{pid}")
        assert (killed.status_code, killed.json()) == (200, {"status": True, "message": "KILLED"})
        scope, rid = held[0]
        preview.execute(idle_sandbox, scope, rid)  # the worker reaches the cancelled job
        assert idle_sandbox.store.get(preview.KIND, scope, rid) is None
        for path in (f"{UPS}/estimate/{pid}", f"{UPS}/preview/{pid}"):
            assert client.get(path).status_code == 404
        assert client.delete(f"{UPS}/preview/{pid}").status_code == 404
