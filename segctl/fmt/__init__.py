"""``segctl fmt``: canonical PQL and a stable key order in YAML, comments kept, idempotent.

Public names: the pure :func:`format_source`, the file-level :func:`format_file`,
:func:`format_paths`, :func:`write_results` and :func:`yaml_files`, :func:`pql_lines` (the
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
    yaml_files,
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
    "yaml_files",
]
