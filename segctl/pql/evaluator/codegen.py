"""Code-generation plumbing shared by the evaluator's compiler mixins.

A :class:`Scope` maps PQL variables to Python names and keeps the stack of implicit items
(``P`` — the profile — at the bottom, then filter/method/chain elements). Every generated
helper function receives ``P, E, C, S`` (profile, prepared events, time context, membership
callback) and the Python names of the enclosing scope as parameters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from segctl.pql import ast

#: ``P.get('person')`` or ``X.get('name')``: a direct field of the profile or of an event
_DIRECT_GET = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\.get\('[^'\\]*'\)")

#: names every generated function receives first
FIXED_PARAMS = ("P", "E", "C", "S")


@dataclass(frozen=True)
class Code:
    """A Python expression; ``kind`` "bool" when it always yields a Python bool; ``cheap``
    when it is a few integer comparisons (``and`` tests those first: PQL has no side effects)."""

    text: str
    kind: str = "any"
    cheap: bool = False


@dataclass(frozen=True)
class Scope:
    """Compile-time view of the names an expression can see."""

    vars: Mapping[str, str]
    items: tuple[str, ...]
    times: Mapping[str, str]  # event from xEvent (a mapping) -> Python name of its µs time
    params: tuple[str, ...]

    @staticmethod
    def root() -> Scope:
        return Scope({}, ("P",), {}, ())

    def _with(self, py: str, time: str | None) -> tuple[Mapping[str, str], tuple[str, ...]]:
        times = dict(self.times)
        params = [*self.params, py] if py not in FIXED_PARAMS else list(self.params)
        if time is not None:
            times[py] = time
            params.append(time)
        return times, tuple(params)

    def bind(self, name: str, py: str, time: str | None = None) -> Scope:
        times, params = self._with(py, time)
        return Scope({**self.vars, name: py}, self.items, times, params)

    def push_item(self, py: str, time: str | None = None) -> Scope:
        times, params = self._with(py, time)
        return Scope(self.vars, (*self.items, py), times, params)


class CodegenBase:
    """Names, constants, helper functions and per-function preludes of one generated module."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {}
        self.helpers: list[str] = []
        self.uses_events = False
        self.uses_time = False
        self.uses_segments = False
        self._counter = 0
        self._preludes: list[list[str]] = []

    # implemented by the concrete compiler
    def compile(self, node: ast.Expr, scope: Scope) -> Code:
        raise NotImplementedError

    def error(self, message: str) -> Exception:
        raise NotImplementedError

    def time_check(self, spec: ast.TimeSpec, value: str, fast: bool, scope: Scope) -> str:
        """Python test that the instant ``value`` satisfies ``spec`` (see TimeMixin)."""
        raise NotImplementedError

    # ---- names ----------------------------------------------------------------------------------

    def fresh(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter}"

    def temp(self) -> str:
        return self.fresh("_t")

    def const(self, value: Any) -> str:
        name = self.fresh("_k")
        self.namespace[name] = value
        return name

    def constant_value(self, node: ast.Expr) -> Any:
        """The Python value of a literal-only tree, or None."""
        if isinstance(node, ast.StringLiteral | ast.IntegerLiteral | ast.NumberLiteral
                      | ast.BooleanLiteral):
            return node.value
        if isinstance(node, ast.ListLiteral):
            values = [self.constant_value(i) for i in node.items]
            return None if any(v is None for v in values) else values
        return None

    # ---- expressions ----------------------------------------------------------------------------

    def lookup(self, target: str, name: str, scope: Scope) -> str:
        """Field ``name`` of the Python expression ``target``. The profile and events bound
        straight from ``xEvent`` (the names with a parsed time) are mappings: plain ``.get``.
        A field of such a field (``person.gender``) is usually a dict lookup too: that case is
        inlined, and only other values (null, arrays, other mappings) call the runtime."""
        if target == "P" or target in scope.times:
            return f"{target}.get({name!r})"
        if not _DIRECT_GET.fullmatch(target):  # deeper paths: one call per level, so the
            return f"_g({target}, {name!r})"   # generated source nests no deeper than before
        tmp = self.temp()
        return (f"({tmp}.get({name!r}) if ({tmp} := {target}).__class__ is _dict "
                f"else _g({tmp}, {name!r}))")

    def truth(self, node: ast.Expr, scope: Scope) -> str:
        return self.truth_code(node, scope).text

    def truth_code(self, node: ast.Expr, scope: Scope) -> Code:
        code = self.compile(node, scope)
        return code if code.kind == "bool" else Code(f"_truth({code.text})", "bool")

    # ---- functions ------------------------------------------------------------------------------

    def begin_function(self) -> None:
        self._preludes.append([])

    def end_function(self) -> list[str]:
        return self._preludes.pop()

    def prelude(self, line: str) -> None:
        """A statement run once at the start of the enclosing generated function."""
        self._preludes[-1].append(line)

    def define(self, prefix: str, scope: Scope, extra: tuple[str, ...], body: list[str],
               prelude: list[str]) -> str:
        """Emit a helper ``def`` (parameters: fixed, scope, extra); returns its name."""
        name = self.fresh(prefix)
        params = ", ".join((*FIXED_PARAMS, *scope.params, *extra))
        lines = [f"def {name}({params}):", *(f"    {p}" for p in prelude),
                 *(f"    {b}" for b in body)]
        self.helpers.append("\n".join(lines))
        return name

    def call(self, name: str, scope: Scope, extra: tuple[str, ...] = ()) -> str:
        return f"{name}({', '.join((*FIXED_PARAMS, *scope.params, *extra))})"
