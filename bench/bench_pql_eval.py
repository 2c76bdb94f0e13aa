"""PQL evaluation throughput: compiled predicates vs a naive AST-walking interpreter.

Usage: python bench/bench_pql_eval.py [--quick]

(a) a profile attribute predicate      person.gender = "female"
(b) an event quantifier over ~20 events per profile:
    exists X from xEvent where X.eventType = "commerce.purchases"
        and X.commerce.order.priceTotal > 100 and X.timestamp occurs < 30 days before now

The baseline walks the AST on every evaluation (``naive_eval`` below: a fair interpreter, a
dispatch table on node type, the PQL null rules for the operators it needs, timestamps parsed
when compared unless the events are prepared). The compiled side is ``segctl.pql.compile``; (b)
is measured on both sides with raw event lists and with events prepared once per profile by
``prepare_events`` (how the local sandbox evaluates many segments per profile), so each ratio
compares like with like. Each figure is the median of several
runs in this process; the script asserts that both sides agree on every profile.
"""

from __future__ import annotations

import operator
import platform
import random
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from benchlib import rate

from segctl.pql import PreparedEvents, ast, compile, parse, prepare_events, timeutil

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
SIMPLE = 'person.gender = "female"'
EVENTS = ('exists X from xEvent where X.eventType = "commerce.purchases" and '
          'X.commerce.order.priceTotal > 100 and X.timestamp occurs < 30 days before now')


# ---- the baseline: a fair tree-walking interpreter (no compilation, no caching) -------------
#
# What a competent interpreter does without code generation: one dispatch table from node type
# to handler, operators from the ``operator`` module, an evaluation context carrying the
# profile, the events and the occurs windows of this evaluation's ``now`` (computed once per
# evaluation, not per event), no sorting for an order-free ``exists``. Over prepared events it
# reads the parsed instants as the compiled side does. It covers the node types used here.
# (An earlier baseline built a dict of lambdas for every comparison and recomputed the occurs
# window for every event; ``STRAWMAN`` measures its cost in the same run, for the record.)

_OPS: dict[str, Callable[[Any, Any], bool]] = {"=": operator.eq, "!=": operator.ne,
                                                ">": operator.gt, "<": operator.lt,
                                                ">=": operator.ge, "<=": operator.le}


class Ctx:
    __slots__ = ("events", "now", "profile", "times", "vars", "windows")

    def __init__(self, profile: Mapping[str, Any], events: Any, now: datetime):
        self.profile, self.events, self.now = profile, events, now
        self.vars: dict[str, Any] = {}
        self.times: dict[str, int | None] = {}  # variable -> parsed instant (prepared events)
        self.windows: dict[int, Any] = {}


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else None


def _name(node: Any, ctx: Ctx) -> Any:
    return ctx.vars[node.name] if node.name in ctx.vars else _get(ctx.profile, node.name)


def _field(node: Any, ctx: Ctx) -> Any:
    return _get(naive_eval(node.target, ctx), node.name)


def _and(node: Any, ctx: Ctx) -> Any:
    return all(naive_eval(o, ctx) is True for o in node.operands)


def _binary(node: Any, ctx: Ctx) -> Any:
    left, right = naive_eval(node.left, ctx), naive_eval(node.right, ctx)
    return False if left is None or right is None else _OPS[node.op](left, right)


def _exists(node: Any, ctx: Ctx) -> Any:
    decl = node.decls[0]
    source = naive_eval(decl.source, ctx)
    if isinstance(source, PreparedEvents):
        for item, at in zip(source.events, source.times, strict=True):
            ctx.vars[decl.name], ctx.times[decl.name] = item, at
            if naive_eval(decl.condition, ctx) is True:
                return True
        return False
    ctx.times.pop(decl.name, None)
    for item in source or ():
        ctx.vars[decl.name] = item
        if naive_eval(decl.condition, ctx) is True:
            return True
    return False


def _occurs(node: Any, ctx: Ctx) -> Any:
    subject = node.subject
    if (isinstance(subject, ast.Field) and subject.name == "timestamp"
            and isinstance(subject.target, ast.Name) and subject.target.name in ctx.times):
        t = ctx.times[subject.target.name]
    else:
        t = timeutil.to_micros(naive_eval(subject, ctx))
    if t is None:
        return False
    window = ctx.windows.get(id(node))
    if window is None:
        spec = node.spec
        now = timeutil.datetime_micros(ctx.now)
        window = ctx.windows[id(node)] = timeutil.window_offset(
            spec.comparator, spec.amount, spec.unit, spec.direction, timeutil.point(now))
    return any(lo <= t < hi for lo, hi in window)


_HANDLERS: dict[type, Callable[[Any, Ctx], Any]] = {
    ast.StringLiteral: lambda node, ctx: node.value,
    ast.IntegerLiteral: lambda node, ctx: node.value,
    ast.NumberLiteral: lambda node, ctx: node.value,
    ast.Name: _name,
    ast.Field: _field,
    ast.XEvent: lambda node, ctx: ctx.events,
    ast.And: _and,
    ast.BinaryOp: _binary,
    ast.Quantified: _exists,
    ast.Occurs: _occurs,
}


def naive_eval(node: ast.Expr, ctx: Ctx) -> Any:
    """Evaluate ``node`` by walking it."""
    return _HANDLERS[type(node)](node, ctx)


def naive_predicate(expr: ast.Expr) -> Callable[[Mapping[str, Any], Any, datetime], Any]:
    def evaluate(profile: Mapping[str, Any], events: Any, now: datetime) -> Any:
        return naive_eval(expr, Ctx(profile, events, now))

    return evaluate


def strawman_eval(node: ast.Expr, env: dict[str, Any]) -> Any:
    """The earlier baseline, kept only to show what its waste cost (see above)."""
    if isinstance(node, ast.StringLiteral | ast.IntegerLiteral | ast.NumberLiteral):
        return node.value
    if isinstance(node, ast.Name):
        return env[node.name] if node.name in env else _get(env["$profile"], node.name)
    if isinstance(node, ast.Field):
        return _get(strawman_eval(node.target, env), node.name)
    if isinstance(node, ast.XEvent):
        return env["$events"]
    if isinstance(node, ast.And):
        return all(strawman_eval(o, env) is True for o in node.operands)
    if isinstance(node, ast.BinaryOp):
        left, right = strawman_eval(node.left, env), strawman_eval(node.right, env)
        if left is None or right is None:
            return False
        return {"=": lambda: left == right, ">": lambda: left > right,
                "<": lambda: left < right}[node.op]()
    if isinstance(node, ast.Quantified) and node.quantifier == "exists":
        decl = node.decls[0]
        for item in strawman_eval(decl.source, env) or ():
            if strawman_eval(decl.condition, {**env, decl.name: item}) is True:  # type: ignore[arg-type]
                return True
        return False
    if isinstance(node, ast.Occurs) and isinstance(node.spec, ast.OffsetSpec):
        t = timeutil.to_micros(strawman_eval(node.subject, env))
        if t is None:
            return False
        now = timeutil.datetime_micros(env["$now"])
        spec = node.spec
        window = timeutil.window_offset(spec.comparator, spec.amount, spec.unit, spec.direction,
                                        timeutil.point(now))
        return any(lo <= t < hi for lo, hi in window)
    raise NotImplementedError(type(node).__name__)


def strawman_predicate(expr: ast.Expr) -> Callable[[Mapping[str, Any], Any, datetime], Any]:
    def evaluate(profile: Mapping[str, Any], events: Any, now: datetime) -> Any:
        ordered = sorted(events, key=lambda e: timeutil.to_micros(e.get("timestamp")) or 0)
        return strawman_eval(expr, {"$profile": profile, "$events": ordered, "$now": now})

    return evaluate


# ---- data ---------------------------------------------------------------------------------


def make_profiles(count: int, events_each: int, seed: int = 7) -> list[tuple[dict[str, Any],
                                                                              list[Any]]]:
    rng = random.Random(seed)
    types = ["web.webpagedetails.pageViews", "commerce.productViews", "commerce.purchases",
             "commerce.productListAdds"]
    out = []
    for i in range(count):
        profile = {"person": {"gender": rng.choice(["female", "male", "non_specific"]),
                              "birthYear": rng.randint(1950, 2005)},
                   "homeAddress": {"countryISO": rng.choice(["US", "CA", "FR"])},
                   "identityMap": {"email": [{"id": f"user{i}@example.com"}]}}
        events = []
        for _ in range(events_each):
            at = NOW - timedelta(seconds=rng.randint(0, 120 * 86400))
            kind = rng.choice(types)
            event: dict[str, Any] = {"timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                                     "eventType": kind}
            if kind == "commerce.purchases":
                event["commerce"] = {"order": {"priceTotal": round(rng.uniform(5, 130), 2),
                                               "currencyCode": "USD"}}
            events.append(event)
        out.append((profile, events))
    return out


# ---- measurement ---------------------------------------------------------------------------




def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    runs = 3 if quick else 7
    print(f"{time.strftime('%Y-%m-%d')} · {platform.machine()} · Python "
          f"{platform.python_version()} · medians of {runs} runs")

    # (a) attribute predicate
    people = [p for p, _ in make_profiles(20_000 if quick else 100_000, 0)]
    expr = parse(SIMPLE)
    compiled = compile(expr).evaluate
    naive = naive_predicate(expr)
    strawman = strawman_predicate(expr)
    n = len(people)
    c_rate, c_hits = rate(lambda: sum(1 for p in people if compiled(p, (), NOW)), n, runs)
    b_rate, b_hits = rate(lambda: sum(1 for p in people if naive(p, (), NOW)), n, runs)
    s_rate, s_hits = rate(lambda: sum(1 for p in people if strawman(p, (), NOW)), n, runs)
    assert c_hits == b_hits == s_hits, (c_hits, b_hits, s_hits)
    print(f"\n(a) {SIMPLE}   [{n:,} profiles, {c_hits:,} match]")
    print(f"    fair AST walk         {b_rate:>12,.0f} evaluations/s")
    print(f"    compiled              {c_rate:>12,.0f} evaluations/s   x{c_rate / b_rate:.1f}")
    print(f"    (earlier strawman walk {s_rate:>11,.0f} evaluations/s: compiled "
          f"x{c_rate / s_rate:.1f})")

    # (b) event quantifier, ~20 events per profile
    data = make_profiles(2_000 if quick else 10_000, 20)
    expr = parse(EVENTS)
    compiled = compile(expr).evaluate
    naive = naive_predicate(expr)
    strawman = strawman_predicate(expr)
    n = len(data)
    start = time.perf_counter()
    prepared = [(p, prepare_events(e)) for p, e in data]
    prep_seconds = time.perf_counter() - start
    b_rate, b_hits = rate(lambda: sum(1 for p, e in data if naive(p, e, NOW)), n, runs)
    bp_rate, bp_hits = rate(lambda: sum(1 for p, e in prepared if naive(p, e, NOW)), n, runs)
    s_rate, s_hits = rate(lambda: sum(1 for p, e in data if strawman(p, e, NOW)), n, runs)
    r_rate, r_hits = rate(lambda: sum(1 for p, e in data if compiled(p, e, NOW)), n, runs)
    p_rate, p_hits = rate(lambda: sum(1 for p, e in prepared if compiled(p, e, NOW)), n, runs)
    assert b_hits == bp_hits == s_hits == r_hits == p_hits, (b_hits, bp_hits, s_hits, r_hits,
                                                              p_hits)
    events_total = sum(len(e) for _, e in data)
    print(f"\n(b) {EVENTS}\n    [{n:,} profiles x 20 events, {p_hits:,} match]")
    print(f"    raw events:      fair AST walk {b_rate:>10,.0f} profiles/s   "
          f"compiled {r_rate:>10,.0f} profiles/s   x{r_rate / b_rate:.1f}")
    print(f"    prepared events: fair AST walk {bp_rate:>10,.0f} profiles/s   "
          f"compiled {p_rate:>10,.0f} profiles/s   x{p_rate / bp_rate:.1f}")
    print(f"    (earlier strawman walk, raw events {s_rate:>10,.0f} profiles/s: compiled "
          f"prepared x{p_rate / s_rate:.1f})")
    print(f"    prepare_events        {events_total / prep_seconds:>12,.0f} events/s "
          "(once per profile, shared by all segments)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
