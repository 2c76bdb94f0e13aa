"""`dataset preview --export KEY`, and the did-you-mean for a name off by the env prefix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Run


@pytest.fixture
def applied(workdir: Path, run: Run) -> Path:
    code, _, err = run("apply", "--auto-approve")
    assert code == 0, err
    return workdir


def test_preview_by_export_key_fills_in_the_prefix(applied: Path, run: Run) -> None:
    code, out, err = run("dataset", "preview", "--export", "retargeting", "--format", "json",
                         "--limit", "3")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 3 and all("personalEmail" in r for r in rows)
    by_name = run("dataset", "preview", "local-Retargeting audiences", "--format", "json",
                  "--limit", "3")
    assert by_name[0] == 0 and json.loads(by_name[1]) == rows


def test_name_without_the_env_prefix_gets_a_hint(applied: Path, run: Run) -> None:
    code, _, err = run("dataset", "preview", "Retargeting audiences")
    assert code == 1 and "no dataset named 'Retargeting audiences'" in err
    assert "did you mean 'local-Retargeting audiences'? (the environment's vars prefix " \
           "dataset names with 'local-')" in err


def test_unknown_export_key_and_argument_errors(applied: Path, run: Run) -> None:
    code, _, err = run("dataset", "preview", "--export", "retargetin")
    assert code == 1 and "did you mean 'retargeting'?" in err
    code, _, err = run("dataset", "preview")
    assert code == 1 and "give either a dataset NAME or --export KEY" in err
    code, _, err = run("dataset", "preview", "x", "--export", "retargeting")
    assert code == 1 and "give either" in err
