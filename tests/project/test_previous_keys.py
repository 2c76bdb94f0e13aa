"""previousKeys (a declared move) names old keys no segment has any more, each once."""

from __future__ import annotations

from pathlib import Path

from segctl.project import analyse_project

TWO = """\
kind: Segment
key: a
name: A
previousKeys: [b, old]
pql: person.gender = "f"
---
kind: Segment
key: b
name: B
previousKeys: [old]
pql: person.gender = "m"
"""


def test_previous_keys_are_checked_where_they_are_written(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(TWO, encoding="utf-8")
    result = analyse_project(tmp_path)
    found = [(d.location.line, d.location.col, d.message) for d in result.errors]
    assert found == [
        (4, 16, "previousKeys: 'b' is still the key of a declared segment; a move names a key "
                "no segment has any more"),
        (10, 16, f"previousKeys: 'old' is already claimed by the segment at {tmp_path}/x.yaml:"
                 "4:19; one old key moves to one segment"),
    ]


def test_a_valid_move_loads(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(TWO.replace("[b, old]", "[older]"), encoding="utf-8")
    result = analyse_project(tmp_path)
    assert result.errors == () and result.project is not None
    assert result.project.segment("a") is not None
    assert result.project.segment("a").previous_keys == ("older",)  # type: ignore[union-attr]
