"""``segctl fmt [PATH] [--check]`` end to end through the CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from segctl.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fmt"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "segments"
    root.mkdir()
    (root / "messy.yaml").write_text((FIXTURES / "messy.yaml").read_text())
    (root / "clean.yaml").write_text((FIXTURES / "messy.formatted.yaml").read_text())
    return root


def test_check_names_the_file_that_would_change_and_exits_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / "messy.yaml").read_text()
    code, out, err = run(["fmt", str(project), "--check"], capsys)
    assert code == 1
    assert out.splitlines() == [f"would reformat {project / 'messy.yaml'}"]
    assert "1 file(s) would be reformatted, 1 file(s) left unchanged" in err
    assert (project / "messy.yaml").read_text() == before  # --check writes nothing


def test_fmt_rewrites_then_check_passes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["fmt", str(project)], capsys)
    assert code == 0
    assert out.splitlines() == [f"reformatted {project / 'messy.yaml'}"]
    assert (project / "messy.yaml").read_text() == (FIXTURES / "messy.formatted.yaml").read_text()
    code, out, err = run(["fmt", str(project), "--check"], capsys)
    assert (code, out) == (0, "")
    assert "0 file(s) would be reformatted, 2 file(s) left unchanged" in err


def test_single_file_path(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["fmt", str(project / "clean.yaml"), "--check"], capsys)
    assert code == 0


def test_bad_pql_is_reported_with_location_and_exit_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = project / "bad.yaml"
    bad.write_text("kind: Segment\nkey: k\nname: n\npql: person.gender = = 1\n")
    code, _, err = run(["fmt", str(project)], capsys)
    assert code == 1
    assert f"{bad}:4:22: error: pql:" in err
    assert bad.read_text().endswith("= = 1\n")  # left as it was
    assert (project / "messy.yaml").read_text() == (FIXTURES / "messy.formatted.yaml").read_text()


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["fmt", str(tmp_path / "nope")], capsys)
    assert code == 1
    assert "no such file or directory" in err
