"""A misspelt field name gets the closest property the schema allows at that place."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run

BAD = """\
kind: Segment
key: x
name: X
pql: a = 1
ttlIndays: 3
evaluaton: batch
---
kind: Export
key: e
segments: [x]
dataset: d
feilds: [a]
---
kind: SegmentTest
name: t
now: 2026-01-01T00:00:00Z
profiles:
  - id: a
expect:
  x:
    member: [a]
"""


def test_misspelt_fields_get_the_schema_property_of_their_place(workdir: Path, run: Run) -> None:
    (workdir / "segments" / "bad.yaml").write_text(BAD)
    code, out, err = run("validate")
    assert code == 1 and out == ""
    assert "segments/bad.yaml:5:1: error: unknown field 'ttlIndays'; did you mean " \
           "'ttlInDays'?" in err
    assert "segments/bad.yaml:6:1: error: unknown field 'evaluaton'; did you mean " \
           "'evaluation'?" in err
    assert "segments/bad.yaml:12:1: error: unknown field 'feilds'; did you mean 'fields'?" in err
    # nested: the suggestion comes from the properties allowed under expect.<segment>
    assert "segments/bad.yaml:21:5: error: unknown field 'member' at expect.x; did you mean " \
           "'members'? (expected one of: members, nonMembers)" in err


def test_no_suggestion_when_nothing_is_close(workdir: Path, run: Run) -> None:
    (workdir / "segments" / "bad.yaml").write_text(
        "kind: Segment\nkey: x\nname: X\npql: a = 1\nzzz: 1\n")
    code, _, err = run("validate")
    assert code == 1 and "unknown field 'zzz' (expected one of:" in err
