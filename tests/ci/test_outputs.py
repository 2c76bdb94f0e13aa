"""The step's files: outputs as heredocs no value can break out of, the summary within 1 MiB."""

from __future__ import annotations

from pathlib import Path

from segctl.ci.outputs import SUMMARY_LIMIT, append_summary, command, write_outputs

from .story import read_outputs


def test_outputs_survive_values_that_look_like_delimiters(tmp_path: Path) -> None:
    path = tmp_path / "output"
    write_outputs(path, {"summary": "a\nEOF\nghadelimiter_x", "exitcode": "2"})
    write_outputs(path, {"digest": "sha256:00"})
    assert read_outputs(path) == {"summary": "a\nEOF\nghadelimiter_x", "exitcode": "2",
                                  "digest": "sha256:00"}


def test_summary_is_cut_at_the_step_limit(tmp_path: Path) -> None:
    path = tmp_path / "summary"
    assert append_summary(path, "é" * 300_000)  # 600,000 bytes
    assert not append_summary(path, "x" * 600_000)
    size = path.stat().st_size
    assert size <= SUMMARY_LIMIT and "1 MiB step-summary limit" in path.read_text()


def test_workflow_commands_escape_data_and_properties() -> None:
    assert command("warning", "50%\nok", file="a,b:c") == "::warning file=a%2Cb%3Ac::50%25%0Aok"
    assert command("notice", "x") == "::notice::x"
