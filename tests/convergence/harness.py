"""Shared machinery of the chaos and crash suites: a generated project, the local sandbox
served as a real process (``segctl sandbox serve``), ``segctl apply`` as a real process, and
the checks made afterwards on the sandbox's state.

Both suites run with ``SEGCTL_ONDEMAND_RATION=off`` on both sides: a 200-segment project needs
ten on-demand jobs, five times AEP's daily ration, and the suites test convergence, not the
ration (tests/engine/test_evaluation.py and tests/sandbox/test_ration.py do).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from segctl.aep import AepClient, AepConfig
from segctl.aep.documents import creation_time
from segctl.aep.ration import UNLIMITED
from segctl.engine import build_plan
from segctl.engine.evaluation import assess_all
from segctl.project import load_project
from segctl.sandbox import LocalSandbox
from segctl.sandbox.profilestore import profiles as sample_profiles

CHAOS_FAULTS = "rate429=0.2,rate5xx=0.1,drop=0.05,latency_ms=5"
PROFILES = 300
_URL = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


def write_project(root: Path, segments: int) -> Path:
    """``segments`` batch segments (every tenth one references another through inSegment)
    and two exports."""
    root.mkdir(parents=True, exist_ok=True)
    docs = []
    for i in range(segments):
        pql = f"person.birthYear = {1940 + i % 60}"
        if i % 10 == 9:
            pql = f'inSegment("key:s{i - 9:03d}") and person.gender = "female"'
        elif i % 7 == 3:
            pql = f'homeAddress.countryCode = "{("US", "CA", "FR", "DE")[i % 4]}"'
        docs.append(f"kind: Segment\nkey: s{i:03d}\nname: Chaos segment {i:03d}\n"
                    f"pql: '{pql}'\n")
    docs.append("kind: Export\nkey: first-five\nsegments: [s000, s001, s002, s003, s004]\n"
                "dataset: Reliability first five\nfields: [_id, person.gender]\n")
    docs.append(f"kind: Export\nkey: last\nsegments: [s{segments - 1:03d}]\n"
                "dataset: Reliability last\n")
    (root / "segments.yaml").write_text("---\n".join(docs), encoding="utf-8")
    return root


def seed_template(path: Path) -> Path:
    if not (path / sample_profiles.PROFILES_DIR).exists():
        sample_profiles.seed(path, PROFILES, 42, _now())
    return path


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AEP_", "SEGCTL_")) and k != "NO_COLOR"}
    env["SEGCTL_ONDEMAND_RATION"] = "off"
    env.update(extra)
    return env


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    log: Path

    def env(self, **extra: str) -> dict[str, str]:
        return base_env(AEP_PLATFORM_URL=self.url, AEP_IMS_URL=f"{self.url}/ims/token/v3",
                        **extra)


@contextmanager
def served(data: Path, faults: str | None = None) -> Iterator[Served]:
    """``segctl sandbox serve`` on a free port over ``data``; stopped with SIGTERM."""
    log = data.parent / f"serve-{data.name}.log"
    env = base_env(**({"SEGCTL_FAULTS": faults} if faults else {}))
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "segctl", "sandbox", "serve", "--data", str(data),
             "--port", "0"], stdout=subprocess.PIPE, stderr=sink, text=True, env=env)
        try:
            url = _read_url(process.stdout)
            yield Served(process, url, log)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _read_url(stream: IO[str] | None) -> str:
    assert stream is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        found = _URL.search(line)
        if found:
            return found.group(1)
    raise RuntimeError("segctl sandbox serve did not report its URL")


def segctl(args: list[str], env: Mapping[str, str], cwd: Path,
           timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "segctl", *args], env=dict(env), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def start_apply(project: Path, env: Mapping[str, str], cwd: Path,
                stderr: IO[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "segctl", "apply", str(project), "--auto-approve"],
        env=dict(env), cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr, text=True)


@dataclass(frozen=True)
class Verdict:
    """What the sandbox holds after the runs, read without faults."""

    declared: int
    live_owned: int
    duplicates: int  # definitions or datasets present more than once
    awaiting: int  # declared segments not evaluated in their current form
    needless: int  # evaluations of a definition that an earlier job had already evaluated
    has_work: bool  # the plan still has anything to do

    @property
    def converged(self) -> bool:
        return not self.has_work and self.live_owned == self.declared


def verify(data: Path, project_path: Path) -> Verdict:
    """Open the data directory in-process (the server is stopped) and count."""
    project = load_project(project_path)
    names = {s.name for s in project.segments}
    with LocalSandbox(data, ration=UNLIMITED) as sandbox, \
            AepClient(AepConfig.local(), transport=sandbox.transport()) as client:
        sandbox.wait_idle(120)
        definitions = client.list_segment_definitions()
        counts = Counter(str(d.get("name")) for d in definitions)
        datasets = Counter(str(d.get("name")) for d in client.list_datasets())
        duplicates = sum(n - 1 for name, n in counts.items() if name in names)
        duplicates += sum(n - 1 for n in datasets.values())
        owned = [d for d in definitions if d.get("name") in names]
        jobs = client.list_segment_jobs()
        states = assess_all(owned, jobs, 0)
        needless = _needless(owned, jobs)
        plan = build_plan(project, client)
    return Verdict(len(names), len(counts.keys() & names), duplicates,
                   sum(1 for s in states.values() if s.state != "current"), needless,
                   plan.has_work)


def _needless(definitions: list[dict[str, Any]], jobs: list[dict[str, Any]]) -> int:
    """Jobs (successful or still running) that evaluated a definition already evaluated, as it
    is now, by an earlier successful job."""
    current = {str(d["id"]): d.get("expression") for d in definitions}
    seen: Counter[str] = Counter()
    for job in sorted(jobs, key=creation_time):
        if job.get("status") not in ("SUCCEEDED", "NEW", "QUEUED", "PROCESSING"):
            continue
        for entry in job.get("segments") or ():
            sid = str(entry.get("segmentId"))
            snapshot = (entry.get("segment") or {}).get("expression")
            if sid in current and snapshot == current[sid]:
                seen[sid] += 1
    return sum(n - 1 for n in seen.values() if n > 1)


def fresh_sandbox(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target
