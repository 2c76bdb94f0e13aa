"""A short-lived command (plan, import) that closes the embedded sandbox while a segment job is
still running must neither log a crash nor wait for the job: the job stops at its next step and
the next sandbox to open the data directory finishes it."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from segctl.sandbox import FaultConfig, LocalSandbox
from segctl.sandbox.core.store import Store
from segctl.sandbox.jobs import models as segment_jobs
from segctl.sandbox.profilestore import evaluate as sandbox_evaluate
from tests.resilience.conftest import client_for

PQL = ['person.gender = "female"', 'person.gender = "male"', "homeAddress.countryCode = \"US\"",
       'homeAddress.countryCode = "CA"']


def test_close_under_a_running_job_is_quiet_and_the_job_resumes(
        open_sandbox, data_dir, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    started = threading.Event()
    real = sandbox_evaluate.evaluate_segments
    opened: list[LocalSandbox] = []

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        while not opened[0].runner.closing:  # a long evaluation, until the sandbox closes
            time.sleep(0.005)
        return real(*args, **kwargs)

    monkeypatch.setattr(sandbox_evaluate, "evaluate_segments", slow)
    first: LocalSandbox = open_sandbox(FaultConfig())
    opened.append(first)
    with client_for(first.transport()) as client:
        ids = [client.create_segment_definition({
            "name": f"segment {n}", "schema": {"name": "_xdm.context.profile"},
            "expression": {"type": "PQL", "format": "pql/text", "value": text}})["id"]
            for n, text in enumerate(PQL)]
        job = client.create_segment_jobs(ids)[0]
    assert started.wait(10)
    caplog.set_level(logging.DEBUG, logger="segctl.sandbox")
    first.close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    left = Store(data_dir).all_scopes(segment_jobs.KIND)
    assert [doc["status"] for _, doc in left] == ["PROCESSING"]  # stopped, not finished

    monkeypatch.setattr(sandbox_evaluate, "evaluate_segments", real)
    second = open_sandbox(None)
    assert second.wait_idle(0)  # opening alone resumes nothing (lazy resume)
    with client_for(second.transport()) as client:
        assert client.get_segment_job(job["id"])["status"] == "PROCESSING"  # first poll...
        assert second.wait_idle(30)  # ...resumed it
        final = client.get_segment_job(job["id"])
    assert final["status"] == "SUCCEEDED"
    assert set(final["metrics"]["segmentedProfileCounter"]) == set(ids)
