"""The chaos and crash suites (issue #17): one run of each, and the full profiles.

chaos: N segments applied by a real ``segctl apply`` to a real ``segctl sandbox serve`` that
injects ``rate429=0.2,rate5xx=0.1,drop=0.05,latency_ms=5,seed=S``; then ``plan`` /
``apply`` again until the plan is empty (at most five re-runs). Counted: whether the first
apply succeeded, whether it converged, duplicates, segments awaiting evaluation afterwards.

crash: the same project, no faults; the apply process is killed with SIGKILL at a moment (a
seeded random time, or once it reached a phase: creates, job polling, export polling), then
``apply`` runs again. Counted: converged, duplicates, needless re-evaluations, segments never
evaluated.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.convergence.harness import (
    CHAOS_FAULTS,
    Verdict,
    fresh_sandbox,
    segctl,
    served,
    start_apply,
    verify,
    write_project,
)

PHASES = ("creates", "job polling", "export polling")


@dataclass(frozen=True)
class ChaosRun:
    seed: int
    first_ok: bool
    reruns: int
    seconds: float
    verdict: Verdict
    first_error: str = ""


def chaos_run(seed: int, segments: int, work: Path, template: Path,
              extra_faults: str = "") -> ChaosRun:
    """``extra_faults`` adds to the fault string (the short profile answers 429s with
    ``Retry-After: 0`` to stay within seconds)."""
    data = fresh_sandbox(template, work / "sandbox")
    project = write_project(work / "project", segments)
    started = time.monotonic()
    faults = ",".join(filter(None, [CHAOS_FAULTS, extra_faults, f"seed={seed}"]))
    with served(data, faults) as server:
        env = server.env()
        first = segctl(["apply", str(project), "--auto-approve"], env, work)
        seconds = time.monotonic() - started
        (work / "first-apply.out").write_text(first.stdout + "\n--- stderr\n" + first.stderr)
        reruns = 0
        while reruns < 5:
            plan = segctl(["plan", str(project), "--detailed-exitcode"], env, work)
            if plan.returncode == 0:
                break
            segctl(["apply", str(project), "--auto-approve"], env, work)
            reruns += 1
    error = "" if first.returncode == 0 else _last_error(first.stderr + first.stdout)
    return ChaosRun(seed, first.returncode == 0, reruns, seconds, verify(data, project), error)


def _last_error(text: str) -> str:
    """The first failed action of the report (else the error line, else the last line)."""
    lines = text.splitlines()
    failed = [line.strip() for line in lines if line.strip().startswith("FAILED")]
    errors = [line.strip() for line in lines if line.startswith("error:")]
    chosen = failed or errors or [line for line in lines if line.strip()][-1:] or [""]
    return chosen[0][:300]


@dataclass(frozen=True)
class CrashRun:
    moment: str  # "t=1.23s" or a phase
    killed: bool  # False: the apply ended before the moment came
    reruns: int
    verdict: Verdict
    seconds: float = 0.0  # how long the first apply ran (until killed or done)


def crash_run(moment: str | float, segments: int, work: Path, template: Path) -> CrashRun:
    data = fresh_sandbox(template, work / "sandbox")
    project = write_project(work / "project", segments)
    log = work / "killed-apply.err"
    with served(data) as server:
        env = server.env()
        with log.open("w") as stderr:
            started = time.monotonic()
            process = start_apply(project, env, work, stderr)
            killed = _wait_for(moment, process, log)
            if killed:
                process.send_signal(signal.SIGKILL)
            process.wait(600)
            seconds = time.monotonic() - started
        reruns = 0
        while reruns < 3:
            reruns += 1
            if segctl(["apply", str(project), "--auto-approve"], env, work).returncode == 0:
                break
    label = f"t={moment:.2f}s" if isinstance(moment, float) else moment
    return CrashRun(label, killed, reruns, verify(data, project), seconds)


def _wait_for(moment: str | float, process: subprocess.Popen[str], log: Path) -> bool:
    """Block until the kill moment; False when the apply finished first."""
    poll = process.poll
    deadline = time.monotonic() + 600
    if isinstance(moment, float):
        end = time.monotonic() + moment
        while time.monotonic() < end:
            if poll() is not None:
                return False
            time.sleep(0.005)
        return poll() is None
    while time.monotonic() < deadline:
        if poll() is not None:
            return False
        if _reached(moment, log.read_text(encoding="utf-8", errors="replace")):
            return True
        time.sleep(0.005)
    return False


def _reached(phase: str, text: str) -> bool:
    lines = text.splitlines()
    if phase == "creates":
        return sum(1 for line in lines if " segment create " in line) >= 5
    if phase == "job polling":
        return any(line.startswith("segment job ") and ": " in line for line in lines)
    if phase == "export polling":
        return any(line.startswith("export ") and ": " in line for line in lines)
    raise ValueError(phase)


def crash_moments(seed: int, count: int, horizon: float) -> list[str | float]:
    """``count`` seeded random times within ``horizon`` seconds, then each phase once."""
    rng = random.Random(seed)
    times: list[str | float] = [round(rng.uniform(0.3, horizon), 2) for _ in range(count)]
    return [*times, *PHASES]
