"""Saved plans as apply meets them: the one façade ``apply PLANFILE`` and ``ci apply`` use.

:func:`open_saved_plan` reads the file and reloads the project it was made from (no sandbox
yet: the project says which sandbox to open); :func:`check_saved_plan` re-reads the live
sandbox and refuses (:class:`StalePlanError`) a plan made from other files, another live state
or for another target; :func:`check_unchanged` is apply's last look at a sandbox it cannot lock,
right before its first write. The command line only opens the client and shows the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from segctl.aep import AepClient
from segctl.engine.model import Plan, Target
from segctl.engine.plan import target_of
from segctl.engine.planfile import load_plan
from segctl.engine.state import read_live_state
from segctl.errors import Location, SegctlError, UsageError
from segctl.project import Project, load_project, select


class StalePlanError(SegctlError):
    """A saved plan no longer matches the files or the live sandbox; nothing was applied."""


@dataclass(frozen=True)
class SavedPlan:
    """A saved plan and the project it was made from, reloaded with the plan's environment."""

    plan: Plan
    project: Project


def open_saved_plan(path: Path, *, environment: str | None = None,
                    prune: bool = False) -> SavedPlan:
    """The plan saved in ``path`` and its project, refused (UsageError) when ``environment``
    (``--env``) or ``prune`` contradict it or its project folder is not reachable from here."""
    plan = load_plan(path)
    if environment is not None and environment != plan.target.environment:
        raise UsageError(f"the plan was made for environment {plan.target.environment!r}, "
                         f"not {environment!r}")
    if prune and not plan.prune:
        raise UsageError("--prune is decided when the plan is made: run "
                         "`segctl plan --prune --out FILE`")
    if not Path(plan.project_root).exists():
        raise UsageError(
            f"the plan's project folder {plan.project_root!r} is not here: a saved plan is "
            "applied from the directory `segctl plan --out` ran in",
            location=Location(str(path)),
            hint=f"cd to that directory, or plan again here with `segctl plan PATH --out "
                 f"{path.name}`")
    project = load_project(plan.project_root, env=plan.target.environment,
                           offline_checks=False)
    return SavedPlan(plan, project)


def check_saved_plan(plan: Plan, project: Project, client: AepClient) -> Plan:
    """``plan``, once the files of ``project`` and the live sandbox behind ``client`` are
    shown to be the ones it was made from, for the same target (else StalePlanError). A
    partial plan (``targets``) is compared with the project narrowed the same way."""
    if plan.targets:
        project = select(project, plan.targets).project
    check_fresh(plan, project.files_hash, live_fingerprint(project, client, owned=plan.prune),
                target_of(project, client))
    return plan


def check_unchanged(plan: Plan, project: Project, client: AepClient) -> None:
    """Refuse to write when the live sandbox moved since ``plan`` was read (StalePlanError)."""
    if live_fingerprint(project, client, owned=plan.prune) != plan.fingerprint:
        raise StalePlanError(
            f"the live sandbox changed after the plan was shown ({_target_text(plan.target)}: "
            "segment definitions, datasets or merge policies were created, edited or deleted "
            "by someone else); nothing was applied",
            hint="run `segctl plan` again to review the new differences, then apply")


def live_fingerprint(project: Project, client: AepClient, *, owned: bool) -> str:
    """The fingerprint of what a plan of ``project`` reads from the live sandbox."""
    state = read_live_state(client, [e.dataset for e in project.exports], owned=owned,
                            schedules=bool(project.of_kind("Schedule")))
    return state.fingerprint()


def check_fresh(
    saved: Plan, files_hash: str, fingerprint: str, target: Target | None = None
) -> None:
    """Refuse a saved plan made from other files, another live state or for another target."""
    if target is not None and target != saved.target:
        raise StalePlanError(
            f"the saved plan was made for {_target_text(saved.target)}, not for "
            f"{_target_text(target)}",
            hint="apply it with the same --env and AEP_* settings, or plan again",
        )
    if saved.files_hash != files_hash:
        raise StalePlanError(
            "the saved plan is stale: the project files changed since it was made "
            "(or the plan comes from another project)",
            hint="run `segctl plan --out FILE` again and apply the new plan",
        )
    if saved.fingerprint != fingerprint:
        raise StalePlanError(
            "the saved plan is stale: the live sandbox changed since it was made (it may "
            "have been applied already; or segment definitions, datasets or merge policies "
            "were created, edited or deleted; or this is another sandbox)",
            hint="run `segctl plan --out FILE` again and apply the new plan",
        )


def _target_text(target: Target) -> str:
    where = target.platform_url or "the local sandbox"
    return f"sandbox {target.sandbox!r} on {where}"
