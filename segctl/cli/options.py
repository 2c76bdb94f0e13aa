"""What several commands share: the colour decision, the ``--env`` option, and the refusals
of a saved plan or a partial prune where a project folder is expected."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from segctl.errors import Location, UsageError
from segctl.project import Environment, load_project

if TYPE_CHECKING:
    from segctl.aep import AepClient
    from segctl.engine import Plan
    from segctl.project import Project, Selection

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


def target_option(command: F) -> F:
    """``--target KEY`` (repeatable): a partial plan or apply, like Terraform's -target."""
    return click.option(
        "--target", "targets", multiple=True, metavar="KEY",
        help="Only this segment, export or schedule key and what it depends on "
             "(repeatable).")(command)


def load_scope(path: Path, env: str | None, targets: tuple[str, ...], prune: bool
               ) -> tuple[Project, Selection | None]:
    """The project to plan for PATH and ``--target`` keys: the whole project folder (its
    Environments and vars) narrowed to the targets, or to the documents of PATH when it is
    one file. None instead of a selection when everything is selected."""
    from segctl.project import keys_in_file, load_project, project_root, select

    if targets and prune:
        raise UsageError("--prune cannot be combined with --target: a partial plan cannot "
                         "tell which undeclared segments to delete",
                         hint="plan the whole project with --prune")
    if path.is_file():
        root = project_root(path)
        project = load_project(root, env=env, offline_checks=False)
        in_file = keys_in_file(project, path)
        if not in_file and not targets:
            raise UsageError(f"{path} declares no Segment, Export or Schedule",
                             hint=f"plan the project folder: `segctl plan {root}`")
        targets = (*in_file, *(k for k in targets if k not in in_file))
    else:
        project = load_project(path, env=env, offline_checks=False)
    if not targets:
        return project, None
    selection = select(project, targets)
    everything = {s.key for s in project.segments} | {e.key for e in project.exports} | \
        {s.key for s in project.of_kind("Schedule")}
    chosen = {s.key for s in selection.project.segments} | \
        {e.key for e in selection.project.exports} | \
        {s.key for s in selection.project.of_kind("Schedule")}
    if chosen == everything and not [k for k in targets if k not in everything]:
        return project, None
    return selection.project, selection


def scoped_plan(plan: Plan, selection: Selection | None) -> Plan:
    """A plan of a selection: records the targets, says it is partial, and does not report the
    segments the rest of the project declares as "not declared"."""
    if selection is None:
        return plan
    from segctl.engine import PlanWarning

    keys = ", ".join(selection.targets)
    note = PlanWarning("partial", f"partial plan: only {keys} and their dependencies; the "
                                  "rest of the project is left out (like terraform -target)")
    return replace(plan, targets=selection.targets, warnings=(*plan.warnings, note),
                   unmanaged=tuple(n for n in plan.unmanaged
                                   if n not in selection.declared_names))


def selected_environment(project_path: str, env: str | None) -> Environment | None:
    """The Environment ``--env`` names in the project at ``project_path`` (or the one named
    ``local``); with no project and no --env, none: the embedded local sandbox."""
    if env is None and not Path(project_path).exists():
        return None
    return load_project(project_path, env=env).environment


def with_local_sandbox_warnings(the_plan: Plan, client: AepClient, project_root: Path) -> Plan:
    """The plan with what the embedded local sandbox lacks said up front (plan, and apply
    before its prompt): no data directory yet (a plain plan reads a throw-away one), and an
    Environment sandbox the data directory does not have: a new sandbox or a typo, which the
    embedded target would otherwise plan as "create everything" without a word (issue 15)."""
    from segctl.engine import PlanWarning
    from segctl.target import is_throwaway, new_local_sandbox

    warnings = list(the_plan.warnings)
    if is_throwaway(client):
        warnings.append(PlanWarning(
            "sandbox-not-created", "the local sandbox does not exist yet (no .segctl "
            f"folder at or above {project_root}); this plan reads an empty one and "
            "creates nothing: `segctl apply` creates it"))
    new = new_local_sandbox(client)
    if new is not None:
        warnings.append(PlanWarning("sandbox-new", new_sandbox_message(
            new.name, new.held, the_plan.target.environment)))
    return the_plan if len(warnings) == len(the_plan.warnings) else \
        replace(the_plan, warnings=tuple(warnings))


def new_sandbox_message(name: str, held: tuple[str, ...], environment: str | None) -> str:
    """What a plan says of an Environment sandbox the local sandbox does not have (pure)."""
    import difflib

    close = difflib.get_close_matches(name, held, n=1)
    which = f"Environment '{environment}'" if environment else "the Environment"
    guess = f" Did you mean '{close[0]}'?" if close else ""
    return (f"sandbox '{name}' does not exist in the local sandbox (it has: "
            f"{', '.join(held)}).{guess} This plan reads '{name}' as empty; `segctl apply` "
            f"creates it as a new development sandbox. If it is a typo, fix the sandbox of "
            f"{which}.")
