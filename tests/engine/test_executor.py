"""The apply executor: dependency order, bounded concurrency, stop-on-failure, timeouts."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from segctl.engine.executor import Task, run_tasks
from segctl.engine.progress import NullProgress
from segctl.engine.report import ActionResult, Outcome
from segctl.engine.waiting import JobTimeout, _wait


def result(name: str, outcome: Outcome = Outcome.SKIPPED) -> ActionResult:
    return ActionResult("segment", "create", name, outcome)


def task(name: str, deps: tuple[str, ...], body: Callable[[], None], log: list[str]) -> Task:
    def run() -> ActionResult:
        body()
        log.append(name)
        return result(name, Outcome.OK)
    return Task(name, deps, run, result(name))


def test_dependencies_run_first_and_concurrency_is_bounded() -> None:
    log: list[str] = []
    running, peak = [0], [0]
    lock = threading.Lock()

    def body() -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        threading.Event().wait(0.01)
        with lock:
            running[0] -= 1

    tasks = [task(f"leaf{i}", (), body, log) for i in range(6)]
    tasks.append(task("top", tuple(f"leaf{i}" for i in range(6)), body, log))
    results = run_tasks(tasks, 2)
    assert all(r.outcome is Outcome.OK for r in results.values())
    assert log[-1] == "top" and peak[0] <= 2


def test_a_failure_stops_new_work_and_in_flight_work_finishes() -> None:
    log: list[str] = []
    started = threading.Event()
    release = threading.Event()

    def slow() -> None:
        started.set()
        release.wait(5)

    def boom() -> None:
        started.wait(5)
        release.set()
        raise RuntimeError("injected")

    tasks = [task("slow", (), slow, log), task("boom", (), boom, log),
             task("later", (), lambda: None, log), task("child", ("boom",), lambda: None, log)]
    results = run_tasks(tasks, 2)
    assert results["slow"].outcome is Outcome.OK  # in flight: allowed to finish
    assert results["boom"].outcome is Outcome.FAILED
    assert "injected" in results["boom"].detail
    assert results["later"].outcome is Outcome.SKIPPED
    assert results["child"].outcome is Outcome.SKIPPED
    assert "later" not in log and "child" not in log


def test_a_cycle_is_reported_not_hung() -> None:
    log: list[str] = []
    results = run_tasks([task("a", ("b",), lambda: None, log),
                         task("b", ("a",), lambda: None, log)], 2)
    assert {r.outcome for r in results.values()} == {Outcome.SKIPPED}
    assert "cycle" in results["a"].detail


def test_waiting_gives_up_after_the_timeout() -> None:
    calls = [0]

    def fetch() -> dict[str, object]:
        calls[0] += 1
        return {"id": "job-1", "status": "PROCESSING"}

    with pytest.raises(JobTimeout, match="job-1 is still PROCESSING"):
        _wait(fetch, "segment job", 0.05, 0.01, NullProgress())
    assert calls[0] >= 1
    assert _wait(lambda: {"status": "SUCCEEDED"}, "x", 1, 0.01, NullProgress())["status"] == \
        "SUCCEEDED"
