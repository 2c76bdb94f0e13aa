"""The README's five-minute tour runs as written (init -> apply -> edit -> plan -> status)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _tour() -> tuple[list[str], str]:
    """The tour's shell lines (comments dropped) and the rule the prose asks to write."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert len(blocks) == 2, "the tour has two command blocks around the edit"
    rule = re.search(r"change the `pql:` line to\n?`([^`]+)`", section)
    assert rule, "the tour says which rule to write"
    lines = [re.sub(r"\s+#.*$", "", line).strip() for block in blocks
             for line in block.splitlines()]
    return [line for line in lines if line], rule.group(1)


def test_the_tour_runs(tmp_path: Path) -> None:
    lines, rule = _tour()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    segctl = bindir / "segctl"
    segctl.write_text(f"#!/bin/sh\nexec {sys.executable} -m segctl \"$@\"\n")
    segctl.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AEP_", "SEGCTL_"))}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    env["SEGCTL_SANDBOX_DIR"] = str(tmp_path / "shop" / ".segctl")
    have_jq = shutil.which("jq") is not None
    edited = False
    cwd = tmp_path
    for line in lines:
        if "jq" in line and not have_jq:
            line = line.split(" | jq", 1)[0].split(" && jq", 1)[0]
        if line.startswith("segctl fmt --diff") and not edited:
            path = cwd / "segments" / "female-customers.yaml"
            text = path.read_text()
            path.write_text(re.sub(r"(?m)^pql: .*$", f"pql: {rule}", text))
            edited = True
        proc = subprocess.run(["bash", "-eo", "pipefail", "-c", line], cwd=cwd, env=env,
                              capture_output=True, text=True)
        assert proc.returncode == 0, (line, proc.stdout, proc.stderr)
        if line.startswith("segctl init shop && cd shop"):
            cwd = tmp_path / "shop"
        if line.startswith("segctl plan") and "json" not in line:
            assert "~ segment 'female-customers'" in proc.stdout
            assert "Plan: 0 to create, 1 to update" in proc.stdout
        if line.startswith("segctl status"):
            assert "female-customers" in proc.stdout and "this project" in proc.stdout
    assert edited
