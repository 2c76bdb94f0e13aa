"""`segctl validate`: exit codes, every problem with file:line:col and a caret, GitHub format."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from segctl.cli.validate import github_annotation, summary
from segctl.errors import Diagnostic, Location
from tests.project.conftest import FIXTURES, REPO, RunCli

INVALID = FIXTURES / "invalid"


def test_example_project_is_valid(run_cli: RunCli) -> None:
    code, out, err = run_cli("validate", str(REPO / "segments"))
    assert code == 0, err
    assert out.startswith("OK: 11 segments, 2 exports, 1 environment")
    assert out.rstrip().endswith("environment 'local'")
    assert err == ""


def test_default_path_is_segments_in_the_working_directory(
        run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, out, _ = run_cli("validate")
    assert code == 0 and "in segments" in out


def test_text_format_reports_every_problem_with_excerpt_and_caret(
        run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = run_cli("validate", "tests/fixtures/invalid/bad-pql.yaml")
    assert code == 1 and out == ""
    lines = err.splitlines()
    head = "tests/fixtures/invalid/bad-pql.yaml:4:22: error: invalid PQL: expected an expression"
    assert lines[0].startswith(head)
    assert lines[1] == '    pql: person.gender = = "female"'
    assert lines[2] == "    " + " " * 21 + "^"
    assert sum(1 for line in lines if ": error: " in line) == 5
    assert lines[-1] == "error: 5 problem(s) found"


def test_github_format(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = run_cli("validate", "tests/fixtures/invalid/cycle.yaml", "--format", "github")
    assert code == 1
    assert out.splitlines() == [
        "::error file=tests/fixtures/invalid/cycle.yaml,line=4,col=17,endLine=4,endColumn=19,"
        "title=segctl validate::segment dependency cycle: a -> b -> c -> a",
        "::error file=tests/fixtures/invalid/cycle.yaml,line=21,col=17,endLine=21,"
        "endColumn=19,title=segctl validate::segment dependency cycle: self -> self",
    ]
    assert err.strip() == "error: 2 problem(s) found"


def test_github_format_success_prints_warnings_and_summary(
        run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "kind: Segment\nkey: t\nname: T\nevaluation: streaming\n"
        "pql: (select X from xEvent where X.timestamp occurs <= 30 days before now)\n")
    code, out, _ = run_cli("validate", str(tmp_path), "--format", "github")
    assert code == 0
    first, second = out.splitlines()
    assert first.startswith("::warning file=") and ",line=4,col=13," in first
    assert "::segment 't' asks for" in first
    assert second.startswith("OK: 1 segment, 0 exports, 0 environments")


def test_missing_path_exits_1(run_cli: RunCli, tmp_path: Path) -> None:
    code, out, err = run_cli("validate", str(tmp_path / "nowhere"))
    assert code == 1 and out == ""
    assert err.startswith(f"error: path not found: {tmp_path / 'nowhere'}")
    assert "Traceback" not in err


def test_env_option_selects_the_environment(run_cli: RunCli) -> None:
    basic = str(FIXTURES / "projects" / "basic")
    code, out, _ = run_cli("validate", basic, "--env", "prod")
    assert code == 0 and out.rstrip().endswith("environment 'prod'")
    code, _, err = run_cli("validate", basic, "--env", "qa")
    assert code == 1 and "unknown environment 'qa' (declared: local, prod)" in err


def test_validate_is_listed_in_help(run_cli: RunCli) -> None:
    code, out, _ = run_cli("--help")
    assert code == 0 and "validate" in out


def test_github_annotation_escaping() -> None:
    diagnostic = Diagnostic("50% off\nnext line", Location("a,b:c.yaml", 3, 4))
    assert github_annotation(diagnostic) == (
        "::error file=a%2Cb%3Ac.yaml,line=3,col=4,endLine=3::50%25 off%0Anext line")
    assert github_annotation(Diagnostic("m", severity="warning")) == "::warning::m"


def test_summary_pluralises_kinds() -> None:
    assert summary({"Segment": 1, "Export": 2}) == "1 segment, 2 exports, 0 environments"
    assert summary({"Environment": 1, "SegmentTest": 3}) == (
        "0 segments, 0 exports, 1 environment, 3 segment tests")


def test_paths_are_shown_relative_to_the_working_directory(
        run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    _, _, err = run_cli("validate", str(INVALID / "duplicate-key.yaml"))
    assert err.startswith("duplicate-key.yaml:5:1: error:")
    monkeypatch.chdir(os.sep)
    _, _, err = run_cli("validate", str(INVALID / "duplicate-key.yaml"))
    assert err.startswith(str(INVALID / "duplicate-key.yaml").lstrip(os.sep) + ":5:1")


def test_text_format_success_prints_warnings_to_stderr(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "kind: Segment\nkey: t\nname: T\nevaluation: edge\n"
        "pql: (select X from xEvent where X.timestamp occurs <= 30 days before now)\n")
    code, out, err = run_cli("validate", str(tmp_path / "a.yaml"))
    assert code == 0 and out.startswith("OK: 1 segment, 0 exports, 0 environments in ")
    first, excerpt, caret = err.splitlines()
    assert first.startswith(f"{tmp_path / 'a.yaml'}:4:13: warning: segment 't' asks for edge "
                            "evaluation but AEP would evaluate it in batch: ")
    assert excerpt == "    evaluation: edge" and caret == "    " + " " * 12 + "^"


def test_directory_named_like_yaml_is_skipped(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "ok.yaml").write_text("kind: Environment\nname: local\nsandbox: prod\n")
    code, out, _ = run_cli("validate", str(tmp_path))
    assert code == 0 and "1 environment" in out


def test_unknown_method_and_non_string_in_segment_are_refused_at_the_call(
        run_cli: RunCli, tmp_path: Path) -> None:
    """QA: these parsed, passed validate and plan, then failed the segment job during apply."""
    folder = tmp_path / "s"
    folder.mkdir()
    path = folder / "a.yaml"
    path.write_text("kind: Segment\nkey: a\nname: A\npql: person.name.bogus(1) = 2\n---\n"
                    "kind: Segment\nkey: b\nname: B\npql: |\n  person.x = 1 and\n"
                    "    inSegment(42)\n", encoding="utf-8")
    code, out, err = run_cli("validate", str(folder))
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == f"{path}:4:18: error: invalid PQL: unknown method .bogus()"
    assert lines[2] == "    " + " " * 17 + "^"
    assert lines[3] == (f"{path}:11:5: error: invalid PQL: inSegment() takes a segment id "
                        'string such as inSegment("<id>"), not 42')
    assert lines[-1] == "error: 2 problem(s) found"
