"""Hypothesis strategies that build random, printable PQL syntax trees."""

from __future__ import annotations

from hypothesis import strategies as st

from segctl.pql import ast as a
from segctl.pql.tokens import KEYWORDS

_IDENT = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,6}\Z")
#: names usable bare (variables, labels, context fields, function names)
plain_names = _IDENT.filter(lambda s: s.lower() not in KEYWORDS)
#: names after a dot may be keywords and may carry the xdm: prefix
field_names = st.one_of(_IDENT, _IDENT.map(lambda s: "xdm:" + s))
_SPEC_ANCHORS_WORDS = st.sampled_from(a.TIME_WORDS).map(a.TimeWord)

leaves: st.SearchStrategy[a.Expr] = st.one_of(
    st.text(max_size=8).map(a.StringLiteral),
    st.integers(min_value=-10**12, max_value=10**12).map(a.IntegerLiteral),
    st.floats(allow_nan=False, allow_infinity=False).map(a.NumberLiteral),
    st.booleans().map(a.BooleanLiteral),
    plain_names.map(a.Name),
    st.integers(min_value=1, max_value=9).map(a.Parameter),
    st.just(a.XEvent()),
    st.just(a.This()),
    _SPEC_ANCHORS_WORDS,
    st.builds(a.Up, st.integers(min_value=1, max_value=3), field_names),
    st.builds(a.ContextRef, st.sampled_from(["", "event"]),
              st.text(alphabet="abcXYZ019;=.-_ ", max_size=10)),
)


def _anchor(children: st.SearchStrategy[a.Expr]) -> st.SearchStrategy[a.Expr]:
    return st.one_of(
        _SPEC_ANCHORS_WORDS,
        st.builds(a.RelativePeriod, st.sampled_from(a.PERIOD_ANCHORS),
                  st.sampled_from(a.TIME_UNITS)),
        st.builds(a.DateLiteral, children, children, children),
        children,
    )


def _spec(children: st.SearchStrategy[a.Expr]) -> st.SearchStrategy[a.TimeSpec]:
    anchor = _anchor(children)
    return st.one_of(
        st.builds(a.OffsetSpec, st.sampled_from(sorted(a.COMPARISON_OPS)),
                  st.integers(min_value=0, max_value=500), st.sampled_from(a.TIME_UNITS),
                  st.sampled_from(a.DIRECTIONS), anchor),
        st.builds(a.DirectionSpec, st.sampled_from(a.DIRECTIONS), anchor),
        st.builds(a.OnSpec, anchor),
        st.builds(a.BetweenSpec, anchor, anchor),
    )


def _decls(children: st.SearchStrategy[a.Expr]) -> st.SearchStrategy[tuple[a.VarDecl, ...]]:
    decl = st.builds(a.VarDecl, plain_names, children, st.none() | children)
    return st.lists(decl, min_size=1, max_size=3).map(tuple)


def _tuple(children: st.SearchStrategy[a.Expr], low: int = 0,
           high: int = 3) -> st.SearchStrategy[tuple[a.Expr, ...]]:
    return st.lists(children, min_size=low, max_size=high).map(tuple)


def _extend(children: st.SearchStrategy[a.Expr]) -> st.SearchStrategy[a.Expr]:
    step = st.builds(a.ChainStep, plain_names, children, st.none() | children,
                     st.none() | _spec(children), st.none() | st.integers(0, 20))
    return st.one_of(
        st.builds(a.Field, children, field_names),
        st.builds(a.MethodCall, children, field_names, _tuple(children)),
        st.builds(a.Call, plain_names, _tuple(children)),
        st.builds(a.Filter, children, children),
        st.builds(a.ListLiteral, _tuple(children)),
        st.builds(a.ObjectLiteral, st.lists(st.tuples(st.text(max_size=5), children),
                                            max_size=3).map(tuple)),
        st.builds(a.DateLiteral, children, children, children),
        st.builds(a.Not, children),
        st.builds(a.Negate, children),
        st.builds(a.BinaryOp, st.sampled_from(sorted(a.BINARY_OPS)), children, children),
        st.builds(a.And, _tuple(children, 2, 3)),
        st.builds(a.Or, _tuple(children, 2, 3)),
        st.builds(a.Lambda, st.lists(plain_names, max_size=2).map(tuple), children),
        st.builds(a.Select, _decls(children)),
        st.builds(a.Quantified, st.sampled_from(a.QUANTIFIERS), _decls(children)),
        st.builds(a.Aggregate, st.sampled_from(a.AGGREGATE_FUNCTIONS), st.none() | children,
                  _decls(children)),
        st.builds(a.Let, plain_names, children, children),
        st.builds(a.Occurs, children, _spec(children)),
        st.builds(a.Chain, children, plain_names, st.lists(step, min_size=1, max_size=2)
                  .map(tuple)),
    )


expressions: st.SearchStrategy[a.Expr] = st.recursive(leaves, _extend, max_leaves=12)
