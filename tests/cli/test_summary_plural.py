"""The plan summary line counts in English: 1 segment job, 1 export."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run


def test_singular_counts(workdir: Path, run: Run) -> None:
    exports = workdir / "segments" / "exports.yaml"
    exports.write_text(exports.read_text().replace("run: on-change\n", "run: always\n")
                       .replace("run: always\n", "run: on-change\n", 1))
    assert run("apply", "--auto-approve")[0] == 0
    code, out, _ = run("plan")  # the retargeting export now says run: always
    assert code == 0
    assert out.rstrip().endswith("0 to delete; 1 segment job, 1 export.")


def test_plural_counts(workdir: Path, run: Run) -> None:
    code, out, _ = run("plan")
    assert code == 0
    assert out.rstrip().endswith("0 to delete; 1 segment job, 2 exports.")
