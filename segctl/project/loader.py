"""``load_project``: files → documents with provenance → schema → built documents → checks.

Every problem is collected before failing, so one run of ``segctl validate`` reports them all.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any

from segctl.errors import Diagnostic, Location, UsageError, ValidationError
from segctl.project.cache import LoadCache
from segctl.project.checks import CHECKS, Context
from segctl.project.finder import project_file_names
from segctl.project.kinds import KINDS, UNSUBSTITUTED_KINDS, DocumentError
from segctl.project.model import Environment, Export, Project, Segment
from segctl.project.schemas import validate_document
from segctl.project.source import FileNames, RawDocument, SourceFile, files_hash
from segctl.project.variables import substitute

DEFAULT_ENVIRONMENT = "local"


@dataclass(frozen=True)
class LoadResult:
    """The project (None when there are errors) and every diagnostic, errors and warnings."""

    project: Project | None
    diagnostics: tuple[Diagnostic, ...]
    counts: MappingProxyType[str, int]  # kind → number of documents read (even if invalid)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


def load_project(path: str | PathLike[str], env: str | None = None, *,
                 offline_checks: bool = True) -> Project:
    """Load and validate the project at ``path`` (a directory or one file).

    ``env`` selects the Environment whose ``vars`` fill ``${vars.NAME}``; by default the one
    named ``local`` when declared. ``offline_checks=False`` (plan, apply) skips the checks of
    kinds that only offline commands need (SegmentTest's). Raises :class:`ValidationError`
    with every problem found.
    """
    result = analyse_project(path, env, offline_checks=offline_checks)
    if result.errors or result.project is None:
        raise ValidationError(result.diagnostics)
    return result.project


def analyse_project(path: str | PathLike[str], env: str | None = None, *,
                    offline_checks: bool = True) -> LoadResult:
    """Like :func:`load_project` but returns the diagnostics instead of raising."""
    target = Path(path)
    if not target.exists():
        raise UsageError(f"path not found: {target}",
                         hint="pass the folder of your segment files (default: segments/)")
    root = target if target.is_dir() else target.parent
    names = project_file_names(target)
    if not names:
        raise UsageError(f"no YAML files (*.yaml, *.yml) found under {target}")

    problems: list[Diagnostic] = []
    cache = LoadCache.open(root)
    files = [Path(name) for name in names]
    sources, docs = _read_documents(names, files, root, problems, cache)
    by_kind = _by_kind(docs, problems)
    counts = MappingProxyType({k: len(v) for k, v in by_kind.items()})

    built: dict[str, list[tuple[Any, RawDocument]]] = defaultdict(list)
    for doc in by_kind.get("Environment", []):
        _build(doc, built, problems)
    environments = tuple(e for e, _ in built["Environment"])
    before = len(problems)
    environment = _select_environment(environments, env, target, problems)
    env_unknown = len(problems) > before  # then "needs an environment" errors would be noise

    checked, unresolved = _substitute_all(by_kind, environment, environments, built, problems,
                                          report=not env_unknown)

    project = Project(
        root=root,
        segments=tuple(s for s, _ in built["Segment"] if isinstance(s, Segment)),
        exports=tuple(e for e, _ in built["Export"] if isinstance(e, Export)),
        environments=environments,
        environment=environment,
        files_hash=files_hash(sources),
        documents=MappingProxyType({k: tuple(d for d, _ in v) for k, v in built.items() if v}),
        files=tuple(files),
    )
    ctx = Context(project, MappingProxyType({k: tuple(v) for k, v in checked.items()}),
                  unresolved, cache=cache)
    for check in CHECKS:
        problems.extend(check(ctx))
    cache.save()
    for kind in by_kind:
        kind_check = KINDS[kind].checker()
        if kind_check is not None and (offline_checks or not KINDS[kind].offline_check):
            problems.extend(kind_check(project))

    ordered = tuple(sorted(problems, key=_order))
    warnings = tuple(d for d in ordered if d.severity != "error")
    has_errors = any(d.severity == "error" for d in ordered)
    final = None if has_errors else replace(project, warnings=warnings,
                                            rule_forms=MappingProxyType(ctx.forms))
    return LoadResult(final, ordered, counts)


def _by_kind(docs: list[RawDocument], problems: list[Diagnostic]
             ) -> dict[str, list[RawDocument]]:
    """The documents grouped by kind; one without a known kind becomes a problem instead."""
    by_kind: dict[str, list[RawDocument]] = defaultdict(list)
    for doc in docs:
        problem = _kind_problem(doc)
        if problem:
            problems.append(problem)
        else:
            by_kind[doc.kind].append(doc)
    return by_kind


def _substitute_all(
    by_kind: dict[str, list[RawDocument]],
    environment: Environment | None,
    environments: tuple[Environment, ...],
    built: dict[str, list[tuple[Any, RawDocument]]],
    problems: list[Diagnostic],
    *,
    report: bool,
) -> tuple[dict[str, list[RawDocument]], frozenset[int]]:
    """Fill ``${vars.NAME}`` in every document of a substituted kind and build those that
    resolve. Returns what the semantic checks see, per kind, and the ids of the documents left
    unresolved. ``report`` False (the environment itself is unknown) keeps the variable
    problems out: they would be noise."""
    declared = tuple(e.name for e in environments)
    checked: dict[str, list[RawDocument]] = defaultdict(list)
    unresolved: set[int] = set()
    checked["Environment"] = list(by_kind.get("Environment", []))
    for kind, kind_docs in by_kind.items():
        if kind in UNSUBSTITUTED_KINDS:
            continue
        for doc in kind_docs:
            variables = environment.vars if environment else None
            substituted, var_problems = substitute(
                doc, variables, environment.name if environment else None, declared)
            if report:
                problems.extend(var_problems)
            checked[kind].append(substituted)
            if var_problems:
                unresolved.add(id(substituted))
            else:
                _build(substituted, built, problems)
    return checked, frozenset(unresolved)


def _read_documents(names: list[str], files: list[Path], root: Path,
                    problems: list[Diagnostic], cache: LoadCache
                    ) -> tuple[list[SourceFile], list[RawDocument]]:
    """Every readable file (``names``: ``files`` as text) and every document in them (from the
    cache when the file is as it was); unreadable parts become problems."""
    sources: list[SourceFile] = []
    docs: list[RawDocument] = []
    naming = FileNames(root)
    for name, file in zip(names, files, strict=True):
        found = cache.read(name, file, root, naming)
        if isinstance(found, Diagnostic):
            problems.append(found)
            continue
        source, items = found
        sources.append(source)
        for item in items:
            if isinstance(item, Diagnostic):
                problems.append(item)
            else:
                docs.append(item)
    return sources, docs


def _kind_problem(doc: RawDocument) -> Diagnostic | None:
    if not isinstance(doc.data, dict):
        return Diagnostic("a document must be a mapping with a 'kind' field", doc.start)
    kind = doc.data.get("kind")
    known = ", ".join(KINDS)
    if kind is None:
        return Diagnostic(f"missing 'kind' (one of: {known})", doc.start)
    if not isinstance(kind, str) or kind not in KINDS:
        shown = f"'{kind}'" if isinstance(kind, str) else json.dumps(kind, default=str)
        return Diagnostic(f"unknown kind {shown} (expected one of: {known})",
                          doc.value_location(("kind",)))
    return None


def _build(doc: RawDocument, built: dict[str, list[tuple[Any, RawDocument]]],
           problems: list[Diagnostic]) -> None:
    kind = KINDS[doc.kind]
    schema_problems = validate_document(doc, kind.schema)
    if schema_problems:
        problems.extend(schema_problems)
        return
    try:
        built[doc.kind].append((kind.builder()(doc), doc))
    except DocumentError as err:
        problems.extend(err.diagnostics)


def _select_environment(environments: tuple[Environment, ...], name: str | None,
                        target: Path, problems: list[Diagnostic]) -> Environment | None:
    if name is None:
        return next((e for e in environments if e.name == DEFAULT_ENVIRONMENT), None)
    for candidate in environments:
        if candidate.name == name:
            return candidate
    declared = ", ".join(e.name for e in environments) or "none"
    problems.append(Diagnostic(f"unknown environment '{name}' (declared: {declared})",
                               Location(str(target))))
    return None


def _order(d: Diagnostic) -> tuple[str, int, int]:
    loc = d.location
    return (loc.file or "", loc.line or 0, loc.col or 0)
