"""Small wording fixes in `segctl validate`: no Python reprs, no exception class names."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run


def test_unknown_kind_that_is_not_a_string(tmp_path: Path, run: Run) -> None:
    (tmp_path / "a.yaml").write_text("kind: [Segment]\n", encoding="utf-8")
    code, _, err = run("validate", str(tmp_path))
    assert code == 1
    assert 'a.yaml:1:7: error: unknown kind ["Segment"] (expected one of: ' in err


def test_missing_fixture_file_says_where_it_looked(tmp_path: Path, run: Run) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "a.yaml").write_text("kind: Segment\nkey: s\nname: S\npql: a = 1\n")
    (tmp_path / "tests" / "t.yaml").write_text(
        "kind: SegmentTest\nname: t\nnow: 2024-01-01\nprofiles: shoppers.ndjson\n"
        "expect: {s: {members: []}}\n")
    code, _, err = run("validate", str(tmp_path))
    assert code == 1
    assert ("t.yaml:4:11: error: profiles: cannot read fixture file 'shoppers.ndjson': no such "
            "file or directory (paths are relative to this file: looked for ") in err
    assert str(tmp_path / "tests" / "shoppers.ndjson") in err or \
        "tests/shoppers.ndjson)" in err
    assert "FileNotFoundError" not in err
