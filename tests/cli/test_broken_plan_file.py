"""`segctl apply FILE` with a file that is not a readable segctl plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run


@pytest.mark.parametrize(("text", "message", "where"), [
    ('{"format_version": 1, "x": \n', "not a segctl plan file: invalid JSON (Expecting value)",
     "p.plan:2:1: error:"),
    ("hello\n", "not a segctl plan file: invalid JSON", "p.plan:1:1: error:"),
    ("[1, 2]\n", "not a segctl plan file: expected a JSON object", "p.plan:1:1: error:"),
    ('{"a": 1}\n', "not a segctl plan file: it has no format_version", "p.plan: error:"),
    ('{"format_version": 2, "segment_changes": ["x"]}\n',
     "the saved plan has no checksum, so it cannot be trusted", "p.plan: error:"),
    ('{"format_version": 1, "segment_changes": ["x"]}\n',
     "unsupported plan format_version 1", "p.plan: error:"),
])
def test_apply_of_a_broken_plan_file_says_so(workdir: Path, run: Run, text: str, message: str,
                                             where: str) -> None:
    (workdir / "p.plan").write_text(text, encoding="utf-8")
    code, out, err = run("apply", "p.plan")
    assert code == 1
    assert where in err and message in err
    assert "segctl plan --out FILE" in err  # the hint
    assert "YAML" not in err and "kind" not in err  # not mistaken for a project file
    assert out == ""
