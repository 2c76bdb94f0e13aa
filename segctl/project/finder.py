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
    found: list[tuple[str, Path]] = []
    base = os.fspath(path)
    for folder, dirs, names in os.walk(base):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        relative = os.path.relpath(folder, base)
        prefix = "" if relative == os.curdir else relative.replace(os.sep, "/") + "/"
        for name in names:
            if name.startswith(".") or not name.endswith(YAML_SUFFIXES):
                continue
            full = os.path.join(folder, name)
            if os.path.isfile(full):
                found.append((prefix + name, Path(full)))
    found.sort(key=lambda item: item[0])
    return [full for _, full in found]
