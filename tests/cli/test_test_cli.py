"""``segctl test``: pytest-like output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from segctl.cli import main
from tests.testing.conftest import write_test_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_test_project(tmp_path)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = int(main(["--no-color", *args]) or 0)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_passing_suite_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["test", str(project)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[:4] == [
        f"PASS {project / 'tests' / 'purchases.yaml'}::purchases::{key}"
        for key in ("female", "recent-buyers", "female-recent-buyers", "in-legacy")
    ] or all(line.startswith("PASS ") for line in lines[:4])
    assert lines[-1] == "==== 4 passed, 0 failed ===="


def test_failure_shows_expected_and_actual_side_by_side_and_exits_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test_file = project / "tests" / "purchases.yaml"
    test_file.write_text(test_file.read_text().replace(
        "  female:\n    members: [alice, carol]", "  female:\n    members: [alice, bob]"))
    code, out, err = run(["test", str(project)], capsys)
    assert code == 1
    assert "FAIL " in out and out.count("PASS ") == 3
    block = out[out.index("___ purchases::female ___"):]
    rows = [line.split() for line in block.splitlines()[2:6]]
    assert rows == [
        ["expected", "members", "actual", "members"],
        ["alice", "alice"],
        ["bob", "-", "missing"],
        ["-", "carol", "unexpected"],
    ]
    assert out.rstrip().endswith("==== 3 passed, 1 failed ====")
    assert "1 of 4 segment test case(s) failed" in err


def test_non_members_that_qualify_are_named(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test_file = project / "tests" / "purchases.yaml"
    test_file.write_text(test_file.read_text().replace("nonMembers: [alice, bob]",
                                                       "nonMembers: [carol]"))
    code, out, _ = run(["test", str(project)], capsys)
    assert code == 1
    assert "nonMembers that qualified: carol" in out


def test_keyword_and_single_file_selection(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(["test", str(project), "-k", "legacy"], capsys)
    assert code == 0
    assert out.splitlines()[-1] == "==== 1 passed, 0 failed ===="
    monkeypatch.chdir(project.parent)
    code, out, _ = run(["test", "segments/tests/purchases.yaml"], capsys)
    assert code == 0
    assert out.splitlines()[-1] == "==== 4 passed, 0 failed ===="


def test_invalid_project_exits_1_with_location(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "tests" / "broken.yaml").write_text("kind: SegmentTest\nname: x\nnow: soon\n")
    code, _, err = run(["test", str(project)], capsys)
    assert code == 1
    assert "broken.yaml:3:6" in err


def test_single_file_outside_the_project_is_a_usage_error(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stray = tmp_path / "stray.yaml"
    stray.write_text((project / "tests" / "purchases.yaml").read_text())
    code, _, err = run(["test", str(stray), "--project", str(project)], capsys)
    assert code == 1
    assert "is not part of the project" in err
