"""`segctl validate`: a value with alternatives (a list or a file name) is checked as the
alternative it is written as, and empty mappings are named in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run

SEGMENT = "kind: Segment\nkey: s\nname: S\npql: a = 1\n---\n"
TEST = "kind: SegmentTest\nname: t\nnow: 2024-01-01\n"


@pytest.mark.parametrize(("body", "expected"), [
    ("profiles: [{id: a, events: [1]}]\nexpect: {s: {members: []}}\n",
     "a.yaml:9:29: error: expected object at profiles[0].events[0], got number 1"),
    ("profiles: [{noid: a}]\nexpect: {s: {members: []}}\n",
     "a.yaml:9:12: error: missing required field 'id' at profiles[0]"),
    ("profiles: 7\nexpect: {s: {members: []}}\n",
     "a.yaml:9:11: error: expected string or array at profiles, got number 7"),
    ("profiles: [{id: a}]\nexpect: {}\n",
     "a.yaml:10:9: error: expected a non-empty object at expect"),
])
def test_alternatives_and_empty_objects(tmp_path: Path, run: Run, body: str,
                                        expected: str) -> None:
    (tmp_path / "a.yaml").write_text(SEGMENT + TEST + body, encoding="utf-8")
    code, out, err = run("validate", str(tmp_path))
    assert code == 1 and out == ""
    first = err.splitlines()[0].replace(str(tmp_path) + "/", "")
    assert first == expected
    assert "is not valid under any of the given schemas" not in err and "{'" not in err
