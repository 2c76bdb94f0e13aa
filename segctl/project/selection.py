"""Partial runs: the part of a project that ``--target KEY`` (or a single file given as PATH)
selects, like Terraform's ``-target``.

A target is a segment key or an export key. The selection holds the targets and everything they
depend on: the segments an export writes, and the segments a segment refers to through
``inSegment("key:...")``, transitively. Segments and exports outside it are left out of the
plan, but they stay declared: they are neither created nor reported as "not declared".
Environments and ``vars`` always come from the whole project. Pure.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from pathlib import Path

from segctl import pql
from segctl.errors import SegctlError, UsageError
from segctl.project.model import Project, Segment

KEY_PREFIX = "key:"
#: the project folder commands use by default
DEFAULT_ROOT = Path("segments")


@dataclass(frozen=True)
class Selection:
    """The narrowed project, the targets asked for, and the names of every segment the whole
    project declares (a live segment of one of those is out of scope, not undeclared)."""

    project: Project
    targets: tuple[str, ...]
    declared_names: frozenset[str]


def project_root(path: Path) -> Path:
    """The folder to load for PATH: itself when a folder; for a file, the default project
    folder (segments/) when the file is inside it, else the file's own folder."""
    if not path.is_file():
        return path
    default = DEFAULT_ROOT.resolve()
    if default.is_dir() and path.resolve().is_relative_to(default):
        return DEFAULT_ROOT
    return path.parent


def keys_in_file(project: Project, file: Path) -> tuple[str, ...]:
    """The segment, export and schedule keys declared in ``file``."""
    wanted = file.resolve()

    def here(where: str | None) -> bool:
        return where is not None and Path(where).resolve() == wanted

    return (*(s.key for s in project.segments if here(s.location.file)),
            *(e.key for e in project.exports if here(e.location.file)),
            *(s.key for s in project.of_kind("Schedule") if here(s.location.file)))


def _refs(segment: Segment) -> set[str]:
    try:
        expr = pql.parse(segment.pql) if segment.pql is not None \
            else pql.from_json(dict(segment.pql_json or {}))
    except SegctlError:
        return set()  # validation reports it; nothing to follow
    return {r[len(KEY_PREFIX):] for r in pql.segment_refs(expr) if r.startswith(KEY_PREFIX)}


def select(project: Project, targets: tuple[str, ...]) -> Selection:
    """The targets and their dependencies (raises :class:`UsageError` for an unknown key, with
    the closest declared key)."""
    schedules = project.of_kind("Schedule")
    declared = {s.key for s in project.segments} | {e.key for e in project.exports} \
        | {s.key for s in schedules}
    for key in targets:
        if key not in declared:
            close = difflib.get_close_matches(key, sorted(declared), n=1)
            raise UsageError(f"--target {key}: no segment or export with this key in "
                             f"{project.root}",
                             hint=f"did you mean {close[0]!r}?" if close
                             else "targets are segment, export or schedule keys")
    # an export Schedule depends on the Export it runs (its segments and dataset)
    scheduled = {s.export for s in schedules if s.key in targets and s.export is not None}
    exports = tuple(e for e in project.exports if e.key in targets or e.key in scheduled)
    pending = [k for k in targets if project.segment(k) is not None]
    pending += [k for e in exports for k in e.segments]
    chosen: set[str] = set()
    while pending:
        key = pending.pop()
        segment = project.segment(key)
        if key in chosen or segment is None:
            continue
        chosen.add(key)
        pending.extend(_refs(segment))
    # a Schedule is planned only when it is a target itself
    documents = {**project.documents,
                 "Schedule": tuple(s for s in schedules if s.key in targets)}
    narrowed = replace(project, segments=tuple(s for s in project.segments if s.key in chosen),
                       exports=exports, documents=documents)
    return Selection(narrowed, tuple(targets), frozenset(s.name for s in project.segments))
