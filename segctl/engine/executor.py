"""Run tasks with dependencies on a bounded thread pool.

A task starts once its dependencies succeeded; a failure stops new work, lets in-flight tasks
finish, and leaves every task not started as ``skipped``. Unknown dependency names count as
satisfied (they are not part of this run).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace

from segctl.engine.report import ActionResult, Outcome


@dataclass(frozen=True)
class Task:
    name: str
    deps: tuple[str, ...]
    run: Callable[[], ActionResult]
    skipped: ActionResult  # what to report if it never runs (detail filled in here)


def run_tasks(
    tasks: Sequence[Task],
    concurrency: int,
    on_result: Callable[[ActionResult], None] = lambda _result: None,
) -> dict[str, ActionResult]:
    names = {t.name for t in tasks}
    pending = {t.name: t for t in tasks}
    results: dict[str, ActionResult] = {}
    running: dict[Future[ActionResult], str] = {}
    stopped = False

    def finish(name: str, result: ActionResult) -> None:
        results[name] = result
        on_result(result)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        while pending or running:
            if not stopped:
                for name, task in list(pending.items()):
                    if len(running) >= concurrency:
                        break
                    deps = [d for d in task.deps if d in names and d != name]
                    if any(d in pending or d in running.values() for d in deps):
                        continue
                    blocked = [d for d in deps if results[d].outcome is not Outcome.OK]
                    del pending[name]
                    if blocked:
                        finish(name, replace(task.skipped, detail=f"not started: {blocked[0]} "
                                             "did not succeed"))
                        continue
                    running[pool.submit(_guarded, task)] = name
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                result = future.result()
                finish(name, result)
                if result.outcome is Outcome.FAILED:
                    stopped = True
    for name, task in pending.items():
        why = "an earlier action failed" if stopped else "dependency cycle"
        finish(name, replace(task.skipped, detail=f"not started: {why}"))
    return results


def _guarded(task: Task) -> ActionResult:
    started = time.monotonic()
    try:
        result = task.run()
    except Exception as err:  # every failure becomes a reported result, never a lost thread
        message = getattr(err, "message", None) or f"{type(err).__name__}: {err}"
        result = replace(task.skipped, outcome=Outcome.FAILED, detail=str(message))
    return replace(result, seconds=round(time.monotonic() - started, 3))
