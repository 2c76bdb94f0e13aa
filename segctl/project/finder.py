"""Which files make up a project: the one finder ``validate``, ``plan``, ``fmt`` and ``import``
use, so every command reads the same files in the same order.
"""

from __future__ import annotations

import os
from pathlib import Path

YAML_SUFFIXES = (".yaml", ".yml")


def project_files(path: Path) -> list[Path]:
    """Every ``*.yaml`` / ``*.yml`` file under ``path`` (or ``path`` itself when it is a file).

    Hidden files and folders (a name starting with ``.``, such as ``.segctl`` or ``.git``) are
    skipped, and folders reached through a symbolic link are not entered. The order is that of
    the paths relative to ``path`` with ``/`` separators, compared as text: git's order, and
    the order the project hash reads the files in.
    """
    if path.is_file():
        return [path]
    return [Path(name) for name in project_file_names(path)]


def project_file_names(path: Path) -> list[str]:
    """The files of :func:`project_files` as text: each is ``os.fspath`` of its ``Path``."""
    if path.is_file():
        return [os.fspath(path)]
    top = os.fspath(path)
    found: list[tuple[str, str]] = []
    _collect(top, "", found)
    found.sort(key=lambda item: item[0])
    if top == os.curdir:  # as Path names them: "a.yaml", not "./a.yaml"
        return [full[len(os.curdir) + 1:] for _, full in found]
    return [full for _, full in found]


def _collect(folder: str, prefix: str, found: list[tuple[str, str]]) -> None:
    """(relative name, path) of every project file under ``folder``, depth first. A directory
    entry knows its type without a ``stat`` (except a link, which ``is_file`` follows)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:  # unreadable, or gone meanwhile: as os.walk, nothing from it
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                _collect(entry.path, f"{prefix}{name}/", found)
            elif name.endswith(YAML_SUFFIXES) and entry.is_file():
                found.append((prefix + name, entry.path))
        except OSError:
            continue
