"""``segctl fmt``: canonical PQL and a stable key order in YAML, comments kept, idempotent."""

from segctl.fmt.formatter import (
    FormatCheckFailed,
    FormatError,
    FormatResult,
    format_file,
    format_paths,
    format_source,
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
    "write_results",
    "yaml_files",
]
