"""Semantic checks: duplicate keys and names, references, dependency cycles, PQL, eligibility.

Each check is a pure function from a :class:`Context` to diagnostics; :data:`CHECKS` lists them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from segctl import pql
from segctl.errors import Diagnostic, Location, SegctlError
from segctl.project.cache import LoadCache, PqlResult
from segctl.project.model import Project, RuleForm
from segctl.project.source import RawDocument

KEY_PREFIX = "key:"


@dataclass(frozen=True)
class Context:
    """What the checks see: the raw documents of every kind (also those that failed the schema,
    so one broken field does not hide other problems) and the built project."""

    project: Project
    docs: Mapping[str, tuple[RawDocument, ...]]
    unresolved: frozenset[int] = frozenset()  # id() of documents with a failed ${vars.NAME}
    # filled by check_pql: segment key -> (its tree, or None when it came from the cache and
    # is parsed on demand; its document), and -> the inSegment references of its rule
    parsed: dict[str, tuple[Any, RawDocument]] = field(default_factory=dict, hash=False)
    refs: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    # pql/text -> its canonical text and references, for every rule that parsed (Project.rule_forms)
    forms: dict[str, RuleForm] = field(default_factory=dict, hash=False)
    # segment key -> the keys its rule refers to (see segment_dependencies)
    dependencies: dict[str, list[str]] = field(default_factory=dict, hash=False)
    cache: LoadCache | None = None

    def tree(self, key: str) -> Any:
        """The parsed rule of segment ``key`` (check_pql has parsed it, or knows it parses)."""
        expr, doc = self.parsed[key]
        return expr if expr is not None else pql.parse(doc.data["pql"])

    def of_kind(self, kind: str) -> tuple[RawDocument, ...]:
        return self.docs.get(kind, ())

    def declared_segment_keys(self) -> frozenset[str]:
        keys = (d.data.get("key") for d in self.of_kind("Segment"))
        return frozenset(k for k in keys if isinstance(k, str))


# (kind, field, what) pairs that must be unique within the project
UNIQUE_FIELDS = (
    ("Segment", "key", "segment key"),
    ("Segment", "name", "segment name"),
    ("Export", "key", "export key"),
    ("Environment", "name", "environment name"),
    ("Schedule", "key", "schedule key"),
)


def check_duplicates(ctx: Context) -> Iterator[Diagnostic]:
    for kind, field_name, what in UNIQUE_FIELDS:
        first: dict[str, RawDocument] = {}
        for doc in ctx.of_kind(kind):
            value = doc.data.get(field_name)
            if not isinstance(value, str):
                continue
            seen = first.setdefault(value, doc)
            if seen is not doc:  # located only when reported: most projects have no duplicate
                yield Diagnostic(f"duplicate {what} '{value}' (first declared at "
                                 f"{seen.value_location((field_name,))})",
                                 doc.value_location((field_name,)))


def check_export_refs(ctx: Context) -> Iterator[Diagnostic]:
    declared = ctx.declared_segment_keys()
    for doc in ctx.of_kind("Export"):
        keys = doc.data.get("segments")
        if not isinstance(keys, list):
            continue
        for i, key in enumerate(keys):
            if isinstance(key, str) and key not in declared:
                yield Diagnostic(f"export '{doc.data.get('key')}' refers to unknown segment key "
                                 f"'{key}'{_suggest(key, declared)}",
                                 doc.value_location(("segments", i)))


def check_schedule_refs(ctx: Context) -> Iterator[Diagnostic]:
    """An export Schedule names a declared Export (by key)."""
    declared = {k for k in (d.data.get("key") for d in ctx.of_kind("Export"))
                if isinstance(k, str)}
    for doc in ctx.of_kind("Schedule"):
        key = doc.data.get("export")
        if isinstance(key, str) and doc.data.get("type") == "export" and key not in declared:
            yield Diagnostic(f"schedule '{doc.data.get('key')}' refers to unknown export key "
                             f"'{key}'{_suggest(key, declared)}",
                             doc.value_location(("export",)))


def check_pql(ctx: Context) -> Iterator[Diagnostic]:
    """Parse every rule (remembering its references for the reference checks), then check its
    calls and what the compiler would refuse, as AEP refuses an unknown function or method
    when the audience is created. A rule's result is kept in the load cache by its text."""
    for doc in ctx.of_kind("Segment"):
        key, text, tree = doc.data.get("key"), doc.data.get("pql"), doc.data.get("pqlJson")
        if not isinstance(key, str) or (text is None) == (tree is None):
            continue  # the schema reports these
        if id(doc) in ctx.unresolved:
            continue  # a placeholder is left in the text; its error is already reported
        if isinstance(tree, str) and not _is_json(tree):
            continue  # the Segment builder reports it at the exact character
        if isinstance(text, str):
            result = ctx.cache.rule(text) if ctx.cache is not None else None
            expr = None
            if result is None:
                result, expr = check_text(text)
                if ctx.cache is not None:
                    ctx.cache.keep_rule(text, result)
        elif isinstance(tree, dict | str):
            result, expr = _check_tree(tree)
        else:
            continue
        if result.refs is not None:
            ctx.parsed[key] = (expr, doc)
            ctx.refs[key] = result.refs
            if isinstance(text, str) and result.canonical is not None:
                ctx.forms[text] = RuleForm(result.canonical, result.refs)
        if result.error is not None:
            yield Diagnostic(f"invalid PQL: {result.error[0]}", _pql_error_location(doc,
                                                                                   result.error))


def check_text(text: str) -> tuple[PqlResult, Any]:
    """Parse and check one rule: its result, and its tree (None when it does not parse)."""
    try:
        expr = pql.parse(text)
    except SegctlError as err:
        return PqlResult(None, _error(err)), None
    refs = tuple(sorted(pql.segment_refs(expr)))
    canonical = pql.to_text(expr)
    try:
        pql.check(expr, text)
    except SegctlError as err:
        return PqlResult(refs, _error(err), canonical), expr
    return PqlResult(refs, None, canonical), expr


def _check_tree(tree: dict[str, Any] | str) -> tuple[PqlResult, Any]:
    try:
        expr = pql.from_json(tree)
    except SegctlError as err:
        return PqlResult(None, _error(err)), None
    refs = tuple(sorted(pql.segment_refs(expr)))
    try:
        pql.check(expr, None)
    except SegctlError as err:
        return PqlResult(refs, _error(err)), expr
    return PqlResult(refs, None), expr


def _error(err: SegctlError) -> tuple[str, int | None, int | None, int | None]:
    """What locates a PQL error in its text: its offset, else its 1-based line and column."""
    offset = getattr(err, "offset", None)
    where = err.location
    line = where.line if where is not None else None
    col = where.col if where is not None else None
    return err.message, offset if isinstance(offset, int) else None, line, col


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):  # the Segment builder reports these, located
        return False
    return True


def _pql_error_location(doc: RawDocument,
                        error: tuple[str, int | None, int | None, int | None]) -> Location:
    if not isinstance(doc.data.get("pql"), str):
        return doc.value_location(("pqlJson",))
    _, offset, line, col = error
    if offset is not None:
        return doc.offset_in_value(("pql",), offset)
    if line is not None:
        return doc.location_in_value(("pql",), line, col or 1)
    return doc.value_location(("pql",))


def segment_dependencies(ctx: Context) -> dict[str, list[str]]:
    """segment key → keys it refers to through ``inSegment("key:...")`` (parsed rules only;
    worked out once, the reference and cycle checks both read it)."""
    if len(ctx.dependencies) != len(ctx.refs):
        ctx.dependencies.clear()
        ctx.dependencies.update(
            (key, sorted(r[len(KEY_PREFIX):] for r in refs if r.startswith(KEY_PREFIX)))
            for key, refs in ctx.refs.items())
    return ctx.dependencies


def check_segment_refs(ctx: Context) -> Iterator[Diagnostic]:
    declared = ctx.declared_segment_keys()
    for key, refs in segment_dependencies(ctx).items():
        doc = ctx.parsed[key][1]
        for ref in refs:
            if ref not in declared:
                yield Diagnostic(
                    f"segment '{key}' refers to unknown segment key '{ref}' in inSegment"
                    f"{_suggest(ref, declared)}", _ref_location(doc, KEY_PREFIX + ref))


def _ref_location(doc: RawDocument, ref: str) -> Location:
    text = doc.data.get("pql")
    if isinstance(text, str):
        offset = text.find(ref)
        if offset >= 0:
            return doc.offset_in_value(("pql",), offset)
        return doc.value_location(("pql",))
    return doc.value_location(("pqlJson",))


def check_cycles(ctx: Context) -> Iterator[Diagnostic]:
    deps = segment_dependencies(ctx)
    reported: set[frozenset[str]] = set()
    for cycle in _cycles(deps):
        members = frozenset(cycle)
        if members in reported:
            continue
        reported.add(members)
        path = " -> ".join([*cycle, cycle[0]])
        doc = ctx.parsed[cycle[0]][1]
        yield Diagnostic(f"segment dependency cycle: {path}",
                         _ref_location(doc, KEY_PREFIX + cycle[1 % len(cycle)]))


def check_eligibility(ctx: Context) -> Iterator[Diagnostic]:
    """Warn when a segment asks for streaming/edge evaluation its rule is not eligible for."""
    for key, (_, doc) in ctx.parsed.items():
        desired = doc.data.get("evaluation", "batch")
        if desired not in ("streaming", "edge"):
            continue
        verdict = pql.classify(ctx.tree(key))
        eligible = verdict.streaming if desired == "streaming" else verdict.edge
        if not eligible:
            reasons = verdict.streaming_reasons if desired == "streaming" else verdict.edge_reasons
            why = "; ".join(reasons) or "not eligible"
            yield Diagnostic(f"segment '{key}' asks for {desired} evaluation but AEP would "
                             f"evaluate it in batch: {why}", doc.value_location(("evaluation",)),
                             severity="warning")


def _cycles(deps: Mapping[str, list[str]]) -> Iterator[list[str]]:
    """One cycle per strongly-connected loop reachable in ``deps`` (iterative DFS)."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for start in sorted(deps):
        if start in state:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(deps.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                yield path[path.index(child):]
            elif child not in state and child in deps:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(deps.get(child, ()))))


def _suggest(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_previous_keys(ctx: Context) -> Iterator[Diagnostic]:
    """A move names one old key, once: not a key still declared, not a key two segments
    claim (either would make the live id's owner ambiguous)."""
    declared = ctx.declared_segment_keys()
    claimed: dict[str, Location] = {}
    for doc in ctx.of_kind("Segment"):
        old_keys = doc.data.get("previousKeys")
        if not isinstance(old_keys, list):
            continue
        for index, old in enumerate(old_keys):
            if not isinstance(old, str):
                continue
            where = doc.value_location(("previousKeys", index))
            if old in declared:
                yield Diagnostic(f"previousKeys: '{old}' is still the key of a declared "
                                 "segment; a move names a key no segment has any more", where)
            elif old in claimed:
                yield Diagnostic(f"previousKeys: '{old}' is already claimed by the segment at "
                                 f"{claimed[old]}; one old key moves to one segment", where)
            else:
                claimed[old] = where


CHECKS: tuple[Callable[[Context], Iterable[Diagnostic]], ...] = (
    check_duplicates,
    check_previous_keys,
    check_export_refs,
    check_schedule_refs,
    check_pql,  # before the reference checks: it fills ctx.parsed
    check_segment_refs,
    check_cycles,
    check_eligibility,
)

