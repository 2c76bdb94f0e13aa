"""Build a plan: desired state from the project, live state read once, the pure diff."""

from __future__ import annotations

from dataclasses import replace

from segctl.aep import AepClient, AepConfig
from segctl.engine import marker
from segctl.engine.diff import diff
from segctl.engine.evaluation import SegmentEvaluation, assess_all
from segctl.engine.fields import check_export_fields
from segctl.engine.freshness import ExportSettings, Freshness, assess
from segctl.engine.jobs import plan_jobs
from segctl.engine.model import (
    Action,
    DesiredSegment,
    Foreign,
    Plan,
    PlanWarning,
    SegmentChange,
    Target,
)
from segctl.engine.normalise import LiveSegment, MergePolicies, desired_segment, live_segment
from segctl.engine.schedules import diff_schedules
from segctl.engine.state import LiveState, read_live_state
from segctl.project import Project


def build_plan(project: Project, client: AepClient, *, prune: bool = False) -> Plan:
    """Read the live state through ``client`` (paged lists only) and diff the project with it."""
    notes = check_export_fields(project, client)
    state = read_live_state(client, [export.dataset for export in project.exports], owned=prune,
                            schedules=bool(project.of_kind("Schedule")))
    plan = plan_from_state(project, state, prune=prune, target=target_of(project, client))
    return replace(plan, warnings=(*plan.warnings, *notes)) if notes else plan


def target_of(project: Project, client: AepClient) -> Target:
    """Where ``client`` points: the environment name, the sandbox, the URL (None = local)."""
    config = client.config
    # only the embedded, in-process sandbox has no URL; a served one (loopback) is named by it
    embedded = config.is_local and config.platform_url == AepConfig.local().platform_url
    return Target(
        environment=project.environment.name if project.environment else None,
        sandbox=config.sandbox,
        platform_url=None if embedded else config.platform_url,
    )


# the name markers carry when the project declares no `kind: Project` (plan warns)
UNNAMED_PROJECT = "default"


def project_name(project: Project) -> str:
    return project.name or UNNAMED_PROJECT


def plan_from_state(
    project: Project, state: LiveState, *, prune: bool = False, target: Target | None = None
) -> Plan:
    """The plan for ``project`` against an already-read ``state``. Pure."""
    policies = MergePolicies(state.merge_policies)
    name = project_name(project)
    desired: list[DesiredSegment] = []
    warnings: list[PlanWarning] = []
    if project.name is None:
        warnings.append(PlanWarning(
            "project-unnamed", f"the project declares no name (a `kind: Project` document); "
            f"its markers carry the project {UNNAMED_PROJECT!r}, shared by every unnamed "
            "project on this sandbox"))
    for seg in project.segments:
        want, notes = desired_segment(seg, policies, name,
                                      project.rule_forms.get(seg.pql or ""))
        desired.append(want)
        warnings.extend(notes)
    live = [live_segment(doc) for doc in state.segments]
    result = diff(desired, live, policies, prune=prune, project=name)
    warnings.extend(other_origin_name_clashes(desired, state))
    freshness = assess_state(state, result.changes, project)
    jobs = plan_jobs(result.changes, project.exports, state.datasets,
                     state.owned_datasets if prune else (), freshness,
                     evaluations_of(state, result.changes), state.ration, project=name)
    env = project.environment
    if target is None:
        target = Target(
            environment=env.name if env else None,
            sandbox=env.sandbox if env else None,
            platform_url=env.platform_url if env else None,
        )
    return Plan(
        changes=result.changes,
        datasets=jobs.datasets,
        segment_jobs=jobs.segment_jobs,
        export_runs=jobs.export_runs,
        warnings=(*warnings, *result.warnings, *jobs.warnings),
        unmanaged=result.unmanaged,
        prune=prune,
        project=name,
        unclaimed=_unclaimed(live, result.changes),
        foreign=_foreign(live, state, name),
        other_origins=other_origin_names(state),
        target=target,
        project_root=str(project.root),
        files_hash=project.files_hash,
        fingerprint=state.fingerprint(),
        running_jobs=jobs.running_jobs,
        awaiting=jobs.awaiting,
        deferred=jobs.deferred,
        ration=jobs.ration,
        schedules=diff_schedules(
            project.of_kind("Schedule"), state.schedules,
            exports={e.key: e for e in project.exports},
            segment_ids={c.key: c.id for c in result.changes
                         if c.id is not None and c.action in (Action.NOOP, Action.UPDATE)},
            datasets=state.datasets),
    )


def evaluations_of(
    state: LiveState, changes: tuple[SegmentChange, ...]
) -> dict[str, SegmentEvaluation]:
    """Live id -> evaluation state of each declared segment that exists (none when the state
    carries no job history)."""
    if state.history_from_ms is None:
        return {}
    declared = {c.id for c in changes if c.id is not None and c.desired is not None}
    definitions = [d for d in state.segments if str(d.get("id")) in declared]
    return assess_all(definitions, state.segment_jobs, state.history_from_ms)


def _unclaimed(live: list[LiveSegment], changes: tuple[SegmentChange, ...]) -> tuple[str, ...]:
    """Live definitions no project owns that this plan leaves alone (not adopted)."""
    used = {c.id for c in changes if c.id is not None}
    return tuple(sorted(x.name for x in live if x.project is None and x.id not in used))


def _foreign(live: list[LiveSegment], state: LiveState, project: str) -> tuple[Foreign, ...]:
    """Live segments and datasets (those read) owned by other projects."""
    found = [Foreign("segment", x.name, x.project) for x in live
             if x.project is not None and x.project != project]
    datasets = {str(d.get("id")): d for d in (*state.datasets.values(), *state.owned_datasets)}
    for dataset in datasets.values():
        mark = marker.parse_dataset(dataset)
        if mark is not None and mark.project is not None and mark.project != project:
            found.append(Foreign("dataset", str(dataset.get("name", "")), mark.project))
    return tuple(sorted(found, key=lambda f: (f.kind, f.name)))


def assess_state(
    state: LiveState, changes: tuple[SegmentChange, ...], project: Project
) -> Freshness:
    """Freshness of the declared segments and export datasets that already exist."""
    ids = {c.key: c.id for c in changes if c.id is not None}
    exports = []
    settings: dict[str, ExportSettings] = {}
    for export in project.exports:
        dataset_id = (state.datasets.get(export.dataset) or {}).get("id")
        if dataset_id:
            exports.append((str(dataset_id), [ids[k] for k in export.segments if k in ids]))
            settings[str(dataset_id)] = ExportSettings(
                export.fields, tuple(export.status),
                {ids[k]: k for k in export.segments if k in ids})
    declared = set(ids.values())
    definitions = [d for d in state.segments if str(d.get("id")) in declared]
    return assess(definitions, state.segment_jobs, state.export_jobs, exports, settings)


def other_origin_names(state: LiveState) -> tuple[str, ...]:
    """``"name (ORIGIN)"`` of each audience of another origin, sorted."""
    return tuple(sorted(f"{a.get('name')} ({a.get('originName') or a.get('type') or '?'})"
                        for a in state.other_origins))


def other_origin_name_clashes(
    desired: list[DesiredSegment], state: LiveState
) -> list[PlanWarning]:
    """A declared segment named like an audience of another origin is never matched to it
    (segctl does not adopt those); say so, since the two will share a name in the portal."""
    taken = {str(a.get("name")): a for a in state.other_origins}
    return [PlanWarning("other-origin-name", f"{want.key}: an audience of another origin "
                        f"({taken[want.name].get('originName')}) is also named {want.name!r}; "
                        "segctl leaves it alone and manages its own segment", want.key)
            for want in desired if want.name in taken]
