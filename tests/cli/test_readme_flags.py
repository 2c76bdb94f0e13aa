"""README's command table lists every option of every command (generated from the command
tree, so a new option without a row fails here)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from segctl.cli import cli

README = Path(__file__).resolve().parents[2] / "README.md"
_CTX = click.Context(cli)


def _commands(group: click.Group, prefix: tuple[str, ...] = ()
              ) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name in group.list_commands(_CTX):
        command = group.get_command(_CTX, name)
        assert command is not None
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def _table() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Commands", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


CASES = [(path, max(p.opts, key=len)) for path, command in _commands(cli)
         for p in command.params if isinstance(p, click.Option) and not p.hidden
         and p.name not in ("late_color", "late_no_color", "late_debug")]  # global flags


@pytest.mark.parametrize(("path", "option"), CASES,
                         ids=[f"{' '.join(p)} {o}" for p, o in CASES])
def test_the_readme_table_lists_the_option(path: tuple[str, ...], option: str) -> None:
    rows = [row for row in _table().splitlines()
            if re.search(rf"`segctl {re.escape(path[0])}\b", row)]
    assert rows, f"no README row for `segctl {' '.join(path)}`"
    assert any(re.search(rf"{re.escape(option)}\b", row) for row in rows), (
        f"README's command table does not list {option} of `segctl {' '.join(path)}`")
