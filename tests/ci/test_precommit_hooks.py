"""The published pre-commit hooks run as pre-commit would run them (entry + args, no file
names): clean on the example project; validate fails on a broken file, fmt rewrites one."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from .story import REPO


def hooks() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}


def run_hook(hook: dict, cwd: Path) -> subprocess.CompletedProcess[str]:
    entry = shlex.split(hook["entry"])
    assert entry[0] == "segctl" and hook["language"] == "python"
    return subprocess.run([sys.executable, "-m", "segctl", *entry[1:], *hook.get("args", [])],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_three_hooks(tmp_path: Path) -> None:
    published = hooks()
    assert set(published) == {"segctl-validate", "segctl-fmt", "segctl-test"}
    assert all(h["files"] == r"\.ya?ml$" for h in published.values())
    shutil.copytree(REPO / "segments", tmp_path / "segments")
    for hook in published.values():
        done = run_hook(hook, tmp_path)
        assert done.returncode == 0, (hook["id"], done.stderr)
    target = tmp_path / "segments" / "gmail-subscribers.yaml"
    tidy = target.read_text()
    target.write_text(tidy.replace("ttlInDays: 14\n", "") + "ttlInDays: 14\n")
    assert run_hook(published["segctl-fmt"], tmp_path).returncode == 0
    assert target.read_text() == tidy  # pre-commit then sees the rewrite and stops the commit
    target.write_text(tidy.replace("pql: personalEmail", "pql: = personalEmail"))
    broken = run_hook(published["segctl-validate"], tmp_path)
    assert broken.returncode == 1 and "gmail-subscribers.yaml:" in broken.stderr
