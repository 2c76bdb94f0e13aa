"""Parsers for PQL primaries that are not words: literals, lists, objects, ``(...)``,
``^`` up-references, ``$n`` parameters and ``@{...}`` context references.

Each function takes the :class:`~segctl.pql.parser.Parser` positioned at the primary's first
token; :data:`PRIMARY_BY_KIND` dispatches on that token's kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from segctl.pql import ast as a

if TYPE_CHECKING:
    from segctl.pql.parser import Parser


def parse_parenthesised(parser: Parser) -> a.Expr:
    parser.advance()
    first = parser.nested(parser.parse_expr)
    if parser.tok.kind == ",":  # ("a", "b"): a tolerated list spelling
        items = [first]
        while parser.tok.kind == ",":
            parser.advance()
            items.append(parser.nested(parser.parse_expr))
        parser.expect(")", "')' closing the list")
        return a.ListLiteral(tuple(items))
    parser.expect(")", "')'")
    return first


def parse_list(parser: Parser) -> a.Expr:
    parser.advance()
    items: list[a.Expr] = []
    if parser.tok.kind != "]":
        items.append(parser.nested(parser.parse_expr))
        while parser.tok.kind == ",":
            parser.advance()
            items.append(parser.nested(parser.parse_expr))
    parser.expect("]", "',' or ']' in the list")
    return a.ListLiteral(tuple(items))


def parse_object(parser: Parser) -> a.Expr:
    parser.advance()
    entries: list[tuple[str, a.Expr]] = []
    if parser.tok.kind != "}":
        while True:
            key = parser.expect("string", "a quoted key in the object literal")
            parser.expect(":", "':' after the object key")
            entries.append((str(key.value), parser.nested(parser.parse_expr)))
            if parser.tok.kind != ",":
                break
            parser.advance()
    parser.expect("}", "',' or '}' in the object literal")
    return a.ObjectLiteral(tuple(entries))


def parse_up(parser: Parser) -> a.Expr:
    levels = 0
    while parser.tok.kind == "^":
        parser.advance()
        levels += 1
    if parser.tok.kind == ".":
        parser.advance()
    name = parser.expect("ident", "a field name after '^'")
    return a.Up(levels, str(name.value))


def parse_parameter(parser: Parser) -> a.Expr:
    token = parser.advance()
    position = int(token.value)
    if position < 1:
        raise parser.error("parameters are numbered from $1", token)
    return a.Parameter(position)


def _literal(node_type: type[a.Expr]) -> Callable[[Parser], a.Expr]:
    def parse(parser: Parser) -> a.Expr:
        return node_type(parser.advance().value)  # type: ignore[call-arg]

    return parse


def _context(parser: Parser) -> a.Expr:
    value = parser.advance().value
    assert isinstance(value, tuple)
    return a.ContextRef(str(value[0]), str(value[1]))


PRIMARY_BY_KIND: dict[str, Callable[[Parser], a.Expr]] = {
    "int": _literal(a.IntegerLiteral),
    "float": _literal(a.NumberLiteral),
    "string": _literal(a.StringLiteral),
    "param": parse_parameter,
    "context": _context,
    "(": parse_parenthesised,
    "[": parse_list,
    "{": parse_object,
    "^": parse_up,
}
