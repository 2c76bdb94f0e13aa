"""Every usage error exits 1, never 2: 2 only means "changes present" under
--detailed-exitcode, so a CI recipe such as `segctl plan --detailed-exitcode || [ $? -eq 2 ]`
cannot pass on a typo. The table is generated from the command tree, so a new command or
option is covered without editing this file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from segctl.cli import cli

from .conftest import Run


def _commands(group: click.Group, ctx: click.Context, prefix: tuple[str, ...] = ()
              ) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from _commands(command, ctx, path)


def _bad_values(command: click.Command) -> Iterator[tuple[str, str]]:
    """(option, a value click refuses) for each option with a constrained type."""
    for param in command.params:
        if not isinstance(param, click.Option) or param.is_flag or not param.opts:
            continue
        option = max(param.opts, key=len)
        kind = param.type
        if isinstance(kind, click.Choice):
            yield option, "markdwon"
        elif isinstance(kind, click.IntRange | click.FloatRange) and kind.min is not None:
            yield option, str(kind.min - 1)
        elif isinstance(kind, click.types.IntParamType | click.types.FloatParamType):
            yield option, "not-a-number"


_CTX = click.Context(cli)
COMMANDS = list(_commands(cli, _CTX))
CASES = [(path, "--no-such-option", None) for path, _ in COMMANDS] + [
    (path, option, value) for path, command in COMMANDS for option, value in _bad_values(command)
]


def test_the_table_covers_the_main_commands() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"plan", "apply", "validate", "test", "pql parse", "sandbox serve"} <= names
    assert any(value == "markdwon" for _, _, value in CASES)
    assert any(option == "--concurrency" and value == "0" for _, option, value in CASES)


@pytest.mark.parametrize(("path", "option", "value"), CASES,
                         ids=[" ".join((*p, o, v or "")).strip() for p, o, v in CASES])
def test_bad_options_exit_1(workdir: Path, run: Run, path: tuple[str, ...], option: str,
                            value: str | None) -> None:
    args = [*path, option] if value is None else [*path, f"{option}={value}"]
    code, out, err = run(*args)
    assert code == 1, (args, out, err)
    assert "Error" in err and "Traceback" not in err
    assert not (workdir / ".segctl").exists()  # refused before anything ran


@pytest.mark.parametrize("args", [
    ["frobnicate"], ["plna"], ["sandbox", "nope"], ["test", "/nonexistent"],
    ["plan", "/nonexistent"], ["dataset", "preview"], ["apply", "-auto-approve"],
])
def test_other_usage_errors_exit_1(workdir: Path, run: Run, args: list[str]) -> None:
    code, _, err = run(*args)
    assert code == 1, err
    assert "Traceback" not in err


def test_detailed_exitcode_still_exits_2_on_changes(workdir: Path, run: Run) -> None:
    assert run("plan", "--detailed-exitcode")[0] == 2
