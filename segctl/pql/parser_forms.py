"""Parsers for PQL's larger forms: binding forms (§9), ``occurs`` (§7) and ``chain`` (§8).

Each function takes the :class:`~segctl.pql.parser.Parser` positioned at the form's first token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from segctl.pql import ast as a

if TYPE_CHECKING:
    from segctl.pql.parser import Parser

#: every spelling of a time unit -> its canonical singular (PQL.md §3, incl. "millenium")
UNIT_WORDS: dict[str, str] = {
    **{unit: unit for unit in a.TIME_UNITS},
    **{plural: unit for unit, plural in a.UNIT_PLURALS.items()},
    "millenium": "millennium", "milleniums": "millennium", "millenniums": "millennium",
}
_COMPARATORS = frozenset(a.COMPARISON_OPS)
_QUANTIFIER_WORDS = {"exists": "exists", "some": "exists", "forall": "forall", "all": "forall"}
_CHAIN_CLAUSES = ("what", "where", "when", "count")


# ---- binding forms ----------------------------------------------------------------------


def parse_let(parser: Parser) -> a.Expr:
    parser.advance()
    name = parser.expect_name("a variable name after 'let'")
    parser.expect("=", "'=' after the let variable")
    saved, parser.no_in = parser.no_in, True
    try:
        value = parser.parse_expr()
    finally:
        parser.no_in = saved
    parser.expect_keyword("in")
    return a.Let(name, value, parser.parse_expr())


def parse_select(parser: Parser) -> a.Expr:
    parser.advance()
    return a.Select(parse_decls(parser))


def parse_quantified(parser: Parser) -> a.Expr:
    word = parser.advance().keyword or ""
    return a.Quantified(_QUANTIFIER_WORDS[word], parse_decls(parser))


def parse_aggregate(parser: Parser) -> a.Expr:
    function = parser.advance().keyword or ""
    if parser.tok.kind == "ident" and parser.peek(1).keyword == "from":
        return a.Aggregate(function, None, parse_decls(parser))
    value = parser.parse_expr()
    parser.expect_keyword("over")
    return a.Aggregate(function, value, parse_decls(parser))


def parse_lambda(parser: Parser) -> a.Expr:
    params: list[str] = []
    if parser.tok.kind == "ident":
        params.append(parser.expect_name("a lambda parameter"))
    else:
        parser.advance()
        while parser.tok.kind != ")":
            params.append(parser.expect_name("a lambda parameter"))
            if parser.tok.kind == ",":
                parser.advance()
        parser.advance()
    parser.expect("=>")
    return a.Lambda(tuple(params), parser.parse_expr())


def parse_decls(parser: Parser) -> tuple[a.VarDecl, ...]:
    """``V from A [where|: C] {, V from A [where C]}``; a comma ends a condition only when
    ``ident from`` follows it (PQL.md §4)."""
    decls = [_parse_decl(parser)]
    while (parser.tok.kind == "," and parser.peek(1).kind == "ident"
           and parser.peek(2).keyword == "from"):
        parser.advance()
        decls.append(_parse_decl(parser))
    return tuple(decls)


def _parse_decl(parser: Parser) -> a.VarDecl:
    name = parser.expect_name("a variable name")
    parser.expect_keyword("from")
    source = parser.parse_expr()
    condition = None
    if parser.tok.keyword == "where" or parser.tok.kind == ":":
        parser.advance()
        condition = parser.parse_expr()
    return a.VarDecl(name, source, condition)


BINDING_FORMS: dict[str, Callable[[Parser], a.Expr]] = {
    "let": parse_let, "select": parse_select,
    "exists": parse_quantified, "forall": parse_quantified,
    "some": parse_quantified, "all": parse_quantified,
}


# ---- occurs -------------------------------------------------------------------------------


def parse_time_spec(parser: Parser) -> a.TimeSpec:
    """One of the four ``occurs`` forms (PQL.md §7), after the word ``occurs`` or in WHEN()."""
    token = parser.tok
    if token.kind in _COMPARATORS:
        parser.advance()
        amount = parser.tok
        if amount.kind != "int":
            raise parser.error(
                f"expected a whole number of time units after {token.kind!r}, "
                f"found {parser.describe(amount)}")
        parser.advance()
        unit = _parse_unit(parser)
        direction = _parse_direction(parser)
        return a.OffsetSpec(token.kind, int(amount.value), unit,
                            direction, parse_anchor(parser))
    keyword = token.keyword
    if keyword in a.DIRECTIONS:
        parser.advance()
        return a.DirectionSpec(keyword, parse_anchor(parser))
    if keyword == "between":
        parser.advance()
        start = parse_anchor(parser)
        parser.expect_keyword("and")
        return a.BetweenSpec(start, parse_anchor(parser))
    if keyword == "on":
        parser.advance()
    return a.OnSpec(parse_anchor(parser))


def parse_anchor(parser: Parser) -> a.Expr:
    """A time reference: a time word, ``this|last|next UNIT``, ``date(...)``, or a path."""
    token = parser.tok
    if token.keyword in a.PERIOD_ANCHORS:
        unit_token = parser.peek(1)
        if unit_token.kind == "ident" and str(unit_token.value).lower() in UNIT_WORDS:
            parser.advance()
            parser.advance()
            return a.RelativePeriod(token.keyword, UNIT_WORDS[str(unit_token.value).lower()])
    if token.kind == "eof" or not parser.can_start_expr(token):
        raise parser.error(
            "expected a time reference (now, today, yesterday, tomorrow, this/last/next UNIT, "
            f"date(...) or a timestamp field), found {parser.describe(token)}")
    return parser.parse_postfix()


def _parse_unit(parser: Parser) -> str:
    token = parser.tok
    unit = UNIT_WORDS.get(str(token.value).lower()) if token.kind == "ident" else None
    if unit is None:
        raise parser.error(f"expected a time unit (days, hours, months, ...), "
                           f"found {parser.describe(token)}")
    parser.advance()
    return unit


def _parse_direction(parser: Parser) -> str:
    token = parser.tok
    if token.keyword not in a.DIRECTIONS:
        raise parser.error(f"expected 'before', 'after' or 'from', found {parser.describe(token)}")
    parser.advance()
    return str(token.keyword)


# ---- chain --------------------------------------------------------------------------------


def parse_chain(parser: Parser) -> a.Expr:
    """``chain(events, orderField, [LABEL: WHAT(...) WHERE(...) WHEN(...) COUNT(n), ...])``."""
    parser.expect("(")
    events = parser.nested(parser.parse_expr)
    parser.expect(",", "',' after the chain's event array")
    order_by = parser.expect_name("the chain's ordering field (e.g. timestamp)")
    parser.expect(",", "',' after the chain's ordering field")
    parser.expect("[", "'[' opening the chain steps")
    steps = [_parse_step(parser)]
    while parser.tok.kind == ",":
        parser.advance()
        steps.append(_parse_step(parser))
    parser.expect("]", "',' or ']' after a chain step")
    parser.expect(")", "')' closing chain(")
    return a.Chain(events, order_by, tuple(steps))


def _parse_step(parser: Parser) -> a.ChainStep:
    label_token = parser.tok
    label = parser.expect_name("a chain step label (e.g. A:)")
    parser.expect(":", "':' after the chain step label")
    clauses: dict[str, object] = {}
    while True:
        token = parser.tok
        word = str(token.value).lower() if token.kind == "ident" else ""
        if word not in _CHAIN_CLAUSES or parser.peek(1).kind != "(":
            break
        if word in clauses:
            raise parser.error(f"duplicate {word.upper()}(...) in chain step {label}", token)
        parser.advance()
        parser.advance()
        if word == "when":
            clauses[word] = parse_time_spec(parser)
        elif word == "count":
            count = parser.tok
            if count.kind != "int":
                raise parser.error(f"COUNT() takes a whole number, found {parser.describe(count)}")
            parser.advance()
            clauses[word] = count.value
        else:
            clauses[word] = parser.nested(parser.parse_expr)
        parser.expect(")", f"')' closing {word.upper()}(")
    if "what" not in clauses:
        raise parser.error(f"chain step {label} needs a WHAT(...) clause", label_token)
    return a.ChainStep(label, clauses["what"], clauses.get("where"),  # type: ignore[arg-type]
                       clauses.get("when"), clauses.get("count"))  # type: ignore[arg-type]
