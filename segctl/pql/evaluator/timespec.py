"""Compiling time: ``date(...)``, ``now``/``today``..., ``this|last|next UNIT`` and ``occurs``.

Every ``occurs`` form becomes half-open windows of instants (see :mod:`segctl.pql.timeutil`).
When the reference depends only on ``now`` (``today``, ``last month``, a constant date) the
windows are built once per evaluation time and unpacked in the generated function's prelude,
so the per-event test is two integer comparisons on the pre-parsed timestamp.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from segctl.pql import ast, timeutil
from segctl.pql.evaluator.codegen import Code, CodegenBase, Scope
from segctl.pql.evaluator.runtime import TimeContext
from segctl.pql.timeutil import TimeValue, Windows

Anchor = Callable[[TimeContext], TimeValue]
_EMPTY: Windows = ((0, 0),)


def _date(year: Any, month: Any, day: Any) -> TimeValue | None:
    if not all(v.__class__ is int for v in (year, month, day)):
        return None
    try:
        return timeutil.day_interval(year, month, day)
    except (ValueError, OverflowError):
        return None


def _none_safe(build: Callable[..., Windows]) -> Callable[..., Windows | None]:
    def apply(*args: Any) -> Windows | None:
        return None if any(a is None for a in args) else build(*args)

    return apply


def _offset(op: str, n: int, unit: str, direction: str) -> Callable[[TimeValue], Windows]:
    return lambda ref: timeutil.window_offset(op, n, unit, direction, ref)


class TimeMixin(CodegenBase):
    def date_literal(self, node: ast.DateLiteral, scope: Scope) -> Code:
        parts = (node.year, node.month, node.day)
        if all(isinstance(p, ast.IntegerLiteral) for p in parts):
            y, m, d = (p.value for p in parts)  # type: ignore[attr-defined]
            try:
                return Code(self.const(timeutil.day_interval(y, m, d)))
            except (ValueError, OverflowError):
                raise self.error(f"date({y}, {m}, {d}) is not a calendar date") from None
        self.namespace["_date"] = _date
        args = ", ".join(self.compile(p, scope).text for p in parts)
        return Code(f"_date({args})")

    def time_word(self, node: ast.TimeWord, scope: Scope) -> Code:
        self.uses_time = True
        if node.word == "now":
            return Code("C.now_value")
        return Code(f"C.word({node.word!r})")

    def relative_period(self, node: ast.RelativePeriod, scope: Scope) -> Code:
        self.uses_time = True
        return Code(f"C.period({node.anchor!r}, {timeutil.canonical_unit(node.unit)!r})")

    # ---- anchors ---------------------------------------------------------------------------

    def _static_anchor(self, node: ast.Expr) -> Anchor | None:
        """A reference that depends on ``now`` only, as a function of the time context."""
        if isinstance(node, ast.TimeWord):
            word = node.word
            return (lambda c: c.now_value) if word == "now" else (lambda c: c.word(word))
        if isinstance(node, ast.RelativePeriod):
            anchor, unit = node.anchor, timeutil.canonical_unit(node.unit)
            return lambda c: c.period(anchor, unit)
        if isinstance(node, ast.DateLiteral) and all(
                isinstance(p, ast.IntegerLiteral) for p in (node.year, node.month, node.day)):
            try:
                value = timeutil.day_interval(node.year.value, node.month.value,  # type: ignore[attr-defined]
                                              node.day.value)  # type: ignore[attr-defined]
            except (ValueError, OverflowError):
                raise self.error("date(...) is not a calendar date") from None
            return lambda c: value
        return None

    def _anchor_code(self, node: ast.Expr, scope: Scope) -> str:
        code = self.compile(node, scope).text
        if isinstance(node, ast.TimeWord | ast.RelativePeriod | ast.DateLiteral):
            return code
        return f"_as_time({code})"

    # ---- specs -> windows ------------------------------------------------------------------

    def _spec_parts(self, spec: ast.TimeSpec) -> tuple[Callable[..., Windows], list[ast.Expr]]:
        """(window builder taking the anchors' TimeValues, the anchor expressions)."""
        if isinstance(spec, ast.OffsetSpec):
            if spec.comparator not in ast.COMPARISON_OPS:
                raise self.error(f"occurs: unknown comparator {spec.comparator!r}")
            if spec.amount < 0:
                raise self.error("occurs: the amount must not be negative")
            unit = timeutil.canonical_unit(spec.unit)
            return _offset(spec.comparator, spec.amount, unit, spec.direction), [spec.anchor]
        if isinstance(spec, ast.DirectionSpec):
            direction = spec.direction
            return (lambda ref: timeutil.window_direction(direction, ref)), [spec.anchor]
        if isinstance(spec, ast.OnSpec):
            return timeutil.window_on, [spec.anchor]
        if isinstance(spec, ast.BetweenSpec):
            return timeutil.window_between, [spec.start, spec.end]
        raise self.error(f"unknown time specification {type(spec).__name__}")

    def _windows(self, spec: ast.TimeSpec, scope: Scope) -> tuple[str, bool]:
        """(Python expression of the windows, whether it is a prelude name of one window)."""
        build, anchors = self._spec_parts(spec)
        single = not (isinstance(spec, ast.OffsetSpec) and spec.comparator == "!=")
        statics = [self._static_anchor(a) for a in anchors]
        if all(s is not None for s in statics):
            self.uses_time = True
            getters = [s for s in statics if s is not None]

            def builder(ctx: TimeContext) -> Windows:
                windows = build(*(g(ctx) for g in getters))
                return windows if windows or not single else _EMPTY

            key = self.const(builder)
            name = self.fresh("_w")
            self.prelude(f"{name} = C.memo({key!r}, {key})")
            return name, single
        fn = self.const(_none_safe(build))
        args = ", ".join(self._anchor_code(a, scope) for a in anchors)
        return f"{fn}({args})", False

    def time_check(self, spec: ast.TimeSpec, value: str, fast: bool, scope: Scope) -> str:
        windows, single = self._windows(spec, scope)
        if fast and single:
            lo, hi = self.fresh("_lo"), self.fresh("_hi")
            self.prelude(f"{lo}, {hi} = {windows}[0]")
            return f"({value} is not None and {lo} <= {value} < {hi})"
        if fast:
            return f"_inw({value}, {windows})"
        return f"_occ({value}, {windows})"

    def occurs(self, node: ast.Occurs, scope: Scope) -> Code:
        fast = self._fast_time(node.subject, scope)
        if fast is not None:
            return Code(self.time_check(node.spec, fast, True, scope), "bool", cheap=True)
        subject = self.compile(node.subject, scope).text
        return Code(self.time_check(node.spec, subject, False, scope), "bool")

    def _fast_time(self, subject: ast.Expr, scope: Scope) -> str | None:
        """The pre-parsed timestamp of ``timestamp`` (event item) or ``X.timestamp`` (event var)."""
        if isinstance(subject, ast.Name) and subject.name not in scope.vars:
            return scope.times.get(scope.items[-1]) if subject.name == "timestamp" else None
        if (isinstance(subject, ast.Field) and subject.name == "timestamp"
                and isinstance(subject.target, ast.Name) and subject.target.name in scope.vars):
            return scope.times.get(scope.vars[subject.target.name])
        return None

