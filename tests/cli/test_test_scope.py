"""`segctl test FOLDER` for a folder inside the project runs its tests against the project."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run


def test_tests_folder_inside_the_project(workdir: Path, run: Run) -> None:
    code, out, err = run("test", "segments/tests")
    assert code == 0, err
    assert "unknown segment key" not in err
    assert out.rstrip().endswith("==== 11 passed, 0 failed ====")


def test_one_test_file(workdir: Path, run: Run) -> None:
    code, out, _ = run("test", "segments/tests/profile-attributes.yaml")
    assert code == 0
    assert out.rstrip().endswith("==== 6 passed, 0 failed ====")
    assert "shopper-behaviour" not in out


def test_project_folder_itself(workdir: Path, run: Run) -> None:
    code, out, _ = run("test", "segments")
    assert code == 0 and out.rstrip().endswith("==== 11 passed, 0 failed ====")
