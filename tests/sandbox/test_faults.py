"""Fault injection: syntax, deterministic rates, Retry-After, dropped connections, failed jobs."""

from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path

import httpx
import pytest

from segctl.errors import UsageError
from segctl.sandbox import FaultConfig, LocalSandbox, faults_from_env, parse_faults
from tests.sandbox.conftest import (
    CATALOG,
    UPS,
    definition,
    fixed_now,
    gateway_headers,
    issue_token,
    wait_job,
)


def test_parse_round_trip() -> None:
    config = parse_faults("rate429=0.2, rate5xx=0.1,drop=0.05,latency_ms=50,job_fail=1.0,seed=7")
    assert config == FaultConfig(rate429=0.2, rate5xx=0.1, drop=0.05, latency_ms=50,
                                 job_fail=1.0, seed=7)
    assert parse_faults(config.to_spec()) == config
    assert faults_from_env({"SEGCTL_FAULTS": "ims=1"}) == FaultConfig(ims=True)
    assert faults_from_env({}) is None


@pytest.mark.parametrize("spec", ["rate429", "nope=1", "rate429=abc", "rate429=1.5",
                                  "rate429=0.6,rate5xx=0.6", "latency_ms=-1"])
def test_parse_errors(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_faults(spec)


def _client(app: LocalSandbox) -> httpx.Client:
    client = httpx.Client(transport=app.transport(), base_url="http://sandbox.test")
    client.headers.update(gateway_headers(issue_token(client)))
    return client


def _outcomes(data_dir: Path, config: FaultConfig, n: int) -> Counter[str]:
    app = LocalSandbox(data_dir, config, now=fixed_now)
    seen: Counter[str] = Counter()
    with contextlib.closing(_client(app)) as client:
        for _ in range(n):
            try:
                response = client.get(f"{CATALOG}/dataSets")
            except httpx.ReadTimeout:
                seen["read-timeout"] += 1
                continue
            except httpx.ConnectError:
                seen["connect-error"] += 1
                continue
            seen[str(response.status_code)] += 1
            if response.status_code == 429:
                assert response.headers["Retry-After"] == str(config.retry_after)
                assert response.json() == {"error_code": "429050",
                                           "message": "Too many requests"}
    app.close()
    return seen


def test_rates_follow_the_config_and_the_seed(data_dir: Path) -> None:
    config = FaultConfig(rate429=0.2, rate5xx=0.1, drop=0.05, seed=7, retry_after=3)
    n = 2000
    seen = _outcomes(data_dir, config, n)
    assert abs(seen["429"] / n - 0.2) < 0.03
    assert abs(seen["503"] / n - 0.1) < 0.025
    dropped = seen["read-timeout"] + seen["connect-error"]
    assert abs(dropped / n - 0.05) < 0.02
    assert seen["read-timeout"] and seen["connect-error"]
    assert _outcomes(data_dir, config, n) == seen  # same seed, same sequence


def test_token_endpoint_is_exempt_unless_asked(data_dir: Path) -> None:
    app = LocalSandbox(data_dir, FaultConfig(rate5xx=1.0), now=fixed_now)
    with httpx.Client(transport=app.transport(), base_url="http://x") as client:
        token = issue_token(client)
        response = client.get(f"{CATALOG}/dataSets", headers=gateway_headers(token))
        assert response.status_code == 503
    app.close()
    app = LocalSandbox(data_dir, FaultConfig(rate5xx=1.0, ims=True), now=fixed_now)
    with httpx.Client(transport=app.transport(), base_url="http://x") as client:
        response = client.post("/ims/token/v3", data={"grant_type": "client_credentials"})
        assert response.status_code == 503
    app.close()


def test_dropped_connection_over_http(data_dir: Path) -> None:
    app = LocalSandbox(data_dir, FaultConfig(drop=1.0), now=fixed_now)
    server = app.serve()
    try:
        with httpx.Client(base_url=server.url, timeout=5) as client, \
                pytest.raises(httpx.TransportError):
            client.get(f"{CATALOG}/dataSets")
    finally:
        server.close()
        app.close()


def test_forced_job_failure(data_dir: Path) -> None:
    app = LocalSandbox(data_dir, FaultConfig(job_fail=1.0), now=fixed_now)
    with contextlib.closing(_client(app)) as client:
        seg = client.post(f"{UPS}/segment/definitions",
                          json=definition("f", 'person.gender = "female"'))
        job = client.post(f"{UPS}/segment/jobs", json=[{"segmentId": seg.json()["id"]}])
        done = wait_job(client, f"{UPS}/segment/jobs/{job.json()['id']}")
        assert done["status"] == "FAILED"
        assert done["errors"][0]["code"] and done["errors"][0]["msg"]
        did = client.post(f"{CATALOG}/dataSets", json={"name": "d"}).json()[0].rsplit("/", 1)[1]
        export = client.post(f"{UPS}/export/jobs", json={
            "destination": {"datasetId": did}, "schema": {"name": "_xdm.context.profile"}})
        failed = wait_job(client, f"{UPS}/export/jobs/{export.json()['id']}")
        assert failed["status"] == "FAILED"
        batch = client.get(f"{CATALOG}/batches/{failed['destination']['batchId']}").json()
        assert batch[failed["destination"]["batchId"]]["status"] == "failed"
    app.close()


def test_daily_job_quota(data_dir: Path) -> None:
    app = LocalSandbox(data_dir, parse_faults("job_quota=2"), now=fixed_now)
    with contextlib.closing(_client(app)) as client:
        seg = client.post(f"{UPS}/segment/definitions",
                          json=definition("f", 'person.gender = "female"')).json()
        codes = [client.post(f"{UPS}/segment/jobs", json=[{"segmentId": seg["id"]}])
                 for _ in range(3)]
        assert [c.status_code for c in codes] == [200, 200, 429]
        assert int(codes[2].headers["Retry-After"]) > 0
        app.wait_idle(60)
    app.close()
