"""--prune with one file of a project folder is refused: it would delete what the other files
declare. A file that is alone in its folder is a whole project and may be pruned."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import Run


@pytest.mark.parametrize("command", [("plan",), ("apply", "--auto-approve")])
def test_prune_with_one_file_of_a_project(workdir: Path, run: Run,
                                          command: tuple[str, ...]) -> None:
    assert run("apply", "--auto-approve", "--no-jobs")[0] == 0
    code, out, err = run(*command, "segments/us-residents.yaml", "--prune")
    assert (code, out) == (1, "")
    assert "error: --prune with the single file segments/us-residents.yaml would delete" in err
    assert "hint: prune with the whole project folder: `segctl plan segments --prune`" in err
    code, out, _ = run("plan")
    assert code == 0 and out.startswith("No changes.")  # nothing was deleted
    # --no-jobs evaluated nothing: the plan says so, and --detailed-exitcode reports the work
    assert "female-customers: never evaluated" in out
    assert run("plan", "--detailed-exitcode")[0] == 2


def test_prune_with_a_file_alone_in_its_folder(workdir: Path, run: Run) -> None:
    (workdir / "solo").mkdir()
    shutil.copy(workdir / "segments" / "us-residents.yaml", workdir / "solo")
    code, _, err = run("plan", "solo/us-residents.yaml", "--prune")
    assert code == 0, err
