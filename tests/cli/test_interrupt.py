"""Ctrl-C: exit 130 with a plain message; during apply, say what to do next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import Run


def _interrupt(*_args: Any, **_kwargs: Any) -> Any:
    raise KeyboardInterrupt


def test_ctrl_c_while_applying(workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("segctl.cli.apply.apply_plan", _interrupt)
    code, out, err = run("apply", "--auto-approve")
    assert code == 130
    assert "Plan: 13 to create" in out
    assert "error: interrupted: apply stopped part-way" in err
    assert "hint: run `segctl plan` to see what is left" in err
    assert "Aborted" not in err


def test_ctrl_c_elsewhere(workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("segctl.cli.plan.build_plan", _interrupt)
    code, out, err = run("plan")
    assert (code, out) == (130, "")
    assert err.strip() == "Interrupted."
