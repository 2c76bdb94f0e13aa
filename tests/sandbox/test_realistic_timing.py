"""Realistic timing (``job_ms``/``job_ms_per_1k``): jobs take minutes of sandbox time, so the
engine's timeouts, progress and resume-after-interrupt are exercised at real durations, on a
clock the test moves instead of waiting."""

from __future__ import annotations

import time as real_time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from segctl.aep import AepClient, AepConfig
from segctl.engine import waiting
from segctl.engine.model import SegmentJob
from segctl.engine.report import Outcome
from segctl.sandbox import FaultConfig, LocalSandbox
from tests.sandbox.conftest import NOW


class FakeTime:
    """``time.monotonic``/``time.sleep`` for the engine, and the sandbox's clock: a sleep moves
    both (with a real millisecond, so the sandbox's worker thread gets to run)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def monotonic(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.seconds += seconds
        real_time.sleep(0.001)

    def now(self) -> datetime:
        return NOW + timedelta(seconds=self.seconds)


class Statuses:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def status(self, text: str) -> None:
        self.lines.append(text)

    def step(self, result: Any) -> None:
        pass

    def clear(self) -> None:
        pass


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(waiting, "time", fake)
    return fake


@pytest.fixture
def timed(data_dir: Path, clock: FakeTime) -> Iterator[tuple[LocalSandbox, AepClient]]:
    """Every job takes 10 minutes of sandbox time, plus 1 minute per 1,000 profiles."""
    app = LocalSandbox(data_dir, FaultConfig(job_ms=600_000, job_ms_per_1k=60_000),
                       now=clock.now)
    client = AepClient(AepConfig.local(), transport=app.transport())
    yield app, client
    client.close()
    app.close()


def _segment(client: AepClient) -> str:
    return str(client.create_segment_definition({
        "name": "Women", "schema": {"name": "_xdm.context.profile"},
        "expression": {"type": "PQL", "format": "pql/text",
                       "value": 'person.gender = "female"'}})["id"])


def test_a_job_shorter_than_the_timeout_finishes_at_its_sandbox_duration(
        timed: tuple[LocalSandbox, AepClient], clock: FakeTime) -> None:
    app, client = timed
    sid = _segment(client)
    progress = Statuses()
    [result] = waiting.run_segment_jobs([SegmentJob(("women",))], client, lambda _k: sid,
                                        timeout=1800, interval=5, progress=progress, skip=False)
    assert result.outcome is Outcome.OK, result.detail
    job = client.get_segment_job(str(result.id))
    total = job["metrics"]["totalTime"]
    expected = 600_000 + 60_000 * len(app.profile_data()) // 1000  # 300 profiles: 10m18s
    assert total["totalTimeInMs"] == expected
    assert 618 <= clock.seconds < 640  # the engine polled until then, not longer
    elapsed = [int(line.rsplit("(", 1)[1].rstrip("s)")) for line in progress.lines]
    assert elapsed == sorted(elapsed) and elapsed[-1] >= 600
    assert all(line.split(": ")[1].split(" (")[0] in ("NEW", "QUEUED", "PROCESSING")
               for line in progress.lines[:-1])  # minutes of progress before the end
    assert "SUCCEEDED" in progress.lines[-1]


def test_a_timeout_shorter_than_the_job_gives_up_and_the_job_keeps_running(
        timed: tuple[LocalSandbox, AepClient], clock: FakeTime) -> None:
    app, client = timed
    sid = _segment(client)
    [result] = waiting.run_segment_jobs([SegmentJob(("women",))], client, lambda _k: sid,
                                        timeout=300, interval=5, progress=Statuses(),
                                        skip=False)
    assert result.outcome is Outcome.FAILED
    assert "timed out after 300s" in result.detail and "PROCESSING" in result.detail
    [(_, job)] = app.store.all_scopes("segjob")
    assert client.get_segment_job(job["id"])["status"] == "PROCESSING"
    clock.sleep(400)  # the rest of its ten minutes
    assert client.get_segment_job(job["id"])["status"] == "SUCCEEDED"


def test_an_interrupted_held_back_job_ends_on_time_without_running_again(
        data_dir: Path, clock: FakeTime) -> None:
    faults = FaultConfig(job_ms=600_000)
    first = LocalSandbox(data_dir, faults, now=clock.now)
    with AepClient(AepConfig.local(), transport=first.transport()) as client:
        sid = _segment(client)
        jid = str(client.create_segment_jobs([sid])[0]["id"])
        assert first.wait_idle(60)  # evaluated; its end is held back for ten minutes
        assert client.get_segment_job(jid)["status"] == "PROCESSING"
    first.close()
    clock.sleep(601)
    second = LocalSandbox(data_dir, faults, now=clock.now)
    with AepClient(AepConfig.local(), transport=second.transport()) as client:
        done = client.get_segment_job(jid)
        assert done["status"] == "SUCCEEDED" and done["metrics"]["segmentedProfileCounter"][sid]
        assert second.wait_idle(0)  # nothing was re-run
    second.close()


def test_an_export_publishes_its_batch_only_when_it_shows_succeeded(
        timed: tuple[LocalSandbox, AepClient], clock: FakeTime) -> None:
    app, client = timed
    sid = _segment(client)
    did = client.create_dataset({"name": "Women rows"})
    export = client.create_export_job({
        "fields": "_id", "filter": {"segments": [{"segmentId": sid}]},
        "destination": {"datasetId": did}, "schema": {"name": "_xdm.context.profile"},
        "evaluationInfo": {"segmentation": True}})
    assert app.wait_idle(60)  # the work is done; its end is ten minutes away
    assert client.get_export_job(export["id"])["status"] == "PROCESSING"
    assert "lastSuccessfulBatch" not in client.get_dataset(did)
    assert client.preview_dataset(did) == []
    assert [b["status"] for b in client.list_dataset_batches(did)] == ["loading"]
    clock.sleep(700)
    done = client.get_export_job(export["id"])
    assert done["status"] == "SUCCEEDED"
    batch = client.get_dataset(did)["lastSuccessfulBatch"]
    assert [b["status"] for b in client.list_dataset_batches(did)] == ["success"]
    assert batch == done["destination"]["batchId"]
    assert len(client.preview_dataset(did)) == min(done["metrics"]["totalExportedProfileCounter"],
                                                    100)
