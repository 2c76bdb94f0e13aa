"""The plan summary line counts in English: 1 segment job, 1 export."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run


def test_singular_counts(workdir: Path, run: Run) -> None:
    assert run("apply", "--auto-approve")[0] == 0
    female = workdir / "segments" / "female-customers.yaml"
    female.write_text(female.read_text().replace('"female"', '"male"'))
    code, out, _ = run("plan")  # one changed segment, one export of it
    assert code == 0
    assert out.rstrip().endswith("0 to delete; 1 segment job, 1 export.")


def test_plural_counts(workdir: Path, run: Run) -> None:
    code, out, _ = run("plan")
    assert code == 0
    assert out.rstrip().endswith("0 to delete; 1 segment job, 2 exports.")
