"""`segctl fmt` with several paths, `--diff`, and trailing comments keeping their spacing."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run

MESSY = ('kind: Segment\nname: A\nkey: a\npql: a=1         # why this rule\n'
         'ttlInDays: 30   # a month\n')
LONG = ('kind: Segment\nkey: b\nname: B\npql: person.gender = "female" and person.age > 10 and '
        'person.name.firstName = "bob" and x = 1  # long one\n')


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_several_paths_are_formatted_and_others_left_alone(tmp_path: Path, run: Run) -> None:
    one = _write(tmp_path / "x", "one.yaml", MESSY)
    two = _write(tmp_path / "y", "two.yaml", LONG)
    untouched = _write(tmp_path / "y", "three.yaml", MESSY)
    code, out, err = run("fmt", str(one), str(two), str(one))
    assert code == 0, err
    assert out.splitlines() == [f"reformatted {one}", f"reformatted {two}"]
    assert "2 file(s) reformatted, 0 file(s) left unchanged" in err
    assert untouched.read_text() == MESSY
    assert one.read_text() == ('kind: Segment\nkey: a\nname: A\n'
                               'pql: a = 1         # why this rule\nttlInDays: 30   # a month\n')
    # a value that becomes a block scalar keeps its comment on the header line, same spacing
    assert two.read_text().splitlines()[3:5] == ['pql: |  # long one', '  person.gender = "female"']
    code, out, err = run("fmt", "--check", str(one), str(two))
    assert (code, out) == (0, ""), err


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path, run: Run,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    one = _write(tmp_path / "x", "one.yaml", MESSY)
    code, out, err = run("fmt", "--diff", "x/one.yaml")  # the run fixture is in tmp_path
    assert code == 0, err
    assert one.read_text() == MESSY
    assert out.startswith("--- a/x/one.yaml\n+++ b/x/one.yaml\n@@ ")
    assert "-key: a\n" in out and "+key: a\n" in out
    assert "-pql: a=1         # why this rule\n+pql: a = 1         # why this rule\n" in out
    assert "1 file(s) would be reformatted" in err


def test_diff_with_check_exits_1(tmp_path: Path, run: Run) -> None:
    one = _write(tmp_path / "x", "one.yaml", MESSY)
    code, out, err = run("fmt", "--diff", "--check", str(one))
    assert code == 1 and out.startswith(f"--- {one.as_posix()}\n")
    assert f"would reformat {one}" in err


def test_missing_path_is_an_error(tmp_path: Path, run: Run) -> None:
    code, _, err = run("fmt", str(tmp_path / "nope.yaml"))
    assert code == 1 and "no such file or directory" in err
