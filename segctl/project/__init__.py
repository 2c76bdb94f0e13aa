"""Load a segctl project: YAML with file:line:col, JSON Schema checks, semantic validation.

Public names: :func:`load_project` (raises :class:`~segctl.errors.ValidationError` carrying
every diagnostic), :func:`analyse_project` (returns them in a :class:`LoadResult`), the frozen
documents :class:`Project` (named by its ``kind: Project`` document,
:class:`ProjectInfo`), :class:`Segment`, :class:`Export`, :class:`Environment`, the kind
table (``KINDS``, :class:`Kind`, :class:`DocumentError`), the allowed field values, and partial
runs: :func:`select` (``--target``) with :func:`project_root` / :func:`keys_in_file`, and
the one finder of a project's files, :func:`project_files`; :func:`means_else_in_yaml11`
tells a YAML writer which strings to quote (files are read per YAML 1.2).
"""

from segctl.project.finder import project_files
from segctl.project.kinds import KINDS, DocumentError, Kind
from segctl.project.loader import LoadResult, analyse_project, load_project
from segctl.project.model import (
    DEFAULT_LIFECYCLE,
    DEFAULT_MERGE_POLICY,
    DEFAULT_SCHEMA,
    EVALUATIONS,
    EXPORT_RUNS,
    LIFECYCLES,
    MEMBERSHIP_STATUSES,
    Environment,
    Export,
    Project,
    ProjectInfo,
    RuleForm,
    Schedule,
    Segment,
)
from segctl.project.selection import Selection, keys_in_file, project_root, select
from segctl.project.yaml12 import means_else_in_yaml11

__all__ = [
    "DEFAULT_LIFECYCLE",
    "DEFAULT_MERGE_POLICY",
    "DEFAULT_SCHEMA",
    "EVALUATIONS",
    "EXPORT_RUNS",
    "KINDS",
    "LIFECYCLES",
    "MEMBERSHIP_STATUSES",
    "DocumentError",
    "Environment",
    "Export",
    "Kind",
    "LoadResult",
    "Project",
    "ProjectInfo",
    "RuleForm",
    "Schedule",
    "Segment",
    "Selection",
    "analyse_project",
    "keys_in_file",
    "load_project",
    "means_else_in_yaml11",
    "project_files",
    "project_root",
    "select",
]
