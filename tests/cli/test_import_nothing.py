"""`segctl import` with nothing to import says so, with or without --dry-run."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)])
def test_everything_declared_already(workdir: Path, run: Run, dry_run: tuple[str, ...]) -> None:
    assert run("apply", "--auto-approve", "--no-jobs")[0] == 0
    code, out, err = run("import", *dry_run)
    assert (code, out) == (0, "")
    assert err.rstrip().endswith(
        "nothing to import: the project declares every live segment definition already")


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)])
def test_empty_sandbox(workdir: Path, run: Run, dry_run: tuple[str, ...]) -> None:
    code, out, err = run("import", "--match", "VIP*", *dry_run)
    assert (code, out) == (0, "")
    assert err.rstrip() == "no live segment definitions matching 'VIP*' to import"
