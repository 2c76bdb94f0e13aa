"""What several commands share: the colour decision, the ``--env`` option, and the refusals
of a saved plan or a partial prune where a project folder is expected."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import click

from segctl.errors import Location, UsageError

F = TypeVar("F", bound=Callable[..., object])


def color_mode(ctx: click.Context) -> str:
    """``auto``, ``always`` or ``never``: the root's --color (--no-color is ``never``)."""
    return str((ctx.find_root().obj or {}).get("color_mode", "auto"))


def color_decision(mode: str, isatty: bool, environ: Mapping[str, str]) -> bool:
    """Whether to colour: --color always/never win; under auto a non-empty NO_COLOR turns it off
    (no-color.org), a FORCE_COLOR other than empty or 0 turns it on (force-color.org), else
    colour only on a terminal."""
    if mode != "auto":
        return mode == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return isatty


def color_wanted(ctx: click.Context) -> bool:
    """Colour for output that click strips itself when it is not a terminal (``click.style``
    text): False only when --color never or NO_COLOR say so."""
    return color_decision(color_mode(ctx), True, os.environ)


def use_color(ctx: click.Context, stream: object) -> bool:
    """Colour on ``stream``: see :func:`color_decision` (auto: only on a terminal)."""
    isatty = getattr(stream, "isatty", None)
    return color_decision(color_mode(ctx), bool(isatty and isatty()), os.environ)


def env_option(help: str) -> Callable[[F], F]:
    """``--env NAME``: the Environment document (kind: Environment) a command targets."""
    return click.option("--env", "env", metavar="NAME", help=help)


def refuse_saved_plan(path: Path) -> None:
    """A saved plan given where the project folder is expected: say what to do with it."""
    if not path.is_file() or path.suffix.lower() in (".yaml", ".yml"):
        return
    from segctl.engine import is_plan_file  # only here: the engine is slow to import

    if is_plan_file(path):
        raise UsageError("this is a saved plan, not a project folder",
                         location=Location(str(path)),
                         hint=f"apply it with `segctl apply {path}`; plan and validate read "
                              "the YAML files (default: segments/)")


def refuse_partial_prune(path: Path, prune: bool) -> None:
    """--prune with one file of a bigger project would delete what the other files declare."""
    if not (prune and path.is_file()):
        return
    siblings = [p for p in path.parent.iterdir()
                if p.suffix.lower() in (".yaml", ".yml") and p.is_file() and p != path]
    if siblings:
        raise UsageError(
            f"--prune with the single file {path} would delete the segctl-owned segments and "
            f"datasets that the other files in {path.parent} declare",
            hint=f"prune with the whole project folder: `segctl plan {path.parent} --prune`")
