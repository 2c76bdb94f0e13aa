"""A stray or trailing `---` is an empty YAML document: skipped, not an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run

SEGMENT = "kind: Segment\nkey: a\nname: A\npql: a = 1\n"


@pytest.mark.parametrize("text", [
    SEGMENT + "---\n",
    "---\n" + SEGMENT + "---\n# more segments later\n",
    "---\n---\n" + SEGMENT,
])
def test_empty_documents_are_skipped(tmp_path: Path, run: Run, text: str) -> None:
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    code, out, err = run("validate", str(tmp_path))
    assert (code, err) == (0, "")
    assert out.startswith("OK: 1 segment, 0 exports, 0 environments in ")


def test_an_explicit_null_document_is_still_reported(tmp_path: Path, run: Run) -> None:
    (tmp_path / "a.yaml").write_text(SEGMENT + "---\n~\n", encoding="utf-8")
    code, _, err = run("validate", str(tmp_path))
    assert code == 1
    assert "a.yaml:6:1: error: a document must be a mapping with a 'kind' field" in err
