"""`segctl test -k TEXT` that selects nothing is an error, not a silent pass."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import Run


def test_keyword_matching_nothing_fails(workdir: Path, run: Run) -> None:
    code, out, err = run("test", "-k", "no-such-case")
    assert code == 1
    assert "error: no test case under segments matches -k 'no-such-case'" in err
    assert "no SegmentTest cases found" not in err
    assert "passed" not in out


def test_keyword_matching_some_cases_runs_them(workdir: Path, run: Run) -> None:
    code, out, _ = run("test", "-k", "vip-women")
    assert code == 0
    assert "PASS " in out and "::vip-women" in out and "==== 1 passed, 0 failed ====" in out


def test_project_without_tests_is_not_an_error(workdir: Path, run: Run) -> None:
    shutil.rmtree(workdir / "segments" / "tests")
    code, _, err = run("test")
    assert code == 0
    assert "no SegmentTest cases found under segments" in err
