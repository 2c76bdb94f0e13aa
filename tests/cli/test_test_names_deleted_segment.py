"""A SegmentTest naming a deleted segment fails `validate` and `test`, and does not block
`plan` or `apply` (tests are not part of a deploy)."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run

WHERE = "segments/tests/profile-attributes.yaml:37:3: error: expect: unknown segment key " \
        "'us-residents'"


def test_deleted_segment_fails_validate_and_test_only(workdir: Path, run: Run) -> None:
    (workdir / "segments" / "us-residents.yaml").unlink()
    code, _, err = run("validate")
    assert code == 1 and WHERE in err
    code, _, err = run("test")
    assert code == 1 and WHERE in err
    code, out, err = run("plan")
    assert code == 0, err
    assert "Plan: 12 to create" in out and "us-residents" not in out
    code, _, err = run("apply", "--auto-approve")
    assert code == 0, err
