"""Canonical pql/text printer: ``parse(to_text(t)) == t`` and printing is idempotent.

Style: lower-case keywords (``WHAT``/``WHERE``/``WHEN``/``COUNT`` upper-case inside ``chain``
as Segment Builder emits them), double-quoted strings, ``not`` for both negations, single spaces
around binary operators, and the fewest parentheses that keep the tree. Binding forms
(``select``, ``exists``, ``let``, lambdas...) are parenthesised whenever they are an operand, as
Adobe's samples do; a ``let`` value is parenthesised unless it is a path or literal.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from segctl.pql import ast as a

# precedence levels of PQL.md §5 (bigger binds looser)
PRIMARY, POSTFIX, UNARY, MULTIPLICATIVE, ADDITIVE, RELATION, NOT, AND, OR, BINDING = range(1, 11)
_BINARY_LEVEL: dict[str, int] = {
    **{op: MULTIPLICATIVE for op in ("*", "/", "%")},
    **{op: ADDITIVE for op in ("+", "-")},
    **{op: RELATION for op in a.RELATION_OPS},
}
_STRING_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def to_text(expr: a.Expr) -> str:
    """The canonical pql/text of ``expr``."""
    return _fmt(expr)[0]


def quote(value: str) -> str:
    """A double-quoted PQL string literal for ``value``."""
    out = []
    for char in value:
        escaped = _STRING_ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif char < " " or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _fmt(node: a.Expr) -> tuple[str, int]:
    """(text, precedence level) of ``node``."""
    printer = _PRINTERS.get(type(node))
    if printer is None:
        raise TypeError(f"not a PQL expression node: {node!r}")
    return printer(node)


def _operand(node: a.Expr, loosest: int) -> str:
    """``node`` as an operand that may bind no looser than ``loosest``."""
    text, level = _fmt(node)
    return f"({text})" if level > loosest else text


def _any(node: a.Expr) -> str:
    return _fmt(node)[0]


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"PQL has no literal for {value}")
    return repr(float(value))


def _is_number(node: a.Expr) -> bool:
    return type(node) in (a.IntegerLiteral, a.NumberLiteral)


def _is_negative_number(node: a.Expr) -> bool:
    return _is_number(node) and math.copysign(1, node.value) < 0  # type: ignore[attr-defined]


# ---- per-node printers --------------------------------------------------------------------


def _binary(node: a.BinaryOp) -> tuple[str, int]:
    level = _BINARY_LEVEL[node.op]
    if level == RELATION:  # non-associative
        return f"{_operand(node.left, ADDITIVE)} {node.op} {_operand(node.right, ADDITIVE)}", level
    return f"{_operand(node.left, level)} {node.op} {_operand(node.right, level - 1)}", level


def _junction(word: str, level: int) -> Callable[[a.And | a.Or], tuple[str, int]]:
    def fmt(node: a.And | a.Or) -> tuple[str, int]:
        return f" {word} ".join(_operand(o, level - 1) for o in node.operands), level

    return fmt


def _negate(node: a.Negate) -> tuple[str, int]:
    operand = node.operand
    text = f"({_any(operand)})" if _is_number(operand) else _operand(operand, UNARY)
    return "-" + text, UNARY


def _receiver(node: a.Expr) -> str:
    if _is_negative_number(node):
        return f"({_any(node)})"
    return _operand(node, POSTFIX)


def _args(args: tuple[a.Expr, ...]) -> str:
    return ", ".join(_any(arg) for arg in args)


def _decl(decl: a.VarDecl, last: bool) -> str:
    text = f"{decl.name} from {_operand(decl.source, OR)}"
    if decl.condition is not None:
        text += f" where {_any(decl.condition) if last else _operand(decl.condition, OR)}"
    return text


def _decls(decls: tuple[a.VarDecl, ...]) -> str:
    return ", ".join(_decl(d, i == len(decls) - 1) for i, d in enumerate(decls))


def _aggregate(node: a.Aggregate) -> tuple[str, int]:
    if node.value is None:
        return f"{node.function} {_decls(node.decls)}", BINDING
    return f"{node.function} {_operand(node.value, OR)} over {_decls(node.decls)}", BINDING


def _let(node: a.Let) -> tuple[str, int]:
    value = _operand(node.value, POSTFIX)
    return f"let {node.name} = {value} in {_any(node.body)}", BINDING


def anchor_text(anchor: a.Expr) -> str:
    """A time reference in an ``occurs``/``WHEN`` specification."""
    if type(anchor) is a.RelativePeriod:
        return f"{anchor.anchor} {anchor.unit}"
    return _receiver(anchor)


def spec_text(spec: a.TimeSpec) -> str:
    """The text of an ``occurs`` specification (without the word ``occurs``)."""
    if isinstance(spec, a.OffsetSpec):
        unit = spec.unit if spec.amount == 1 else a.UNIT_PLURALS[spec.unit]
        return (f"{spec.comparator} {spec.amount} {unit} {spec.direction} "
                f"{anchor_text(spec.anchor)}")
    if isinstance(spec, a.DirectionSpec):
        return f"{spec.direction} {anchor_text(spec.anchor)}"
    if isinstance(spec, a.BetweenSpec):
        return f"between {anchor_text(spec.start)} and {anchor_text(spec.end)}"
    if isinstance(spec, a.OnSpec):
        if type(spec.anchor) in (a.TimeWord, a.RelativePeriod):
            return anchor_text(spec.anchor)
        return f"on {anchor_text(spec.anchor)}"
    raise TypeError(f"not a time specification: {spec!r}")


def _step(step: a.ChainStep) -> str:
    parts = [f"{step.label}: WHAT({_any(step.what)})"]
    if step.where is not None:
        parts.append(f"WHERE({_any(step.where)})")
    if step.when is not None:
        parts.append(f"WHEN({spec_text(step.when)})")
    if step.count is not None:
        parts.append(f"COUNT({step.count})")
    return " ".join(parts)


def _chain(node: a.Chain) -> tuple[str, int]:
    steps = ", ".join(_step(s) for s in node.steps)
    return f"chain({_any(node.events)}, {node.order_by}, [{steps}])", PRIMARY


def _object(node: a.ObjectLiteral) -> tuple[str, int]:
    return "{" + ", ".join(f"{quote(k)}: {_any(v)}" for k, v in node.entries) + "}", PRIMARY


_PRINTERS: dict[type, Callable[..., tuple[str, int]]] = {
    a.StringLiteral: lambda n: (quote(n.value), PRIMARY),
    a.IntegerLiteral: lambda n: (str(n.value), PRIMARY),
    a.NumberLiteral: lambda n: (_number(n.value), PRIMARY),
    a.BooleanLiteral: lambda n: ("true" if n.value else "false", PRIMARY),
    a.ListLiteral: lambda n: (f"[{_args(n.items)}]", PRIMARY),
    a.ObjectLiteral: _object,
    a.DateLiteral: lambda n: (f"date({_args((n.year, n.month, n.day))})", PRIMARY),
    a.Name: lambda n: (n.name, PRIMARY),
    a.Field: lambda n: (f"{_receiver(n.target)}.{n.name}", POSTFIX),
    a.Parameter: lambda n: (f"${n.position}", PRIMARY),
    a.XEvent: lambda n: ("xEvent", PRIMARY),
    a.This: lambda n: ("this", PRIMARY),
    a.Up: lambda n: ("^" * n.levels + "." + n.name, PRIMARY),
    a.ContextRef: lambda n: (f"@{n.kind}{{{n.ref}}}", PRIMARY),
    a.TimeWord: lambda n: (n.word, PRIMARY),
    a.RelativePeriod: lambda n: (f"{n.anchor} {n.unit}", PRIMARY),
    a.Not: lambda n: ("not " + _operand(n.operand, NOT), NOT),
    a.Negate: _negate,
    a.BinaryOp: _binary,
    a.And: _junction("and", AND),
    a.Or: _junction("or", OR),
    a.Call: lambda n: (f"{n.name}({_args(n.args)})", PRIMARY),
    a.MethodCall: lambda n: (f"{_receiver(n.receiver)}.{n.name}({_args(n.args)})", POSTFIX),
    a.Lambda: lambda n: (f"({', '.join(n.params)}) => {_any(n.body)}", BINDING),
    a.Filter: lambda n: (f"{_receiver(n.source)}[{_any(n.condition)}]", POSTFIX),
    a.Select: lambda n: ("select " + _decls(n.decls), BINDING),
    a.Quantified: lambda n: (f"{n.quantifier} {_decls(n.decls)}", BINDING),
    a.Aggregate: _aggregate,
    a.Let: _let,
    a.Occurs: lambda n: (f"{_operand(n.subject, ADDITIVE)} occurs {spec_text(n.spec)}", RELATION),
    a.Chain: _chain,
}
