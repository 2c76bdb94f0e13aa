"""``segctl import``: adopt an existing sandbox by writing YAML for its live segments.

Reading is the only I/O towards the sandbox (one paged pass through the engine's
``read_live_state``); nothing is written there. Adopted segments are matched by name at the next
``plan``, and ``apply`` stamps the ownership marker.

Public names: :func:`import_segments` (reads the sandbox), the pure :func:`plan_import`, and
:func:`plan_files` / :func:`render_segment` / :func:`write_files` for the YAML files.
"""

from __future__ import annotations

from segctl.adopt.files import (
    ImportConflictError,
    PlannedFile,
    plan_files,
    render_segment,
    write_files,
)
from segctl.adopt.importer import Declared, ImportedSegment, ImportResult, plan_import
from segctl.aep import AepClient
from segctl.engine import read_live_state
from segctl.project import Project


def declared_in(project: Project | None) -> Declared:
    """The keys and names ``project`` declares (nothing when there is no project yet)."""
    if project is None:
        return Declared()
    return Declared(frozenset(s.key for s in project.segments),
                    {s.name: s.key for s in project.segments})


def import_segments(
    client: AepClient, *, match: str | None = None, project: Project | None = None
) -> ImportResult:
    """Read the sandbox once and work out the segments to declare."""
    state = read_live_state(client, ())
    return plan_import(state.segments, state.merge_policies, match=match,
                       declared=declared_in(project))


__all__ = [
    "Declared",
    "ImportConflictError",
    "ImportResult",
    "ImportedSegment",
    "PlannedFile",
    "declared_in",
    "import_segments",
    "plan_files",
    "plan_import",
    "render_segment",
    "write_files",
]
