"""Load a segctl project: YAML with file:line:col, JSON Schema checks, semantic validation.

Public names: :func:`load_project` (raises :class:`~segctl.errors.ValidationError` carrying
every diagnostic), :func:`analyse_project` (returns them in a :class:`LoadResult`), the frozen
documents :class:`Project` (named by its ``kind: Project`` document,
:class:`ProjectInfo`), :class:`Segment`, :class:`Export`, :class:`Environment`, the kind
table (``KINDS``, :class:`Kind`, :class:`DocumentError`) and the allowed field values.
"""

from segctl.project.kinds import KINDS, DocumentError, Kind
from segctl.project.loader import LoadResult, analyse_project, load_project
from segctl.project.model import (
    DEFAULT_MERGE_POLICY,
    DEFAULT_SCHEMA,
    EVALUATIONS,
    EXPORT_RUNS,
    MEMBERSHIP_STATUSES,
    Environment,
    Export,
    Project,
    ProjectInfo,
    Segment,
)

__all__ = [
    "DEFAULT_MERGE_POLICY",
    "DEFAULT_SCHEMA",
    "EVALUATIONS",
    "EXPORT_RUNS",
    "KINDS",
    "MEMBERSHIP_STATUSES",
    "DocumentError",
    "Environment",
    "Export",
    "Kind",
    "LoadResult",
    "Project",
    "ProjectInfo",
    "Segment",
    "analyse_project",
    "load_project",
]
