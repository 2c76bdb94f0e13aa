"""Compile a PQL tree once into Python source, then evaluate it per profile (PQL.md §2, §6-§10).

``compile(expr)`` walks the AST once and emits a small Python module: one function for the
predicate plus one helper function per loop (quantifier, select, aggregate, filter, chain,
let), with every helper taking the names it can see as parameters, so evaluation creates no
closures except for item-relative method arguments. Constant lists and dates are hoisted,
regexes are compiled once (cached), and occurs windows that depend only on ``now`` are
computed once per evaluation time.

Name resolution (see :mod:`segctl.pql.ast`): a bare name is a bound variable when one is in
scope, else a field of the current *item* — the profile at top level, the element inside a
filter, a method's item argument or a chain step. ``^`` climbs item levels. Events bound
straight from ``xEvent`` carry their pre-parsed timestamp, so ``X.timestamp occurs ...`` and
chain ``WHEN`` compare integers instead of parsing ISO text.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from segctl.pql import ast
from segctl.pql.errors import PqlEvalError
from segctl.pql.evaluator import ops, regex_java
from segctl.pql.evaluator import runtime as rt
from segctl.pql.evaluator.codegen import Code, CodegenBase, Scope
from segctl.pql.evaluator.functions import FUNCTIONS
from segctl.pql.evaluator.loops import LoopsMixin
from segctl.pql.evaluator.runtime import PreparedEvents, prepare_events
from segctl.pql.evaluator.timespec import TimeMixin

EventsInput = Sequence[Mapping[str, Any]] | PreparedEvents | None


class EvaluateFn(Protocol):
    def __call__(self, profile: Mapping[str, Any], events: EventsInput, now: datetime,
                 in_segment: Callable[[str], bool] | None = None) -> Any: ...


@dataclass(frozen=True, eq=False)
class Predicate:
    """A compiled PQL expression.

    ``evaluate(profile, events, now, in_segment=None)`` returns a bool for a Boolean
    expression and the value otherwise. ``events`` is a list of ExperienceEvent dicts or,
    faster, a :class:`PreparedEvents` from :func:`prepare_events` (build it once per profile
    when evaluating many segments). ``in_segment(id)`` answers ``inSegment``; without it the
    profile's own ``segmentMembership.ups`` map is consulted. ``source`` is the generated
    Python, for debugging.
    """

    expr: ast.Expr
    source: str = field(repr=False)
    evaluate: EvaluateFn = field(repr=False)
    uses_events: bool = False
    uses_time: bool = False
    uses_segments: bool = False


class _ContextCache:
    """The TimeContext of the last ``now`` seen (callers reuse one ``now`` for a whole run)."""

    __slots__ = ("pair",)

    def __init__(self) -> None:
        self.pair: tuple[Any, rt.TimeContext | None] = (None, None)

    def get(self, now: Any) -> rt.TimeContext:
        key, ctx = self.pair
        if ctx is not None and (key is now or key == now):
            return ctx
        if not isinstance(now, datetime):
            raise PqlEvalError(f"now must be a datetime, not {type(now).__name__}")
        ctx = rt.TimeContext(now)
        self.pair = (now, ctx)
        return ctx


_BINARY: dict[str, str] = {
    "=": "_eq", "!=": "_ne", "<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge",
    "in": "_in", "notIn": "_notin", "like": "_like", "matches": "_matches",
    "+": "_add", "-": "_sub", "*": "_mul", "/": "_div", "%": "_mod",
}

_RUNTIME: dict[str, Any] = {
    "_eq": ops.eq, "_ne": ops.ne, "_lt": ops.lt, "_le": ops.le, "_gt": ops.gt, "_ge": ops.ge,
    "_in": ops.in_list, "_notin": ops.not_in_list, "_like": ops.like, "_matches": ops.matches,
    "_add": ops.add, "_sub": ops.sub, "_mul": ops.mul, "_div": ops.div, "_mod": ops.mod,
    "_neg": ops.neg, "_truth": rt.truth, "_g": rt.get, "_items": rt.items_of,
    "_Prepared": PreparedEvents, "_prepare": prepare_events, "_members": rt.membership_from_profile,
    "_order": rt.order_events, "_occ": rt.occurs, "_inw": rt.in_windows, "_as_time": rt.as_time,
    "_zip": builtins.zip, "_len": builtins.len, "_NUMS": frozenset({int, float}),
    "_dict": builtins.dict,
}


def _in_segment(member: Callable[[str], bool], segment_id: Any) -> bool:
    return segment_id.__class__ is str and bool(member(segment_id))


class _Pairwise:
    """A two-parameter lambda called with one ``(key, value)`` pair (``map((K, G) => ...)``)."""

    __slots__ = ("fn",)
    pairwise = True

    def __init__(self, fn: Callable[[Any, Any], Any]):
        self.fn = fn

    def __call__(self, pair: tuple[Any, Any]) -> Any:
        return self.fn(pair[0], pair[1])


class _Compiler(TimeMixin, LoopsMixin, CodegenBase):
    def __init__(self) -> None:
        super().__init__()
        self.namespace.update(_base_namespace())

    def error(self, message: str) -> Exception:
        return PqlEvalError(message)

    def compile(self, node: ast.Expr, scope: Scope) -> Code:
        handler = _DISPATCH.get(type(node))
        if handler is None:
            raise self.error(f"cannot evaluate {type(node).__name__}")
        try:
            return handler(self, node, scope)
        except PqlEvalError as err:
            if err.node is None:
                err.node = node  # the innermost node: where the problem is written
            raise

    # ---- literals and references ------------------------------------------------------------

    def _literal(self, node: Any, scope: Scope) -> Code:
        return Code(repr(node.value), "bool" if isinstance(node, ast.BooleanLiteral) else "any")

    def _list(self, node: ast.ListLiteral, scope: Scope) -> Code:
        constant = self.constant_value(node)
        if constant is not None:
            return Code(self.const(constant))
        return Code("[" + ", ".join(self.compile(i, scope).text for i in node.items) + "]")

    def _object(self, node: ast.ObjectLiteral, scope: Scope) -> Code:
        entries = ", ".join(f"{k!r}: {self.compile(v, scope).text}" for k, v in node.entries)
        return Code("{" + entries + "}")

    def _name(self, node: ast.Name, scope: Scope) -> Code:
        bound = scope.vars.get(node.name)
        if bound is not None:
            return Code(bound)
        return Code(self.lookup(scope.items[-1], node.name, scope))

    def _field_node(self, node: ast.Field, scope: Scope) -> Code:
        return Code(self.lookup(self.compile(node.target, scope).text, node.name, scope))

    def _parameter(self, node: ast.Parameter, scope: Scope) -> Code:
        if node.position != 1:
            raise self.error(f"${node.position}: segment PQL has one parameter, the profile ($1)")
        return Code("P")

    def _xevent(self, node: ast.XEvent, scope: Scope) -> Code:
        self.uses_events = True
        return Code("E.events")

    def _this(self, node: ast.This, scope: Scope) -> Code:
        return Code(scope.items[-1])

    def _up(self, node: ast.Up, scope: Scope) -> Code:
        index = len(scope.items) - 1 - node.levels
        if index < 0:
            raise self.error(f"{'^' * node.levels}{node.name}: climbs above the profile")
        return Code(self.lookup(scope.items[index], node.name, scope))

    def _context_ref(self, node: ast.ContextRef, scope: Scope) -> Code:
        raise self.error("decisioning context data (@{...}) is not available to segment PQL")

    # ---- operators --------------------------------------------------------------------------

    def _not(self, node: ast.Not, scope: Scope) -> Code:
        return Code(f"(not {self.truth(node.operand, scope)})", "bool")

    def _negate(self, node: ast.Negate, scope: Scope) -> Code:
        return Code(f"_neg({self.compile(node.operand, scope).text})")

    def _binary(self, node: ast.BinaryOp, scope: Scope) -> Code:
        left = self.compile(node.left, scope).text
        right_node = node.right
        right = self.compile(right_node, scope).text
        if node.op == "matches":
            self.check_pattern(right_node)
        inline = self._inline_compare(node.op, left, right_node, right)
        if inline is not None:
            return inline
        kind = "bool" if node.op in ast.RELATION_OPS else "any"
        return Code(f"{_BINARY[node.op]}({left}, {right})", kind)

    def _inline_compare(self, op: str, left: str, right_node: ast.Expr, right: str
                        ) -> Code | None:
        """``path OP literal``: compare same-typed values inline, else call the general rule.

        Same-typed strings or numbers follow Python's comparison exactly as the general rule
        does; anything else (null, arrays, coercions) takes the ``_eq``/``_gt``... path.
        """
        if op not in ast.COMPARISON_OPS:
            return None
        if isinstance(right_node, ast.StringLiteral) and op in ("=", "!="):
            test = "is str"
        elif isinstance(right_node, ast.IntegerLiteral | ast.NumberLiteral):
            test = "in _NUMS"
        else:
            return None
        tmp = self.temp()
        python_op = "==" if op == "=" else op
        return Code(f"({tmp} {python_op} {right} if ({tmp} := {left}).__class__ {test} "
                    f"else {_BINARY[op]}({tmp}, {right}))", "bool")

    def _and(self, node: ast.And, scope: Scope) -> Code:
        codes = [self.truth_code(o, scope) for o in node.operands]
        codes.sort(key=lambda c: not c.cheap)  # stable: cheap time tests first
        return Code("(" + " and ".join(c.text for c in codes) + ")", "bool",
                    cheap=all(c.cheap for c in codes))

    def _or(self, node: ast.Or, scope: Scope) -> Code:
        return Code("(" + " or ".join(self.truth(o, scope) for o in node.operands) + ")", "bool")

    # ---- functions ----------------------------------------------------------------------------

    def _call(self, node: ast.Call, scope: Scope) -> Code:
        name = node.name
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise self.error(f"unknown function {name}()")
        if not spec.segment:
            raise self.error(f"{name}() is decisioning-only PQL and cannot be evaluated on a "
                             "profile")
        self.check_arity(name, spec.min_args, spec.max_args, len(node.args))
        args = node.args
        if name == "date":  # built by hand or read from pql/json: the literal it stands for
            return self.compile(ast.DateLiteral(*args), scope)
        if name == "if":
            test = self.truth(args[0], scope)
            return Code(f"({self.compile(args[1], scope).text} if {test} "
                        f"else {self.compile(args[2], scope).text})")
        if name == "inSegment":
            self.uses_segments = True
            return Code(f"_inseg(S, {self.compile(args[0], scope).text})", "bool")
        if name in ("currentMonth", "currentYear", "currentDayOfMonth"):
            self.uses_time = True
            method = {"currentMonth": "month", "currentYear": "year",
                      "currentDayOfMonth": "day_of_month"}[name]
            return Code(f"C.{method}()")
        # a method written as a free function (pql/json fnApply): the receiver is argument 1
        return self.apply(spec.name, spec.item_args, spec.boolean, args, scope)

    def _method(self, node: ast.MethodCall, scope: Scope) -> Code:
        spec = FUNCTIONS.get(node.name)
        if spec is None or not spec.method:
            raise self.error(f"unknown method .{node.name}()")
        self.check_arity(f".{node.name}", spec.min_args - 1, spec.max_args - 1, len(node.args))
        return self.apply(node.name, spec.item_args, spec.boolean,
                          (node.receiver, *node.args), scope)

    def check_pattern(self, node: ast.Expr) -> None:
        """A constant regex Java would refuse is an error here (a computed one is false)."""
        if not isinstance(node, ast.StringLiteral):
            return
        problem = regex_java.pattern_problem(node.value)
        if problem is not None:
            err = PqlEvalError(f"invalid regular expression {node.value!r}: {problem}",
                               hint="matches and regexGroup take java.util.regex syntax "
                                    "(PQL.md §6.6)")
            err.node = node  # located at the pattern itself
            raise err

    def check_arity(self, name: str, low: int, high: int, got: int) -> None:
        if not low <= got <= high:
            expected = str(low) if low == high else f"{low} to {high}"
            raise self.error(f"{name}() takes {expected} argument(s), got {got}")

    def apply(self, name: str, item_args: frozenset[int], boolean: bool,
              args: Sequence[ast.Expr], scope: Scope) -> Code:
        if name in ("matches", "regexGroup") and len(args) > 1:
            self.check_pattern(args[1])
        texts = [self.item_callable(a, scope) if i in item_args else self.compile(a, scope).text
                 for i, a in enumerate(args)]
        return Code(f"_fn_{name}({', '.join(texts)})", "bool" if boolean else "any")

    def item_callable(self, node: ast.Expr, scope: Scope) -> str:
        """An item-relative argument as a Python callable of one element."""
        if isinstance(node, ast.Lambda):
            if len(node.params) == 2:
                return f"_pairwise({self._lambda(node, scope).text})"
            if len(node.params) != 1:
                raise self.error("a lambda argument takes one or two parameters")
            return self._lambda(node, scope).text
        item = self.fresh("i")
        inner = scope.push_item(item)
        return f"(lambda {item}: {self.compile(node, inner).text})"

    def _lambda(self, node: ast.Lambda, scope: Scope) -> Code:
        names = [self.fresh("v") for _ in node.params]
        inner = scope
        for param, py in zip(node.params, names, strict=True):
            inner = inner.bind(param, py)
        return Code(f"(lambda {', '.join(names)}: {self.compile(node.body, inner).text})")

    # ---- the module ---------------------------------------------------------------------------

    def build(self, expr: ast.Expr) -> Predicate:
        source = self.source(expr)
        self.namespace["_ctxs"] = _ContextCache()
        code = builtins.compile(source, "<pql>", "exec")
        exec(code, self.namespace)
        return Predicate(expr, source, self.namespace["evaluate"], self.uses_events,
                         self.uses_time, self.uses_segments)

    def source(self, expr: ast.Expr) -> str:
        """The Python source of ``evaluate`` for ``expr``: every refusal of the compiler is
        raised here, before CPython compiles anything."""
        self.begin_function()
        scope, root = Scope.root(), expr
        if isinstance(root, ast.Lambda):  # `(Profile) => Profile.x`: the parameter is the root
            if len(root.params) != 1:
                raise self.error("a top-level lambda takes one parameter, the profile")
            scope, root = scope.bind(root.params[0], "P"), root.body
        body = self.compile(root, scope)
        prelude = self.end_function()
        lines = ["def evaluate(P, events, now, in_segment=None):"]
        lines.append("    E = events if events.__class__ is _Prepared else _prepare(events)"
                     if self.uses_events else "    E = None")
        lines.append("    C = _ctxs.get(now)" if self.uses_time else "    C = None")
        lines.append("    S = in_segment if in_segment is not None else _members(P)"
                     if self.uses_segments else "    S = None")
        lines.extend(f"    {line}" for line in prelude)
        lines.append(f"    return {body.text}")
        return "\n\n".join([*self.helpers, "\n".join(lines)]) + "\n"


#: node type -> the compiler's method for it (one table for every compiler)
_DISPATCH: dict[type, Callable[[_Compiler, Any, Scope], Code]] = {
    ast.StringLiteral: _Compiler._literal, ast.IntegerLiteral: _Compiler._literal,
    ast.NumberLiteral: _Compiler._literal, ast.BooleanLiteral: _Compiler._literal,
    ast.ListLiteral: _Compiler._list, ast.ObjectLiteral: _Compiler._object,
    ast.DateLiteral: _Compiler.date_literal, ast.Name: _Compiler._name,
    ast.Field: _Compiler._field_node, ast.Parameter: _Compiler._parameter,
    ast.XEvent: _Compiler._xevent, ast.This: _Compiler._this, ast.Up: _Compiler._up,
    ast.ContextRef: _Compiler._context_ref, ast.TimeWord: _Compiler.time_word,
    ast.RelativePeriod: _Compiler.relative_period, ast.Not: _Compiler._not,
    ast.Negate: _Compiler._negate, ast.BinaryOp: _Compiler._binary, ast.And: _Compiler._and,
    ast.Or: _Compiler._or, ast.Call: _Compiler._call, ast.MethodCall: _Compiler._method,
    ast.Lambda: _Compiler._lambda, ast.Filter: _Compiler.filter, ast.Select: _Compiler.select,
    ast.Quantified: _Compiler.quantified, ast.Aggregate: _Compiler.aggregate,
    ast.Let: _Compiler.let, ast.Occurs: _Compiler.occurs, ast.Chain: _Compiler.chain,
}


@functools.cache
def _base_namespace() -> dict[str, Any]:
    """What generated code may call: the runtime, the segment lookup, every function's
    implementation (built once; each compiler copies it)."""
    namespace: dict[str, Any] = dict(_RUNTIME)
    namespace["_inseg"] = _in_segment
    namespace["_pairwise"] = _Pairwise
    for name, spec in FUNCTIONS.items():
        if spec.impl is not None:
            namespace[f"_fn_{name}"] = spec.impl
    return namespace


def compile(expr: ast.Expr) -> Predicate:
    """Compile ``expr`` once; raises :class:`PqlEvalError` for trees that cannot evaluate."""
    return _guarded(lambda: _Compiler().build(expr))


def translate(expr: ast.Expr) -> str:
    """What :func:`compile` does short of handing the code to CPython: the generated source.

    It raises every :class:`PqlEvalError` that :func:`compile` raises for a tree the parser or
    the pql/json reader accepted (their depth rule keeps the generated code within CPython's
    limits: ``tests/pql/test_limits.py`` compiles the deepest tree), at a fraction of the cost,
    so checking a rule does not build an evaluator."""
    return _guarded(lambda: _Compiler().source(expr))


_T = TypeVar("_T")


def _guarded(step: Callable[[], _T]) -> _T:
    try:
        return step()
    except (SyntaxError, RecursionError, MemoryError) as exc:
        # CPython's own limits on generated code (nesting depth, parser stack): a tree that
        # deep cannot run here, which is the user's input to fix, not a crash
        raise PqlEvalError(
            "expression too deeply nested to evaluate",
            hint="split it into smaller segments joined with inSegment()",
        ) from exc


__all__ = ["EventsInput", "PqlEvalError", "Predicate", "PreparedEvents", "compile",
           "prepare_events", "translate"]
