"""A small runner for ``action.yml``: runs its ``run:`` steps with bash as GitHub's runner
would (inputs with their defaults, ``env:`` and ``working-directory:`` evaluated, each step's
``$GITHUB_OUTPUT`` read back, ``if:`` conditions honoured) and records its ``uses:`` steps.

It understands the expressions the action uses and refuses any other, so a new expression
in action.yml fails the tests until this runner (and the reviewer) learn it.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .story import read_outputs

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_COMPARE = re.compile(r"^([\w.-]+)\s*(==|!=)\s*'([^']*)'$")


@dataclass
class ActionRun:
    outputs: dict[str, str]
    steps: list[tuple[str, int]] = field(default_factory=list)  # (name, exit code)
    uses: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    stdout: str = ""
    failed: bool = False


class Runner:
    def __init__(self, action_dir: Path, workspace: Path, env: dict[str, str]) -> None:
        self.action = yaml.safe_load((action_dir / "action.yml").read_text())
        self.action_dir = action_dir
        self.workspace = workspace
        self.env = env

    def _lookup(self, name: str, inputs: dict[str, str], steps: dict[str, dict[str, str]]
                ) -> str:
        if name.startswith("inputs."):
            return inputs[name[len("inputs."):]]
        if name == "github.action_path":
            return str(self.action_dir)
        if name == "github.token":
            return self.env.get("GITHUB_TOKEN", "")
        found = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", name)
        if found:
            return steps.get(found.group(1), {}).get(found.group(2), "")
        raise AssertionError(f"the runner does not know the expression {name!r}")

    def _expand(self, text: Any, inputs: dict[str, str],
                steps: dict[str, dict[str, str]]) -> str:
        return _EXPR.sub(lambda m: self._lookup(m.group(1), inputs, steps), str(text))

    def _condition(self, text: str | None, inputs: dict[str, str],
                   steps: dict[str, dict[str, str]], failed: bool) -> bool:
        if text is None:
            return not failed
        always = False
        for term in (t.strip() for t in text.split("&&")):
            if term == "always()":
                always = True
                continue
            found = _COMPARE.match(term)
            assert found, f"the runner does not know the condition {term!r}"
            value = self._lookup(found.group(1), inputs, steps)
            if (value == found.group(3)) != (found.group(2) == "=="):
                return False
        return always or not failed

    def run(self, given: dict[str, str]) -> ActionRun:
        spec = self.action["inputs"]
        inputs = {name: str(meta.get("default", "")) for name, meta in spec.items()}
        inputs = {k: self._expand(v, inputs, {}) for k, v in inputs.items()}
        unknown = set(given) - set(spec)
        assert not unknown, f"not inputs of the action: {unknown}"
        inputs.update(given)
        missing = [n for n, meta in spec.items() if meta.get("required") and not inputs[n]]
        assert not missing, f"required inputs missing: {missing}"
        steps: dict[str, dict[str, str]] = {}
        result = ActionRun({})
        for n, step in enumerate(self.action["runs"]["steps"]):
            name = step.get("name", f"step {n}")
            if not self._condition(step.get("if"), inputs, steps, result.failed):
                continue
            if "uses" in step:
                with_ = {k: self._expand(v, inputs, steps) for k, v in step["with"].items()}
                result.uses.append((step["uses"], with_))
                continue
            assert "${{" not in step["run"], f"{name}: an expression inside run:"
            output = self.workspace / f".action-output-{n}"
            env = {**self.env, "GITHUB_OUTPUT": str(output)}
            env.update({k: self._expand(v, inputs, steps) for k, v in step["env"].items()})
            cwd = self.workspace / self._expand(step.get("working-directory", "."), inputs,
                                                steps)
            done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env,
                                  capture_output=True, text=True, timeout=300)
            result.stdout += done.stdout + done.stderr
            result.steps.append((name, done.returncode))
            if "id" in step:
                steps[step["id"]] = read_outputs(output)
            result.failed = result.failed or done.returncode != 0
        result.outputs = {name: self._expand(meta["value"], inputs, steps)
                          for name, meta in self.action["outputs"].items()}
        return result


def base_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "SEGCTL_", "AEP_", "RUNNER_"))}
    env.update(extra)
    return env
