"""State survives restarts; abandoned jobs are resumed; concurrent requests stay consistent."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from segctl.sandbox import LocalSandbox
from segctl.sandbox.core.runner import OWNER_KEY
from segctl.sandbox.core.store import Partition
from segctl.sandbox.core.values import sandbox_object
from tests.sandbox.conftest import (
    CATALOG,
    ORG,
    UPS,
    definition,
    fixed_now,
    gateway_headers,
    issue_token,
    wait_job,
)


def _client(app: LocalSandbox, token: str | None = None) -> httpx.Client:
    client = httpx.Client(transport=app.transport(), base_url="http://sandbox.test")
    client.headers.update(gateway_headers(token or issue_token(client)))
    return client


def test_restart_keeps_state_and_tokens(data_dir: Path) -> None:
    first = LocalSandbox(data_dir, now=fixed_now)
    with contextlib.closing(_client(first)) as client:
        token = client.headers["Authorization"].split()[1]
        did = client.post(f"{CATALOG}/dataSets", json={"name": "kept"}).json()[0]
        policy = client.get(f"{UPS}/config/mergePolicies").json()["children"][0]["id"]
    first.close()
    second = LocalSandbox(data_dir, now=fixed_now)
    with contextlib.closing(_client(second, token)) as client:
        listing = client.get(f"{CATALOG}/dataSets").json()
        assert [d["name"] for d in listing.values()] == ["kept"]
        assert did.rsplit("/", 1)[1] in listing
        assert client.get(f"{UPS}/config/mergePolicies").json()["children"][0]["id"] == policy
    second.close()


def test_abandoned_job_is_resumed_on_start(data_dir: Path) -> None:
    app = LocalSandbox(data_dir, now=fixed_now)
    with contextlib.closing(_client(app)) as client:
        seg = client.post(f"{UPS}/segment/definitions",
                          json=definition("f", 'person.gender = "female"')).json()
        token = client.headers["Authorization"].split()[1]
    scope = Partition(ORG, "prod")
    # a job a dead process left behind in PROCESSING
    app.store.put("segjob", scope, "orphan", {
        "id": "orphan", "status": "PROCESSING", "imsOrgId": ORG,
        "sandbox": sandbox_object(scope), "creationTime": 1, "updateTime": 1,
        "segments": [{"segmentId": seg["id"]}], OWNER_KEY: "999999999:gone"}, created=1)
    app.close()
    restarted = LocalSandbox(data_dir, now=fixed_now)
    with contextlib.closing(_client(restarted, token)) as client:
        done = wait_job(client, f"{UPS}/segment/jobs/orphan")
        assert done["status"] == "SUCCEEDED"
        assert seg["id"] in done["metrics"]["segmentedProfileCounter"]
    restarted.close()


def test_an_orphaned_job_waits_until_it_is_read(data_dir: Path) -> None:
    """Lazy resume: a sandbox opened for something else (another job's status, a dataset list)
    neither claims nor runs an interrupted job, so it has nothing to wait for at close; the
    first read of that job through the API resumes it."""
    app = LocalSandbox(data_dir, now=fixed_now)
    with contextlib.closing(_client(app)) as client:
        seg = client.post(f"{UPS}/segment/definitions",
                          json=definition("f", 'person.gender = "female"')).json()
        token = client.headers["Authorization"].split()[1]
    scope = Partition(ORG, "prod")
    app.store.put("segjob", scope, "orphan", {
        "id": "orphan", "status": "PROCESSING", "imsOrgId": ORG,
        "sandbox": sandbox_object(scope), "creationTime": 1, "updateTime": 1,
        "segments": [{"segmentId": seg["id"]}], OWNER_KEY: "999999999:gone"}, created=1)
    app.close()
    short = LocalSandbox(data_dir, now=fixed_now)
    with contextlib.closing(_client(short, token)) as client:
        assert client.get(f"{CATALOG}/dataSets").status_code == 200
    assert short.wait_idle(0)  # nothing was queued
    short.close()
    later = LocalSandbox(data_dir, now=fixed_now)
    assert later.store.get("segjob", scope, "orphan")[OWNER_KEY] == "999999999:gone"
    with contextlib.closing(_client(later, token)) as client:
        listed = client.get(f"{UPS}/segment/jobs").json()["children"]  # a list reads it too
        assert [j["id"] for j in listed] == ["orphan"]
        done = wait_job(client, f"{UPS}/segment/jobs/orphan")
        assert done["status"] == "SUCCEEDED"
    later.close()


def test_concurrent_requests_over_http(server, http: httpx.Client) -> None:
    headers = dict(http.headers)

    def create(i: int) -> int:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            name = f"same name {i % 5}"
            return client.post(f"{UPS}/segment/definitions",
                               json=definition(name, 'person.gender = "female"')).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(40)))
    assert statuses.count(200) == 5 and statuses.count(422) == 35
    listing = http.get(f"{UPS}/segment/definitions").json()
    assert sorted(s["name"] for s in listing["segments"]) == [f"same name {i}" for i in range(5)]

    def dataset(i: int) -> int:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            return client.post(f"{CATALOG}/dataSets", json={"name": f"d{i}"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(dataset, range(30))) == {201}
    assert len(http.get(f"{CATALOG}/dataSets", params={"limit": 100}).json()) == 30


def _open_db_handles(data_dir: Path) -> int:
    db = str((data_dir / "sandbox.db").resolve())
    count = 0
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(fd) == db:
                count += 1
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_request_threads_do_not_leak_connections(server, http: httpx.Client,
                                                  data_dir: Path) -> None:
    # each thread's connection is closed as the thread ends, not by the cyclic collector
    # (which a long-running `sandbox serve` may run rarely): collection is off meanwhile
    gc.disable()
    try:
        for _ in range(150):  # a fresh connection, so a fresh server thread, per request
            with httpx.Client(base_url=server.url, headers=dict(http.headers)) as client:
                assert client.get(f"{CATALOG}/dataSets").status_code == 200
        deadline = time.monotonic() + 5
        while _open_db_handles(data_dir) >= 60 and time.monotonic() < deadline:
            time.sleep(0.05)  # the last threads may still be finishing
        assert _open_db_handles(data_dir) < 60
    finally:
        gc.enable()


def test_first_use_seeds_the_sample(tmp_path: Path) -> None:
    app = LocalSandbox(tmp_path / "fresh", now=fixed_now, sample_profiles=30, sample_seed=5)
    with contextlib.closing(_client(app)) as client:
        seg = client.post(f"{UPS}/segment/definitions",
                          json=definition("all", 'person.gender = "female" or true')).json()
        job = client.post(f"{UPS}/segment/jobs", json=[{"segmentId": seg["id"]}]).json()
        done = wait_job(client, f"{UPS}/segment/jobs/{job['id']}")
    app.close()
    assert done["status"] == "SUCCEEDED", done.get("errors")
    assert done["metrics"]["totalProfiles"] == 30
    lines = (tmp_path / "fresh" / "profiles" / "profiles.ndjson").read_text().splitlines()
    assert len(lines) == 30


def test_cancellation_recorded_before_the_worker_runs_wins(data_dir: Path) -> None:
    from segctl.sandbox.jobs import models as segment_jobs

    app = LocalSandbox(data_dir, now=fixed_now)
    scope = Partition(ORG, "prod")
    app.store.put("segjob", scope, "j1", {
        "id": "j1", "status": "CANCELLING", "creationTime": 1, "updateTime": 1,
        "segments": [{"segmentId": "*"}], OWNER_KEY: app.runner.owner}, created=1)
    segment_jobs.execute(app, scope, "j1")  # what the worker would do
    assert app.store.get("segjob", scope, "j1")["status"] == "CANCELLED"
    app.close()


def test_membership_json_is_exactly_json_dumps() -> None:
    from segctl.sandbox.core.store import membership_json

    shared = ["realized", 1780315200000]
    bodies = [{}, {"p1": shared, "p2": shared, "é\"\\\n\u2028": ["exited", 5], "p3": shared,
                   "p4": ["existing", 1.5], "p5": [None, float("inf")]},
              {"p1": ["realized", 1]}]
    for body in bodies:
        assert membership_json(body) == json.dumps(body, separators=(",", ":"))
    # keys that are not strings take json.dumps itself (it converts them)
    odd = {1: shared, "x": shared}
    assert membership_json(odd) == json.dumps(odd, separators=(",", ":"))  # type: ignore[arg-type]
