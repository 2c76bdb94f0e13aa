"""The PQL abstract syntax tree (PQL.md §4): immutable, hashable, comparable.

Every node is a frozen, slotted dataclass; sequences are tuples, so two trees are equal exactly
when they mean the same program and can be used as dict keys. Parentheses, keyword case, quote
style, optional words (``on``, ``where`` vs ``:``) and unit plurals are not kept: the canonical
printer chooses them.

Name resolution is left to the consumer. A bare identifier is a :class:`Name`; it denotes a
variable when one of that name is bound by an enclosing :class:`VarDecl`, :class:`Lambda` or
:class:`Let`, and otherwise a field of the implicit context: the profile at top level, the
current item inside a :class:`Filter` condition, a method argument (``groupBy(storeId)``) or a
:class:`ChainStep` clause.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---- vocabulary tables (shared by the parser, printer, codec and evaluator) -----------------

#: binary operators by precedence group; comparisons are non-associative (PQL.md §5)
ARITHMETIC_OPS: frozenset[str] = frozenset({"+", "-", "*", "/", "%"})
COMPARISON_OPS: frozenset[str] = frozenset({"=", "!=", "<", "<=", ">", ">="})
RELATION_OPS: frozenset[str] = frozenset({*COMPARISON_OPS, "in", "notIn", "like", "matches"})
BINARY_OPS: frozenset[str] = ARITHMETIC_OPS | RELATION_OPS

#: ``now``/``today``/``yesterday``/``tomorrow`` (:class:`TimeWord`)
TIME_WORDS: tuple[str, ...] = ("now", "today", "yesterday", "tomorrow")
#: ``this``/``last``/``next`` + unit (:class:`RelativePeriod`)
PERIOD_ANCHORS: tuple[str, ...] = ("this", "last", "next")
#: ``occurs`` directions (PQL.md §7); ``from`` is undocumented, read it like ``after``
DIRECTIONS: tuple[str, ...] = ("before", "after", "from")
#: canonical (singular) time units, smallest first; plurals are normalised away by the parser
TIME_UNITS: tuple[str, ...] = (
    "millisecond", "second", "minute", "hour", "day", "week",
    "month", "year", "decade", "century", "millennium",
)
#: plural spelling of each unit, used by the printer when the amount is not 1
UNIT_PLURALS: dict[str, str] = {
    "millisecond": "milliseconds", "second": "seconds", "minute": "minutes",
    "hour": "hours", "day": "days", "week": "weeks", "month": "months", "year": "years",
    "decade": "decades", "century": "centuries", "millennium": "millennia",
}
QUANTIFIERS: tuple[str, ...] = ("exists", "forall")
AGGREGATE_FUNCTIONS: tuple[str, ...] = ("sum", "average", "min", "max")


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every syntax-tree node."""


@dataclass(frozen=True, slots=True)
class Expr(Node):
    """Base of every node that denotes a value."""


# ---- literals -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StringLiteral(Expr):
    """A string constant, double- or single-quoted in the source (escapes already decoded)."""

    value: str


@dataclass(frozen=True, slots=True)
class IntegerLiteral(Expr):
    """An integer constant; ``-5`` written directly before a digit is a negative literal."""

    value: int


@dataclass(frozen=True, slots=True)
class NumberLiteral(Expr):
    """A decimal constant such as ``3.14``, ``.45`` or ``2.02E-12`` (always finite)."""

    value: float


@dataclass(frozen=True, slots=True)
class BooleanLiteral(Expr):
    """``true`` or ``false``."""

    value: bool


@dataclass(frozen=True, slots=True)
class ListLiteral(Expr):
    """``[a, b, ...]`` (also the tolerated tuple form ``("a", "b")``)."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class ObjectLiteral(Expr):
    """``{"key": expr, ...}`` with string keys in source order (computed attributes)."""

    entries: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True, slots=True)
class DateLiteral(Expr):
    """``date(year, month, day)``: the UTC day; the parts may be expressions."""

    year: Expr
    month: Expr
    day: Expr


# ---- references ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Name(Expr):
    """A bare identifier: a bound variable if one is in scope, else a field of the context."""

    name: str


@dataclass(frozen=True, slots=True)
class Field(Expr):
    """Field lookup ``target.name`` (paths nest leaf-outermost, like pql/json fieldLookup)."""

    target: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Parameter(Expr):
    """Positional parameter ``$1`` (1 = the profile, the implicit root)."""

    position: int


@dataclass(frozen=True, slots=True)
class XEvent(Expr):
    """The reserved word ``xEvent``: the profile's ExperienceEvents, ordered by timestamp."""


@dataclass(frozen=True, slots=True)
class This(Expr):
    """``this``: the current element/group inside ``map({...})`` (computed attributes)."""


@dataclass(frozen=True, slots=True)
class Up(Expr):
    """``^name`` / ``^^.name``: field ``name`` of the item ``levels`` filter scopes up (§9.3)."""

    levels: int
    name: str


@dataclass(frozen=True, slots=True)
class ContextRef(Expr):
    """Decisioning context data ``@{ref}`` or ``@event{ref}`` (``kind`` is "" or "event")."""

    kind: str
    ref: str


@dataclass(frozen=True, slots=True)
class TimeWord(Expr):
    """``now`` (the evaluation instant) or the UTC day ``today``/``yesterday``/``tomorrow``."""

    word: str


@dataclass(frozen=True, slots=True)
class RelativePeriod(Expr):
    """Calendar bucket ``this|last|next UNIT`` (unit singular); only valid as a time anchor."""

    anchor: str
    unit: str


# ---- operators ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Not(Expr):
    """Logical negation, written ``not x`` or ``!x``."""

    operand: Expr


@dataclass(frozen=True, slots=True)
class Negate(Expr):
    """Arithmetic negation ``-x`` of a non-literal operand."""

    operand: Expr


@dataclass(frozen=True, slots=True)
class BinaryOp(Expr):
    """``left op right`` for ``op`` in :data:`BINARY_OPS` (arithmetic, comparison, in, like...)."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class And(Expr):
    """N-ary conjunction (two or more operands, source order)."""

    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or(Expr):
    """N-ary disjunction (two or more operands, source order)."""

    operands: tuple[Expr, ...]


# ---- calls, lambdas, filters --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """Free function call ``name(args)``: ``if``, ``inSegment``, ``mapEntry``..."""

    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class MethodCall(Expr):
    """Method call ``receiver.name(args)``: ``startsWith``, ``count``, ``groupBy``, ``map``..."""

    receiver: Expr
    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Lambda(Expr):
    """``(p1, p2) => body``; parameters are bound as variables inside ``body``."""

    params: tuple[str, ...]
    body: Expr


@dataclass(frozen=True, slots=True)
class Filter(Expr):
    """``source[condition]``: items of ``source`` for which ``condition`` holds (item-relative)."""

    source: Expr
    condition: Expr


# ---- binding forms ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VarDecl(Node):
    """``name from source [where condition]`` inside select, quantifiers and aggregations."""

    name: str
    source: Expr
    condition: Expr | None = None


@dataclass(frozen=True, slots=True)
class Select(Expr):
    """``select V from A [where C], ...``: the tuples satisfying every declaration."""

    decls: tuple[VarDecl, ...]


@dataclass(frozen=True, slots=True)
class Quantified(Expr):
    """``exists``/``forall`` over declarations (``some``/``all`` are read as these)."""

    quantifier: str
    decls: tuple[VarDecl, ...]


@dataclass(frozen=True, slots=True)
class Aggregate(Expr):
    """``sum|average|min|max [value over] decls``; ``value`` None aggregates the first variable."""

    function: str
    value: Expr | None
    decls: tuple[VarDecl, ...]


@dataclass(frozen=True, slots=True)
class Let(Expr):
    """``let name = value in body``."""

    name: str
    value: Expr
    body: Expr


# ---- time: occurs (PQL.md §7) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeSpec(Node):
    """Base of the four ``occurs`` forms (also used by chain ``WHEN(...)``)."""


@dataclass(frozen=True, slots=True)
class OffsetSpec(TimeSpec):
    """Form 1: ``CMP N UNIT DIRECTION ANCHOR``, e.g. ``<= 1 month before today``."""

    comparator: str
    amount: int
    unit: str
    direction: str
    anchor: Expr


@dataclass(frozen=True, slots=True)
class DirectionSpec(TimeSpec):
    """Form 2: ``DIRECTION ANCHOR``, e.g. ``before today``, ``after date(2017, 10, 1)``."""

    direction: str
    anchor: Expr


@dataclass(frozen=True, slots=True)
class OnSpec(TimeSpec):
    """Form 3: ``[on] ANCHOR``, e.g. ``last month``, ``on date(2017, 10, 1)``, ``yesterday``."""

    anchor: Expr


@dataclass(frozen=True, slots=True)
class BetweenSpec(TimeSpec):
    """Form 4: ``between START and END`` (inclusive at both ends)."""

    start: Expr
    end: Expr


@dataclass(frozen=True, slots=True)
class Occurs(Expr):
    """``subject occurs spec``: a timestamp tested against a time specification."""

    subject: Expr
    spec: TimeSpec


# ---- chain (PQL.md §8) --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainStep(Node):
    """``LABEL: WHAT(c) [WHERE(c)] [WHEN(spec)] [COUNT(n)]``; ``count`` means at least n events."""

    label: str
    what: Expr
    where: Expr | None = None
    when: TimeSpec | None = None
    count: int | None = None


@dataclass(frozen=True, slots=True)
class Chain(Expr):
    """``chain(events, order_by, [steps])``: steps matched in order of the ``order_by`` field."""

    events: Expr
    order_by: str
    steps: tuple[ChainStep, ...]


__all__ = [
    "AGGREGATE_FUNCTIONS", "ARITHMETIC_OPS", "BINARY_OPS", "COMPARISON_OPS", "DIRECTIONS",
    "PERIOD_ANCHORS", "QUANTIFIERS", "RELATION_OPS", "TIME_UNITS", "TIME_WORDS", "UNIT_PLURALS",
    "Aggregate", "And", "BetweenSpec", "BinaryOp", "BooleanLiteral", "Call", "Chain", "ChainStep",
    "ContextRef", "DateLiteral", "DirectionSpec", "Expr", "Field", "Filter", "IntegerLiteral",
    "Lambda", "Let", "ListLiteral", "MethodCall", "Name", "Negate", "Node", "Not", "NumberLiteral",
    "ObjectLiteral", "Occurs", "OffsetSpec", "OnSpec", "Or", "Parameter", "Quantified",
    "RelativePeriod", "Select", "StringLiteral", "This", "TimeSpec", "TimeWord", "Up", "VarDecl",
    "XEvent",
]
