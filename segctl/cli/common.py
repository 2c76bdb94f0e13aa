"""What several commands share: the colour decision, the ``--env`` option, and the refusals
of a saved plan or a partial prune where a project folder is expected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from segctl.errors import Location, UsageError
from segctl.project import Environment, load_project

F = TypeVar("F", bound=Callable[..., object])


def color_wanted(ctx: click.Context) -> bool:
    """False with --no-color or NO_COLOR (the root group decides), True otherwise."""
    return bool((ctx.find_root().obj or {}).get("color", True))


def use_color(ctx: click.Context, stream: object) -> bool:
    """Colour only on a terminal, and never with --no-color or NO_COLOR (root group decides)."""
    isatty = getattr(stream, "isatty", None)
    return color_wanted(ctx) and bool(isatty and isatty())


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


def selected_environment(project_path: str, env: str | None) -> Environment | None:
    """The Environment ``--env`` names in the project at ``project_path`` (or the one named
    ``local``); with no project and no --env, none: the embedded local sandbox."""
    if env is None and not Path(project_path).exists():
        return None
    return load_project(project_path, env=env).environment
