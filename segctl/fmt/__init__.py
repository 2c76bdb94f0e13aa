"""``segctl fmt``: canonical PQL and a stable key order in YAML, comments kept, idempotent.

Public names: the pure :func:`format_source`, the file-level :func:`format_file`,
:func:`format_paths` (over the project's files, :func:`segctl.project.project_files`),
:func:`write_results`, :func:`pql_lines` (the
layout of a rule, for diffs), :class:`FormatResult`, and
the errors :class:`FormatError` and :class:`FormatCheckFailed`.
"""

from segctl.fmt.formatter import (
    FormatCheckFailed,
    FormatError,
    FormatResult,
    format_file,
    format_paths,
    format_source,
    pql_lines,
    write_results,
)

__all__ = [
    "FormatCheckFailed",
    "FormatError",
    "FormatResult",
    "format_file",
    "format_paths",
    "format_source",
    "pql_lines",
    "write_results",
]
