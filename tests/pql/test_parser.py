"""Parser: the trees it builds (precedence, binding forms, time, chain) and where it fails."""

from __future__ import annotations

import pytest

from segctl.pql import PqlSyntaxError, parse
from segctl.pql import ast as a

N, S, Int = a.Name, a.StringLiteral, a.IntegerLiteral


def f(*path: str) -> a.Expr:
    node: a.Expr = N(path[0])
    for name in path[1:]:
        node = a.Field(node, name)
    return node


def test_precedence_follows_the_table() -> None:
    product = a.BinaryOp("*", Int(2), a.Negate(N("d")))
    comparison = a.BinaryOp("=", N("c"), a.BinaryOp("+", Int(1), product))
    assert parse("a or b and not c = 1 + 2 * -d") == a.Or(
        (N("a"), a.And((N("b"), a.Not(comparison)))))


def test_arithmetic_is_left_associative() -> None:
    assert parse("a - b - c") == a.BinaryOp("-", a.BinaryOp("-", N("a"), N("b")), N("c"))
    assert parse("a / b % c") == a.BinaryOp("%", a.BinaryOp("/", N("a"), N("b")), N("c"))


def test_bang_binds_tighter_than_comparison_but_not_does_not() -> None:
    assert parse("!a = b") == a.BinaryOp("=", a.Not(N("a")), N("b"))
    assert parse("not a = b") == a.Not(a.BinaryOp("=", N("a"), N("b")))


def test_minus_before_a_number_is_a_literal() -> None:
    assert parse("-201") == Int(-201)
    assert parse("-51.24") == a.NumberLiteral(-51.24)
    assert parse("-(5)") == a.Negate(Int(5))
    assert parse("x - -5") == a.BinaryOp("-", N("x"), Int(-5))


def test_literals() -> None:
    assert parse("'US'") == S("US")
    assert parse(r'"say \"hi\" \\ \n"') == S('say "hi" \\ \n')
    assert parse(".45") == a.NumberLiteral(0.45)
    assert parse("2.02E-12") == a.NumberLiteral(2.02e-12)
    assert parse("TRUE") == a.BooleanLiteral(True)
    assert parse("[]") == a.ListLiteral(())
    assert parse('("a", "b")') == a.ListLiteral((S("a"), S("b")))
    assert parse('{"k": 1}') == a.ObjectLiteral((("k", Int(1)),))
    assert parse("date(currentYear() - 1, 10, 1)") == a.DateLiteral(
        a.BinaryOp("-", a.Call("currentYear", ()), Int(1)), Int(10), Int(1))


def test_references() -> None:
    assert parse("$1.homeAddress") == a.Field(a.Parameter(1), "homeAddress")
    assert parse("XEVENT") == a.XEvent()
    assert parse("^^.person.gender") == a.Field(a.Up(2, "person"), "gender")
    assert parse("^prop") == a.Up(1, "prop")
    assert parse("@event{schema;version=1}.a") == a.Field(a.ContextRef("event", "schema;version=1"),
                                                         "a")
    assert parse("xdm:homeAddress.xdm:@id") == a.Field(N("xdm:homeAddress"), "xdm:@id")


def test_keywords_after_a_dot_are_field_names() -> None:
    assert parse("a.select.from.sum") == f("a", "select", "from", "sum")
    assert parse("x.min(price)") == a.MethodCall(N("x"), "min", (N("price"),))


def test_method_calls_filters_and_lambdas() -> None:
    tree = parse('xEvent[type = "order"].groupBy(storeId).map((K, G) => mapEntry(K, G.count()))')
    grouped = a.MethodCall(a.Filter(a.XEvent(), a.BinaryOp("=", N("type"), S("order"))),
                           "groupBy", (N("storeId"),))
    body = a.Call("mapEntry", (N("K"), a.MethodCall(N("G"), "count", ())))
    assert tree == a.MethodCall(grouped, "map", (a.Lambda(("K", "G"), body),))
    assert parse("X1 => X1.a") == a.Lambda(("X1",), f("X1", "a"))
    assert parse("(a)") == N("a")


def test_select_conditions_end_at_a_comma_followed_by_a_declaration() -> None:
    tree = parse("forall E from xEvent where (E.p > 50), I from E.items where I.SKU = \"PS\"")
    assert tree == a.Quantified("forall", (
        a.VarDecl("E", a.XEvent(), a.BinaryOp(">", f("E", "p"), Int(50))),
        a.VarDecl("I", f("E", "items"), a.BinaryOp("=", f("I", "SKU"), S("PS"))),
    ))
    assert parse("f(select X from A, y)") == a.Call(
        "f", (a.Select((a.VarDecl("X", N("A")),)), N("y")))


def test_some_all_are_exists_forall_and_colon_is_where() -> None:
    assert parse("some x FROM xEvent WHERE x.a") == parse("exists x from xEvent where x.a")
    assert parse("all t from l : t in m") == a.Quantified(
        "forall", (a.VarDecl("t", N("l"), a.BinaryOp("in", N("t"), N("m"))),))
    assert parse("some.thing") == f("some", "thing")


def test_binding_forms_may_start_an_operand_and_extend_right() -> None:
    assert parse("a and exists X from B where c or d") == a.And((
        N("a"), a.Quantified("exists", (a.VarDecl("X", N("B"), a.Or((N("c"), N("d")))),))))


def test_aggregations() -> None:
    assert parse("sum X from integerArray where X > 0") == a.Aggregate(
        "sum", None, (a.VarDecl("X", N("integerArray"), a.BinaryOp(">", N("X"), Int(0))),))
    assert parse("max X.v over X from xEvent") == a.Aggregate(
        "max", f("X", "v"), (a.VarDecl("X", a.XEvent()),))
    assert parse("sum > 3") == a.BinaryOp(">", N("sum"), Int(3))


def test_let_value_ends_at_in() -> None:
    assert parse("let n = a + 1 in n in [2]") == a.Let(
        "n", a.BinaryOp("+", N("a"), Int(1)),
        a.BinaryOp("in", N("n"), a.ListLiteral((Int(2),))))
    assert parse("let n = (a in b) in n") == a.Let("n", a.BinaryOp("in", N("a"), N("b")), N("n"))


@pytest.mark.parametrize(("text", "spec"), [
    ("t occurs <= 1 month before today",
     a.OffsetSpec("<=", 1, "month", "before", a.TimeWord("today"))),
    ("t occurs = 3 Hours before NOW", a.OffsetSpec("=", 3, "hour", "before", a.TimeWord("now"))),
    ("t occurs < 2 weeks after A1.timestamp",
     a.OffsetSpec("<", 2, "week", "after", f("A1", "timestamp"))),
    ("t occurs > 1 millenium from now",
     a.OffsetSpec(">", 1, "millennium", "from", a.TimeWord("now"))),
    ("t occurs before today", a.DirectionSpec("before", a.TimeWord("today"))),
    ("t occurs after date(2017,10,1)",
     a.DirectionSpec("after", a.DateLiteral(Int(2017), Int(10), Int(1)))),
    ("t occurs last month", a.OnSpec(a.RelativePeriod("last", "month"))),
    ("t occurs on this centuries", a.OnSpec(a.RelativePeriod("this", "century"))),
    ("t occurs yesterday", a.OnSpec(a.TimeWord("yesterday"))),
    ("t occurs on Y.timestamp", a.OnSpec(f("Y", "timestamp"))),
    ("t occurs between yesterday and next week",
     a.BetweenSpec(a.TimeWord("yesterday"), a.RelativePeriod("next", "week"))),
])
def test_occurs_forms(text: str, spec: a.TimeSpec) -> None:
    assert parse(text) == a.Occurs(N("t"), spec)


def test_occurs_binds_like_a_comparison() -> None:
    assert parse("t occurs today and x") == a.And((a.Occurs(N("t"), a.OnSpec(
        a.TimeWord("today"))), N("x")))


def test_chain() -> None:
    tree = parse("""CHAIN(xEvent, timestamp, [
        A: WHAT(eventType = "homePageView") WHEN(< 24 hours before now) COUNT(5),
        B: what(eventType = "x") where(a.b) when(today)])""")
    assert tree == a.Chain(a.XEvent(), "timestamp", (
        a.ChainStep("A", a.BinaryOp("=", N("eventType"), S("homePageView")), None,
                    a.OffsetSpec("<", 24, "hour", "before", a.TimeWord("now")), 5),
        a.ChainStep("B", a.BinaryOp("=", N("eventType"), S("x")), f("a", "b"),
                    a.OnSpec(a.TimeWord("today")), None),
    ))


ERRORS = [
    # text, line, col, message fragment
    ("a = = b", 1, 5, "expected an expression, found '='"),
    ("a = b = c", 1, 7, "comparison operators do not chain"),
    ("a and", 1, 6, "unexpected end of input"),
    ("(a", 1, 3, "expected ')'"),
    ("[1, 2", 1, 6, "',' or ']' in the list"),
    ('name = "unterminated', 1, 8, "unterminated string"),
    ("a # b", 1, 3, "unexpected character '#'"),
    ("a.b.", 1, 5, "a field or method name after '.'"),
    ("f(a b)", 1, 5, "',' or ')' in the argument list"),
    ("x occurs", 1, 9, "expected a time reference"),
    ("x occurs < 7 before now", 1, 14, "expected a time unit"),
    ("x occurs < 7 days around now", 1, 19, "expected 'before', 'after' or 'from'"),
    ("x occurs < seven days before now", 1, 12, "whole number of time units"),
    ("x occurs between today", 1, 23, "expected 'and'"),
    ("select from xEvent", 1, 8, "expected a variable name"),
    ("select X in xEvent", 1, 10, "expected 'from'"),
    ("let = 1 in 2", 1, 5, "a variable name after 'let'"),
    ("let x = 1 2", 1, 11, "expected 'in'"),
    ("sum X.a from xEvent", 1, 9, "expected 'over'"),
    ("date(2020, 1)", 1, 1, "date() takes 3 arguments"),
    ("chain(xEvent, timestamp, [A: WHEN(today)])", 1, 27, "needs a WHAT(...) clause"),
    ("chain(xEvent, timestamp, [A: WHAT(a) WHAT(b)])", 1, 38, "duplicate WHAT(...)"),
    ("chain(xEvent, timestamp, [A: WHAT(a) COUNT(x)])", 1, 44, "COUNT() takes a whole number"),
    ("chain(xEvent, timestamp, A: WHAT(a))", 1, 26, "'[' opening the chain steps"),
    ("{a: 1}", 1, 2, "a quoted key"),
    ("$0.a", 1, 1, "parameters are numbered from $1"),
    ("$x", 1, 1, "expected a parameter number"),
    ("x = 1e999", 1, 5, "out of range"),
    ("where = 1", 1, 1, "expected an expression, found keyword 'where'"),
    ("a b", 1, 3, "unexpected 'b' after a complete expression"),
    ("person.name\n  = \"x\"\n  and and", 3, 7, "expected an expression, found keyword 'and'"),
    ("@{unclosed", 1, 1, "malformed context reference"),
]


@pytest.mark.parametrize(("text", "line", "col", "message"), ERRORS)
def test_errors_are_positioned(text: str, line: int, col: int, message: str) -> None:
    with pytest.raises(PqlSyntaxError) as info:
        parse(text, file="<expr>")
    err = info.value
    assert message in err.message
    assert (err.line, err.col) == (line, col), err.format()
    assert err.location is not None and err.location.file == "<expr>"
    assert err.location.source_line == text.splitlines()[line - 1]


def test_error_format_shows_the_line_and_a_caret() -> None:
    with pytest.raises(PqlSyntaxError) as info:
        parse('person.gender in ["female"]\n  and homeAddress.countryISO == "US"', file="seg.yaml")
    assert info.value.format().splitlines() == [
        "seg.yaml:2:31: error: expected an expression, found '='",
        '      and homeAddress.countryISO == "US"',
        "    " + " " * 30 + "^",
    ]


def test_embedded_text_reports_the_enclosing_file_position() -> None:
    with pytest.raises(PqlSyntaxError) as info:
        parse("a = = b", file="segments/x.yaml", first_line=7, first_col=12)
    assert (info.value.line, info.value.col) == (7, 16)
    assert info.value.format().splitlines()[2].index("^") == 4 + 15
    with pytest.raises(PqlSyntaxError) as info:
        parse("a\n= = b", first_line=7, first_col=12)
    assert (info.value.line, info.value.col) == (8, 3)


def test_deep_nesting_is_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(PqlSyntaxError, match="nested more than 32 levels deep") as info:
        parse("(" * 5000 + "a" + ")" * 5000)
    assert (info.value.line, info.value.col) == (1, 66)  # the bracket past MAX_NESTING
