"""A saved plan applied from another directory than the one it was made in."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run


def test_apply_of_a_saved_plan_from_another_directory(workdir: Path, run: Run,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("plan", "--out", "p.plan")[0] == 0
    elsewhere = workdir / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, err = run("apply", "../p.plan")
    assert code == 1
    assert "the plan's project folder 'segments' is not here" in err
    assert "path not found" not in err
    assert out == ""
