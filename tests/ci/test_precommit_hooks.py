"""The published pre-commit hooks run as pre-commit would run them (entry + args, no file
names, except fmt which gets the staged files): clean on the example project; validate fails on
a broken file, fmt rewrites one."""

from __future__ import annotations

import re
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
    """As pre-commit runs it on --all-files: entry, args, then the matching file names."""
    entry = shlex.split(hook["entry"])
    assert entry[0] == "segctl" and hook["language"] == "python"
    files: list[str] = []
    if hook.get("pass_filenames", True):
        files = sorted(str(p.relative_to(cwd)) for p in cwd.rglob("*")
                       if p.is_file() and re.search(hook["files"], str(p.relative_to(cwd))))
        assert files
    return subprocess.run([sys.executable, "-m", "segctl", *entry[1:], *hook.get("args", []),
                           *files], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_three_hooks(tmp_path: Path) -> None:
    published = hooks()
    assert set(published) == {"segctl-validate", "segctl-fmt", "segctl-test"}
    assert all(h["files"] == r"\.ya?ml$" for h in published.values())
    assert published["segctl-fmt"].get("pass_filenames", True)  # per file
    assert not published["segctl-validate"]["pass_filenames"]  # the whole project
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
