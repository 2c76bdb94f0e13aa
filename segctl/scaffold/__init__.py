"""``segctl init``: scaffold a new project that ``segctl apply`` converges at once.

Public names: :func:`scaffold_files` (pure: what would be written), :func:`project_name_for`
and :func:`write_scaffold`
(writes them, never over an existing file unless asked), :class:`ScaffoldConflictError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from segctl.errors import SegctlError
from segctl.scaffold.templates import FILES, GITIGNORE, PROJECT_FOLDER, SCHEMAS


class ScaffoldConflictError(SegctlError):
    """Files init would write exist already (exit 1, nothing written)."""


@dataclass(frozen=True)
class ScaffoldFile:
    path: str  # relative to the new project's root
    text: str
    append: bool = False  # .gitignore: add the missing lines to an existing file


def _schema_text(name: str) -> str:
    packaged = resources.files("segctl").joinpath("_schemas", name)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    source = Path(__file__).resolve().parents[2] / "schemas" / name  # a source checkout
    return source.read_text(encoding="utf-8")


def project_name_for(directory: Path) -> str:
    """A project name (the schema's grammar) from the folder the project goes in."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", directory.resolve().name).strip("-._")
    return slug or "segments"


def scaffold_files(name: str) -> list[ScaffoldFile]:
    """Every file of a new project named ``name``, in writing order."""
    files = [ScaffoldFile(path, text.replace("{name}", name)) for path, text in FILES.items()]
    files += [ScaffoldFile(f"schemas/{name}", _schema_text(name)) for name in SCHEMAS]
    files.append(ScaffoldFile(".gitignore", GITIGNORE, append=True))
    return files


def _missing_lines(existing: str, wanted: str) -> str:
    have = {line.strip() for line in existing.splitlines()}
    lines = [line for line in wanted.splitlines() if line.strip() not in have
             and not line.startswith("#")]
    return "".join(f"{line}\n" for line in lines)


def write_scaffold(root: Path, files: list[ScaffoldFile], *, force: bool = False
                   ) -> list[Path]:
    """Write ``files`` under ``root``; refuses (before writing anything) when one exists,
    unless ``force``. An existing .gitignore gets the missing lines appended. Returns the
    paths written or changed."""
    clashes = [root / f.path for f in files if not f.append and (root / f.path).exists()]
    if clashes and not force:
        shown = ", ".join(str(p) for p in clashes[:4]) + (" …" if len(clashes) > 4 else "")
        raise ScaffoldConflictError(
            f"{len(clashes)} file(s) exist already: {shown}",
            hint=f"init an empty folder, or pass --force to overwrite; the project folder is "
                 f"{root / PROJECT_FOLDER}")
    written = []
    for item in files:
        target = root / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if item.append and target.exists():
            extra = _missing_lines(target.read_text(encoding="utf-8"), item.text)
            if not extra:
                continue
            current = target.read_text(encoding="utf-8")
            target.write_text(current + ("" if current.endswith("\n") or not current
                                         else "\n") + extra, encoding="utf-8")
        else:
            target.write_text(item.text, encoding="utf-8")
        written.append(target)
    return written


__all__ = ["ScaffoldConflictError", "ScaffoldFile", "project_name_for", "scaffold_files",
           "write_scaffold"]
