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
    # nothing was deleted (the exports --no-jobs skipped are still pending work)
    assert "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete;" in run("plan")[1]


def test_prune_with_a_file_alone_in_its_folder(workdir: Path, run: Run) -> None:
    (workdir / "solo").mkdir()
    shutil.copy(workdir / "segments" / "us-residents.yaml", workdir / "solo")
    code, _, err = run("plan", "solo/us-residents.yaml", "--prune")
    assert code == 0, err
