"""`segctl validate`: PQL errors inside block and multi-line scalars point at the right column."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run

_HEAD = "kind: Segment\nkey: a\nname: A\n"


def _project(root: Path, pql_yaml: str) -> Path:
    folder = root / "proj"
    folder.mkdir()
    (folder / "a.yaml").write_text(_HEAD + pql_yaml, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("pql_yaml", "where", "excerpt"), [
    # unexpected end of input in a literal block: just after the last character written,
    # not on the blank line below the value
    ('pql: |\n  person.gender = "f"\n    and (x =\n', "a.yaml:6:13:", "        and (x ="),
    # folded block: the extra indentation of a more-indented line is part of the text
    ('pql: >-\n  person.gender = "f"\n    and (x = = 3)\n', "a.yaml:6:14:",
     "        and (x = = 3)"),
    # folded block and plain scalar with a blank line (it stands for the line break)
    ('pql: >\n  person.gender = "f"\n\n  and (x = = 3)\n', "a.yaml:7:12:", "      and (x = = 3)"),
    ('pql: person.gender = "f"\n\n  and (x = = 3)\n', "a.yaml:6:12:", "      and (x = = 3)"),
    # a regular expression Java refuses: the caret under the pattern, whichever form
    ('pql: |\n  person.gender = "f"\n    and person.name.matches("[a-z")\n', "a.yaml:6:29:",
     '        and person.name.matches("[a-z")'),
    ('pql: person.name matches "(x" or person.id.regexGroup("*", 0) = "y"\n',
     "a.yaml:4:26:", '    pql: person.name matches "(x" or person.id.regexGroup("*", 0) = "y"'),
])
def test_pql_error_position(tmp_path: Path, run: Run, pql_yaml: str, where: str,
                            excerpt: str) -> None:
    code, out, err = run("validate", str(_project(tmp_path, pql_yaml)))
    assert code == 1 and out == ""
    first, source, caret = err.splitlines()[:3]
    assert first.startswith(str(tmp_path / "proj") + "/" + where)
    assert "invalid PQL" in first
    assert source == excerpt
    col = int(where.split(":")[2])
    assert caret == " " * (4 + col - 1) + "^"
