"""Load a segctl project: YAML with file:line:col, JSON Schema checks, semantic validation.

Public names: :func:`load_project` (raises :class:`~segctl.errors.ValidationError` carrying
every diagnostic), :func:`analyse_project` (returns them in a :class:`LoadResult`), the frozen
documents :class:`Project` (named by its ``kind: Project`` document,
:class:`ProjectInfo`), :class:`Segment`, :class:`Export`, :class:`Environment`, the kind
table (``KINDS``, :class:`Kind`, :class:`DocumentError`), the allowed field values, and partial
runs: :func:`select` (``--target``) with :func:`project_root` / :func:`keys_in_file`, and
the one finder of a project's files, :func:`project_files`; :func:`means_else_in_yaml11`
tells a YAML writer which strings to quote (files are read per YAML 1.2; it loads PyYAML on
first use, which a load answered from the cache never needs).
"""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from segctl.project.yaml12 import means_else_in_yaml11


def __getattr__(name: str) -> Any:
    if name == "means_else_in_yaml11":
        from segctl.project.yaml12 import means_else_in_yaml11

        return means_else_in_yaml11
    raise AttributeError(f"module 'segctl.project' has no attribute {name!r}")

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
