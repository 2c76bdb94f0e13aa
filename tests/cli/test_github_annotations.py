"""--format github for validate, test and fmt --check: 10 annotations per level, then one
notice counting the rest (which stay in the log as plain lines)."""

from __future__ import annotations

from pathlib import Path

from segctl.cli.annotate import Annotation, render
from segctl.errors import Location

from .conftest import Run


def test_ten_per_level_then_one_notice_counting_the_rest() -> None:
    found = [Annotation("error", f"e{i}", "t", Location("a.yaml", i)) for i in range(1, 14)]
    found += [Annotation("warning", f"w{i}") for i in range(11)]
    lines = render(found)
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning") for line in lines) == 10
    assert "a.yaml:13: error: e13" in lines and "warning: w10" in lines
    assert lines[-1].startswith("::notice title=segctl::3 more errors, 1 more warning not shown")
    assert sum(line.startswith("::notice") for line in lines) == 1


def test_fmt_check_annotates_each_file_at_its_first_difference(workdir: Path, run: Run) -> None:
    target = workdir / "segments" / "gmail-subscribers.yaml"
    target.write_text(target.read_text().replace("ttlInDays: 14\n", "") + "ttlInDays: 14\n")
    code, out, _ = run("fmt", "segments", "--check", "--format", "github")
    assert code == 1
    [line] = [x for x in out.splitlines() if x.startswith("::error")]
    assert line.startswith("::error file=segments/gmail-subscribers.yaml,line=")
    assert ",title=segctl fmt::would reformat (first difference at line" in line


def test_test_annotates_failed_cases_at_their_expectation(workdir: Path, run: Run) -> None:
    tests = workdir / "segments" / "tests" / "profile-attributes.yaml"
    text = tests.read_text()
    tests.write_text(text.replace("members: [ben, dev]", "members: [ben]", 1))
    code, out, _ = run("test", "--format", "github")
    assert code == 1
    errors = [x for x in out.splitlines() if x.startswith("::error")]
    assert errors and all("title=segment test " in x for x in errors)
    assert errors[0].startswith("::error file=")
    assert "profile-attributes.yaml,line=" in errors[0]
    assert "us-residents failed::members but not expected: dev" in errors[0]


def test_plan_and_apply_append_markdown_to_the_step_summary(
        workdir: Path, run: Run, monkeypatch) -> None:
    summary = workdir / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, _, _ = run("plan")
    assert code == 0
    text = summary.read_text()
    assert text.startswith("### segctl plan · `local` · `segments`")
    assert "segctl:v1" not in text  # no sticky marker in a summary
    code, _, _ = run("apply", "--auto-approve", "--no-jobs", "--summary", str(workdir / "a.md"))
    assert code == 0
    applied = (workdir / "a.md").read_text()
    assert "#### Apply report" in applied and "| ✅ ok | segment create |" in applied
    assert summary.read_text() == text  # --summary FILE wins over the variable
