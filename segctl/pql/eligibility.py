"""Would this PQL stream, or run on edge? (PQL.md §12, AEP-API.md §13.2-13.4, rules of May 2025)

:func:`classify` reads the tree only. It finds the *event conditions* (each ``chain`` step,
each quantifier, select, aggregate or filter over ``xEvent``, any other use of ``xEvent``),
their time windows, ``inSegment`` references and profile attributes, then applies the current
rules:

* streaming and edge: profile attributes only; segment of segments (``inSegment``, optionally
  with profile attributes); a single event within a window of at most 24 hours, optionally with
  profile attributes;
* streaming only: several events within 24 hours as one time-ordered ``chain``, frequency
  counts (``COUNT(n)``) and negated events inside a larger query;
* neither (batch): an event without a window or with a longer one, several events that are not
  one ordered chain, aggregations or ``forall`` over events, an entirely negated query, a single
  event combined with ``inSegment``, and multi-entity or decisioning-only PQL.

A window is at most 24 hours when it is ``today``/``this day`` (or a shorter ``this`` unit) or
``< N`` / ``<= N UNIT before now`` with N units at most 24 hours [I]: ``WHEN(<= 24 hours before
now)`` is a published edge example. :func:`evaluation_info` turns a desired evaluation type into
AEP's ``evaluationInfo``, falling back to batch when the expression is not eligible or the merge
policy is not active on edge, as AEP derives it server-side.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from segctl.pql import ast, timeutil
from segctl.pql.evaluator.functions import FUNCTIONS

EVALUATION_TYPES = ("batch", "streaming", "edge")
_DAY_US = timeutil.US_PER_DAY
_FIXED_US = {"millisecond": 1_000, "second": 1_000_000, "minute": 60_000_000,
             "hour": 3_600_000_000, "day": _DAY_US}
_ORIGIN_TEXT = {"chain": "a chain step", "quantifier": "an event condition",
                "filter": "an event filter", "path": "an event condition",
                "aggregate": "the query", "forall": "the query"}


@dataclass(frozen=True)
class Eligibility:
    """Where AEP can evaluate an expression; ``*_reasons`` say why not (empty when eligible)."""

    streaming: bool
    edge: bool
    pattern: str
    streaming_reasons: tuple[str, ...] = ()
    edge_reasons: tuple[str, ...] = ()
    batch: bool = True

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every reason, streaming first, without repeats."""
        return tuple(dict.fromkeys((*self.streaming_reasons, *self.edge_reasons)))


@dataclass(frozen=True)
class _Event:
    """One event condition found in the tree."""

    origin: str  # "chain" | "quantifier" | "filter" | "aggregate" | "forall" | "path"
    window: str | None  # why the window is not eligible; None when it is at most 24 h
    negated: bool
    count: int = 1
    group: int = 0  # chain steps share their chain's group; other conditions get their own


@dataclass
class _Facts:
    events: list[_Event] = field(default_factory=list)
    segment_refs: int = 0
    profile_attributes: bool = False
    unsupported: list[str] = field(default_factory=list)
    next_group: int = 0

    def group(self) -> int:
        self.next_group += 1
        return self.next_group


def _children(node: ast.Node) -> Iterator[ast.Node]:
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, ast.Node):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, ast.Node):
                    yield item
                elif isinstance(item, tuple):  # ObjectLiteral entries
                    yield from (v for v in item if isinstance(v, ast.Node))


def _conjuncts(node: ast.Expr | None) -> list[ast.Expr]:
    if node is None:
        return []
    if isinstance(node, ast.And):
        return [c for o in node.operands for c in _conjuncts(o)]
    return [node]


def window_problem(spec: ast.TimeSpec | None) -> str | None:
    """None when ``spec`` looks back at most 24 hours from now, else why not."""
    if spec is None:
        return "has no time window"
    if isinstance(spec, ast.OnSpec):
        anchor = spec.anchor
        if isinstance(anchor, ast.TimeWord) and anchor.word == "today":
            return None
        if (isinstance(anchor, ast.RelativePeriod) and anchor.anchor == "this"
                and timeutil.canonical_unit(anchor.unit) in _FIXED_US):
            return None
        return "has a time window that is not within the last 24 hours"
    if (isinstance(spec, ast.OffsetSpec) and spec.direction == "before"
            and isinstance(spec.anchor, ast.TimeWord) and spec.anchor.word == "now"
            and spec.comparator in ("<", "<=")):
        size = _FIXED_US.get(timeutil.canonical_unit(spec.unit))
        if size is not None and spec.amount * size <= _DAY_US:
            return None
        return "has a time window longer than 24 hours"
    return "has a time window that is not a lookback of at most 24 hours from now"


def _is_events(node: ast.Expr) -> bool:
    return isinstance(node, ast.XEvent) or (isinstance(node, ast.Filter)
                                            and _is_events(node.source))


def _var_window(condition: ast.Expr | None, var: str | None) -> str | None:
    """The window problem of the occurs test on ``var.timestamp`` (or bare ``timestamp``)."""
    for c in _conjuncts(condition):
        if not isinstance(c, ast.Occurs):
            continue
        subject = c.subject
        if var is None and isinstance(subject, ast.Name) and subject.name == "timestamp":
            return window_problem(c.spec)
        if (var is not None and isinstance(subject, ast.Field) and subject.name == "timestamp"
                and isinstance(subject.target, ast.Name) and subject.target.name == var):
            return window_problem(c.spec)
    return "has no time window"


class _Walker:
    def __init__(self) -> None:
        self.facts = _Facts()

    def walk(self, node: ast.Node, negated: bool, bound: frozenset[str]) -> None:
        facts = self.facts
        if isinstance(node, ast.Not):
            self.walk(node.operand, not negated, bound)
            return
        if isinstance(node, ast.Chain):
            group = facts.group()
            for step in node.steps:
                facts.events.append(_Event("chain", window_problem(step.when), negated,
                                           step.count or 1, group))
            return
        if isinstance(node, ast.Quantified | ast.Select | ast.Aggregate):
            self._binding(node, negated, bound)
            return
        if isinstance(node, ast.Filter) and _is_events(node):
            facts.events.append(_Event("filter", _var_window(node.condition, None), negated,
                                       group=facts.group()))
            return
        if isinstance(node, ast.MethodCall) and _is_aggregate(node.name) \
                and _is_events(node.receiver):
            facts.events.append(_Event("aggregate", "aggregates events", negated,
                                       group=facts.group()))
            return
        if isinstance(node, ast.Occurs) and isinstance(node.subject, ast.Field) \
                and isinstance(node.subject.target, ast.XEvent):
            facts.events.append(_Event("path", window_problem(node.spec), negated,
                                       group=facts.group()))
            return
        if isinstance(node, ast.XEvent):
            facts.events.append(_Event("path", "has no time window", negated,
                                       group=facts.group()))
            return
        if isinstance(node, ast.Call) and node.name == "inSegment":
            facts.segment_refs += 1
            return
        if isinstance(node, ast.Call) and node.name == "modelInstances":
            facts.unsupported.append("modelInstances() is a multi-entity (decisioning) query")
        elif isinstance(node, ast.ContextRef):
            facts.unsupported.append("context data (@{...}) is decisioning-only PQL")
        elif isinstance(node, ast.Parameter) and node.position != 1:
            facts.unsupported.append(f"${node.position} refers to another entity")
        elif isinstance(node, ast.Name) and node.name not in bound:
            facts.profile_attributes = True
        elif isinstance(node, ast.Let):
            self.walk(node.value, negated, bound)
            self.walk(node.body, negated, bound | {node.name})
            return
        elif isinstance(node, ast.Lambda):
            self.walk(node.body, negated, bound | set(node.params))
            return
        for child in _children(node):
            self.walk(child, negated, bound)

    def _binding(self, node: ast.Quantified | ast.Select | ast.Aggregate, negated: bool,
                 bound: frozenset[str]) -> None:
        facts = self.facts
        names = bound
        for decl in node.decls:
            if _is_events(decl.source):
                problem: str | None
                if isinstance(node, ast.Aggregate):
                    origin, problem = "aggregate", "aggregates events"
                elif isinstance(node, ast.Quantified) and node.quantifier in ("forall", "all"):
                    origin, problem = "forall", "quantifies over all events (forall)"
                else:
                    origin, problem = "quantifier", _var_window(decl.condition, decl.name)
                facts.events.append(_Event(origin, problem, negated, group=facts.group()))
            else:
                self.walk(decl.source, negated, names)
            names = names | {decl.name}
            if decl.condition is not None:
                self.walk(decl.condition, negated, names)
        if isinstance(node, ast.Aggregate) and node.value is not None:
            self.walk(node.value, negated, names)


def _entirely_negated(expr: ast.Expr) -> bool:
    parts = _conjuncts(expr)
    return all(isinstance(p, ast.Not) for p in parts)


def classify(expr: ast.Expr) -> Eligibility:
    """Batch always; streaming and edge per the current (May 2025) rules, with reasons."""
    walker = _Walker()
    walker.walk(expr, False, frozenset())
    facts = walker.facts
    events = facts.events
    streaming: list[str] = list(facts.unsupported)
    edge: list[str] = []
    groups = {e.group for e in events}
    if not events:
        pattern = "segment-of-segments" if facts.segment_refs else "profile-only"
    elif len(events) == 1:
        pattern = "single-event" + ("+profile" if facts.profile_attributes else "")
    else:
        pattern = "multiple-events"
    streaming += [f"{_ORIGIN_TEXT[e.origin]} {e.window}" for e in events if e.window is not None]
    if events and facts.segment_refs:
        streaming.append("an event condition is combined with inSegment() in the same rule "
                         "(edge allows it only when the referenced audience is profile-only)")
    if len(groups) > 1:
        streaming.append("several event conditions need a strict time ordering: express them "
                         "as one chain(...)")
    if events and _entirely_negated(expr):
        streaming.append("the query is entirely a negation of events")
    if len(events) > 1:
        edge.append("multiple events are not edge-eligible under the current rules")
    if any(e.count > 1 for e in events):
        edge.append("frequency counts (COUNT(n)) are not edge-eligible under the current rules")
    if any(e.negated for e in events):
        edge.append("negated events are not edge-eligible under the current rules")
    streaming_reasons = tuple(dict.fromkeys(streaming))
    edge_reasons = tuple(dict.fromkeys((*streaming_reasons, *edge)))
    return Eligibility(streaming=not streaming_reasons, edge=not edge_reasons, pattern=pattern,
                       streaming_reasons=streaming_reasons, edge_reasons=edge_reasons)


def resolve_evaluation(eligibility: Eligibility, desired: str, *,
                       active_on_edge: bool = True) -> tuple[str, tuple[str, ...]]:
    """(the evaluation type AEP will use, reasons when it differs from ``desired``)."""
    if desired not in EVALUATION_TYPES:
        raise ValueError(f"evaluation must be one of {', '.join(EVALUATION_TYPES)}")
    if desired == "batch":
        return "batch", ()
    reasons = eligibility.streaming_reasons if desired == "streaming" else eligibility.edge_reasons
    if reasons:
        return "batch", reasons
    if not active_on_edge:
        return "batch", (f"{desired} evaluation needs a merge policy that is active on edge",)
    return desired, ()


def evaluation_info(eligibility: Eligibility, desired: str, *,
                    active_on_edge: bool = True) -> dict[str, Any]:
    """AEP's ``evaluationInfo`` for ``desired`` ("batch" | "streaming" | "edge"), derived as
    the server does: ineligible streaming/edge requests fall back to batch."""
    effective, _ = resolve_evaluation(eligibility, desired, active_on_edge=active_on_edge)
    return {"batch": {"enabled": effective == "batch"},
            "continuous": {"enabled": effective == "streaming"},
            "synchronous": {"enabled": effective == "edge"}}


def _is_aggregate(name: str) -> bool:
    spec = FUNCTIONS.get(name)
    return spec is not None and spec.aggregate
