"""Helpers for driving the real ``segctl ci`` process like a GitHub Actions step would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .fakegithub import FakeGitHub

REPO = Path(__file__).resolve().parents[2]
# the example project's files the stories need (inSegment dependents, a pql/json rule), without
# its exports and tests, so each apply waits for one small segment job only
STORY_FILES = ("environments.yaml", "female-customers.yaml", "high-value-purchasers.yaml",
               "vip-women.yaml", "gmail-subscribers.yaml", "us-residents.yaml")


def copy_project(to: Path) -> Path:
    to.mkdir(parents=True)
    for name in STORY_FILES:
        shutil.copy(REPO / "segments" / name, to / name)
    return to


@dataclass
class Step:
    code: int
    out: str
    err: str
    outputs: dict[str, str]
    summary: str


def read_outputs(path: Path) -> dict[str, str]:
    """Parse a GITHUB_OUTPUT file written with ``name<<DELIM`` heredocs."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        name, _, delimiter = lines[i].partition("<<")
        end = lines.index(delimiter, i + 1)
        values[name] = "\n".join(lines[i + 1:end])
        i = end + 1
    return values


class Actions:
    """Runs steps in ``workdir`` with a fresh GITHUB_OUTPUT, summary and event file each."""

    def __init__(self, workdir: Path, github: FakeGitHub) -> None:
        self.workdir = workdir
        self.github = github
        self.runs = 0

    def env(self, event_name: str, event: dict[str, Any], *, sha: str,
            workflow: str, token: str = "bot-token") -> dict[str, str]:
        self.runs += 1
        step = self.workdir / f".step{self.runs}"
        step.mkdir()
        (step / "event.json").write_text(json.dumps(event))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GITHUB_", "AEP_", "SEGCTL_", "RUNNER_"))}
        env.update({
            "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": self.github.state.repo,
            "GITHUB_API_URL": self.github.url, "GITHUB_SERVER_URL": "https://github.test",
            "GITHUB_TOKEN": token, "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(step / "event.json"), "GITHUB_SHA": sha,
            "GITHUB_REF": "refs/heads/main", "GITHUB_RUN_ID": str(1000 + self.runs),
            "GITHUB_RUN_NUMBER": str(self.runs),
            "GITHUB_WORKFLOW_REF": f"{self.github.state.repo}/.github/workflows/{workflow}"
                                   "@refs/heads/main",
            "GITHUB_OUTPUT": str(step / "output"), "GITHUB_STEP_SUMMARY": str(step / "summary"),
            "RUNNER_TEMP": str(step / "tmp"),
            "SEGCTL_SANDBOX_DIR": str(self.workdir / ".segctl"),
            "SEGCTL_ENV": "local",
        })
        return env

    def run(self, args: list[str], env: dict[str, str]) -> Step:
        done = subprocess.run([sys.executable, "-m", "segctl", *args], cwd=self.workdir,
                              env=env, capture_output=True, text=True, timeout=300)
        output = Path(env["GITHUB_OUTPUT"])
        summary = Path(env["GITHUB_STEP_SUMMARY"])
        return Step(done.returncode, done.stdout, done.stderr, read_outputs(output),
                    summary.read_text(encoding="utf-8") if summary.exists() else "")

    def pull_request(self, number: int, *, token: str = "bot-token", **extra: str) -> Step:
        pr = self.github.state.pulls[number]
        event = {"action": "synchronize", "number": number, "pull_request": pr}
        env = self.env("pull_request", event, sha="f" * 40, workflow="segctl-plan-local.yml",
                       token=token)
        env.update(extra)
        return self.run(["ci", "plan"], env)

    def push(self, sha: str, before: str, **extra: str) -> Step:
        env = self.env("push", {"before": before, "after": sha}, sha=sha,
                       workflow="segctl-apply-local.yml")
        env.update(extra)
        return self.run(["ci", "apply"], env)

    def dispatch_apply(self, sha: str, digest: str) -> Step:
        env = self.env("workflow_dispatch", {"inputs": {"approve-digest": digest}}, sha=sha,
                       workflow="segctl-apply-local.yml")
        return self.run(["ci", "apply"], env)

    def schedule_drift(self, sha: str) -> Step:
        env = self.env("schedule", {"schedule": "17 4 * * *"}, sha=sha,
                       workflow="segctl-drift-local.yml")
        return self.run(["ci", "drift"], env)
