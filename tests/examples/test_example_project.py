"""The shipped example project is the first thing a user runs: it must be valid, formatted,
and its segment unit tests must pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from segctl.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "segments"


@pytest.mark.parametrize("argv", [
    ["validate", str(EXAMPLES)],
    ["fmt", str(EXAMPLES), "--check"],
    ["test", str(EXAMPLES)],
])
def test_example_project_is_clean(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (None, 0), out + err
