"""``segctl status``: the live side of a project (segctl's ``state list`` / ``terraform
show``): one row per live segment with its owner, evaluation, whether it awaits an evaluation
and its last known size, and the datasets segctl owns with their last export.

Public names: :func:`read_status` (one read of the live state), the pure :func:`build_status`,
:class:`Status` (of :class:`SegmentRow` / :class:`DatasetRow`), :func:`render_text`,
:func:`render_json`, ``STATUS_FORMAT_VERSION``. Three answers come through narrow seams
(:mod:`segctl.status.seams`).
"""

from __future__ import annotations

from segctl.aep import AepClient
from segctl.engine import read_live_state
from segctl.engine.estimate import last_sizes  # the one source of last evaluated sizes
from segctl.engine.plan import UNNAMED_PROJECT, project_name
from segctl.project import Project
from segctl.status.model import (
    STATUS_FORMAT_VERSION,
    DatasetRow,
    SegmentRow,
    Status,
    build_status,
)
from segctl.status.render import render_json, render_text


def read_status(client: AepClient, project: Project | None) -> Status:
    """Read the sandbox once (definitions, owned datasets, this year's segment jobs: the same
    read as plan, so both agree on what awaits evaluation), plus the
    last evaluated sizes through the engine's ``last_sizes`` (the audiences' metrics, else the
    newest segment jobs)."""
    datasets = [e.dataset for e in project.exports] if project else []
    state = read_live_state(client, datasets, owned=True)
    declared = {s.name: s.key for s in project.segments} if project else {}
    name = project_name(project) if project else UNNAMED_PROJECT
    ids = [str(d["id"]) for d in state.segments if "id" in d]  # their audiences' metrics
    return build_status(state.segments, state.owned_datasets, state.segment_jobs,
                        state.export_jobs, declared, last_sizes(client, ids), name,
                        state.history_from_ms)


__all__ = ["STATUS_FORMAT_VERSION", "DatasetRow", "SegmentRow", "Status", "build_status",
           "read_status", "render_json", "render_text"]
