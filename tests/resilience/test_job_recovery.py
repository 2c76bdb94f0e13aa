"""A segment-job POST whose answer is unclear is followed by a lookup before it is sent again
(jobs are rationed). The lookup must find the job that POST created, never an earlier run of the
same segments from before their definitions changed."""

from __future__ import annotations

import httpx
import pytest

from segctl.sandbox import LocalSandbox
from tests.resilience.conftest import UPS, client_for

FEMALE = {"type": "PQL", "format": "pql/text", "value": 'person.gender = "female"'}
MALE = {"type": "PQL", "format": "pql/text", "value": 'person.gender = "male"'}


class OneBadJobPost(httpx.BaseTransport):
    """The first segment-job POST after ``arm()`` fails with 503; ``processed`` says whether
    the sandbox carried it out first (answer lost) or never saw it (gateway refusal)."""

    def __init__(self, sandbox: LocalSandbox, processed: bool):
        self.sandbox, self.processed, self.armed = sandbox, processed, False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if self.armed and request.method == "POST" and request.url.path == f"{UPS}/segment/jobs":
            self.armed = False
            if self.processed:
                self.sandbox.handle(request)
            return httpx.Response(503, json={"error_code": "503000", "message": "Unavailable"})
        return self.sandbox.handle(request)


@pytest.mark.parametrize("processed", [False, True])
def test_recovery_never_takes_a_run_from_before_the_update(processed: bool,
                                                           open_sandbox) -> None:
    sandbox = open_sandbox(None)
    network = OneBadJobPost(sandbox, processed)
    with client_for(network) as client:
        segment = client.create_segment_definition(
            {"name": "Gender", "schema": {"name": "_xdm.context.profile"}, "expression": FEMALE})
        earlier = client.create_segment_jobs([segment["id"]])[0]
        assert sandbox.wait_idle(30)
        client.update_segment_definition(
            segment["id"], {"name": "Gender", "schema": {"name": "_xdm.context.profile"},
                            "expression": MALE})
        network.armed = True
        job = client.create_segment_jobs([segment["id"]])[0]
        assert sandbox.wait_idle(30)
        jobs = client.list_segment_jobs()
        final = client.get_segment_job(job["id"])
    assert job["id"] != earlier["id"]
    assert [s["segment"]["expression"] for s in final["segments"]] == [MALE]
    assert len(jobs) == 2  # the earlier run and exactly one new one
