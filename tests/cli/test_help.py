"""Every --help works, and the everyday commands teach with examples and untruncated summaries."""

from __future__ import annotations

import pytest

from .conftest import Run

LEAVES = ["validate", "plan", "apply", "import", "test", "fmt", "pql parse", "pql convert",
          "pql eval", "sandbox seed", "sandbox reset", "sandbox serve", "dataset preview",
          "init", "completion", "status"]
WITH_EXAMPLES = ["validate", "plan", "apply", "import", "test", "fmt"]


@pytest.mark.parametrize("command", LEAVES)
def test_help_exits_zero_on_stdout(run: Run, command: str) -> None:
    code, out, err = run(*command.split(), "--help")
    assert (code, err) == (0, "")
    assert out.startswith(f"Usage: segctl {command} ")
    assert "--no-color" in out  # the global flags are accepted after the subcommand too


@pytest.mark.parametrize("command", [*LEAVES, "pql", "sandbox", "dataset"])
def test_help_has_examples(run: Run, command: str) -> None:
    _, out, _ = run(*command.split(), "--help")
    examples = out.split("Examples:\n", 1)[1]
    assert f"segctl {command}" in examples


@pytest.mark.parametrize(("group", "commands"), [
    ((), WITH_EXAMPLES), (("pql",), ["parse", "convert", "eval"]),
])
def test_command_list_is_not_truncated(run: Run, group: tuple[str, ...],
                                       commands: list[str]) -> None:
    _, out, _ = run(*group, "--help")
    listing = out.split("Commands:\n", 1)[1]
    for command in commands:
        line = next(row for row in listing.splitlines() if row.split()[0] == command)
        assert not line.endswith("..."), line
